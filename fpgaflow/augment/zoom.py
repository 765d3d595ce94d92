"""Zoom in and out by integer rebinning — the pixel grid stays a pixel grid.

*Zoom out* by ``f`` sums ``f × f`` blocks of pixels (a pixel ``f`` times larger collects the charge of
all of them; its 8-bit ADC saturates at 255, the only place charge is lost) and centres the smaller map
in an empty window.  *Zoom in* by ``f`` takes the central ``1/f`` of the window and splits each pixel's
charge evenly over ``f × f`` pixels (charge of that region is conserved; the outer part of the window
leaves it).  No interpolation: interpolated charge would invent cluster shapes a sensor cannot produce.
Split charges may fall below the ROC threshold; chain :class:`~fpgaflow.augment.threshold.Threshold`
to zero-suppress them again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import BatchTransform, check_level
from fpgaflow.data.hitmaps import ADC_MAX, MapArray
from fpgaflow.errors import ConfigError


def _centre(small: MapArray, rows: int, cols: int) -> MapArray:
    out = np.zeros((small.shape[0], rows, cols, small.shape[3]), dtype=small.dtype)
    r0 = (rows - small.shape[1]) // 2
    c0 = (cols - small.shape[2]) // 2
    out[:, r0 : r0 + small.shape[1], c0 : c0 + small.shape[2]] = small
    return out


def zoom_out(maps: MapArray, factor: int) -> MapArray:
    """Rebin ``factor × factor`` pixel blocks into one (sum, saturating at 255 ADC), centred, zero-filled."""
    n, rows, cols, ch = maps.shape
    pr, pc = -rows % factor, -cols % factor
    padded = np.pad(maps, ((0, 0), (pr // 2, pr - pr // 2), (pc // 2, pc - pc // 2), (0, 0)))
    r, c = padded.shape[1] // factor, padded.shape[2] // factor
    summed = padded.reshape(n, r, factor, c, factor, ch).sum(axis=(2, 4))
    return _centre(np.minimum(summed, ADC_MAX).astype(maps.dtype), rows, cols)


def zoom_in(maps: MapArray, factor: int) -> MapArray:
    """Split each pixel of the central ``1/factor`` region into ``factor²`` pixels of charge / factor²."""
    rows, cols = maps.shape[1:3]
    r, c = max(rows // factor, 1), max(cols // factor, 1)
    r0, c0 = (rows - r) // 2, (cols - c) // 2
    region = maps[:, r0 : r0 + r, c0 : c0 + c] / float(factor * factor)
    big = np.repeat(np.repeat(region, factor, axis=1), factor, axis=2)[:, :rows, :cols]
    return _centre(big.astype(maps.dtype), rows, cols)


def zoom_maps(maps: MapArray, factors: npt.NDArray[np.integer[Any]]) -> MapArray:
    """Zoom map ``i`` by ``factors[i]``: ``f >= 2`` zooms in, ``f <= -2`` out by ``|f|``, else unchanged."""
    out = maps.copy()
    for f in np.unique(factors):
        if -1 <= f <= 1:
            continue
        sel = factors == f
        out[sel] = zoom_in(maps[sel], int(f)) if f > 0 else zoom_out(maps[sel], int(-f))
    return out


class Zoom(BatchTransform):
    """Zoom in or out (equally likely) by an integer factor drawn from ``2..max_factor``."""

    def __init__(self, p: float = 0.5, max_factor: int = 2, directions: tuple[str, ...] = ("in", "out")) -> None:
        super().__init__(p)
        if max_factor < 2:
            raise ConfigError(f"Zoom: max_factor must be >= 2, got {max_factor}")
        if not directions or any(d not in ("in", "out") for d in directions):
            raise ConfigError(f"Zoom: directions must be a non-empty subset of ('in', 'out'), got {directions}")
        self.max_factor = int(max_factor)
        self.directions = tuple(directions)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → maximum factor 2..4."""
        return cls(p, 2 + round(2 * check_level(cls.__name__, level)))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        apply = rng.random(n) < self.p
        mag = rng.integers(2, self.max_factor + 1, size=n)
        sign = np.where(np.asarray(self.directions)[rng.integers(0, len(self.directions), size=n)] == "in", 1, -1)
        return {"factors": np.where(apply, sign * mag, 1)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        return zoom_maps(maps, params["factors"])

    def __repr__(self) -> str:
        return f"Zoom(p={self.p}, max_factor={self.max_factor}, directions={self.directions})"
