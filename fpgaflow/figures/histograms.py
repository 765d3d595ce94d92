"""Distributions per class, binned by ``hist`` (scikit-hep) and drawn by ``mplhep`` as step histograms with
Poisson error bars.

Every histogram says what it counts: the x axis names the quantity and its unit, the y axis either
"maps per bin (bin width w unit)" for counts or "fraction per unit" for a density (each class normalised
to unit area, for shapes of classes of different sizes).  Entries outside the range are added to the
first / last bin (said on the plot).  ``log=True`` puts the y axis on a log scale, for the tails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.figures.canvas import new_figure, plain_log_ticks

#: Colours of the two classes, the same in every figure.
CLASS_COLOURS = {"particle": "tab:blue", "background": "tab:orange"}


@dataclass(frozen=True)
class Binning:
    """``bins`` equal bins over [``low``, ``high``) of a quantity ``name`` in ``unit`` (``""``: none)."""

    name: str
    unit: str
    bins: int
    low: float
    high: float

    @property
    def width(self) -> float:
        return (self.high - self.low) / self.bins

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


#: The legend's title: under- and overflow are counted in the first and last bin, never dropped.
OVERFLOW_NOTE = "edge bins include under/overflow"


def y_label(binning: Binning, what: str, density: bool) -> str:
    """``maps per bin (bin width 8.5 ADC)`` or ``fraction of maps per ADC``."""
    if density:
        return f"fraction of {what} per {binning.unit or 'unit'}"
    return f"{what} per bin (bin width {binning.width:.3g}{' ' + binning.unit if binning.unit else ''})"


def draw_class_histograms(
    ax: Any,
    values: Mapping[str, npt.ArrayLike],
    binning: Binning,
    what: str = "maps",
    density: bool = False,
    log: bool = False,
) -> dict[str, npt.NDArray[np.float64]]:
    """Histogram each class's ``values`` (name → values) on ``ax``; returns the bin contents per class
    (under/overflow folded into the edge bins, normalised when ``density``)."""
    import hist
    import mplhep

    contents: dict[str, npt.NDArray[np.float64]] = {}
    for name, v in values.items():
        data = np.asarray(v, dtype=np.float64).reshape(-1)
        if data.size == 0:
            continue
        h = hist.Hist(
            hist.axis.Regular(binning.bins, binning.low, binning.high, label=binning.label),
            storage=hist.storage.Weight(),
        )
        h.fill(data)
        folded = h.values(flow=True).astype(np.float64)
        counts = folded[1:-1].copy()
        counts[0] += folded[0]
        counts[-1] += folded[-1]
        mplhep.histplot(
            h,
            ax=ax,
            yerr=np.sqrt(counts),  # Poisson; an empty bin gets none (not a 1.8-count upper limit)
            density=density,
            flow="sum",
            label=f"{name} ({data.size:,})",
            color=CLASS_COLOURS.get(name),
        )
        contents[name] = counts / (counts.sum() * binning.width) if density and counts.sum() else counts
    ax.set_xlabel(binning.label)
    ax.set_ylabel(y_label(binning, what, density))
    ax.set_xlim(binning.low, binning.high)
    if log:
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
    if contents:
        ax.legend(fontsize=8, title=OVERFLOW_NOTE, title_fontsize=7)
    else:
        ax.text(0.5, 0.5, "no maps", transform=ax.transAxes, ha="center", va="center")
    return contents


def class_histogram_figure(
    values: Mapping[str, npt.ArrayLike],
    binning: Binning,
    what: str = "maps",
    density: bool = False,
    log: bool = False,
    title: str = "",
) -> Any:
    """One histogram panel (:func:`draw_class_histograms`) as a figure."""
    fig, ax = new_figure(5.5, 3.8)
    draw_class_histograms(ax, values, binning, what, density, log)
    if title:
        ax.set_title(title)
    return fig


def score_binning() -> Binning:
    """Classifier scores: 25 bins over [0, 1]."""
    return Binning("classifier score (particle probability)", "", 25, 0.0, 1.0)
