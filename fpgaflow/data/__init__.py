"""Hit maps: the container, loaders, generators and splits (no TensorFlow imported here).

:func:`load_file` is the one reader of a hit-map file a user names (``.npz``, ``.h5``/``.hdf5``, a shard
directory, ``.root``): every command that takes labelled maps reads them through it, and :func:`load_maps`
reads maps alone for inference (an npz of unlabelled maps); :func:`open_dataset` streams
the same files chunk by chunk; :func:`load_dataset` builds the set a :class:`DataConfig` describes (the
physics simulator, toy maps, or a file).
"""

from typing import Any

from fpgaflow.data.config import DataConfig
from fpgaflow.data.dataset import load_file, load_maps, open_dataset
from fpgaflow.data.hitmaps import (
    ADC_MAX,
    BACKGROUND,
    CLASS_NAMES,
    PARTICLE,
    HitMapSet,
    load_npz,
    validate_arrays,
)
from fpgaflow.data.split import split, split_indices
from fpgaflow.data.toy import ToyConfig, generate_toy

__all__ = [
    "ADC_MAX",
    "BACKGROUND",
    "CLASS_NAMES",
    "PARTICLE",
    "DataConfig",
    "HitMapSet",
    "ToyConfig",
    "generate_toy",
    "load_dataset",
    "load_file",
    "load_maps",
    "load_npz",
    "open_dataset",
    "split",
    "split_indices",
    "validate_arrays",
]


def __getattr__(name: str) -> Any:
    if name == "load_dataset":  # loads the simulator (scipy) on first use
        from fpgaflow.data.source import load_dataset

        return load_dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
