"""Bar chart of an estimate's utilisation of a board against the budget (PNG, matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

from fpgaflow.estimate.budget import BudgetReport
from fpgaflow.estimate.coefficients import Coefficients
from fpgaflow_board.atomic import atomic_file

_LABELS = {"lut": "LUT", "ff": "FF", "dsp": "DSP48", "bram18": "BRAM18"}


def plot_budget(report: BudgetReport, path: Path | str, coeffs: Coefficients | None = None, title: str = "") -> Path:
    """Write a bar chart of utilisation (% of the board) per resource, with the budget and 100 % lines.

    With ``coeffs``, each bar carries an error bar of the model's mean held-out relative error.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    names = [_LABELS.get(r.resource, r.resource) for r in report.rows]
    values = [100 * r.utilisation for r in report.rows]
    errors = None
    if coeffs is not None:
        rel = {e.resource: e.mean for e in coeffs.held_out_error}
        errors = [v * rel.get(r.resource, 0.0) for v, r in zip(values, report.rows, strict=True)]
    colours = ["tab:green" if r.within_budget else "tab:red" for r in report.rows]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    bars = ax.bar(names, values, color=colours, yerr=errors, capsize=6)
    ax.axhline(
        100 * report.budget_fraction,
        color="tab:orange",
        linestyle="--",
        label=f"budget {100 * report.budget_fraction:.0f} %",
    )
    ax.axhline(100, color="black", linewidth=1, label="100 % of the device")
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(
            f"{value:.0f} %",
            (bar.get_x() + bar.get_width() / 2, value),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_ylabel(f"estimated utilisation of the {report.board} (%)")
    ax.set_title(title or f"ESTIMATE vs {report.board} budget: {'fits' if report.fits else 'does not fit'}")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_ylim(0, max(110.0, 1.15 * max(values)))
    fig.tight_layout()
    try:
        with atomic_file(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return path
