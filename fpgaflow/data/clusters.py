"""Clusters in hit maps (8-connected read-out pixels).

Used by ``fpgaflow data show``, the physics checks and the baselines (:mod:`fpgaflow.baselines`).  A
cluster's size along x (rows, r-φ) and y (columns, z) is the extent of its bounding box in pixels; its charge
is the ADC sum times the gain (135 e⁻ per count by default), plus half a count per pixel to undo the ADC's
rounding down.  Its shape is kept as the bounding box (first/last row and column: a cluster touching the map
border may be cut by it) and the charge-weighted second moments (pixel units², a single pixel has 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: 8-connectivity inside one map, no connection between maps of a stack.
_STRUCTURE = np.zeros((3, 3, 3), dtype=bool)
_STRUCTURE[1] = True


@dataclass(frozen=True)
class Clusters:
    """One entry per cluster: ``map_index``; ``n_pixels``; ``size_x`` (rows) and ``size_y`` (columns);
    ``adc`` (sum of counts); ``centroid_x``/``centroid_y`` (charge-weighted, in pixel units: the centre
    of pixel (r, c) is (r + 0.5, c + 0.5)); ``adc_max`` (highest pixel, counts); ``row_min``/``col_min``
    (first row and column of the bounding box); ``var_x``/``var_y``/``cov_xy`` (charge-weighted second
    central moments along rows, along columns and mixed, pixels²)."""

    map_index: npt.NDArray[np.integer[Any]]
    n_pixels: npt.NDArray[np.integer[Any]]
    size_x: npt.NDArray[np.integer[Any]]
    size_y: npt.NDArray[np.integer[Any]]
    adc: npt.NDArray[np.float64]
    centroid_x: npt.NDArray[np.float64]
    centroid_y: npt.NDArray[np.float64]
    adc_max: npt.NDArray[np.float64]
    row_min: npt.NDArray[np.integer[Any]]
    col_min: npt.NDArray[np.integer[Any]]
    var_x: npt.NDArray[np.float64]
    var_y: npt.NDArray[np.float64]
    cov_xy: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.map_index.size)

    def charge_e(self, electrons_per_adc: float = 135.0) -> npt.NDArray[np.float64]:
        """Cluster charge in electrons: (ADC sum + ½ per pixel) × gain."""
        return (self.adc + 0.5 * self.n_pixels) * electrons_per_adc


def label_clusters(maps: npt.NDArray[np.floating[Any]]) -> tuple[npt.NDArray[np.int32], int]:
    """Cluster number (1, 2, …; 0 = no hit) of every pixel of a stack ``(n, rows, cols)`` and the number of
    clusters; clusters are numbered in map order, so cluster ``k`` is entry ``k − 1`` of
    :func:`find_clusters`."""
    from scipy import ndimage  # on first use: importing this module needs numpy only

    stack = maps[..., 0] if maps.ndim == 4 else maps
    labels, n_clusters = ndimage.label(stack > 0, structure=_STRUCTURE)
    return np.asarray(labels, dtype=np.int32), int(n_clusters)


def find_clusters(
    maps: npt.NDArray[np.floating[Any]], labelled: tuple[npt.NDArray[np.int32], int] | None = None
) -> Clusters:
    """Clusters of a stack of maps ``(n, rows, cols)`` or ``(n, rows, cols, 1)`` (pixels > 0).
    ``labelled``: the result of :func:`label_clusters` on the same maps, if already computed."""
    stack = maps[..., 0] if maps.ndim == 4 else maps
    labels, n_clusters = labelled if labelled is not None else label_clusters(stack)
    m, r, c = np.nonzero(labels)
    lab = labels[m, r, c] - 1
    adc = stack[m, r, c].astype(np.float64)
    order = np.argsort(lab, kind="stable")
    lab, m, r, c, adc = lab[order], m[order], r[order], c[order], adc[order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]]) if lab.size else np.zeros(0, np.int64)
    count = np.bincount(lab, minlength=n_clusters)
    charge = np.asarray(np.bincount(lab, adc, minlength=n_clusters), dtype=np.float64)  # weighted: float64
    if lab.size == 0:
        ints, floats = np.zeros(0, np.int64), np.zeros(0)
        return Clusters(ints, ints, ints, ints, floats, floats, floats, floats, ints, ints, floats, floats, floats)
    row_min, col_min = np.minimum.reduceat(r, starts), np.minimum.reduceat(c, starts)
    size_x = np.maximum.reduceat(r, starts) - row_min + 1
    size_y = np.maximum.reduceat(c, starts) - col_min + 1
    cx = np.bincount(lab, adc * (r + 0.5), minlength=n_clusters) / charge
    cy = np.bincount(lab, adc * (c + 0.5), minlength=n_clusters) / charge
    dx, dy = r + 0.5 - cx[lab], c + 0.5 - cy[lab]
    var_x = np.bincount(lab, adc * dx * dx, minlength=n_clusters) / charge
    var_y = np.bincount(lab, adc * dy * dy, minlength=n_clusters) / charge
    cov_xy = np.bincount(lab, adc * dx * dy, minlength=n_clusters) / charge
    adc_max = np.maximum.reduceat(adc, starts)
    return Clusters(m[starts], count, size_x, size_y, charge, cx, cy, adc_max, row_min, col_min, var_x, var_y, cov_xy)
