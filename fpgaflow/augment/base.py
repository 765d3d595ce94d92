"""Transform protocol: sample parameters from a passed-in generator, then apply a pure function.

A :class:`BatchTransform` works on a whole batch ``(n, rows, cols, 1)`` of ADC counts at once.
``sample_params`` draws everything random (which maps are hit, with probability ``p``, and each map's
parameters) from the ``numpy.random.Generator`` it is given; ``apply`` is a pure function of the batch
and those parameters.  :class:`Compose` owns the seed, so the same seed reproduces the same stream exactly.

Every registered transform also has :meth:`BatchTransform.from_magnitude`: a *level* in ``[0, 1]``
(policy magnitude ``M / 10``) mapped to the transform's physical strength, so RandAugment-style
policies can drive all transforms with one number.  ``conserves_charge`` says whether the transform
keeps the summed charge of a map exactly (as long as no pixel saturates at the ADC full scale);
the tests check that claim.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hitmaps import MapArray
from fpgaflow.errors import ConfigError

#: Pixels below this many ADC counts are zero-suppressed by the ROC (2000 e⁻ threshold / 135 e⁻ per count).
DEFAULT_THRESHOLD_ADC = 15.0


def check_probability(owner: str, name: str, value: float) -> float:
    """Return ``value`` as float, or raise :class:`ConfigError` unless it is a probability."""
    if not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"{owner}: {name} must be a probability in [0, 1], got {value}")
    return float(value)


def check_level(owner: str, level: float) -> float:
    """Return a magnitude level in ``[0, 1]`` or raise :class:`ConfigError`."""
    if not 0.0 <= float(level) <= 1.0:
        raise ConfigError(f"{owner}: magnitude level must be in [0, 1] (policy magnitude 0..10), got {level}")
    return float(level)


class BatchTransform(ABC):
    """A hit-map transform applied to each map of a batch with probability ``p``."""

    #: Summed charge of every map is unchanged (exactly, when no pixel saturates at 255 ADC).
    conserves_charge: ClassVar[bool] = False

    def __init__(self, p: float = 0.5) -> None:
        self.p = check_probability(type(self).__name__, "p", p)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """The transform at strength ``level`` in ``[0, 1]`` (0 = weakest, 1 = strongest)."""
        check_level(cls.__name__, level)
        return cls(p)

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        """Draw the per-map parameters; the default draws only which maps are transformed."""
        return {"apply": rng.random(n) < self.p}

    @abstractmethod
    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        """Pure function: return transformed maps (never modifies ``maps`` in place)."""

    def __call__(self, maps: MapArray, rng: np.random.Generator) -> MapArray:
        return self.apply(maps, **self.sample_params(maps.shape[0], rng))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class Compose:
    """Apply transforms in order; ``seed`` fixes the random stream (one generator for the composition)."""

    def __init__(self, transforms: Sequence[BatchTransform], seed: int | None = None) -> None:
        self.transforms = list(transforms)
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def reset(self) -> None:
        """Restart the random stream from ``seed``."""
        self.rng = np.random.default_rng(self.seed)

    def __call__(self, maps: MapArray, rng: np.random.Generator | None = None) -> MapArray:
        gen = self.rng if rng is None else rng
        out = maps
        for t in self.transforms:
            out = t(out, gen)
        return out

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r}, seed={self.seed})"


def scatter(maps: MapArray, which: npt.NDArray[np.bool_], changed: MapArray) -> MapArray:
    """A copy of ``maps`` with the maps selected by boolean ``which`` replaced by ``changed``."""
    out = maps.copy()
    out[which] = changed
    return out


def hit_pixels(maps: MapArray, which: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.intp], ...]:
    """Index tuple (map, row, col, channel) of the hit (non-zero) pixels of the maps selected by boolean
    ``which``, in row-major order.  Hit maps are sparse, so per-pixel randomness is drawn for these only."""
    sel = np.flatnonzero(which)
    sub = np.nonzero(maps[sel] > 0)
    return (sel[sub[0]], *sub[1:])
