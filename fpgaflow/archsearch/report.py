"""Write an architecture search: the ranked table (Markdown + JSON) and accuracy against LUTs (PNG)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from fpgaflow.archsearch.search_architectures import ArchRow
from fpgaflow.estimate.table import compact
from fpgaflow_board.atomic import write_text

MD_NAME = "search.md"
JSON_NAME = "search.json"
PLOT_NAME = "search_pareto.png"


def _cell(value: float) -> str:
    return "–" if math.isnan(value) else compact(value)


def render_markdown(rows: list[ArchRow], facts: dict[str, Any]) -> str:
    """The ranked table (rows already ranked: fitting designs by validation accuracy) and the facts of the run."""
    base = next((r for r in rows if r.label == "base"), None)
    lines = [
        f"# fpgaflow search: {len(rows)} architectures around {facts['run']}",
        "",
        f"Each candidate trained {facts['float_pretrain_epochs']} float + {facts['epochs']} quantisation-aware epochs "
        f"on {facts['n_train']:,} training maps (seed {facts['seed']}), then fitted to the {facts['board']} "
        f"(budget {100 * facts['budget']:.0f} %, throughput floor {facts['min_maps_per_s']:,.0f} maps/s). "
        f"Accuracy: the bit-exact emulator on {facts['n_val']:,} validation maps, for the design fit chose. "
        "Resources: ESTIMATES of that design (not synthesis). Brief training ranks architectures; it is not the "
        "accuracy a full training reaches.",
        "",
        "| rank | architecture | parameters | sparsity | val. accuracy (emulator) | QKeras | LUT | FF | DSP48 | "
        "BRAM18 | largest share | maps/s | verdict | design | train (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for i, r in enumerate(rows, 1):
        acc = "–" if r.accuracy is None else f"{100 * r.accuracy:.2f} %"
        keras = "–" if r.keras_accuracy is None else f"{100 * r.keras_accuracy:.2f} %"
        share = "–" if math.isnan(r.utilisation) else f"{100 * r.utilisation:.0f} %"
        verdict = r.verdict if not r.error else f"{r.verdict}: {r.error}"
        name = f"**{r.label}**" if r.label == "base" else r.label
        lines.append(
            f"| {i} | {name} | {r.n_parameters:,} | {r.sparsity:.2f} | {acc} | {keras} | {_cell(r.lut)} | "
            f"{_cell(r.ff)} | {_cell(r.dsp)} | {_cell(r.bram18)} | {share} | {r.maps_per_s:,.0f} | {verdict} | "
            f"{r.design} | {r.train_seconds:.0f} |"
        )
    top = rows[0] if rows else None
    if top is not None and base is not None and top.accuracy is not None and base.accuracy is not None:
        lines += [
            "",
            f"Best within budget: **{top.label}** at {100 * top.accuracy:.2f} % "
            f"({100 * (top.accuracy - base.accuracy):+.2f} pp against the base, {100 * base.accuracy:.2f} %; "
            f"one validation map is {100 / facts['n_val']:.3f} pp, the binomial standard error of one accuracy "
            f"≈ {100 * math.sqrt(base.accuracy * (1 - base.accuracy) / facts['n_val']):.1f} pp).",
        ]
    return "\n".join(lines) + "\n"


def plot_search(rows: list[ArchRow], budget_lut: float, n_val: int, path: Path) -> Path:
    """Validation accuracy against estimated LUTs of every scored candidate, the top-ranked starred, the front
    joined, the LUT budget as a vertical line."""
    from fpgaflow.figures.canvas import save_png
    from fpgaflow.figures.tradeoff import DesignPoint, accuracy_lut_figure
    from fpgaflow.fit.pareto import front_indices

    scored = [r for r in rows if r.accuracy is not None]
    points = [DesignPoint(r.lut, r.maps_per_s, r.accuracy, r.verdict, r.label) for r in scored]
    front = front_indices([p.lut for p in points], [p.accuracy or 0.0 for p in points])
    fig = accuracy_lut_figure(
        points,
        0,
        budget_lut,
        (),
        n_val,
        f"fpgaflow search: {len(points)} architectures (validation accuracy, brief training; estimates)",
        front,
    )
    return save_png(fig, path)


def write_search_report(rows: list[ArchRow], out: Path, facts: dict[str, Any], budget_lut: float) -> dict[str, Path]:
    """``search.md``, ``search.json`` and ``search_pareto.png`` in ``out``; their paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    data = {**facts, "ranked": [r.to_dict() for r in rows]}
    paths = {
        "markdown": write_text(out / MD_NAME, render_markdown(rows, facts)),
        "json": write_text(out / JSON_NAME, json.dumps(data, indent=2, default=float) + "\n"),
    }
    if any(r.accuracy is not None for r in rows):
        paths["plot"] = plot_search(rows, budget_lut, int(facts["n_val"]), out / PLOT_NAME)
    return paths
