"""Pixel geometry of a CMS Phase-1 BPix module: where each pixel lies, in µm.

Local x runs along the 160 rows (r-φ, 100 µm pitch), local y along the 416 columns (z, 150 µm pitch).
Pixels at ROC edges are double size [DA, GL]: rows 79 and 80 (the two ROC rows meet there) are 200 µm, and
the first and last column of each of the 8 ROCs are 300 µm — 162 × 100 µm = 16.2 mm by
432 × 150 µm = 64.8 mm of active silicon.  Positions are mapped to pixels with a look-up table on the
pitch grid ("pitch units": a double pixel covers two units), which is exact and vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fpgaflow.data.simulate.config import MODULE_COLS, MODULE_ROWS, ROC_COLS, ROC_ROWS, GeometryConfig


def _unit_widths(n_pixels: int, big: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    widths = np.ones(n_pixels, dtype=np.int64)
    widths[big] = 2
    return widths


def big_rows() -> npt.NDArray[np.int64]:
    """Indices of the double-size rows (the two rows where the upper and lower ROC rows meet)."""
    return np.array([ROC_ROWS - 1, ROC_ROWS])


def big_cols() -> npt.NDArray[np.int64]:
    """Indices of the double-size columns (first and last column of every ROC)."""
    starts = np.arange(0, MODULE_COLS, ROC_COLS)
    return np.sort(np.concatenate([starts, starts + ROC_COLS - 1]))


@dataclass(frozen=True)
class ModuleGeometry:
    """Pixel edges of one module and position → pixel look-up tables.

    ``x_edges`` (161 values, µm) and ``y_edges`` (417 values, µm) are the pixel boundaries; ``x_unit_to_row``
    maps ``floor(x / pitch_x)`` to the row index (length 162), ``y_unit_to_col`` likewise (length 432).
    """

    pitch_x: float
    pitch_y: float
    thickness: float
    x_edges: npt.NDArray[np.float64]
    y_edges: npt.NDArray[np.float64]
    x_unit_to_row: npt.NDArray[np.int64]
    y_unit_to_col: npt.NDArray[np.int64]

    @classmethod
    def from_config(cls, cfg: GeometryConfig) -> ModuleGeometry:
        wx = _unit_widths(MODULE_ROWS, big_rows())
        wy = _unit_widths(MODULE_COLS, big_cols())
        x_edges = np.concatenate([[0.0], np.cumsum(wx) * cfg.pitch_x_um])
        y_edges = np.concatenate([[0.0], np.cumsum(wy) * cfg.pitch_y_um])
        return cls(
            pitch_x=cfg.pitch_x_um,
            pitch_y=cfg.pitch_y_um,
            thickness=cfg.thickness_um,
            x_edges=x_edges,
            y_edges=y_edges,
            x_unit_to_row=np.repeat(np.arange(MODULE_ROWS), wx),
            y_unit_to_col=np.repeat(np.arange(MODULE_COLS), wy),
        )

    @property
    def width_x(self) -> float:
        """Active length along x (r-φ), µm: 16 200 µm for the default pitch."""
        return float(self.x_edges[-1])

    @property
    def width_y(self) -> float:
        """Active length along y (z), µm: 64 800 µm for the default pitch."""
        return float(self.y_edges[-1])

    def rows_of(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Row index of positions ``x`` (µm, must lie in [0, width_x))."""
        return self.x_unit_to_row[(x / self.pitch_x).astype(np.int64)]

    def cols_of(self, y: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Column index of positions ``y`` (µm, must lie in [0, width_y))."""
        return self.y_unit_to_col[(y / self.pitch_y).astype(np.int64)]
