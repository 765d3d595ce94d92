"""Translations with zero fill — never wrap-around.

A hit that leaves the window is lost (as it would be for a window placed elsewhere on the module);
the pixels entering the window are empty.  ``np.roll``-style wrap-around would glue the left edge of
a cluster to the right edge of the map, which the study found to hurt accuracy most.  Charge is
conserved only for the part of the map that stays inside the window.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import BatchTransform, check_level
from fpgaflow.data.hitmaps import MapArray
from fpgaflow.errors import ConfigError


def shift_maps(maps: MapArray, d_rows: npt.NDArray[np.integer[Any]], d_cols: npt.NDArray[np.integer[Any]]) -> MapArray:
    """Move map ``i`` by ``d_rows[i]`` rows down and ``d_cols[i]`` columns right, filling with zeros.

    The batch is zero-padded by the largest shift and each map's window is cut out of its padded copy
    (one gather of whole windows): content that leaves the map meets only padding, never the far edge.
    """
    n, rows, cols = maps.shape[:3]
    d_rows = np.clip(np.asarray(d_rows, dtype=np.int64), -rows, rows)
    d_cols = np.clip(np.asarray(d_cols, dtype=np.int64), -cols, cols)
    pr = int(np.abs(d_rows).max(initial=0))
    pc = int(np.abs(d_cols).max(initial=0))
    padded = np.pad(maps, ((0, 0), (pr, pr), (pc, pc), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (rows, cols), axis=(1, 2))  # type: ignore[call-overload]
    # windows[i, a, b] is the map seen from offset (a, b) of the padded map: (n, 2pr+1, 2pc+1, ch, rows, cols)
    picked = windows[np.arange(n), pr - d_rows, pc - d_cols]  # (n, ch, rows, cols)
    return np.ascontiguousarray(np.moveaxis(picked, 1, -1))


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

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        frac = params["fraction"]
        rows, cols = maps.shape[1:3]
        d_rows = np.rint(frac[:, 0] * rows).astype(np.int64)
        d_cols = np.rint(frac[:, 1] * cols).astype(np.int64)
        moved = (d_rows != 0) | (d_cols != 0)
        out = maps.copy()
        if moved.any():
            out[moved] = shift_maps(maps[moved], d_rows[moved], d_cols[moved])
        return out

    def __repr__(self) -> str:
        return f"Shift(p={self.p}, max_fraction={self.max_fraction})"
