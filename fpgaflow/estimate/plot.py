"""Bar chart of an estimate's utilisation of a board against the budget (PNG, matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

from fpgaflow.estimate.budget import BudgetReport
from fpgaflow_board.atomic import atomic_file

_LABELS = {"lut": "LUT", "ff": "FF", "dsp": "DSP48", "bram18": "BRAM18"}


def plot_budget(report: BudgetReport, path: Path | str, title: str = "") -> Path:
    """Write a bar chart of utilisation (% of the board) per resource, with the budget and 100 % lines.

    Each bar carries the estimate's expected range (leave-one-design-out) as an error bar.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    names = [_LABELS.get(r.resource, r.resource) for r in report.rows]
    values = [100 * r.utilisation for r in report.rows]
    errors = [
        [100 * (r.used - (r.low if r.low is not None else r.used)) / r.available for r in report.rows],
        [100 * ((r.high if r.high is not None else r.used) - r.used) / r.available for r in report.rows],
    ]
    colour = {"fits": "tab:green", "fits only if the estimate is high": "tab:orange", "does not fit": "tab:red"}
    colours = [colour[r.verdict] for r in report.rows]
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
    ax.set_title(title or f"ESTIMATE vs {report.board} budget: {report.status}")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_ylim(0, max(110.0, 1.15 * max(v + e for v, e in zip(values, errors[1], strict=True))))
    fig.tight_layout()
    try:
        with atomic_file(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return path
