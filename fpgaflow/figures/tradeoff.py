"""A design search as a trade-off: estimated LUTs against modelled throughput, one marker per design point,
coloured by accuracy; filled when it fits the budget, hollow when it does not; the chosen point starred,
the LUT budget and the throughput target as lines.  What differs between the points (LUTs and maps/s) gets
the axes; accuracy, often the same to a map, gets the colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fpgaflow.figures.canvas import VERDICT_COLOURS, new_figure

LUT_LABEL = "estimated LUTs (whole design with the board shell)"
RATE_LABEL = "modelled throughput (maps/s)"


@dataclass(frozen=True)
class DesignPoint:
    """One configuration: estimated LUTs, modelled maps/s, accuracy (``None`` when not scored), the budget
    verdict (``fits``/``uncertain``/``over``) and a short label."""

    lut: float
    maps_per_s: float
    accuracy: float | None
    verdict: str
    label: str = ""


def tradeoff_figure(
    points: Sequence[DesignPoint],
    chosen: int,
    lut_budget: float,
    rate_lines: Sequence[tuple[float, str]] = (),
    accuracy_maps: int | None = None,
    title: str = "",
) -> Any:
    """The trade-off plot; ``chosen`` indexes ``points``; ``rate_lines``: throughputs to mark (a floor, a
    target: value in maps/s and its legend text); ``accuracy_maps``: maps the accuracy was measured on."""
    fig, ax = new_figure(7.5, 4.8)
    scored = [p for p in points if p.accuracy is not None]
    lo = min((100 * (p.accuracy or 0.0) for p in scored), default=0.0)
    hi = max((100 * (p.accuracy or 0.0) for p in scored), default=1.0)
    if hi - lo < 0.2:  # one colour for all: widen so the colour bar reads "all the same"
        lo, hi = lo - 0.5, hi + 0.5
    mappable = None
    for verdict, marker, fill in (("fits", "o", True), ("uncertain", "o", False), ("over", "X", False)):
        sel = [p for p in points if p.verdict == verdict]
        if not sel:
            continue
        xs = [p.lut for p in sel]
        ys = [p.maps_per_s for p in sel]
        if scored:
            colours = [100 * (p.accuracy or 0.0) for p in sel]
            drawn = ax.scatter(
                xs,
                ys,
                c=colours,
                cmap="viridis",
                vmin=lo,
                vmax=hi,
                marker=marker,
                s=36,
                edgecolors=VERDICT_COLOURS[verdict] if not fill else "face",
                linewidths=1.2,
                label={"fits": "fits", "uncertain": "fits only if the estimate is high", "over": "does not fit"}[
                    verdict
                ],
            )
            mappable = drawn
        else:
            ax.scatter(xs, ys, marker=marker, s=36, color=VERDICT_COLOURS[verdict], label=verdict)
    c = points[chosen]
    ax.scatter(
        [c.lut],
        [c.maps_per_s],
        marker="*",
        s=260,
        color="gold",
        edgecolors="black",
        zorder=5,
        label=f"chosen: {c.label}" if c.label else "chosen",
    )
    ax.axvline(lut_budget, color="black", ls="--", lw=1, label=f"LUT budget ({lut_budget:,.0f})")
    for rate, text in rate_lines:
        ax.axhline(rate, color="tab:purple", ls=":", lw=1.2, label=f"{text}: {rate:,.0f} maps/s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(LUT_LABEL)
    ax.set_ylabel(RATE_LABEL)
    if mappable is not None:
        bar = fig.colorbar(mappable, ax=ax)
        on = f" on {accuracy_maps:,} maps" if accuracy_maps else ""
        bar.set_label(f"accuracy (%){on}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="best")
    ax.set_title(title or f"design search: {len(points)} configurations")
    return fig
