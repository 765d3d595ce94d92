"""Quarter-turn rotations of hit maps — only approximately physical.

A CMS Phase-1 pixel is 100 µm (rows, r-φ) × 150 µm (columns, z): a 90° turn of the *pixel grid* maps
a 100 µm step onto a 150 µm step, so a rotated cluster is 1.5× too long along one axis and 1/1.5 too
short along the other, and the Lorentz drift (always along r-φ) ends up along z.  A 90° rotation is
therefore *not* a symmetry of the detector; it is offered because the study used it, and only for
square maps (a non-square map cannot keep its shape).  A 180° turn equals both flips and is exact
for any shape.  Use ``quarter_turns=(2,)`` for a physically exact rotation.  Charge is conserved.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import BatchTransform, check_level
from fpgaflow.data.hitmaps import MapArray
from fpgaflow.errors import ConfigError, DataError


def rotate_maps(maps: MapArray, turns: npt.NDArray[np.integer[Any]]) -> MapArray:
    """Rotate map ``i`` by ``turns[i]`` × 90° counter-clockwise (0 leaves it); odd turns need square maps."""
    rows, cols = maps.shape[1:3]
    if rows != cols and np.any(turns % 2 == 1):
        raise DataError(
            f"90° rotation of {rows}×{cols} maps would change their shape; use quarter_turns=(2,) "
            "(180°, exact) or a square window"
        )
    out = maps.copy()
    for k in (1, 2, 3):
        sel = turns % 4 == k
        if sel.any():
            out[sel] = np.rot90(maps[sel], k=k, axes=(1, 2))
    return out


class Rotate90(BatchTransform):
    """Rotate by a quarter-turn count drawn uniformly from ``quarter_turns`` (subset of {1, 2, 3})."""

    conserves_charge = True

    def __init__(self, p: float = 0.5, quarter_turns: tuple[int, ...] = (1, 2, 3)) -> None:
        super().__init__(p)
        if not quarter_turns or any(k not in (1, 2, 3) for k in quarter_turns):
            raise ConfigError(f"Rotate90: quarter_turns must be a non-empty subset of (1, 2, 3), got {quarter_turns}")
        self.quarter_turns = tuple(quarter_turns)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level < 0.5: only the exact 180° turn; ≥ 0.5: any quarter turn (square maps only)."""
        check_level(cls.__name__, level)
        return cls(p, (2,) if level < 0.5 else (1, 2, 3))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        apply = rng.random(n) < self.p
        turns = np.asarray(self.quarter_turns)[rng.integers(0, len(self.quarter_turns), size=n)]
        return {"turns": np.where(apply, turns, 0)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        return rotate_maps(maps, params["turns"])

    def __repr__(self) -> str:
        return f"Rotate90(p={self.p}, quarter_turns={self.quarter_turns})"
