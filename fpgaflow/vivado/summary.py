"""Side-by-side text table of resource tables (estimate, HLS, Vivado) against the board's budget."""

from __future__ import annotations

from fpgaflow.estimate.table import RESOURCES, ResourceTable


def format_side_by_side(tables: tuple[ResourceTable, ...] | list[ResourceTable], budget: dict[str, int]) -> str:
    """One row per resource, one column per table: ``used (percent of budget)``; then latency/interval."""
    if not tables:
        return "no reports yet"
    width = max(22, *(len(t.source) + 2 for t in tables))
    lines = ["resource".ljust(10) + "".join(t.source.rjust(width) for t in tables)]
    for res in RESOURCES:
        cells = []
        for table in tables:
            used = table.total.get(res)
            share = f" ({100 * used / budget[res]:.1f}%)" if budget.get(res) else ""
            cells.append(f"{used:,.0f}{share}".rjust(width))
        lines.append(res.ljust(10) + "".join(cells))
    for label, attr in (("latency", "latency_cycles"), ("interval", "interval_cycles")):
        cells = []
        for table in tables:
            value = getattr(table.total, attr)
            cells.append(("-" if value is None else f"{value:,.0f} cyc").rjust(width))
        lines.append(label.ljust(10) + "".join(cells))
    return "\n".join(lines)
