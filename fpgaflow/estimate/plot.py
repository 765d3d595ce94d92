"""Bar chart of an estimate's utilisation of a board against the budget (PNG, :mod:`fpgaflow.figures`)."""

from __future__ import annotations

from pathlib import Path

from fpgaflow.estimate.budget import BudgetReport
from fpgaflow.estimate.coefficients import BAND_SHARE
from fpgaflow.estimate.table import RESOURCE_LABELS
from fpgaflow.figures.canvas import save_png
from fpgaflow.figures.resources import ResourceBar, resources_figure

#: What an estimate's error bars are (:class:`fpgaflow.estimate.table.Band`), in the legend and the run report.
RANGE_LABEL = f"expected range: {BAND_SHARE} designs held out of the calibration fell inside"


def plot_budget(report: BudgetReport, path: Path | str, title: str = "") -> Path:
    """Write a bar chart of utilisation (% of the board) per resource, with the budget and 100 % lines.

    Each bar carries the estimate's expected range (leave-one-design-out) as an error bar, which the legend
    names; an estimate without ranges says so in the legend instead.
    """
    bars = [
        ResourceBar(RESOURCE_LABELS.get(r.resource, r.resource), r.used, r.available, r.verdict, r.low, r.high)
        for r in report.rows
    ]
    has_range = any(r.low is not None for r in report.rows)
    fig = resources_figure(
        bars,
        report.budget_fraction,
        report.board,
        RANGE_LABEL if has_range else None,
        title or f"ESTIMATE vs {report.board} budget: {report.status}",
    )
    return save_png(fig, path)
