"""Hit maps as a pixel physicist draws them.

* axes in millimetres: rows along r-φ (local x, 100 µm pitch), columns along z (local y, 150 µm pitch),
  with equal scales, so a map has its true shape (a 32 × 32 window is 4.8 mm wide and 3.2 mm high);
* charge in ADC counts on the colour bar, with the same scale in ke⁻ (135 e⁻ per count) beside it;
* pixels that were not read out (zero charge) are masked and left blank, so a hit at the lowest colour
  is never confused with an empty pixel;
* galleries: one row per class, each map titled with its label and, for a classifier, its score (red when
  the decision at the cut is wrong).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hitmaps import ADC_MAX, CLASS_NAMES, ELECTRONS_PER_ADC, PITCH_COL_UM, PITCH_ROW_UM
from fpgaflow.figures.canvas import new_figure

#: Colour map of the charge; masked (empty) pixels show the axes' white background.
CMAP = "viridis"
ADC_LABEL = "charge per pixel (ADC counts)"
RPHI_LABEL = "r-φ (mm)"
Z_LABEL = "z (mm)"


@dataclass(frozen=True)
class PixelGeometry:
    """What turns a map's indices and counts into physics units: pitches in µm and the ADC gain."""

    pitch_row_um: float = PITCH_ROW_UM
    pitch_col_um: float = PITCH_COL_UM
    electrons_per_adc: float = ELECTRONS_PER_ADC
    adc_max: float = ADC_MAX

    def extent_mm(self, rows: int, cols: int) -> tuple[float, float, float, float]:
        """``imshow`` extent (left, right, bottom, top) in mm, row 0 at the top."""
        return (0.0, cols * self.pitch_col_um / 1000.0, rows * self.pitch_row_um / 1000.0, 0.0)

    @property
    def ke_label(self) -> str:
        return f"charge (ke⁻; {self.electrons_per_adc:g} e⁻ per ADC count)"


#: The CMS Phase-1 barrel's pitches and gain (the default of every drawing here).
PHASE1 = PixelGeometry()


def _plane(adc: npt.ArrayLike) -> npt.NDArray[np.float64]:
    a = np.asarray(adc, dtype=np.float64)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim != 2:
        raise ValueError(f"a hit map is (rows, cols) or (rows, cols, 1), got shape {a.shape}")
    return a


def draw_hitmap(ax: Any, adc: npt.ArrayLike, geometry: PixelGeometry = PHASE1, labels: bool = True) -> Any:
    """Draw one map (ADC counts) on ``ax`` in mm at its true aspect, empty pixels masked; returns the image."""
    import matplotlib

    plane = _plane(adc)
    cmap = matplotlib.colormaps[CMAP].with_extremes(bad=(0.0, 0.0, 0.0, 0.0))  # masked: transparent over white
    image = ax.imshow(
        np.where(plane > 0.0, plane, np.nan),  # not read out: NaN, which imshow masks
        cmap=cmap,
        vmin=0.0,
        vmax=geometry.adc_max,
        extent=geometry.extent_mm(*plane.shape),
        interpolation="nearest",
    )
    ax.set_facecolor("white")
    ax.set_aspect("equal")
    if labels:
        ax.set_xlabel(Z_LABEL)
        ax.set_ylabel(RPHI_LABEL)
    return image


def charge_colourbar(fig: Any, image: Any, axes: Any, geometry: PixelGeometry = PHASE1, pad: float = 0.02) -> Any:
    """A colour bar for ``image`` beside ``axes``: ADC counts on its right, ke⁻ on its left (``pad``: the gap,
    as a fraction of the axes, wider where no layout engine moves the ke⁻ label clear)."""
    bar = fig.colorbar(image, ax=axes, shrink=0.95, fraction=0.04, pad=pad, aspect=25)
    bar.set_label(ADC_LABEL)
    per_count = geometry.electrons_per_adc / 1000.0
    ke = bar.ax.secondary_yaxis("left", functions=(lambda a: a * per_count, lambda q: q / per_count))
    ke.set_ylabel(geometry.ke_label)
    return bar


def hitmap_figure(adc: npt.ArrayLike, title: str = "", geometry: PixelGeometry = PHASE1) -> Any:
    """One map with its colour bar."""
    plane = _plane(adc)
    rows, cols = plane.shape
    ratio = (rows * geometry.pitch_row_um) / (cols * geometry.pitch_col_um)
    fig, ax = new_figure(6.0, max(2.5, 4.2 * ratio + 1.0))
    image = draw_hitmap(ax, plane, geometry)
    charge_colourbar(fig, image, ax, geometry)
    if title:
        ax.set_title(title)
    return fig


@dataclass(frozen=True)
class GalleryRow:
    """One row of a gallery: a title, maps ``(k, rows, cols[, 1])`` in ADC counts, their labels and (for a
    classifier) their scores."""

    title: str
    maps: npt.NDArray[Any]
    labels: npt.NDArray[Any]
    scores: npt.NDArray[Any] | None = None


def panel_title(label: int, score: float | None, cut: float = 0.5) -> tuple[str, bool]:
    """``("particle, score 0.93", right)``: the map's label, its score, and whether the decision (particle
    when score ≥ ``cut``) is right (``True`` without a score)."""
    name = CLASS_NAMES[int(label)]
    if score is None:
        return name, True
    return f"{name}, score {score:.2f}", (score >= cut) == bool(label)


#: Height (inches) each gallery row needs beside its maps: the panel titles and the tick labels.
ROW_MARGIN_IN = 0.75


def gallery_layout(
    rows: Sequence[GalleryRow], geometry: PixelGeometry = PHASE1, max_columns: int = 6
) -> tuple[int, float, float]:
    """(columns, width, height in inches) of a gallery: as many maps per row as fit at a readable size."""
    shapes = [_plane(r.maps[0]).shape for r in rows if len(r.maps)]
    n_rows, n_cols_map = shapes[0] if shapes else (1, 1)
    wide = (n_cols_map * geometry.pitch_col_um) / (n_rows * geometry.pitch_row_um)
    fit = max(1, round(max_columns / max(1.0, wide / 1.5)))
    columns = max(1, min(max([len(r.maps) for r in rows] + [1]), fit))
    panel_w = 9.0 / columns
    return columns, 10.5, max(1, len(rows)) * (0.8 * panel_w / wide + ROW_MARGIN_IN)


def draw_gallery(
    fig: Any,
    rows: Sequence[GalleryRow],
    geometry: PixelGeometry = PHASE1,
    title: str = "",
    cut: float = 0.5,
    max_columns: int = 6,
) -> None:
    """Draw the gallery into ``fig`` (a Figure or SubFigure): one row per :class:`GalleryRow`, each map titled
    with its label (and score; red when the decision at ``cut`` is wrong), one shared charge colour bar."""
    columns = gallery_layout(rows, geometry, max_columns)[0]
    axes = np.asarray(fig.subplots(len(rows), columns, squeeze=False, sharex=True, sharey=True))
    image = None
    for i, row in enumerate(rows):
        for j in range(columns):
            ax = axes[i, j]
            if j >= len(row.maps):
                ax.set_axis_off()
                continue
            image = draw_hitmap(ax, row.maps[j], geometry, labels=False)
            score = None if row.scores is None else float(row.scores[j])
            text, right = panel_title(int(row.labels[j]), score, cut)
            ax.set_title(text, fontsize=8, color="black" if right else "tab:red")
            bottom = i == len(rows) - 1 or j >= len(rows[i + 1].maps)
            ax.tick_params(labelsize=7, labelleft=j == 0, labelbottom=bottom)
            if j == 0:
                ax.set_ylabel(f"{row.title}\n{RPHI_LABEL}", fontsize=8)
            if bottom:
                ax.set_xlabel(Z_LABEL, fontsize=8)
        if not len(row.maps):
            ax = axes[i, 0]
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
            ax.text(0.5, 0.5, "no maps", ha="center", va="center", transform=ax.transAxes)
            ax.set_ylabel(row.title, fontsize=8)
    if image is not None:
        charge_colourbar(fig, image, axes, geometry)
    if title:
        fig.suptitle(title)


def gallery_figure(
    rows: Sequence[GalleryRow],
    geometry: PixelGeometry = PHASE1,
    title: str = "",
    cut: float = 0.5,
    max_columns: int = 6,
) -> Any:
    """The gallery (:func:`draw_gallery`) as its own figure."""
    from fpgaflow.figures.canvas import pyplot

    _, width, height = gallery_layout(rows, geometry, max_columns)
    fig = pyplot().figure(figsize=(width, height + (0.4 if title else 0.0)), layout="constrained")
    draw_gallery(fig, rows, geometry, title, cut, max_columns)
    return fig


def class_rows(
    maps: npt.NDArray[Any], labels: npt.NDArray[Any], scores: npt.NDArray[Any] | None = None, per_class: int = 5
) -> list[GalleryRow]:
    """Gallery rows for the first ``per_class`` maps of each class (particle first), in file order."""
    rows = []
    for cls in (1, 0):
        idx = np.flatnonzero(np.asarray(labels) == cls)[:per_class]
        rows.append(
            GalleryRow(
                f"{CLASS_NAMES[cls]} maps",
                maps[idx],
                np.asarray(labels)[idx],
                None if scores is None else np.asarray(scores)[idx],
            )
        )
    return rows
