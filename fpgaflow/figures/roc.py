"""The ROC as a detector physicist reads it.

Left: signal efficiency (particle maps accepted) against background efficiency (background maps accepted),
each curve labelled with its AUC (± its bootstrap error when given).  Right: background rejection 1/ε_B on a
log scale against signal efficiency, with the 90 % and 95 % signal-efficiency lines and the classifier's
rejection there.  Baselines with a single working point (a cut, a rule) are markers on both panels, so the
deployed model and a one-line cut are compared on the same axes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.figures.canvas import new_figure, plain_log_ticks

SIGNAL_LABEL = "signal efficiency ε_S (particle maps accepted)"
BACKGROUND_LABEL = "background efficiency ε_B (background maps accepted)"
REJECTION_LABEL = "background rejection 1/ε_B"

_MARKERS = ("o", "s", "D", "^", "v", "P", "X")


@dataclass(frozen=True)
class RocCurve:
    """One classifier's curve: false- and true-positive rates at every cut, its AUC and the AUC's error."""

    name: str
    fpr: npt.NDArray[np.float64]
    tpr: npt.NDArray[np.float64]
    auc: float
    auc_error: float | None = None
    dashed: bool = False

    @property
    def label(self) -> str:
        err = f" ± {self.auc_error:.3f}" if self.auc_error is not None else ""
        return f"{self.name} (AUC {self.auc:.3f}{err})"


@dataclass(frozen=True)
class WorkingPoint:
    """A classifier at one cut: signal and background efficiency on the same maps."""

    name: str
    signal_efficiency: float
    background_efficiency: float


def roc_figure(
    curves: Sequence[RocCurve],
    working_points: Sequence[WorkingPoint] = (),
    rejections: Mapping[float, float] | None = None,
    n_background: int | None = None,
    title: str = "",
) -> Any:
    """The two ROC panels.  ``rejections``: the first curve's background rejection at fixed signal
    efficiencies (:func:`fpgaflow.metrics.background_rejection`), marked with dotted lines and written on the
    right panel.  ``n_background``: the number of background maps, which bounds a rejection when no background
    map passes (drawn at that bound with an upward marker)."""
    fig, (lin, rej) = new_figure(10.0, 4.2, 1, 2)
    lin.plot([0, 1], [0, 1], ":", color="grey", lw=1, label="random guess (AUC 0.5)")
    ceiling = float(n_background) if n_background else None
    for c in curves:
        style = "--" if c.dashed else "-"
        (line,) = lin.plot(c.fpr, c.tpr, style, lw=1.2 if c.dashed else 1.8, label=c.label)
        keep = c.fpr > 0
        rej.plot(c.tpr[keep], 1.0 / c.fpr[keep], style, lw=1.2 if c.dashed else 1.8, color=line.get_color())
    for k, wp in enumerate(working_points):
        marker = _MARKERS[k % len(_MARKERS)]
        label = f"{wp.name}: ε_S {100 * wp.signal_efficiency:.1f} %, ε_B {100 * wp.background_efficiency:.1f} %"
        lin.plot(wp.background_efficiency, wp.signal_efficiency, marker, color="black", mfc="none", label=label)
        if wp.background_efficiency > 0:
            rej.plot(wp.signal_efficiency, 1.0 / wp.background_efficiency, marker, color="black", mfc="none")
        elif ceiling:
            rej.plot(wp.signal_efficiency, ceiling, "^", color="black", mfc="none")
    for eff, r in (rejections or {}).items():
        rej.axvline(eff, color="grey", ls=":", lw=1)
        shown = r if math.isfinite(r) else ceiling
        if shown:
            text = f"{r:.3g}" if math.isfinite(r) else f"> {ceiling:.0f}"
            rej.plot(eff, shown, ".", color="grey")
            rej.annotate(
                text,
                (eff, shown),
                xytext=(-5, 5),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=8,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    lin.set_xlabel(BACKGROUND_LABEL)
    lin.set_ylabel(SIGNAL_LABEL)
    lin.set_xlim(0, 1)
    lin.set_ylim(0, 1.01)
    lin.grid(alpha=0.3)
    lin.legend(fontsize=7, loc="lower right")
    rej.set_xlabel(SIGNAL_LABEL)
    rej.set_ylabel(REJECTION_LABEL)
    rej.set_yscale("log")
    plain_log_ticks(rej.yaxis)
    rej.set_xlim(0.5, 1.0)
    rej.grid(alpha=0.3, which="both")
    if rejections:
        effs = ", ".join(f"{100 * e:.0f} %" for e in rejections)
        rej.set_title(f"{curves[0].name}:\nrejection at ε_S = {effs} (dotted lines)", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig
