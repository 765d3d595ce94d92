"""Hit maps: the container, loaders, generators and splits (no TensorFlow imported here)."""

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
    "HitMapSet",
    "ToyConfig",
    "generate_toy",
    "load_npz",
    "split",
    "split_indices",
    "validate_arrays",
]
