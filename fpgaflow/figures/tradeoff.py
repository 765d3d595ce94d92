"""A design search as a trade-off: estimated LUTs against modelled throughput, one marker per design point,
filled with its accuracy's colour, its marker and edge saying whether it fits the budget; the chosen point starred,
the LUT budget and the throughput target as lines.  What differs between the points (LUTs and maps/s) gets
the axes; accuracy, often the same to a map, gets the colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fpgaflow.figures.canvas import VERDICT_COLOURS, new_figure, plain_log_ticks

LUT_LABEL = "estimated LUTs (whole design with the board shell)"

#: Marker, edge colour and legend words of each budget verdict.
_STYLES = (
    ("fits", "o", "black", "fits (fill: accuracy)"),
    (
        "fits only if the estimate is high",
        "o",
        VERDICT_COLOURS["fits only if the estimate is high"],
        "fits only if the estimate is high",
    ),
    ("does not fit", "X", VERDICT_COLOURS["does not fit"], "does not fit"),
)
RATE_LABEL = "modelled throughput (maps/s)"


@dataclass(frozen=True)
class DesignPoint:
    """One configuration: estimated LUTs, modelled maps/s, accuracy (``None`` when not scored), the budget
    verdict in the estimator's words (``fits``, ``fits only if the estimate is high``, ``does not fit``) and a
    short label."""

    lut: float
    maps_per_s: float
    accuracy: float | None
    verdict: str
    label: str = ""


def _ring(ax: Any, point: DesignPoint, y: float, text: str) -> None:
    """A hollow square around one point (the run's configured design), named in the legend."""
    ax.scatter(
        [point.lut], [y], marker="s", s=150, facecolors="none", edgecolors="tab:red", lw=1.6, zorder=4, label=text
    )


def tradeoff_figure(
    points: Sequence[DesignPoint],
    chosen: int,
    lut_budget: float,
    rate_lines: Sequence[tuple[float, str]] = (),
    accuracy_maps: int | None = None,
    title: str = "",
    ringed: tuple[int, str] | None = None,
) -> Any:
    """The trade-off plot; ``chosen`` indexes ``points``; ``rate_lines``: throughputs to mark (a floor, a
    target: value in maps/s and its legend text); ``accuracy_maps``: maps the accuracy was measured on;
    ``ringed``: one point to ring (index into ``points``, legend text), e.g. the run's configured design."""
    fig, ax = new_figure(7.5, 4.8)
    scored = [p for p in points if p.accuracy is not None]
    lo = min((100 * (p.accuracy or 0.0) for p in scored), default=0.0)
    hi = max((100 * (p.accuracy or 0.0) for p in scored), default=1.0)
    if hi - lo < 0.2:  # one colour for all: widen so the colour bar reads "all the same"
        lo, hi = lo - 0.5, hi + 0.5
    from matplotlib.lines import Line2D

    mappable = None
    handles = []
    for verdict, marker, edge, words in _STYLES:
        sel = [p for p in points if p.verdict == verdict]
        if not sel:
            continue
        colour: Any = [100 * (p.accuracy or 0.0) for p in sel] if scored else VERDICT_COLOURS[verdict]
        drawn = ax.scatter(
            [p.lut for p in sel],
            [p.maps_per_s for p in sel],
            c=colour,
            cmap="viridis" if scored else None,
            vmin=lo if scored else None,
            vmax=hi if scored else None,
            marker=marker,
            s=40,
            edgecolors=edge,
            linewidths=1.4,
        )
        mappable = drawn if scored else None
        # The legend says the verdict by marker and edge; the fill is the accuracy (the colour bar).
        handles.append(
            Line2D([], [], ls="", marker=marker, markerfacecolor="lightgrey", markeredgecolor=edge, label=words)
        )
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
    if ringed is not None:
        _ring(ax, points[ringed[0]], points[ringed[0]].maps_per_s, ringed[1])
    ax.axvline(lut_budget, color="black", ls="--", lw=1, label=f"LUT budget ({lut_budget:,.0f})")
    for rate, text in rate_lines:
        ax.axhline(rate, color="tab:purple", ls=":", lw=1.2, label=f"{text}: {rate:,.0f} maps/s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel(LUT_LABEL)
    ax.set_ylabel(RATE_LABEL)
    if mappable is not None:
        bar = fig.colorbar(mappable, ax=ax)
        on = f" on {accuracy_maps:,} maps" if accuracy_maps else ""
        bar.set_label(f"accuracy (%){on}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(handles=handles + ax.get_legend_handles_labels()[0], fontsize=7, loc="best")
    ax.set_title(title or f"design search: {len(points)} configurations")
    return fig


ACCURACY_LABEL = "accuracy (%)"


def accuracy_lut_figure(
    points: Sequence[DesignPoint],
    chosen: int,
    lut_budget: float,
    lines: Sequence[tuple[float, str]] = (),
    accuracy_maps: int | None = None,
    title: str = "",
    front_indices: Sequence[int] = (),
    ringed: tuple[int, str] | None = None,
) -> Any:
    """Accuracy against estimated LUTs, one marker per scored design point (marker and edge: the budget
    verdict), the chosen point starred, the Pareto front (``front_indices`` into ``points``, by ascending LUT)
    joined, the LUT budget as a vertical line and ``lines`` — the yardsticks (a baseline's or the truth
    ceiling's accuracy as a fraction, and its legend text) — as horizontal lines across the plot; ``ringed``: one
    point to ring (index, legend text)."""
    fig, ax = new_figure(7.5, 4.8)
    scored = [p for p in points if p.accuracy is not None]
    for verdict, marker, edge, words in _STYLES:
        sel = [p for p in scored if p.verdict == verdict]
        if sel:
            ax.scatter(
                [p.lut for p in sel],
                [100 * (p.accuracy or 0.0) for p in sel],
                marker=marker,
                s=36,
                facecolors="lightgrey" if verdict != "does not fit" else edge,
                edgecolors=edge,
                linewidths=1.2,
                label=words.replace(" (fill: accuracy)", ""),
                zorder=3,
            )
    front = [points[i] for i in front_indices]
    if len(front) > 1:
        ax.plot(
            [p.lut for p in front],
            [100 * (p.accuracy or 0.0) for p in front],
            color="tab:blue",
            lw=1,
            drawstyle="steps-post",
            label="Pareto front",
            zorder=2,
        )
    c = points[chosen]
    if c.accuracy is not None:
        ax.scatter(
            [c.lut],
            [100 * c.accuracy],
            marker="*",
            s=260,
            color="gold",
            edgecolors="black",
            zorder=5,
            label=f"chosen: {c.label}" if c.label else "chosen",
        )
    if ringed is not None and points[ringed[0]].accuracy is not None:
        _ring(ax, points[ringed[0]], 100 * (points[ringed[0]].accuracy or 0.0), ringed[1])
    styles = ("--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))
    colours = ("tab:red", "tab:green", "tab:orange", "black")
    for i, (accuracy, text) in enumerate(lines):
        ax.axhline(
            100 * accuracy,
            color=colours[i % len(colours)],
            ls=styles[i % len(styles)],
            lw=1.3,
            label=f"{text}: {100 * accuracy:.1f} %",
        )
    ax.axvline(lut_budget, color="black", ls="--", lw=1, label=f"LUT budget ({lut_budget:,.0f})")
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    ax.set_xlabel(LUT_LABEL)
    on = f" on {accuracy_maps:,} test maps" if accuracy_maps else ""
    ax.set_ylabel(f"{ACCURACY_LABEL}{on}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="best")
    ax.set_title(title or f"accuracy against LUTs: {len(scored)} scored configurations")
    return fig
