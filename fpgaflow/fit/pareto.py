"""The Pareto front of a fit search (accuracy up, LUTs down) and the search's trade-off plot (PNG)."""

from __future__ import annotations

from pathlib import Path

from fpgaflow.fit.search import FitPoint, FitResult


def _score(p: FitPoint) -> float:
    """What the search maximises besides saving LUTs: accuracy, or modelled maps/s when not scored."""
    return p.accuracy if p.accuracy is not None else p.maps_per_s


def pareto_front(points: list[FitPoint]) -> list[FitPoint]:
    """Points no other point beats on both axes (≥ score with ≤ LUT, one strictly), by ascending LUT; of
    points equal on both, the one with the shortest interval (as :func:`~fpgaflow.fit.search.choose`)."""
    front: list[FitPoint] = []
    for p in sorted(points, key=lambda q: (q.resources["lut"], -_score(q), q.interval_cycles)):
        if not front or _score(p) > _score(front[-1]):
            front.append(p)
    return front


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
    )
    return save_png(fig, path)
