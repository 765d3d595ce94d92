"""Dead pixels, dead double columns and dead readout chips.

The Phase-1 ROC (80 rows × 52 columns) is read out in 26 *double columns*; a double column or a whole
ROC can fail, and single pixels are masked.  Dropout empties those pixels.  Window maps are taken at
an unknown position on the module, so the ROC grid is placed with a random phase relative to the map.
A dead region can remove a particle's whole cluster: that is the real detector inefficiency, but it
means the label no longer matches the map — keep the rate or block count low for small windows.
Charge is not conserved (it is lost).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import BatchTransform, check_level, check_probability, hit_pixels
from fpgaflow.data.hitmaps import MapArray
from fpgaflow.errors import ConfigError

#: One readout chip (PSI46dig / PROC600): rows along r-φ × columns along z.
ROC_ROWS = 80
ROC_COLS = 52


def drop_pixels(maps: MapArray, dead: npt.NDArray[np.bool_]) -> MapArray:
    """Empty the pixels where boolean ``dead`` (broadcastable to ``maps``) is true."""
    return np.where(dead, np.zeros((), dtype=maps.dtype), maps).astype(maps.dtype, copy=False)


class PixelDropout(BatchTransform):
    """Each pixel of a chosen map is dead with probability ``rate``."""

    def __init__(self, p: float = 0.5, rate: float = 0.01) -> None:
        super().__init__(p)
        self.rate = check_probability("PixelDropout", "rate", rate)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → 0..10 % dead pixels."""
        return cls(p, 0.1 * check_level(cls.__name__, level))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        return {"apply": rng.random(n) < self.p, "rng_state": rng.integers(0, 2**63 - 1)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        # Only hit pixels can lose charge: draw for those (maps are sparse), a pure function of the seed.
        idx = hit_pixels(maps, params["apply"])
        out = maps.copy()
        dead = np.random.default_rng(int(params["rng_state"])).random(idx[0].size) < self.rate
        out[tuple(i[dead] for i in idx)] = 0.0
        return out

    def __repr__(self) -> str:
        return f"PixelDropout(p={self.p}, rate={self.rate})"


def _grid_ids(n_pix: int, phase: npt.NDArray[np.integer[Any]], size: int) -> npt.NDArray[np.integer[Any]]:
    """Block index of each pixel (per map) for a grid of ``size`` shifted by ``phase``: shape (n, n_pix)."""
    return (np.arange(n_pix)[None, :] + phase[:, None]) // size


class DoubleColumnDropout(BatchTransform):
    """Kill ``1..max_dcols`` double columns (2 columns × one ROC's 80 rows) per chosen map."""

    def __init__(self, p: float = 0.5, max_dcols: int = 1) -> None:
        super().__init__(p)
        if max_dcols < 1:
            raise ConfigError(f"DoubleColumnDropout: max_dcols must be >= 1, got {max_dcols}")
        self.max_dcols = int(max_dcols)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → up to 1..4 dead double columns."""
        return cls(p, 1 + round(3 * check_level(cls.__name__, level)))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        return {
            "apply": rng.random(n) < self.p,
            "count": rng.integers(1, self.max_dcols + 1, size=n),
            "where": rng.random((n, self.max_dcols, 2)),  # (row, col) of a pixel in each dead double column
            "phase": rng.integers(0, ROC_ROWS, size=n),
            "col_phase": rng.integers(0, 2, size=n),
        }

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        n, rows, cols = maps.shape[:3]
        rid = _grid_ids(rows, params["phase"], ROC_ROWS)  # ROC row block of each row
        dcid = _grid_ids(cols, params["col_phase"], 2)  # double column of each column
        where = params["where"]
        pr = np.floor(where[..., 0] * rows).astype(np.int64)  # (n, k)
        pc = np.floor(where[..., 1] * cols).astype(np.int64)
        take = np.arange(n)[:, None]
        dead_r = rid[:, None, :] == rid[take, pr][..., None]  # (n, k, rows)
        dead_c = dcid[:, None, :] == dcid[take, pc][..., None]  # (n, k, cols)
        active = (np.arange(self.max_dcols)[None, :] < params["count"][:, None]) & params["apply"][:, None]
        dead = (dead_r[..., :, None] & dead_c[..., None, :] & active[..., None, None]).any(axis=1)
        return drop_pixels(maps, dead[..., None])

    def __repr__(self) -> str:
        return f"DoubleColumnDropout(p={self.p}, max_dcols={self.max_dcols})"


class RocDropout(BatchTransform):
    """Kill ``1..max_rocs`` whole readout chips (80 × 52 pixel blocks on a randomly placed ROC grid)."""

    def __init__(self, p: float = 0.5, max_rocs: int = 1, roc_shape: tuple[int, int] = (ROC_ROWS, ROC_COLS)) -> None:
        super().__init__(p)
        if max_rocs < 1 or min(roc_shape) < 1:
            raise ConfigError(f"RocDropout: max_rocs and roc_shape must be >= 1, got {max_rocs}, {roc_shape}")
        self.max_rocs = int(max_rocs)
        self.roc_shape = (int(roc_shape[0]), int(roc_shape[1]))

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → up to 1..3 dead ROCs."""
        return cls(p, 1 + round(2 * check_level(cls.__name__, level)))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        return {
            "apply": rng.random(n) < self.p,
            "count": rng.integers(1, self.max_rocs + 1, size=n),
            "where": rng.random((n, self.max_rocs, 2)),
            "phase": np.stack(
                [rng.integers(0, self.roc_shape[0], size=n), rng.integers(0, self.roc_shape[1], size=n)],
                axis=1,
            ),
        }

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        n, rows, cols = maps.shape[:3]
        rid = _grid_ids(rows, params["phase"][:, 0], self.roc_shape[0])
        cid = _grid_ids(cols, params["phase"][:, 1], self.roc_shape[1])
        where = params["where"]
        pr = np.floor(where[..., 0] * rows).astype(np.int64)
        pc = np.floor(where[..., 1] * cols).astype(np.int64)
        take = np.arange(n)[:, None]
        dead_r = rid[:, None, :] == rid[take, pr][..., None]
        dead_c = cid[:, None, :] == cid[take, pc][..., None]
        active = (np.arange(self.max_rocs)[None, :] < params["count"][:, None]) & params["apply"][:, None]
        dead = (dead_r[..., :, None] & dead_c[..., None, :] & active[..., None, None]).any(axis=1)
        return drop_pixels(maps, dead[..., None])

    def __repr__(self) -> str:
        return f"RocDropout(p={self.p}, max_rocs={self.max_rocs}, roc_shape={self.roc_shape})"
