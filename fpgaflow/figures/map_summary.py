"""The picture of a hit-map file (``fpgaflow data show``): a gallery of maps of each class (mm axes, true
aspect, charge in ADC and ke⁻, empty pixels blank) above per-class histograms of pixels read out, cluster size and
cluster charge (counts per bin, log scale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hitmaps import CLASS_NAMES
from fpgaflow.data.show import Summary, summarize
from fpgaflow.figures.canvas import pyplot, save_png
from fpgaflow.figures.histograms import Binning, draw_class_histograms
from fpgaflow.figures.hitmaps import PHASE1, GalleryRow, PixelGeometry, draw_gallery, gallery_layout

HISTOGRAM_HEIGHT = 3.4


def _binning(name: str, unit: str, values: list[npt.NDArray[Any]], integer: bool = False) -> Binning:
    """Equal bins up to the 99th percentile (overflow in the last bin); integers get unit-width bins or wider."""
    data = np.concatenate([np.asarray(v, dtype=np.float64).reshape(-1) for v in values]) if values else np.ones(1)
    top = float(np.quantile(data, 0.99)) if data.size else 1.0
    if integer:
        step = max(1, int(np.ceil(max(1.0, top) / 30)))
        bins = int(np.ceil((max(1.0, top) + 1) / step))
        return Binning(name, unit, bins, -0.5, -0.5 + bins * step)
    return Binning(name, unit, 30, 0.0, max(top * 1.1, 1e-6))


def summary_figure(summary: Summary, title: str, geometry: PixelGeometry = PHASE1) -> Any:
    """The gallery above the three per-class histograms, one figure."""
    rows = [
        GalleryRow(f"{CLASS_NAMES[c]} maps", g, np.full(len(g), c))
        for c in (1, 0)
        for g in [summary.gallery.get(c, np.zeros((0, 1, 1), dtype=np.float32))]
    ]
    _, width, height = gallery_layout(rows, geometry)
    fig = pyplot().figure(figsize=(width, height + 0.4 + HISTOGRAM_HEIGHT), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[height + 0.4, HISTOGRAM_HEIGHT])
    draw_gallery(top, rows, geometry, title)
    axes = bottom.subplots(1, 3)
    names = {c: CLASS_NAMES[c] for c in (1, 0)}
    shapes = [g.shape[1:3] for g in summary.gallery.values() if len(g)]
    n_pixels = int(np.prod(shapes[0])) if shapes else 1
    read_out = {c: np.rint(v * n_pixels) for c, v in summary.occupancy.items()}  # integers: no binning comb
    panels: tuple[tuple[dict[int, npt.NDArray[Any]], Binning, str], ...] = (
        (
            read_out,
            _binning(f"pixels read out per map (of {n_pixels:,})", "pixels", list(read_out.values()), True),
            "maps",
        ),
        (
            summary.cluster_size,
            _binning("cluster size", "pixels", list(summary.cluster_size.values()), True),
            "clusters",
        ),
        (summary.cluster_adc, _binning("cluster charge", "ADC counts", list(summary.cluster_adc.values())), "clusters"),
    )
    for ax, (values, binning, what) in zip(axes, panels, strict=True):
        draw_class_histograms(ax, {names[c]: v for c, v in values.items()}, binning, what, log=True)
    return fig


def show_file(path: Path, out: Path | None = None, max_maps: int = 5000) -> tuple[Summary, Path]:
    """Statistics of the hit-map file ``path`` (first ``max_maps`` maps per class) and its picture at ``out``
    (default: ``path`` with ``.png``)."""
    from fpgaflow.data.dataset import open_dataset

    ds = open_dataset(path)
    summary = summarize(ds, max_maps=max_maps)
    title = f"{path.name}: {len(ds)} maps {ds.map_shape[0]}x{ds.map_shape[1]}"
    png = save_png(summary_figure(summary, title), out or path.with_suffix(".png"))
    return summary, png
