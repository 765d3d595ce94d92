"""Transform protocol: sample parameters from a passed-in generator, then apply a pure function.

A :class:`BatchTransform` works on a whole batch ``(n, rows, cols, 1)`` at once.  ``sample_params``
draws everything random (which maps are hit, with probability ``p``, and each map's parameters) from
the ``numpy.random.Generator`` it is given; ``apply`` is a pure function of the batch and those
parameters.  :class:`Compose` owns the seed, so the same seed reproduces the same stream exactly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from fpgaflow.errors import ConfigError


class BatchTransform(ABC):
    """A hit-map transform applied to each map of a batch with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ConfigError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p = float(p)

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        """Draw the per-map parameters; the default draws only which maps are transformed."""
        return {"apply": rng.random(n) < self.p}

    @abstractmethod
    def apply(self, maps: np.ndarray, **params: Any) -> np.ndarray:
        """Pure function: return transformed maps (never modifies ``maps`` in place)."""

    def __call__(self, maps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
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

    def __call__(self, maps: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        gen = self.rng if rng is None else rng
        out = maps
        for t in self.transforms:
            out = t(out, gen)
        return out

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r}, seed={self.seed})"
