"""The Pareto front of a fit search (accuracy up, LUTs down) and its plot (PNG, matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

from fpgaflow.fit.search import FitPoint, FitResult
from fpgaflow_board.atomic import atomic_file


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
    """Accuracy (or maps/s) vs estimated LUTs of every point: fitting over the whole range of the estimate
    filled, fitting only if the estimate is high hollow orange, not fitting hollow red, the Pareto front as
    a line, the chosen point starred, the LUT budget as a vertical line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scored = all(p.accuracy is not None for p in result.points)
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for verdict, face, edge in (
        ("fits", "tab:blue", "tab:blue"),
        ("fits only if the estimate is high", "none", "tab:orange"),
        ("does not fit", "none", "tab:red"),
    ):
        sel = [p for p in result.points if p.verdict == verdict]
        if sel:
            ax.scatter(
                [p.resources["lut"] for p in sel],
                [_score(p) for p in sel],
                s=22,
                facecolors=face,
                edgecolors=edge,
                label=verdict,
            )
    front = pareto_front(result.points)
    ax.plot(
        [p.resources["lut"] for p in front], [_score(p) for p in front], "-", color="grey", lw=1, label="Pareto front"
    )
    c = result.chosen
    ax.scatter(
        [c.resources["lut"]],
        [_score(c)],
        marker="*",
        s=220,
        color="gold",
        edgecolors="black",
        zorder=5,
        label=f"chosen: {c.label}",
    )
    ax.axvline(
        result.config.budget * result.board.lut,
        color="black",
        ls="--",
        lw=1,
        label=f"LUT budget ({100 * result.config.budget:.0f} % of {result.board.lut})",
    )
    ax.set_xscale("log")
    ax.set_xlabel("estimated LUTs (deployed design, shell included; an estimate, not synthesis)")
    if scored:
        ax.set_ylabel(f"accuracy on {result.n_maps} maps (bit-exact emulator)")
    else:
        ax.set_ylabel("modelled throughput (maps/s)")
        ax.set_yscale("log")
    ax.set_title(f"fpgaflow fit: {len(result.points)} configurations on the {result.board.name}")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    try:
        with atomic_file(path) as tmp:
            fig.savefig(tmp, dpi=120, format="png")
    finally:
        plt.close(fig)
    return path
