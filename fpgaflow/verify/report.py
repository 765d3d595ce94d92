"""Write the verification report: ``verification.json`` + ``verification.md`` (+ ``scores.npz``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fpgaflow.verify.compare_paths import VerifyReport
from fpgaflow_board.atomic import write_npz, write_text


def _pct(v: float) -> str:
    return f"{100 * v:.2f} %"


def _cell(text: object) -> str:
    """Table-cell text: Markdown pipes escaped."""
    return str(text).replace("|", "\\|")


def render_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown: paths, accuracy, agreement, trace table."""
    lines = [
        f"# Verification: {'PASSED' if data['passed'] else 'FAILED'}",
        "",
        f"{data['n_maps']} test maps; output activation `{data['output_activation']}` applied off-chip.",
        "",
        "| path | produced by | accuracy |",
        "|---|---|---|",
    ]
    for key, desc in data["paths"].items():
        acc = data["accuracy"].get(key)
        lines.append(f"| {key} | {_cell(desc)} | {_pct(acc) if acc is not None else '—'} |")
    lines += ["", "| comparison | class agreement | max abs diff | mean abs diff | first disagreements |"]
    lines.append("|---|---|---|---|---|")
    for name, c in data["comparisons"].items():
        lines.append(
            f"| {name} | {_pct(c['agreement'])} | {c['max_abs_diff']:.4g} | {c['mean_abs_diff']:.4g} | "
            f"{', '.join(map(str, c['first_disagreements'])) or '—'} |"
        )
    lines += [
        "",
        f"Raw outputs bit-exact QKeras ↔ hw: {_pct(data['hw_bit_exact_fraction'])}; "
        f"required class agreement ≥ {_pct(data['min_agreement'])}.",
    ]
    axis = data.get("axis_top")
    if axis:
        lines += [
            "",
            f"AXI-Stream top (Vitis route), {axis['n_maps']} maps in DMA transfers of {axis['maps_per_transfer']}: "
            f"output words bit-exact with hw {_pct(axis['bit_exact'])}; TLAST on the last word of each transfer: "
            f"{axis['tlast_ok']}; TKEEP/TSTRB all ones: {axis['keep_ok']}.",
        ]
    tr = data.get("trace")
    if tr:
        lines += [
            "",
            f"## Per-layer trace ({tr['n_maps']} maps, C-sim vs QKeras)",
            "",
            f"Bit-exact layers: {', '.join(tr['exact_layers']) or 'none'}. "
            f"First layer beyond one LSB: {tr['first_departure'] or 'none'}. "
            f"Tracing build reproduces the deployed library: {tr['same_design']}.",
            "",
            "| layer | type | values | max abs diff | bit-exact | > 1 LSB | at max | at min | QKeras outside range |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in tr["layers"]:
            lines.append(
                f"| {r['layer']} | `{r['type']}` | {r['n_values']} | {r['max_abs_diff']:.4g} | "
                f"{_pct(r['bit_exact_fraction'])} | {r['beyond_lsb']} | {r['at_max']} | {r['at_min']} | "
                f"{r['outside']} |"
            )
    if data.get("ranges"):
        lines += [
            "",
            f"## Values outside each layer's type (QKeras, all {data['n_maps']} maps)",
            "",
            "| layer | type | values | outside | max abs | hardware does |",
            "|---|---|---|---|---|---|",
        ]
        for r in data["ranges"]:
            does = "saturates" if r["overflow"] == "SAT" else "wraps"
            lines.append(
                f"| {r['layer']} | `{r['type']}` | {r['n_values']} | {r['outside']} | {r['max_abs']:.4g} | {does} |"
            )
    return "\n".join(lines) + "\n"


def write_verify_report(report: VerifyReport, directory: Path) -> dict[str, Path]:
    """Write the JSON, the Markdown and the per-path scores; returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    data = report.to_dict()
    paths = {"json": directory / "verification.json", "md": directory / "verification.md"}
    write_text(paths["json"], json.dumps(data, indent=2))
    write_text(paths["md"], render_markdown(data))
    scores = directory / "verification_scores.npz"
    arrays = {f"{k}_raw": v for k, v in report.raw.items()} | {f"{k}_score": v for k, v in report.scores.items()}
    write_npz(scores, compressed=True, **arrays)
    paths["scores"] = scores
    return paths
