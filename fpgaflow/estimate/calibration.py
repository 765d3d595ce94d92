"""Fit the model's coefficients on the public designs' reports and measure its error on designs left out.

Every public design (:mod:`fpgaflow.estimate.public_designs`) is a whole network rebuilt as an hls4ml graph
and described once (cached in ``public_designs/designs.json``).  For each level with a report (HLS, Vivado
post-synthesis):

* LUT and FF: least squares on the design totals, relative error weighted, every coefficient >= 0 and pulled
  towards its physical prior (:data:`~fpgaflow.estimate.coefficients.PRIOR_LUT`, ``PRIOR_FF``) so that a
  coefficient the data barely constrain stays near its physical value instead of swinging;
* DSP48 and BRAM18: not fitted (counted by the rules);
* delays: one scale of the physical delays, the function-boundary cycles and the recurrent step cycles,
  chosen on the io_parallel designs' latencies.

:func:`leave_one_out` refits all of that without each design in turn and estimates the design left out:
the errors reported with every estimate.  Relative error is ``|estimate - report| / report``.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from fpgaflow.errors import DataError
from fpgaflow.estimate.coefficients import (
    BAND_QUANTILES,
    MODEL_VERSION,
    PRIOR_FF,
    PRIOR_LUT,
    Coefficients,
    ErrorBand,
    Level,
    LevelCoefficients,
    LinearCoefficients,
)
from fpgaflow.estimate.design_cost import design_cost
from fpgaflow.estimate.model import estimate_design
from fpgaflow.estimate.public_designs import NOT_MODELLED, PUBLIC_DESIGNS, PublicDesign
from fpgaflow.estimate.reports import parse_csynth_rpt, parse_utilization_rpt
from fpgaflow.estimate.spec import DesignSpec
from fpgaflow.estimate.table import RESOURCES, LayerResources
from fpgaflow.estimate.timing import Delays
from fpgaflow_board.boards import BOARDS

log = logging.getLogger(__name__)

#: Overrides where the real reports are looked for.
CALIBRATION_ENV = "FPGAFLOW_CALIBRATION"
#: Strength of the pull towards the physical priors (relative to one design's relative error).
PRIOR_WEIGHT = 0.1
_PACKAGE = re.compile(r"(clg|cl|ffg|fbg|sbg|ffvb|ffvc|ffv|fsvh|figd|flga|fsgd)\d+$")


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


def device_of(part: str) -> str:
    """The die of a Xilinx part name, without package and speed grade (``xc7z020clg400-1`` -> ``xc7z020``)."""
    return _PACKAGE.sub("", part.lower().split("-")[0])


def device_dsp(part: str) -> int | None:
    """DSP48 slices of ``part`` from the board table (any entry on the same die); ``None`` if not listed."""
    die = device_of(part)
    return next((b.dsp for b in BOARDS.values() if device_of(b.part) == die), None)


@dataclass(frozen=True)
class Case:
    """One public design: its description, the reports' figures per level, the part's DSP48 count."""

    name: str
    spec: DesignSpec
    truth: dict[str, LayerResources]
    device_dsp: int | None
    modelled: bool = True


def read_truth(design: PublicDesign, root: Path) -> dict[str, LayerResources]:
    """The report totals of ``design`` by level (``hls`` always; ``synth``/``impl`` when reported)."""
    truth = {"hls": parse_csynth_rpt(root / design.reports.hls).total}
    if design.reports.synth:
        truth["synth"] = parse_utilization_rpt(root / design.reports.synth).total
    if design.reports.impl and design.reports.impl_scope == "core":
        truth["impl"] = parse_utilization_rpt(root / design.reports.impl).total
    return truth


def load_cases(root: Path, specs: dict[str, DesignSpec]) -> list[Case]:
    """Every public design with its cached description and its reports."""
    cases = []
    for design in PUBLIC_DESIGNS:
        if design.name not in specs:
            raise DataError(f"{design.name}: no cached description; run bench/calibrate_estimator.py --rebuild")
        cases.append(
            Case(
                name=design.name,
                spec=specs[design.name],
                truth=read_truth(design, root),
                device_dsp=device_dsp(design.part),
                modelled=design.name not in NOT_MODELLED,
            )
        )
    return cases


_LUT_FEATURES = tuple(f.name for f in fields(LinearCoefficients) if getattr(PRIOR_LUT, f.name) > 0)
_FF_FEATURES = tuple(f.name for f in fields(LinearCoefficients) if getattr(PRIOR_FF, f.name) > 0)


def _fit_linear(
    rows: list[dict[str, float]], targets: list[float], prior: LinearCoefficients, names: tuple[str, ...]
) -> LinearCoefficients:
    """Non-negative least squares on relative errors, with each coefficient pulled towards its prior."""
    from scipy.optimize import lsq_linear

    x = np.array([[r[n] for n in names] for r in rows], dtype=float)
    y = np.array(targets, dtype=float)
    w = 1.0 / np.maximum(y, 100.0)
    p = np.array([getattr(prior, n) for n in names], dtype=float)
    a = np.vstack([x * w[:, None], np.diag(np.sqrt(PRIOR_WEIGHT) / p)])
    b = np.concatenate([y * w, np.full(len(names), np.sqrt(PRIOR_WEIGHT))])
    solution = lsq_linear(a, b, bounds=(0.0, np.inf)).x
    return LinearCoefficients(**{n: float(v) for n, v in zip(names, solution, strict=True)})


def _fit_level(cases: list[Case], level: Level, delays: Delays) -> LevelCoefficients:
    chosen = [c for c in cases if level in c.truth]
    if not chosen:
        return LevelCoefficients(lut=PRIOR_LUT, ff=PRIOR_FF)
    place_level: Level = "hls" if level == "hls" else "synth"
    rows = [design_cost(c.spec, delays, c.device_dsp).features(place_level) for c in chosen]
    return LevelCoefficients(
        lut=_fit_linear(rows, [c.truth[level].lut for c in chosen], PRIOR_LUT, _LUT_FEATURES),
        ff=_fit_linear(rows, [c.truth[level].ff for c in chosen], PRIOR_FF, _FF_FEATURES),
    )


def _latency_error(cases: list[Case], delays: Delays) -> float:
    errs = []
    for c in cases:
        truth = c.truth["hls"].latency_cycles or 1.0
        errs.append(abs(design_cost(c.spec, delays).latency_cycles - truth) / truth)
    return float(np.mean(errs))


def _fit_delays(cases: list[Case]) -> Delays:
    """Scale of the physical delays and function-boundary cycles that best reproduce the latency of the
    feed-forward io_parallel designs, then the recurrent step cycles on the recurrent ones."""
    chosen = [c for c in cases if c.spec.io_type == "io_parallel" and c.truth["hls"].latency_cycles]
    recurrent = [c for c in chosen if any(layer.kind == "recurrent" for layer in c.spec.layers)]
    feed_forward = [c for c in chosen if c not in recurrent]
    base = Delays()
    best = base
    if feed_forward:
        grid = [base.scaled(float(s), b, 0.0) for s in np.arange(0.5, 1.55, 0.1) for b in (0.0, 0.25, 0.5, 0.75, 1.0)]
        best = min(grid, key=lambda d: _latency_error(feed_forward, d))
    if recurrent:
        steps = [replace(best, recurrent_step=float(s)) for s in range(0, 30)]
        best = min(steps, key=lambda d: _latency_error(recurrent, d))
    return best


def _impl_ratios(cases: list[Case]) -> tuple[float, float]:
    """Post-implementation / post-synthesis LUT and FF of the cores reported at both levels."""
    both = [c for c in cases if "impl" in c.truth and "synth" in c.truth]
    if not both:
        return 1.0, 1.0
    lut = float(np.mean([c.truth["impl"].lut / c.truth["synth"].lut for c in both]))
    ff = float(np.mean([c.truth["impl"].ff / c.truth["synth"].ff for c in both]))
    return lut, ff


def fit(cases: list[Case]) -> Coefficients:
    """Coefficients fitted on ``cases`` (the modelled ones; the caller leaves out what it tests on)."""
    used = [c for c in cases if c.modelled]
    delays = _fit_delays(used)
    impl_lut, impl_ff = _impl_ratios(used)
    return Coefficients(
        version=MODEL_VERSION,
        calibrated_on=tuple(c.name for c in used),
        hls=_fit_level(used, "hls", delays),
        synth=_fit_level(used, "synth", delays),
        impl_lut=impl_lut,
        impl_ff=impl_ff,
        delays=delays,
    )


@dataclass(frozen=True)
class Prediction:
    """One design estimated by coefficients fitted without it, at every level it has a report for."""

    name: str
    modelled: bool
    truth: dict[str, LayerResources]
    estimate: dict[str, LayerResources]

    def error(self, level: str, resource: str) -> float:
        """Signed relative error (estimate - report) / report."""
        t = self.truth[level].get(resource)
        return (self.estimate[level].get(resource) - t) / max(t, 1.0)

    def cycles_error(self, kind: str) -> float:
        """Signed relative error of the HLS latency or interval (``kind``: ``latency_cycles``/``interval_cycles``)."""
        t = float(getattr(self.truth["hls"], kind) or 1.0)
        return (float(getattr(self.estimate["hls"], kind) or 0.0) - t) / t


def predict(case: Case, coeffs: Coefficients) -> Prediction:
    """``case`` estimated at each level it has a report for."""
    estimate = {
        level: estimate_design(case.spec, coeffs, level, case.device_dsp).total  # type: ignore[arg-type]
        for level in case.truth
    }
    return Prediction(case.name, case.modelled, case.truth, estimate)


def leave_one_out(cases: list[Case]) -> list[Prediction]:
    """Every design predicted by coefficients fitted on all the other modelled designs."""
    out = []
    for i, case in enumerate(cases):
        rest = [c for j, c in enumerate(cases) if j != i]
        out.append(predict(case, fit(rest)))
        log.info("leave-one-out: %s done", case.name)
    return out


def error_bands(predictions: list[Prediction], levels: tuple[str, ...] = ("hls", "synth")) -> tuple[ErrorBand, ...]:
    """Mean/worst |error| and the 10-90 % range of report/estimate per level and resource (modelled designs).

    The implementation level has one core report: its estimate is the synthesis estimate times a measured
    ratio, so it carries the synthesis level's band (``levels`` leaves it out by default)."""
    bands = []
    for level in levels:
        chosen = [p for p in predictions if p.modelled and level in p.truth]
        if not chosen:
            continue
        for resource in RESOURCES:
            errs = np.array([p.error(level, resource) for p in chosen])
            ratios = np.array(
                [
                    p.truth[level].get(resource) / max(p.estimate[level].get(resource), 1e-9)
                    for p in chosen
                    if p.estimate[level].get(resource) > 0 or p.truth[level].get(resource) > 0
                ]
                or [1.0]
            )
            ratios = np.where(np.isfinite(ratios), ratios, 1.0)
            bands.append(
                ErrorBand(
                    level=level,
                    resource=resource,
                    mean=float(np.mean(np.abs(errs))),
                    worst=float(np.max(np.abs(errs))),
                    ratio_low=float(min(1.0, np.quantile(ratios, BAND_QUANTILES[0]))),
                    ratio_high=float(max(1.0, np.quantile(ratios, BAND_QUANTILES[1]))),
                    n=len(chosen),
                )
            )
    return tuple(bands)


def calibrate(cases: list[Case]) -> tuple[Coefficients, list[Prediction]]:
    """Coefficients fitted on every modelled design, with the leave-one-design-out error bands."""
    predictions = leave_one_out(cases)
    coeffs = replace(fit(cases), errors=error_bands(predictions))
    log.info("calibrated on %d designs", len(coeffs.calibrated_on))
    return coeffs, predictions
