"""Markdown rendering of an estimate: per-layer table, budget verdict, throughput and the model's error."""

from __future__ import annotations

from fpgaflow.estimate.budget import BudgetReport
from fpgaflow.estimate.coefficients import RANGE_MEANING
from fpgaflow.estimate.table import LayerResources, ResourceTable
from fpgaflow.estimate.throughput import Throughput


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _row(r: LayerResources, bold: bool = False) -> str:
    cells = [
        r.name,
        _num(r.lut),
        _num(r.ff),
        _num(r.dsp),
        _num(r.bram18),
        _num(r.latency_cycles),
        _num(r.interval_cycles),
    ]
    if bold:
        cells = [f"**{c}**" for c in cells]
    return "| " + " | ".join(cells) + " |"


def render_markdown(
    table: ResourceTable,
    budget: BudgetReport | None = None,
    rate: Throughput | None = None,
    title: str = "Resource estimate",
) -> str:
    """The estimate as a Markdown document (stating plainly that it is an estimate)."""
    lines = [f"# {title}", "", f"Source: {table.source}.", ""]
    lines += [f"> {note}" for note in table.notes]
    lines += [
        "",
        "| layer | LUT | FF | DSP48 | BRAM18 | latency (cycles) | interval (cycles) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_row(r) for r in table.layers]
    lines.append(_row(table.total, bold=True))
    if table.bands:
        lines += [
            "",
            f"Expected range of each total ({RANGE_MEANING}): "
            + ", ".join(table.with_interval(r) for r in ("lut", "ff", "dsp", "bram18"))
            + ".",
        ]
    latency_us = table.latency_us()
    if latency_us is not None and table.total.interval_cycles is not None and table.clock_period_ns:
        interval_us = table.total.interval_cycles * table.clock_period_ns * 1e-3
        lines += [
            "",
            f"At the {table.clock_period_ns:g} ns clock: latency {latency_us:,.2f} µs, interval {interval_us:,.2f} µs.",
        ]
    if budget is not None:
        lines += [
            "",
            f"## Budget: {budget.verdict()}",
            "",
            "| resource | estimate (range) | available | utilisation | budget | verdict |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for r in budget.rows:
            lines.append(
                f"| {r.resource} | {r.interval()} | {r.available:,} | {100 * r.utilisation:.1f} % | "
                f"{100 * r.budget_fraction:.0f} % | {r.verdict} |"
            )
    if rate is not None:
        lines += [
            "",
            "## Throughput (deployed design)",
            "",
            f"- core: {rate.compute_maps_per_s:,.0f} maps/s (one map per interval at the board clock)",
            f"- DMA: {rate.dma_maps_per_s:,.0f} maps/s ({rate.words_per_map:,} stream words per map)",
            f"- expected: **{rate.maps_per_s:,.0f} maps/s**, bound by the {rate.bound}; "
            f"latency {rate.latency_us:,.2f} µs per map",
        ]
    return "\n".join(lines) + "\n"
