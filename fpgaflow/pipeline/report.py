"""The human-readable ``report.md`` of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow.pipeline.config import RunConfig
from fpgaflow_board.atomic import write_text


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{100 * value:.2f} %" if pct else f"{value:.4g}"
    return str(value)


def render_report(summary: dict[str, Any], cfg: RunConfig) -> str:
    s = summary
    lines = [
        "# fpgaflow run report",
        "",
        f"Board **{cfg.convert.board}**, backend {cfg.convert.backend}, {cfg.convert.io_type}, "
        f"clock {cfg.convert.clock_ns:g} ns, reuse factor {cfg.convert.reuse_factor}.",
        "",
        "## Result",
        "",
        "| quantity | value |",
        "|---|---|",
        f"| input shape (rows, cols, channels) | {_fmt(s.get('input_shape'))} |",
        f"| maps train / val / test | {s.get('n_train', '—')} / {s.get('n_val', '—')} / {s.get('n_test', '—')} |",
        f"| weight sparsity after pruning | {_fmt(s.get('sparsity'), pct=True)} |",
        f"| validation accuracy (QKeras, end of training) | {_fmt(s.get('val_accuracy'), pct=True)} |",
        f"| test accuracy, QKeras (TensorFlow) | {_fmt(s.get('accuracy_keras'), pct=True)} |",
        f"| test accuracy, C simulation (bit-accurate) | {_fmt(s.get('accuracy_csim'), pct=True)} |",
        f"| baseline: 'particle if any pixel is read out' | {_fmt(s.get('baseline_any_hit_accuracy'), pct=True)} |",
        f"| QKeras ↔ C-sim class agreement | {_fmt(s.get('csim_agreement'), pct=True)} |",
        f"| max \\|score difference\\| | {_fmt(s.get('max_abs_diff'))} |",
        f"| C-sim speed (maps/s, one core) | {_fmt(s.get('csim_maps_per_second'))} |",
        f"| input / output precision | {s.get('input_precision', '—')} / {s.get('output_precision', '—')} |",
        f"| bitstream | {s.get('bitstream') or 'absent: no Vivado build yet'} |",
        f"| resources (ESTIMATE after implementation, with expected range; see `fpgaflow estimate`) | "
        f"{s.get('estimate_intervals') or _fmt(s.get('estimate'))} |",
        f"| budget verdict (estimate) | {s.get('estimate_verdict', '—')} |",
        f"| modelled board throughput | {_fmt(s.get('modelled_maps_per_second'))} maps/s "
        f"({s.get('modelled_bound', '—')}-bound), latency {_fmt(s.get('modelled_latency_us'))} µs |",
        "",
        "## Steps",
        "",
        "| step | status | seconds |",
        "|---|---|---|",
    ]
    for name, st in s.get("steps_status", {}).items():
        lines.append(f"| {name} | {st} | {_fmt(s.get('steps_seconds', {}).get(name))} |")
    if s.get("verify_passed") is False:
        lines += ["", f"**Verification FAILED**: agreement below {cfg.verify.min_agreement}."]
    lines += ["", "Per-layer sparsity: " + ", ".join(f"{k} {v:.2f}" for k, v in s.get("layer_sparsity", {}).items())]
    return "\n".join(lines) + "\n"


def write_report(path: Path, summary: dict[str, Any], cfg: RunConfig) -> None:
    write_text(path, render_report(summary, cfg))
