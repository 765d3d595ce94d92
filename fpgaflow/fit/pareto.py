"""The Pareto front of a fit search (accuracy up, LUTs down) and the search's trade-off plot (PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow.fit.read_baselines import BaselineLine
from fpgaflow.fit.search import FitPoint, FitResult


def _score(p: FitPoint) -> float:
    """What the search maximises besides saving LUTs: accuracy, or modelled maps/s when not scored."""
    return p.accuracy if p.accuracy is not None else p.maps_per_s


def front_indices(lut: list[float], score: list[float], tiebreak: list[float] | None = None) -> list[int]:
    """Indices of the points no other beats on both axes (≥ score with ≤ LUT, one strictly), by ascending LUT;
    of points equal on both, the one with the smallest ``tiebreak``."""
    ties = tiebreak or [0.0] * len(lut)
    front: list[int] = []
    for i in sorted(range(len(lut)), key=lambda k: (lut[k], -score[k], ties[k])):
        if not front or score[i] > score[front[-1]]:
            front.append(i)
    return front


def pareto_front(points: list[FitPoint]) -> list[FitPoint]:
    """Points no other point beats on both axes (≥ score with ≤ LUT, one strictly), by ascending LUT; of
    points equal on both, the one with the shortest interval (as :func:`~fpgaflow.fit.search.choose`)."""
    index = front_indices(
        [p.resources["lut"] for p in points], [_score(p) for p in points], [p.interval_cycles for p in points]
    )
    return [points[i] for i in index]


def _configured_ring(result: FitResult) -> tuple[int, str] | None:
    """The run's configured design (its position in the points) to ring on the plots, if fit scored one."""
    p = result.configured
    if p is None:
        return None
    return next(i for i, q in enumerate(result.points) if q is p), "configured (the run's convert: section)"


def plot_pareto(result: FitResult, path: Path) -> Path:
    """The search as a trade-off (:func:`fpgaflow.figures.tradeoff.tradeoff_figure`): estimated LUTs against
    modelled maps/s, accuracy as colour, the budget verdict (over the estimate's whole range) by marker and edge,
    the chosen point starred, the LUT budget and the throughput floor as lines."""
    from fpgaflow.figures.canvas import save_png
    from fpgaflow.figures.tradeoff import DesignPoint, tradeoff_figure

    points = [DesignPoint(p.resources["lut"], p.maps_per_s, p.accuracy, p.verdict, p.label) for p in result.points]
    chosen = next(i for i, p in enumerate(result.points) if p is result.chosen)
    fig = tradeoff_figure(
        points,
        chosen,
        result.config.budget * result.board.lut,
        [(result.config.min_maps_per_s, "throughput floor (fit.min_maps_per_s)")]
        if result.config.min_maps_per_s
        else [],
        result.n_maps,
        f"fpgaflow fit: {len(points)} configurations on the {result.board.name} (estimates, not synthesis)",
        _configured_ring(result),
    )
    return save_png(fig, path)


def accuracy_lut_plot(result: FitResult, baselines: list[BaselineLine]) -> Any:
    """The search as accuracy against estimated LUTs (:func:`fpgaflow.figures.tradeoff.accuracy_lut_figure`), the
    Pareto front joined, the baselines and the truth ceiling as horizontal lines, the LUT budget vertical."""
    from fpgaflow.figures.tradeoff import DesignPoint, accuracy_lut_figure

    points = [DesignPoint(p.resources["lut"], p.maps_per_s, p.accuracy, p.verdict, p.label) for p in result.points]
    position = {id(p): i for i, p in enumerate(result.points)}
    return accuracy_lut_figure(
        points,
        position[id(result.chosen)],
        result.config.budget * result.board.lut,
        [(b.accuracy, f"{b.label} ({b.name})" if b.name != "truth_ceiling" else b.label) for b in baselines],
        result.n_maps,
        f"fpgaflow fit on the {result.board.name}: accuracy against LUTs (estimates, not synthesis)",
        [position[id(p)] for p in pareto_front(result.points)],
        _configured_ring(result),
    )


def plot_accuracy_lut(result: FitResult, baselines: list[BaselineLine], path: Path) -> Path:
    """:func:`accuracy_lut_plot` saved as a PNG at ``path``."""
    from fpgaflow.figures.canvas import save_png

    return save_png(accuracy_lut_plot(result, baselines), path)
