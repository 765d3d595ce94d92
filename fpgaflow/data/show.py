"""Per-class statistics of a hit-map set (``fpgaflow data show``; its picture is
:mod:`fpgaflow.figures.map_summary`).

Statistics per class: number of maps, mean occupancy (fraction of pixels read out), clusters per map,
mean cluster size (pixels) and mean cluster charge (ADC sum), mean soft label when present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.clusters import find_clusters
from fpgaflow.data.dataset import HitMapDataset
from fpgaflow.data.hitmaps import CLASS_NAMES, MapArray


@dataclass(frozen=True)
class ClassStats:
    """Per-class statistics of the maps examined (see module docstring)."""

    name: str
    n_maps: int
    occupancy: float
    clusters_per_map: float
    cluster_size: float
    cluster_adc: float
    soft_label: float | None


@dataclass(frozen=True)
class Summary:
    """What :func:`summarize` found: per-class stats, gallery maps and the per-cluster distributions."""

    stats: list[ClassStats]
    gallery: dict[int, MapArray]
    occupancy: dict[int, npt.NDArray[np.float64]]
    cluster_size: dict[int, npt.NDArray[np.integer[Any]]]
    cluster_adc: dict[int, npt.NDArray[np.float64]]


def summarize(ds: HitMapDataset, max_maps: int = 5000, gallery: int = 6) -> Summary:
    """Statistics over the first ``max_maps`` maps of each class (read chunk by chunk)."""
    maps_by: dict[int, list[MapArray]] = {0: [], 1: []}
    soft_by: dict[int, list[npt.NDArray[np.floating[Any]]]] = {0: [], 1: []}
    counts = {0: 0, 1: 0}
    for chunk in ds.chunks(1024):
        for cls in (0, 1):
            sel = np.flatnonzero(chunk.labels == cls)[: max_maps - counts[cls]]
            if sel.size:
                maps_by[cls].append(chunk.maps[sel, ..., 0])
                if chunk.soft_labels is not None:
                    soft_by[cls].append(chunk.soft_labels[sel])
                counts[cls] += sel.size
        if all(c >= max_maps for c in counts.values()):
            break
    stats: list[ClassStats] = []
    occ: dict[int, npt.NDArray[np.float64]] = {}
    size: dict[int, npt.NDArray[np.integer[Any]]] = {}
    adc: dict[int, npt.NDArray[np.float64]] = {}
    shown: dict[int, MapArray] = {}
    for cls in (0, 1):
        if not maps_by[cls]:
            stats.append(ClassStats(CLASS_NAMES[cls], 0, 0.0, 0.0, 0.0, 0.0, None))
            continue
        stack = np.concatenate(maps_by[cls])
        cl = find_clusters(stack)
        occ[cls] = (stack > 0).reshape(stack.shape[0], -1).mean(axis=1)
        size[cls] = cl.n_pixels
        adc[cls] = cl.adc
        shown[cls] = stack[:gallery]
        soft = float(np.concatenate(soft_by[cls]).mean()) if soft_by[cls] else None
        stats.append(
            ClassStats(
                CLASS_NAMES[cls],
                stack.shape[0],
                float(occ[cls].mean()),
                len(cl) / stack.shape[0],
                float(cl.n_pixels.mean()) if len(cl) else 0.0,
                float(cl.adc.mean()) if len(cl) else 0.0,
                soft,
            )
        )
    return Summary(stats, shown, occ, size, adc)


def format_stats(summary: Summary) -> str:
    """A plain-text table of the per-class statistics."""
    lines = [
        f"{'class':<11} {'maps':>7} {'occupancy':>10} {'clusters/map':>13} {'cluster px':>11} "
        f"{'cluster ADC':>12} {'soft label':>11}"
    ]
    for s in summary.stats:
        soft = "-" if s.soft_label is None else f"{s.soft_label:.3f}"
        lines.append(
            f"{s.name:<11} {s.n_maps:>7} {s.occupancy:>10.5f} {s.clusters_per_map:>13.2f} "
            f"{s.cluster_size:>11.2f} {s.cluster_adc:>12.1f} {soft:>11}"
        )
    return "\n".join(lines)
