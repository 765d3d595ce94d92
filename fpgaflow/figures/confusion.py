"""A confusion matrix that reads at a glance: counts and the fraction of each true class, cells shaded by
that fraction, the text white on dark cells and black on light ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hitmaps import CLASS_NAMES
from fpgaflow.figures.canvas import new_figure

CMAP = "Blues"


def confusion_counts(labels: npt.ArrayLike, decisions: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """``m[true, predicted]`` over classes 0 (background) and 1 (particle)."""
    y = np.asarray(labels).astype(np.int64).reshape(-1)
    d = np.asarray(decisions).astype(np.int64).reshape(-1)
    m = np.zeros((2, 2), dtype=np.int64)
    np.add.at(m, (y, d), 1)
    return m


def text_colour(fraction: float) -> str:
    """White text on the dark half of the colour map, black on the light half."""
    return "white" if fraction > 0.5 else "black"


def confusion_figure(
    matrix: npt.ArrayLike, class_names: Sequence[str] = CLASS_NAMES, cut_text: str = "score ≥ 0.5", title: str = ""
) -> Any:
    """Rows: true class; columns: predicted class (particle when ``cut_text``); each cell the count and the
    percentage of its true class."""
    m = np.asarray(matrix, dtype=np.float64)
    totals = m.sum(axis=1, keepdims=True)
    fractions = np.divide(m, totals, out=np.zeros_like(m), where=totals > 0)
    fig, ax = new_figure(4.6, 3.8)
    image = ax.imshow(fractions, cmap=CMAP, vmin=0.0, vmax=1.0)
    for (i, j), f in np.ndenumerate(fractions):
        ax.text(j, i, f"{int(m[i, j]):,}\n{100 * f:.1f} %", ha="center", va="center", color=text_colour(f), fontsize=11)
    ticks = range(len(class_names))
    ax.set_xticks(ticks, class_names)
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel(f"predicted class ({cut_text})")
    ax.set_ylabel("true class")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label("fraction of the true class")
    if title:
        ax.set_title(title)
    return fig
