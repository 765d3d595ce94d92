"""Write a fit's artefacts: the chosen config (YAML), the table of every point (Markdown + JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from fpgaflow.config.strict import to_mapping
from fpgaflow.estimate.coefficients import RANGE_MEANING
from fpgaflow.estimate.table import compact
from fpgaflow.fit.confirm import CsimConfirmation
from fpgaflow.fit.pareto import pareto_front
from fpgaflow.fit.search import FitPoint, FitResult, configured_sentence, tradeoff
from fpgaflow_board.atomic import write_text

#: ``convert:`` section for a run config (``fpgaflow run --config``).
RUN_SECTION_NAME = "fit.yaml"
#: The bare ConvertConfig (``fpgaflow convert --config``).
CONVERT_CONFIG_NAME = "convert.yaml"
JSON_NAME = "fit.json"
MD_NAME = "fit.md"
PLOT_NAME = "fit_pareto.png"
#: Accuracy against LUTs with the baselines as horizontal lines (written when the run holds baselines).
ACCURACY_PLOT_NAME = "fit_accuracy_lut.png"


def _pct(u: float) -> str:
    return f"{100 * u:.1f} %"


def interval(p: FitPoint, resource: str) -> str:
    """``21.5k (17k–26k) 40.4 %``: the estimate, its expected range and its share of the board."""
    low, high = p.ranges.get(resource, (p.resources[resource], p.resources[resource]))
    return f"{compact(p.resources[resource])} ({compact(low)}–{compact(high)}) {_pct(p.utilisation[resource])}"


def layer_choices(p: FitPoint) -> str:
    """``conv1=1, conv2=6``: each layer's reuse factor, with its strategy when it is chosen per layer (the
    configured design, the ``mixed`` mode)."""
    c = p.candidate
    mixed = c.strategy_label == "mixed" or c.reuse_mode in ("mixed", "configured")
    return ", ".join(f"{k}={v}" + (f" {c.strategy_of(k)}" if mixed else "") for k, v in c.layer_reuse.items())


def _row(p: FitPoint, chosen: FitPoint, front: set[int]) -> str:
    mark = "**chosen**" if p.index == chosen.index else ("front" if p.index in front else "")
    acc = "–" if p.accuracy is None else f"{100 * p.accuracy:.2f} %"
    reuse = layer_choices(p)
    verdict = p.verdict if p.fits else f"{p.verdict}: " + ", ".join(p.over)
    cells = " | ".join(interval(p, r) for r in ("lut", "ff", "dsp", "bram18"))
    return (
        f"| {p.index} | {p.label} | {reuse} | {acc} | {cells} | {p.interval_cycles:.0f} | {p.maps_per_s:.0f} | "
        f"{verdict} | {mark} |"
    )


def render_markdown(result: FitResult, confirmation: CsimConfirmation | None, extra: dict[str, Any]) -> str:
    c = result.chosen
    front = {p.index for p in pareto_front(result.points)}
    acc = (
        "not scored"
        if c.accuracy is None
        else f"{100 * c.accuracy:.2f} % on {result.n_maps} maps ({c.accuracy_source})"
    )
    lines = [
        f"# fpgaflow fit: {extra.get('model', 'model')} on the {result.board.name} ({result.board.part})",
        "",
        f"Budget: {100 * result.config.budget:.0f} % of every resource. {len(result.points)} configurations "
        f"evaluated, {sum(p.fits for p in result.points)} fit over the whole range of the estimate, "
        f"{sum(p.verdict == 'fits only if the estimate is high' for p in result.points)} only if the estimate "
        "is high.",
        "",
        "**Resources are ESTIMATES** from fpgaflow's analytical model (post-implementation of the deployed "
        "design: NN core + AXI wrapper + DMA), not synthesis results. Each is shown with its expected range "
        f"({RANGE_MEANING}; docs/estimate.md); a point *fits* only when every range is within the budget.",
        "",
        f"## Chosen: {c.label}",
        "",
        f"- accuracy: {acc}",
    ]
    if c.candidate.sparsity:
        lines.append(
            f"- weights: a copy of the model pruned to {100 * c.candidate.sparsity:.0f} % kernel sparsity and "
            f"fine-tuned ({extra.get('pruned_model', 'pruned model')}): deploy that model with this config"
        )
    if result.reference_accuracy is not None:
        lines.append(f"- QKeras model on the same maps: {100 * result.reference_accuracy:.2f} %")
    lines += [
        f"- per-layer reuse factors: {layer_choices(c)}; strategy {c.candidate.strategy_label}; "
        f"accumulators/results trimmed by {c.candidate.precision.trim_bits} bits",
        f"- verdict: {c.verdict}",
        "- estimate (range, share of the board): "
        + ", ".join(f"{r} {interval(c, r)}" for r in ("lut", "ff", "dsp", "bram18")),
        f"- interval {c.interval_cycles:.0f} cycles, modelled {c.maps_per_s:.0f} maps/s",
        f"- what the choice trades: {tradeoff(result).sentence(c)}",
        f"- configured design: {configured_sentence(result)}",
    ]
    if confirmation is not None:
        d = confirmation.to_dict()
        lines.append(
            f"- C simulation of the chosen design vs the emulator ({d['emulated']}) on {d['n_maps']} maps: "
            f"{d['n_identical']} bit-identical, max |Δ| = {d['max_abs_diff']:g}, class agreement "
            f"{100 * d['class_agreement']:.2f} %"
        )
    for note in result.notes:
        lines.append(f"- note: {note}")
    if extra.get("baselines") and c.accuracy is not None:
        lines += [
            "",
            f"## Against the baselines ({ACCURACY_PLOT_NAME})",
            "",
            "The baselines (fpgaflow.baselines, fitted on the run's training maps) and the truth ceiling where the "
            f"file has one, measured on the test maps; the fit scored {result.n_maps} of them (the first ones).",
            "",
            "| yardstick | accuracy | chosen design − yardstick |",
            "|---|---:|---:|",
        ]
        for b in extra["baselines"]:
            lines.append(
                f"| {b['label']} (`{b['name']}`) | {100 * b['accuracy']:.2f} ± {100 * b['error']:.2f} % "
                f"({b['n_maps']} maps) | {100 * (c.accuracy - b['accuracy']):+.2f} pp |"
            )
    lines += [
        "",
        "Choice rule: the most accurate point within budget (and above the throughput floor "
        f"{result.config.min_maps_per_s:,.0f} maps/s); of equally accurate points, the one with the fewest LUTs "
        f"among those reaching the target {result.config.target_maps_per_s:,.0f} maps/s (`fit.target_maps_per_s`), "
        "or the fastest when none does; then the shorter interval, then fewer trimmed bits. Without accuracy: "
        "the fastest point within budget, ties → fewer LUTs, then fewer trimmed bits."
        + (
            " The point `configured` is the run's own `convert:` section (its per-layer reuse factors and "
            "strategies), estimated, scored and chosen like the grid's points."
            if result.configured is not None
            else ""
        ),
        "",
        "## Every point",
        "",
        "| # | point | reuse (and strategy) per layer | accuracy | LUT (range) | FF (range) | DSP48 (range) | "
        "BRAM18 (range) | interval (cycles) | maps/s | verdict | |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(p, c, front) for p in result.points]
    return "\n".join(lines) + "\n"


def write_fit_report(
    result: FitResult, out_dir: Path, confirmation: CsimConfirmation | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Path]:
    """Write ``fit.yaml`` (a ``convert:`` section), ``convert.yaml`` (the bare ConvertConfig), ``fit.json``
    and ``fit.md`` into ``out_dir``; returns their paths by kind."""
    extra = dict(extra or {})
    out_dir.mkdir(parents=True, exist_ok=True)
    config = to_mapping(result.chosen.config)
    header = (
        f"# fpgaflow fit: chosen {result.chosen.label} for the {result.board.name} "
        f"(budget {100 * result.config.budget:.0f} %; resources are estimates: {result.chosen.verdict})\n"
    )
    data = result.to_dict()
    data["csim_confirmation"] = confirmation.to_dict() if confirmation else None
    data.update(extra)
    return {
        "run_section": write_text(
            out_dir / RUN_SECTION_NAME, header + yaml.safe_dump({"convert": config}, sort_keys=False)
        ),
        "convert_config": write_text(out_dir / CONVERT_CONFIG_NAME, header + yaml.safe_dump(config, sort_keys=False)),
        "json": write_text(out_dir / JSON_NAME, json.dumps(data, indent=2) + "\n"),
        "markdown": write_text(out_dir / MD_NAME, render_markdown(result, confirmation, extra)),
    }
