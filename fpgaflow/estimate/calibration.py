"""Fit the resource model's coefficients on real reports and measure its error on designs kept out.

The LUT and FF coefficients come from a non-negative least-squares fit over report rows: the per-layer
instances where a report lists them (plus its FIFO row), the design totals otherwise, each row weighted by
1/sqrt(reported value) so that neither the largest nor the smallest instances dominate; the two DSP
fractions from a grid search of the mean relative DSP error.  BRAM18 and cycles are not fitted.
Relative error is ``|estimate - report| / max(report, 1)`` (the 1 keeps zero-BRAM designs finite).

The reports are read by the parsers of :mod:`fpgaflow.estimate.reports`.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from fpgaflow.errors import DataError
from fpgaflow.estimate.calibration_cases import HELD_OUT, SYNTH_PAIR, CalibrationCase, all_cases
from fpgaflow.estimate.coefficients import (
    FEATURES,
    MODEL_VERSION,
    Coefficients,
    HeldOutError,
    LinearCoefficients,
    default_coefficients,
)
from fpgaflow.estimate.model import design_features, estimate_design, layer_features, uses_dataflow
from fpgaflow.estimate.reports import (
    parse_csynth_rpt,
    parse_csynth_summary,
    parse_hls4ml_baseline_json,
    parse_utilization_rpt,
)
from fpgaflow.estimate.table import RESOURCES, LayerResources

log = logging.getLogger(__name__)


def read_report(path: Path, kind: str) -> LayerResources:
    """Totals of one report (read by :mod:`fpgaflow.estimate.reports`): hls4ml's baseline JSON, a Vivado
    HLS csynth report, or a Vivado utilisation report."""
    if not path.is_file():
        raise DataError(f"calibration report not found: {path}")
    if kind == "hls_json":
        return parse_hls4ml_baseline_json(path).total
    if kind == "hls_rpt":
        return parse_csynth_rpt(path).total
    if kind == "vivado_synth":
        return parse_utilization_rpt(path).total
    raise DataError(f"unknown report kind {kind!r} for {path}")


#: Overrides where the real reports are looked for.
CALIBRATION_ENV = "FPGAFLOW_CALIBRATION"


def find_calibration_root(start: Path | None = None) -> Path:
    """The folder of real Vivado / Vivado HLS reports, ``shared/calibration``: ``$FPGAFLOW_CALIBRATION`` if
    set, else the nearest ``shared/calibration`` in a folder holding ``start`` (default: this package's
    location), so a checkout finds ``../shared`` beside it.  The tests, the bench scripts and
    :func:`calibrate` all locate the reports through this one function."""
    env = os.environ.get(CALIBRATION_ENV)
    if env:
        if not Path(env).is_dir():
            raise DataError(f"${CALIBRATION_ENV} = {env}: not a folder of calibration reports")
        return Path(env)
    here = (start or Path(__file__)).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "calibration"
        if candidate.is_dir():
            return candidate
    raise DataError(f"calibration reports not found: set ${CALIBRATION_ENV} to the shared/calibration folder")


_CONFIG = re.compile(r"config(\d+)(?:_|$)")


def read_instances(path: Path) -> dict[int, LayerResources]:
    """Per-instance LUT/FF/DSP/BRAM of an HLS report, keyed by hls4ml's ``configN`` number in the name."""
    out: dict[int, LayerResources] = {}
    for row in parse_csynth_rpt(path).layers:
        cfg = _CONFIG.search(row.name)
        if cfg is not None:
            out[int(cfg.group(1))] = row
    return out


def read_fifo_row(path: Path) -> tuple[float, float] | None:
    """(FF, LUT) of the FIFO row of an HLS utilisation summary, or None when the design has none."""
    fifo = parse_csynth_summary(path).get("FIFO")
    return (fifo.ff, fifo.lut) if fifo is not None and (fifo.ff or fifo.lut) else None


def relative_error(estimate: float, truth: float) -> float:
    return abs(estimate - truth) / max(truth, 1.0)


@dataclass(frozen=True)
class CaseResult:
    """One design's reported figures and the model's HLS-level estimate of them."""

    name: str
    held_out: bool
    in_scope: bool
    truth: LayerResources
    estimate: LayerResources

    def error(self, resource: str) -> float:
        return relative_error(self.estimate.get(resource), self.truth.get(resource))


def _estimate(case: CalibrationCase, coeffs: Coefficients) -> LayerResources:
    return estimate_design(case.design, coeffs, target="hls").total


@dataclass(frozen=True)
class _Row:
    """One equation of the LUT/FF fit: features and the reported LUT and FF they should reproduce."""

    features: tuple[float, ...]
    lut: float
    ff: float


def _rows(case: CalibrationCase, truth: LayerResources, root: Path, coeffs: Coefficients) -> list[_Row]:
    """Instance-level rows where the report lists the layers' instances, else one row for the design."""
    if not case.instances:
        feats = design_features(case.design, coeffs)
        return [_Row(tuple(feats[f] for f in FEATURES), truth.lut, truth.ff)]
    path = root / case.report
    reported = read_instances(path)
    by_name = {layer.name: layer for layer in case.design.layers}
    dataflow = uses_dataflow(case.design)
    rows = []
    for number, names in case.instances:
        if number not in reported:
            raise DataError(f"{path}: no instance with config{number} (layers {', '.join(names)})")
        total = dict.fromkeys(FEATURES, 0.0)
        for name in names:
            for f, v in layer_features(by_name[name], coeffs, case.design.io_type, dataflow, False).items():
                total[f] += v
        rows.append(_Row(tuple(total[f] for f in FEATURES), reported[number].lut, reported[number].ff))
    fifo = read_fifo_row(path)
    if fifo is not None:
        fifo_feats = design_features(case.design, coeffs)["fifo_bits"]
        rows.append(_Row(tuple(fifo_feats if f == "fifo_bits" else 0.0 for f in FEATURES), fifo[1], fifo[0]))
    return rows


def _fit_linear(rows: list[_Row], resource: str) -> LinearCoefficients:
    from scipy.optimize import nnls

    a = np.array([r.features for r in rows], dtype=float)
    y = np.array([getattr(r, resource) for r in rows], dtype=float)
    # Rows weighted by 1/sqrt(report): between absolute error (only the largest designs count) and relative
    # error (a 20-LUT ReLU instance counts as much as a 40k-LUT convolution).
    w = 1.0 / np.sqrt(np.maximum(y, 200.0))
    solution, _ = nnls(a * w[:, None], y * w, maxiter=10_000)
    return LinearCoefficients(**{f: float(v) for f, v in zip(FEATURES, solution, strict=True)})


def _fit_dsp(cases: list[CalibrationCase], truths: list[float], coeffs: Coefficients) -> tuple[float, float]:
    def dsp_at(c: CalibrationCase, fc: float, fs: float) -> float:
        trial = replace(coeffs, dsp_constant_fraction=fc, dsp_small_variable_fraction=fs)
        return estimate_design(c.design, trial, target="hls").total.dsp

    # DSP count is linear in both fractions: evaluate the three corners once, then search a grid.
    base = np.array([dsp_at(c, 0.0, 0.0) for c in cases])
    per_const = np.array([dsp_at(c, 1.0, 0.0) for c in cases]) - base
    per_small = np.array([dsp_at(c, 0.0, 1.0) for c in cases]) - base
    y = np.maximum(np.array(truths), 1.0)
    best = (float("inf"), 1.0, 0.5)
    for fc in np.linspace(0.3, 1.0, 71):
        for fs in np.linspace(0.0, 1.0, 101):
            err = float(np.mean(np.abs(base + fc * per_const + fs * per_small - np.array(truths)) / y))
            if err < best[0]:
                best = (err, float(fc), float(fs))
    return best[1], best[2]


def fit(
    cases: list[CalibrationCase], truths: list[LayerResources], synth_ratio: dict[str, float], root: Path
) -> Coefficients:
    """Coefficients fitted on ``cases`` (all of them: the caller leaves the held-out ones out)."""
    start = default_coefficients()
    fc, fs = _fit_dsp(cases, [t.dsp for t in truths], start)
    start = replace(start, dsp_constant_fraction=fc, dsp_small_variable_fraction=fs)
    rows = [row for c, t in zip(cases, truths, strict=True) for row in _rows(c, t, root, start)]
    lut = _fit_linear(rows, "lut")
    ff = _fit_linear(rows, "ff")
    return Coefficients(
        version=MODEL_VERSION,
        calibrated_on=tuple(c.design.name for c in cases),
        held_out=(),
        lut=lut,
        ff=ff,
        dsp_constant_fraction=fc,
        dsp_small_variable_fraction=fs,
        synth_lut=synth_ratio["lut"],
        synth_ff=synth_ratio["ff"],
        synth_dsp=synth_ratio["dsp"],
        synth_bram18=synth_ratio["bram18"],
    )


def measure_synth_ratio(root: Path) -> dict[str, float]:
    """Post-synthesis / HLS-estimate ratio of each resource on the design that has both reports."""
    hls = read_report(root / SYNTH_PAIR[0], "hls_rpt")
    syn = read_report(root / SYNTH_PAIR[1], "vivado_synth")
    return {r: syn.get(r) / hls.get(r) for r in RESOURCES}


def summarise(results: list[CaseResult]) -> tuple[HeldOutError, ...]:
    """Mean and worst relative error per resource over the held-out, in-scope designs."""
    chosen = [r for r in results if r.held_out and r.in_scope]
    out = []
    for resource in RESOURCES:
        errs = [r.error(resource) for r in chosen]
        out.append(HeldOutError(resource, float(np.mean(errs)), float(np.max(errs)), len(errs)))
    return tuple(out)


def calibrate(root: Path, held_out: tuple[str, ...] = HELD_OUT) -> tuple[Coefficients, list[CaseResult]]:
    """Fit on every in-scope design not in ``held_out``; return the coefficients and every design's result."""
    cases = list(all_cases())
    unknown = set(held_out) - {c.design.name for c in cases}
    if unknown:
        raise DataError(f"held-out designs not among the calibration cases: {sorted(unknown)}")
    truths = [read_report(root / c.report, c.report_kind) for c in cases]
    train = [(c, t) for c, t in zip(cases, truths, strict=True) if c.in_scope and c.design.name not in held_out]
    ratio = measure_synth_ratio(root)
    coeffs = fit([c for c, _ in train], [t for _, t in train], ratio, root)
    results = [
        CaseResult(c.design.name, c.design.name in held_out, c.in_scope, t, _estimate(c, coeffs))
        for c, t in zip(cases, truths, strict=True)
    ]
    coeffs = replace(coeffs, held_out=tuple(held_out), held_out_error=summarise(results))
    log.info("calibrated on %d designs, %d held out", len(train), len(held_out))
    return coeffs, results


def leave_one_out(root: Path) -> list[CaseResult]:
    """Each in-scope design estimated by coefficients fitted on all the other in-scope designs."""
    cases = [c for c in all_cases() if c.in_scope]
    truths = [read_report(root / c.report, c.report_kind) for c in cases]
    ratio = measure_synth_ratio(root)
    out = []
    for i, (case, truth) in enumerate(zip(cases, truths, strict=True)):
        rest = [j for j in range(len(cases)) if j != i]
        coeffs = fit([cases[j] for j in rest], [truths[j] for j in rest], ratio, root)
        out.append(CaseResult(case.design.name, True, True, truth, _estimate(case, coeffs)))
    return out
