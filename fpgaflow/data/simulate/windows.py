"""Where each map's window sits on the module, the region tracks are generated in, and rebinning."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fpgaflow.data.simulate.config import MODULE_COLS, MODULE_ROWS, ROC_COLS, ROC_ROWS, WindowConfig
from fpgaflow.data.simulate.geometry import ModuleGeometry


def place_windows(
    cfg: WindowConfig, n: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Module pixel (row, col) of each window's corner.  ROC windows are aligned to the ROC grid."""
    rows, cols = cfg.pixel_shape
    if cfg.region == "module":
        return np.zeros(n, np.int64), np.zeros(n, np.int64)
    aligned = cfg.region in ("roc", "roc2x2")
    if cfg.placement == "centre":
        r0, c0 = (MODULE_ROWS - rows) // 2, (MODULE_COLS - cols) // 2
        if aligned:
            r0, c0 = r0 // ROC_ROWS * ROC_ROWS, c0 // ROC_COLS * ROC_COLS
        return np.full(n, r0, np.int64), np.full(n, c0, np.int64)
    if aligned:
        n_r = (MODULE_ROWS - rows) // ROC_ROWS + 1
        n_c = (MODULE_COLS - cols) // ROC_COLS + 1
        return rng.integers(0, n_r, n) * ROC_ROWS, rng.integers(0, n_c, n) * ROC_COLS
    return rng.integers(0, MODULE_ROWS - rows + 1, n), rng.integers(0, MODULE_COLS - cols + 1, n)


def generation_regions(
    geom: ModuleGeometry,
    origin_row: npt.NDArray[np.int64],
    origin_col: npt.NDArray[np.int64],
    *,
    rows: int,
    cols: int,
    margin_um: float,
) -> npt.NDArray[np.float64]:
    """Per map (x0, x1, y0, y1) in µm: the window's silicon plus ``margin_um``, clipped to the module.

    Particles crossing the margin leave edge fragments and spill-over from the adjacent chip.
    """
    x0 = np.maximum(geom.x_edges[origin_row] - margin_um, 0.0)
    x1 = np.minimum(geom.x_edges[origin_row + rows] + margin_um, geom.width_x)
    y0 = np.maximum(geom.y_edges[origin_col] - margin_um, 0.0)
    y1 = np.minimum(geom.y_edges[origin_col + cols] + margin_um, geom.width_y)
    # Keep positions strictly inside the module so position → pixel look-ups stay in range.
    eps = 1e-6
    return np.stack([x0, x1 - eps, y0, y1 - eps], axis=1)


def rebin(maps: npt.NDArray[np.float32], rebin_rows: int, rebin_cols: int, adc_max: float) -> npt.NDArray[np.float32]:
    """Sum ``rebin_rows`` × ``rebin_cols`` pixel blocks of ``(n, rows, cols)`` maps, saturating at
    ``adc_max``."""
    if rebin_rows == 1 and rebin_cols == 1:
        return maps
    n, rows, cols = maps.shape
    blocks = maps.reshape(n, rows // rebin_rows, rebin_rows, cols // rebin_cols, rebin_cols)
    rebinned: npt.NDArray[np.float32] = np.minimum(blocks.sum(axis=(2, 4)), adc_max).astype(np.float32)
    return rebinned
