"""Resources against a board's budget: one bar per resource (% of the device), the budget and 100 % lines,
and the estimate's error interval as error bars whose legend entry says what they are (or, for an estimate
without an interval, a legend line saying so)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fpgaflow.figures.canvas import VERDICT_COLOURS, new_figure


@dataclass(frozen=True)
class ResourceBar:
    """One resource: the estimate ``used``, the device's ``available`` count, the estimate's interval
    (``low``/``high``; ``None`` when the estimate carries none) and its budget verdict in the estimator's words
    (``fits``, ``fits only if the estimate is high``, ``does not fit``: :mod:`fpgaflow.estimate.budget`)."""

    name: str
    used: float
    available: float
    verdict: str
    low: float | None = None
    high: float | None = None

    def percent(self, value: float) -> float:
        return 100.0 * value / self.available


def resources_figure(
    bars: Sequence[ResourceBar],
    budget_fraction: float,
    board: str,
    interval_label: str | None = None,
    title: str = "",
) -> Any:
    """Bars of % of ``board`` per resource; ``interval_label`` says what the error bars are (required when
    any bar has an interval)."""
    fig, ax = new_figure(6.0, 4.0)
    names = [b.name for b in bars]
    values = [b.percent(b.used) for b in bars]
    colours = [VERDICT_COLOURS[b.verdict] for b in bars]
    drawn = ax.bar(names, values, color=colours)
    with_interval = [i for i, b in enumerate(bars) if b.low is not None and b.high is not None]
    if with_interval:
        if not interval_label:
            raise ValueError("error bars need a legend label saying what they are")
        ax.errorbar(
            [names[i] for i in with_interval],
            [values[i] for i in with_interval],
            yerr=[
                [values[i] - bars[i].percent(bars[i].low or 0.0) for i in with_interval],
                [bars[i].percent(bars[i].high or 0.0) - values[i] for i in with_interval],
            ],
            fmt="none",
            ecolor="black",
            capsize=6,
            label=interval_label,
        )
    else:
        ax.plot([], [], " ", label="no interval: the estimate is a single number")
    ax.axhline(100 * budget_fraction, color="tab:orange", ls="--", label=f"budget {100 * budget_fraction:.0f} %")
    ax.axhline(100, color="black", lw=1, label="100 % of the device")
    tops = [b.percent(b.high if b.high is not None else b.used) for b in bars]
    for bar, value, top in zip(drawn, values, tops, strict=True):
        ax.annotate(  # above the bar's interval, so the number never sits on an error bar
            f"{value:.0f} %",
            (bar.get_x() + bar.get_width() / 2, max(value, top)),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 3),
            textcoords="offset points",
        )
    ax.set_ylim(0, max([135.0, *(1.35 * t for t in tops)]))  # room for the legend above the 100 % line
    ax.set_ylabel(f"estimated utilisation of the {board} (%)")
    ax.set_xlabel("resource (bar colour: green fits, orange fits only if the estimate is high, red over)")
    ax.xaxis.label.set_fontsize(7)
    ax.legend(loc="upper left", fontsize=7)
    ax.set_title(title or f"resource estimate against the {board} budget")
    return fig
