"""Translations with zero fill — never wrap-around.

A hit that leaves the window is lost (as it would be for a window placed elsewhere on the module);
the pixels entering the window are empty.  ``np.roll``-style wrap-around would glue the left edge of
a cluster to the right edge of the map, which the study found to hurt accuracy most.  Charge is
conserved only for the part of the map that stays inside the window.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.augment.base import BatchTransform, check_level
from fpgaflow.errors import ConfigError


def shift_maps(maps: np.ndarray, d_rows: np.ndarray, d_cols: np.ndarray) -> np.ndarray:
    """Move map ``i`` by ``d_rows[i]`` rows down and ``d_cols[i]`` columns right, filling with zeros."""
    n, rows, cols = maps.shape[:3]
    src_r = np.arange(rows)[None, :] - np.asarray(d_rows)[:, None]  # (n, rows)
    src_c = np.arange(cols)[None, :] - np.asarray(d_cols)[:, None]  # (n, cols)
    ok_r = (src_r >= 0) & (src_r < rows)
    ok_c = (src_c >= 0) & (src_c < cols)
    gathered = maps[
        np.arange(n)[:, None, None],
        np.clip(src_r, 0, rows - 1)[:, :, None],
        np.clip(src_c, 0, cols - 1)[:, None, :],
    ]
    mask = (ok_r[:, :, None] & ok_c[:, None, :])[..., None]
    return np.where(mask, gathered, np.zeros((), dtype=maps.dtype)).astype(maps.dtype, copy=False)


class Shift(BatchTransform):
    """Shift by up to ``max_fraction`` of the map size along each axis (uniform integer offsets)."""

    def __init__(self, p: float = 0.5, max_fraction: float = 0.25) -> None:
        super().__init__(p)
        if not 0.0 <= max_fraction <= 1.0:
            raise ConfigError(f"Shift: max_fraction must be in [0, 1], got {max_fraction}")
        self.max_fraction = float(max_fraction)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 1 shifts by up to half the map."""
        return cls(p, 0.5 * check_level(cls.__name__, level))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        # Offsets are drawn as fractions, turned into pixels in apply (the shape is known there).
        apply = rng.random(n) < self.p
        frac = rng.uniform(-self.max_fraction, self.max_fraction, size=(n, 2))
        return {"fraction": np.where(apply[:, None], frac, 0.0)}

    def apply(self, maps: np.ndarray, **params: Any) -> np.ndarray:
        frac = params["fraction"]
        rows, cols = maps.shape[1:3]
        d_rows = np.rint(frac[:, 0] * rows).astype(np.int64)
        d_cols = np.rint(frac[:, 1] * cols).astype(np.int64)
        return shift_maps(maps, d_rows, d_cols)

    def __repr__(self) -> str:
        return f"Shift(p={self.p}, max_fraction={self.max_fraction})"
