"""Write the conversion report (``conversion.json`` + ``conversion.md``) into the hls4ml project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fpgaflow.convert.hls import Conversion
from fpgaflow_board.atomic import write_text

JSON_NAME = "conversion.json"
MD_NAME = "conversion.md"


def _cell(text: object) -> str:
    """Table-cell text: Markdown pipes escaped."""
    return str(text).replace("|", "\\|")


def render_markdown(data: dict[str, Any]) -> str:
    """The precision / reuse / FIFO tables as Markdown."""
    lines = [
        f"# Conversion: {data['project_name']} for {data['board']} ({data['part']})",
        "",
        f"Backend {data['backend']}, {data['io_type']}, clock {data['clock_period_ns']:g} ns; "
        f"{data['precision']['calibration_maps']} calibration maps profiled. Dataflow interval ≈ "
        f"{data['interval_cycles']} cycles = {data['interval_us']:.2f} µs per map (slowest layer; first-order, "
        "without start-up, stalls or DMA).",
        "",
        "## Precision per layer",
        "",
        "| layer | tensor | type | why |",
        "|---|---|---|---|",
    ]
    for lp in data["precision"]["layers"]:
        for key in ("weight", "bias", "accum", "result"):
            if key in lp:
                lines.append(f"| {lp['layer']} | {key} | `{lp[key]['type']}` | {_cell(lp[key]['reason'])} |")
    lines += [
        "",
        f"## Reuse factor and strategy ({data['reuse']['multipliers']} multipliers in all)",
        "",
        "| layer | n_in × n_out | reuse | strategy | multipliers | valid reuse factors | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for lr in data["reuse"]["layers"]:
        valid = ", ".join(map(str, lr["valid_reuse_factors"]))
        lines.append(
            f"| {lr['layer']} | {lr['n_in']} × {lr['n_out']} | {lr['reuse_factor']} | {lr['strategy']} | "
            f"{lr['multipliers']} | {valid} | {_cell(lr['reason'])} |"
        )
    if data["fifo_depths"]:
        lines += ["", "## FIFO depths (stream leaving each layer)", "", "| layer | depth | hls4ml default | why |"]
        lines.append("|---|---|---|---|")
        for f in data["fifo_depths"]:
            lines.append(f"| {f['layer']} | {f['depth']} | {f['hls4ml_default']} | {_cell(f['reason'])} |")
    lines += ["", "## Changes hls4ml made on its own", ""]
    lines.append("\n".join(f"- {c}" for c in data["hls4ml_changes"]) or "None: every planned choice was kept.")
    return "\n".join(lines) + "\n"


def write_conversion_report(
    conversion: Conversion, directory: Path | None = None, extra: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    """Write ``conversion.json`` and ``conversion.md`` (default: into the project directory).

    ``extra``: further JSON-safe facts for later stages (e.g. ``input_scale``, ``output_activation``)."""
    directory = Path(directory or conversion.output_dir)
    data = conversion.to_dict() | dict(extra or {})
    json_path, md_path = directory / JSON_NAME, directory / MD_NAME
    write_text(json_path, json.dumps(data, indent=2))
    write_text(md_path, render_markdown(data))
    return json_path, md_path
