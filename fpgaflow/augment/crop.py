"""Random window crop, padded back to the input size with empty pixels.

Keeps a random ``crop_rows × crop_cols`` window where it is and empties the rest: the map a smaller
readout window would have seen, with clusters clipped at its edges (a physical label ambiguity) —
but the network input keeps its shape, and no pixel moves or changes charge.  Inside the window
charge is conserved exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import BatchTransform, check_level
from fpgaflow.data.hitmaps import MapArray
from fpgaflow.errors import ConfigError


def crop_maps(
    maps: MapArray,
    r0: npt.NDArray[np.integer[Any]],
    c0: npt.NDArray[np.integer[Any]],
    height: npt.NDArray[np.integer[Any]],
    width: npt.NDArray[np.integer[Any]],
) -> MapArray:
    """Zero everything outside rows ``[r0, r0+height)`` × columns ``[c0, c0+width)`` of each map."""
    rows, cols = maps.shape[1:3]
    r = np.arange(rows)[None, :]
    c = np.arange(cols)[None, :]
    in_r = (r >= r0[:, None]) & (r < (r0 + height)[:, None])
    in_c = (c >= c0[:, None]) & (c < (c0 + width)[:, None])
    mask = (in_r[:, :, None] & in_c[:, None, :])[..., None]
    return np.where(mask, maps, np.zeros((), dtype=maps.dtype)).astype(maps.dtype, copy=False)


class Crop(BatchTransform):
    """Keep a random window covering ``keep_fraction`` of each axis (1.0 keeps the whole map)."""

    def __init__(self, p: float = 0.5, keep_fraction: float = 0.75) -> None:
        super().__init__(p)
        if not 0.0 < keep_fraction <= 1.0:
            raise ConfigError(f"Crop: keep_fraction must be in (0, 1], got {keep_fraction}")
        self.keep_fraction = float(keep_fraction)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0 keeps everything, level 1 keeps half of each axis."""
        return cls(p, 1.0 - 0.5 * check_level(cls.__name__, level))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        return {"apply": rng.random(n) < self.p, "offset": rng.random((n, 2))}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        _n, rows, cols = maps.shape[:3]
        apply = params["apply"]
        h = max(1, round(self.keep_fraction * rows))
        w = max(1, round(self.keep_fraction * cols))
        off = params["offset"]
        r0 = np.where(apply, np.floor(off[:, 0] * (rows - h + 1)).astype(np.int64), 0)
        c0 = np.where(apply, np.floor(off[:, 1] * (cols - w + 1)).astype(np.int64), 0)
        return crop_maps(maps, r0, c0, np.where(apply, h, rows), np.where(apply, w, cols))

    def __repr__(self) -> str:
        return f"Crop(p={self.p}, keep_fraction={self.keep_fraction})"
