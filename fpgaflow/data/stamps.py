"""Cut a fixed-size ADC stamp around every cluster of a module map (the per-cluster data-reduction task).

An on-detector filter sees one cluster at a time: the ADC counts of a small window centred on it, plus
where the window sits on the module (which the readout knows).  :func:`cut_stamps` makes exactly that
from simulated module maps with per-cluster truth: one stamp per cluster, centred on the pixel holding
the cluster's charge centroid, zero outside the map; its label is 1 for a cluster made by an in-time
collision track (any pT, :data:`SIGNAL_SOURCES`) and 0 for the backgrounds a smart pixel should drop
(out-of-time hits, noisy pixels, noise, loopers, isolated delta rays, beam halo).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.config.strict import check
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.data.truth import (
    SRC_BELOW_PT_CUT,
    SRC_EDGE_FRAGMENT,
    SRC_PRIMARY,
    SRC_SPILL_OVER,
    ClusterTruth,
)
from fpgaflow.errors import DataError

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


#: Sources labelled *signal* (1): clusters of in-time collision tracks, whatever their pT or whether they
#: are cut by an edge.
SIGNAL_SOURCES = (SRC_PRIMARY, SRC_BELOW_PT_CUT, SRC_EDGE_FRAGMENT, SRC_SPILL_OVER)


@dataclass(frozen=True)
class StampConfig:
    """``enabled``: turn each simulated map into one stamp per cluster (``n_maps`` then counts stamps).
    ``rows`` × ``cols``: stamp size in pixels (16 × 16 = 1.6 mm × 2.4 mm holds > 99 % of in-time track
    clusters whole, docs/tasks.md)."""

    enabled: bool = False
    rows: int = 16
    cols: int = 16

    def __post_init__(self) -> None:
        check(2 <= self.rows <= 160 and 2 <= self.cols <= 416, f"stamps: {self.rows} × {self.cols} out of range")


def stamp_labels(truth: ClusterTruth) -> Array:
    """1 where the cluster's source is an in-time collision track, else 0."""
    return np.isin(truth.source, SIGNAL_SOURCES).astype(np.int8)


def cut_stamps(data: HitMapSet, cfg: StampConfig, first_group: int = 0) -> HitMapSet:
    """One stamp per cluster of ``data`` (which must carry truth; map pixel coordinates must be module
    coordinates, i.e. ``window.region: module``).

    Returns stamps ``(k, rows, cols, 1)`` with labels from :func:`stamp_labels`, ``positions`` = the
    cluster centroid on the module (row, col), ``groups`` = ``first_group`` + the index of the map it came
    from (stamps of one module event share a group), and ``truth`` = the central cluster's row, with
    its centroid moved to stamp coordinates.
    """
    truth = data.truth
    if truth is None:
        raise DataError("cut_stamps: the maps carry no cluster truth (simulate with truth)")
    maps = data.maps[..., 0]
    k = len(truth)
    centre_r = np.floor(truth.row).astype(np.int64)
    centre_c = np.floor(truth.col).astype(np.int64)
    r0 = centre_r - cfg.rows // 2
    c0 = centre_c - cfg.cols // 2
    padded = np.pad(maps, ((0, 0), (cfg.rows, cfg.rows), (cfg.cols, cfg.cols)))
    rr = (r0 + cfg.rows)[:, None, None] + np.arange(cfg.rows)[None, :, None]
    cc = (c0 + cfg.cols)[:, None, None] + np.arange(cfg.cols)[None, None, :]
    stamps = padded[truth.map_index[:, None, None], rr, cc]
    central = ClusterTruth(
        **{
            **truth.columns(),
            "map_index": np.arange(k, dtype=np.int64),
            "row": (truth.row - r0).astype(np.float32),
            "col": (truth.col - c0).astype(np.float32),
        }
    )
    return HitMapSet(
        stamps[..., np.newaxis].astype(np.float32),
        stamp_labels(truth),
        None,
        {},
        truth=central,
        groups=(first_group + truth.map_index).astype(np.int64),
        positions=np.stack([truth.row, truth.col], axis=1).astype(np.float32),
    )
