"""Where ``fpgaflow baselines MAPS`` finds its training, validation and test maps.

``MAPS`` is one of:

* a run directory (``RUN/data/train.npz``, ``RUN/data/test.npz``, and ``val.npz`` when present) — the very
  maps the run's model was trained and tested on;
* such a ``data/`` directory itself (any directory holding ``train.npz`` and ``test.npz``);
* one hit-map file or set (``.npz``, ``.h5``/``.hdf5``, ``.root``, an npz shard directory): split into
  train/validation/test by label-stratified fractions with the stream ``[seed, 1]`` — the split
  ``fpgaflow run`` makes of the same maps with ``data.seed = seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fpgaflow.baselines.measure_truth import load_with_truth
from fpgaflow.data import HitMapSet, load_npz, split
from fpgaflow.data.dataset import load_file
from fpgaflow.errors import DataError


@dataclass(frozen=True)
class SplitMaps:
    """Training, optional validation and test maps, and ``source``: how they were found (for the report)."""

    train: HitMapSet
    val: HitMapSet | None
    test: HitMapSet
    source: str


def _split_dir(path: Path) -> Path | None:
    for d in (path, path / "data"):
        if (d / "train.npz").is_file() and (d / "test.npz").is_file():
            return d
    return None


def load_split_maps(path: Path, val_fraction: float = 0.15, test_fraction: float = 0.15, seed: int = 1) -> SplitMaps:
    """The maps of ``path`` as (train, validation, test); see the module docstring for what ``path`` may be."""
    if not path.exists():
        raise DataError(f"{path}: not found (expected a run directory, its data/ directory or a hit-map file)")
    found = _split_dir(path) if path.is_dir() else None
    if found is not None:
        val = load_npz(found / "val.npz") if (found / "val.npz").is_file() else None
        return SplitMaps(
            load_with_truth(found / "train.npz"), val, load_npz(found / "test.npz"), f"{found}/{{train,test}}.npz"
        )
    if path.is_dir() and not (path / "manifest.json").is_file():
        raise DataError(
            f"{path}: a directory without train.npz + test.npz, data/train.npz + data/test.npz or a shard "
            "manifest.json; expected a run directory, its data/ directory or a hit-map file"
        )
    train, val, test = split(load_file(path), val_fraction, test_fraction, np.random.default_rng([seed, 1]), str(path))
    return SplitMaps(
        train,
        val,
        test,
        f"{path} split {1 - val_fraction - test_fraction:.2f}/{val_fraction:.2f}/{test_fraction:.2f} with seed {seed}",
    )


def module_positions(
    train: HitMapSet, val: HitMapSet | None, test: HitMapSet
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None, npt.NDArray[np.float32]] | None:
    """The module positions of (train, validation, test) for :func:`~fpgaflow.baselines.evaluate_baselines`,
    or ``None`` unless every given set carries them (cluster stamps do; windows and files without
    ``positions`` do not)."""
    sets = [s for s in (train, val, test) if s is not None]
    if any(s.positions is None for s in sets):
        return None
    assert train.positions is not None
    assert test.positions is not None
    return train.positions, None if val is None else val.positions, test.positions
