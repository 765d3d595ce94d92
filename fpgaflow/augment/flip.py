"""Mirror flips of hit maps.

A flip along rows mirrors r-φ (the sign of the Lorentz drift flips with it, which is why it is an
augmentation and not an invariance); a flip along columns mirrors z (η → −η, a symmetry of the barrel
at |η| < 0.2).  Both conserve charge exactly.  Flips have no strength: their magnitude is ignored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import BatchTransform
from fpgaflow.data.hitmaps import MapArray


def flip_maps(maps: MapArray, which: npt.NDArray[np.bool_], axis: int) -> MapArray:
    """Return a copy of ``maps`` with the maps selected by boolean ``which`` mirrored along ``axis``."""
    out = maps.copy()
    out[which] = np.flip(maps[which], axis=axis)
    return out


class HorizontalFlip(BatchTransform):
    """Mirror along columns (z ↔ −z)."""

    conserves_charge = True

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        return flip_maps(maps, params["apply"], axis=2)


class VerticalFlip(BatchTransform):
    """Mirror along rows (r-φ ↔ −r-φ)."""

    conserves_charge = True

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        return flip_maps(maps, params["apply"], axis=1)
