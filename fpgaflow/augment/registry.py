"""Every public hit-map transform by its policy name, and the magnitude scale policies use.

A policy names a transform (``op``) and a *magnitude* ``M`` on the integer scale ``0..10``
(:data:`MAX_MAGNITUDE`, as in RandAugment); the transform's ``from_magnitude`` receives ``M / 10``.
Unknown names raise :class:`ConfigError` with the closest valid name suggested.
"""

from __future__ import annotations

from fpgaflow.augment.base import BatchTransform, check_probability
from fpgaflow.augment.crop import Crop
from fpgaflow.augment.dropout import DoubleColumnDropout, PixelDropout, RocDropout
from fpgaflow.augment.flip import HorizontalFlip, VerticalFlip
from fpgaflow.augment.gain import GainJitter
from fpgaflow.augment.noise import GaussianNoise, SaltAndPepper
from fpgaflow.augment.rotate import Rotate90
from fpgaflow.augment.shift import Shift
from fpgaflow.augment.spillover import Spillover
from fpgaflow.augment.threshold import Threshold
from fpgaflow.augment.zoom import Zoom
from fpgaflow.config.strict import suggest
from fpgaflow.errors import ConfigError

#: Top of the integer policy magnitude scale.
MAX_MAGNITUDE = 10

#: Policy op name → transform class (every public transform; the completeness test walks this table).
TRANSFORMS: dict[str, type[BatchTransform]] = {
    "horizontal_flip": HorizontalFlip,
    "vertical_flip": VerticalFlip,
    "rotate90": Rotate90,
    "zoom": Zoom,
    "shift": Shift,
    "crop": Crop,
    "gaussian_noise": GaussianNoise,
    "salt_and_pepper": SaltAndPepper,
    "pixel_dropout": PixelDropout,
    "double_column_dropout": DoubleColumnDropout,
    "roc_dropout": RocDropout,
    "gain": GainJitter,
    "threshold": Threshold,
    "spillover": Spillover,
}

#: Ops valid on any map shape (rotate90 at magnitude >= 5 needs square maps).
SHAPE_SAFE_OPS: tuple[str, ...] = tuple(k for k in TRANSFORMS if k != "rotate90")

#: Default op set of RandAugment / TrivialAugment: shape-safe ops minus ``roc_dropout``, whose 80 × 52
#: dead block empties most of a small window (a 32 × 32 map loses ~75 % of its charge on average,
#: often the whole particle cluster).  Name it explicitly for module-sized maps.
DEFAULT_POLICY_OPS: tuple[str, ...] = tuple(k for k in SHAPE_SAFE_OPS if k != "roc_dropout")


def check_op(name: str, where: str = "augment") -> str:
    """Return ``name`` if it is a registered op, else raise :class:`ConfigError` with a did-you-mean hint."""
    if name not in TRANSFORMS:
        raise ConfigError(
            f"{where}: unknown augmentation op {name!r}{suggest(name, TRANSFORMS)}; "
            f"valid ops: {', '.join(TRANSFORMS)}"
        )
    return name


def check_magnitude(magnitude: int, where: str = "augment") -> int:
    """Return ``magnitude`` if it lies on the ``0..10`` scale, else raise :class:`ConfigError`."""
    if isinstance(magnitude, bool) or not 0 <= magnitude <= MAX_MAGNITUDE:
        raise ConfigError(f"{where}: magnitude must be an integer in 0..{MAX_MAGNITUDE}, got {magnitude}")
    return int(magnitude)


def make_transform(name: str, magnitude: float, p: float = 1.0) -> BatchTransform:
    """Build op ``name`` at ``magnitude`` (0..10, may be fractional) applied with probability ``p``."""
    check_op(name)
    check_probability(name, "p", p)
    if not 0 <= magnitude <= MAX_MAGNITUDE:
        raise ConfigError(f"{name}: magnitude must be in 0..{MAX_MAGNITUDE}, got {magnitude}")
    return TRANSFORMS[name].from_magnitude(magnitude / MAX_MAGNITUDE, p)
