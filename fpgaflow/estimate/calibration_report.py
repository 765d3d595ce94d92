"""Markdown tables of the calibration: error per level and resource, every design's estimate vs its reports.

Written into ``bench/results_estimate.md`` by ``bench/calibrate_estimator.py --write``; the test suite
recomputes :func:`error_table` and compares it with the committed file.
"""

from __future__ import annotations

import numpy as np

from fpgaflow.estimate.calibration import Prediction
from fpgaflow.estimate.coefficients import ErrorBand
from fpgaflow.estimate.public_designs import NOT_MODELLED
from fpgaflow.estimate.table import RESOURCES

#: The issue's targets (post-synthesis): LUT/FF mean and worst |error|; DSP48/BRAM18 mean (or units).
TARGETS = {"lut": (0.25, 0.50), "ff": (0.25, 0.50)}
UNIT_TARGETS = {"dsp": (0.15, 4.0), "bram18": (0.15, 4.0)}
_LEVELS = {"hls": "HLS estimate (csynth)", "synth": "Vivado post-synthesis", "impl": "post-implementation (core)"}


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _mean_units(predictions: list[Prediction], level: str, resource: str) -> float:
    chosen = [p for p in predictions if p.modelled and level in p.truth]
    return float(np.mean([abs(p.estimate[level].get(resource) - p.truth[level].get(resource)) for p in chosen]))


def target_status(bands: tuple[ErrorBand, ...], predictions: list[Prediction], resource: str) -> str:
    """``met``/``missed`` for the post-synthesis target of ``resource``."""
    band = next((b for b in bands if b.level == "synth" and b.resource == resource), None)
    if band is None:
        return "not measured"
    if resource in TARGETS:
        mean, worst = TARGETS[resource]
        ok = band.mean <= mean and band.worst <= worst
        return f"{'met' if ok else 'missed'} (target mean ≤ {_pct(mean)}, worst ≤ {_pct(worst)})"
    rel, units = UNIT_TARGETS[resource]
    mean_units = _mean_units(predictions, "synth", resource)
    ok = band.mean <= rel or mean_units <= units
    return (
        f"{'met' if ok else 'missed'} (target mean ≤ {_pct(rel)} or ≤ {units:.0f} units; mean {mean_units:.1f} units)"
    )


def error_table(bands: tuple[ErrorBand, ...], predictions: list[Prediction]) -> str:
    """Mean and worst |error| per resource and level, with the 10-90 % report/estimate range and the
    latency/interval errors of the HLS level."""
    lines = [
        "| level | resource | designs | mean \\|error\\| | worst \\|error\\| | report / estimate, 10-90 % | target |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for b in bands:
        target = target_status(bands, predictions, b.resource) if b.level == "synth" else ""
        lines.append(
            f"| {_LEVELS[b.level]} | {b.resource} | {b.n} | {_pct(b.mean)} | {_pct(b.worst)} | "
            f"{b.ratio_low:.2f}–{b.ratio_high:.2f} | {target} |"
        )
    for p in predictions:
        if p.modelled and "impl" in p.truth:
            signed = ", ".join(f"{r} {100 * p.error('impl', r):+.0f} %" for r in RESOURCES)
            lines.append(f"| post-implementation (core, check) | {p.name} | 1 | {signed} | | | |")
    chosen = [p for p in predictions if p.modelled]
    for kind in ("latency_cycles", "interval_cycles"):
        errs = np.abs([p.cycles_error(kind) for p in chosen])
        within = sum(e <= 0.2 for e in errs) if kind == "latency_cycles" else sum(e <= 0.01 for e in errs)
        rule = "within 20 %" if kind == "latency_cycles" else "exact (within 1 %)"
        lines.append(
            f"| HLS estimate | {kind.split('_')[0]} | {len(errs)} | {_pct(float(np.mean(errs)))} | "
            f"{_pct(float(np.max(errs)))} | {within} of {len(errs)} {rule} | |"
        )
    return "\n".join(lines)


def _cell(p: Prediction, level: str, resource: str) -> str:
    if level not in p.truth:
        return "–"
    t, e = p.truth[level].get(resource), p.estimate[level].get(resource)
    return f"{t:,.0f} / {e:,.0f} ({100 * p.error(level, resource):+.0f} %)"


def design_table(predictions: list[Prediction]) -> str:
    """Every design: report / leave-one-out estimate (signed error) per level and resource, and cycles."""
    head = " | ".join(f"{lv} {r}" for lv in ("hls", "synth") for r in RESOURCES)
    lines = [
        f"| design | {head} | HLS latency | HLS interval |",
        "|---|" + "---|" * (2 * len(RESOURCES) + 2),
    ]
    for p in predictions:
        name = p.name if p.modelled else f"{p.name} (not modelled)"
        cells = [_cell(p, lv, r) for lv in ("hls", "synth") for r in RESOURCES]
        cyc = [
            f"{getattr(p.truth['hls'], k) or 0:,.0f} / {getattr(p.estimate['hls'], k) or 0:,.0f}"
            for k in ("latency_cycles", "interval_cycles")
        ]
        lines.append(f"| {name} | " + " | ".join(cells + cyc) + " |")
    return "\n".join(lines)


def not_modelled_list() -> str:
    return "\n".join(f"- `{name}`: {reason}." for name, reason in NOT_MODELLED.items())
