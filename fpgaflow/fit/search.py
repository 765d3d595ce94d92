"""Evaluate every candidate design (convert → estimate → score) and choose the most accurate one in budget.

Per candidate the model is converted with hls4ml (the graph only: no project written, no C++ compiled), its resources
estimated by :mod:`fpgaflow.estimate` (an analytical model, not synthesis) and checked against the budget.
Accuracy is scored once per precision variant with the bit-exact emulator (:mod:`fpgaflow.emulate`) on a
Latency-strategy conversion of that variant: reuse factors and the strategy change scheduling, not
arithmetic, because every Conv2D/Dense accumulator either holds every partial sum exactly or wraps
(WRAP: modular sums do not depend on the order in which the Resource strategy accumulates) and each
product is cast to the accumulator on its own in both strategies.  The C simulation of the chosen design
confirms this on a sample (:mod:`fpgaflow.fit.confirm`).

Given the run's own ``convert:`` section (``configured``), its design — per-layer reuse factors and strategies as
configured, types planned from the same calibration maps — is one more point, ``configured``, estimated, scored
and chosen by the same rules as the grid's.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.config.strict import to_mapping
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.hls import Conversion, convert, plan, split_output_activation
from fpgaflow.convert.precision import input_type_for_adc
from fpgaflow.errors import FpgaflowError
from fpgaflow.estimate import check_budget, estimate_model, throughput
from fpgaflow.estimate.budget import Verdict
from fpgaflow.estimate.describe import describe_hls_model
from fpgaflow.estimate.table import RESOURCES
from fpgaflow.fit.candidates import (
    Candidate,
    PrecisionVariant,
    configured_candidate,
    enumerate_candidates,
    precision_variant,
)
from fpgaflow.fit.config import FitConfig
from fpgaflow.fit.errors import FitError
from fpgaflow.progress import Progress
from fpgaflow_board.boards import Board, get_board
from fpgaflow_board.fixed_point import FixedType
from fpgaflow_board.wire_format import WireFormat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitPoint:
    """One evaluated design.  ``resources``: estimated LUT, FF, DSP48, BRAM18 of the deployed design
    (post-implementation, shell included); ``ranges``: each one's expected (low, high) range, from the
    model's leave-one-design-out error; ``utilisation``: fraction of the board's total of each;
    ``verdict``: ``fits`` (every range within the budget), ``fits only if the estimate is high`` (a range
    straddles it) or ``does not fit``; ``fits``: the verdict is ``fits``; ``interval_cycles``: estimated
    clock cycles between maps; ``maps_per_s``: modelled
    throughput (compute or DMA bound); ``accuracy``: fraction of maps whose class (logit ≥ 0) matches the
    label, from the bit-exact emulator (``None`` when not scored)."""

    index: int
    candidate: Candidate
    config: ConvertConfig
    resources: dict[str, float]
    utilisation: dict[str, float]
    fits: bool
    over: tuple[str, ...]
    interval_cycles: float
    maps_per_s: float
    accuracy: float | None
    accuracy_source: str
    hls4ml_changes: tuple[str, ...] = ()
    verdict: Verdict = "fits"
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.candidate.label

    def to_dict(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "index": self.index,
            "label": self.label,
            "reuse_factor": c.reuse_factor,
            "reuse_mode": c.reuse_mode,
            "sparsity": c.sparsity,
            "strategy": c.strategy_label,
            "layer_strategy": c.strategies,
            "trim_bits": c.precision.trim_bits,
            "result_margin_bits": c.precision.margin_bits,
            "layer_reuse": dict(c.layer_reuse),
            "resources": {k: round(v, 1) for k, v in self.resources.items()},
            "ranges": {k: [round(lo, 1), round(hi, 1)] for k, (lo, hi) in self.ranges.items()},
            "utilisation": {k: round(v, 4) for k, v in self.utilisation.items()},
            "fits": self.fits,
            "verdict": self.verdict,
            "over_budget": list(self.over),
            "interval_cycles": self.interval_cycles,
            "maps_per_s": round(self.maps_per_s, 1),
            "accuracy": self.accuracy,
            "accuracy_source": self.accuracy_source,
            "hls4ml_changes": list(self.hls4ml_changes),
        }


@dataclass
class FitResult:
    """Every evaluated point, the chosen one, and the facts behind the choice."""

    board: Board
    config: FitConfig
    #: ADC counts → network input of the model searched (its input type follows from it)
    input_scale: float
    points: list[FitPoint]
    chosen: FitPoint
    n_maps: int
    reference_accuracy: float | None
    notes: list[str] = field(default_factory=list)
    #: sparsity → the model its points were planned for (0.0: the model as given).
    models: dict[float, Any] = field(default_factory=dict)
    #: why there is no configured point (empty when there is one, or when the caller gave no reason).
    configured_absent: str = ""

    @property
    def configured(self) -> FitPoint | None:
        """The run's own configured design among the points (``None`` when no run config was given)."""
        return next((p for p in self.points if p.candidate.reuse_mode == "configured"), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "board": self.board.name,
            "part": self.board.part,
            "fit_config": to_mapping(self.config),
            "input_scale": self.input_scale,
            "n_points": len(self.points),
            "n_within_budget": sum(p.fits for p in self.points),
            "n_maps_scored": self.n_maps,
            "reference_accuracy_qkeras": self.reference_accuracy,
            "chosen": self.chosen.to_dict(),
            "chosen_convert_config": to_mapping(self.chosen.config),
            "tradeoff": {**tradeoff(self).to_dict(), "sentence": tradeoff(self).sentence(self.chosen)},
            "configured": None if self.configured is None else self.configured.label,
            "configured_sentence": configured_sentence(self),
            "points": [p.to_dict() for p in self.points],
            "notes": list(self.notes),
        }


def accuracy_of(logits: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of maps whose class (logit ≥ 0 ⇔ sigmoid ≥ 0.5) equals the label."""
    return float(np.mean((logits.reshape(len(labels), -1)[:, 0] >= 0) == (labels.astype(bool))))


def _variants(
    model: Any, cfg: FitConfig, base: ConvertConfig, input_type: FixedType | None, calibration: np.ndarray | None
) -> tuple[list[Any], list[PrecisionVariant]]:
    variants: list[PrecisionVariant] = []
    specs: list[Any] = []
    for margin in cfg.result_margin_bits:
        specs, pplan, _, _ = plan(model, replace(base, result_margin_bits=margin), input_type, calibration)
        for k in cfg.trim_bits:
            v = precision_variant(pplan, k, margin)
            if all(v.types != other.types for other in variants):
                variants.append(v)
    return specs, variants


def _score(
    model: Any,
    variant: PrecisionVariant,
    base: ConvertConfig,
    input_scale: float,
    work: Path,
    maps: np.ndarray,
    labels: np.ndarray,
) -> float:
    """Emulator accuracy of ``variant`` (a Latency conversion at the smallest reuse factors; ``base``'s other
    per-layer choices kept)."""
    from fpgaflow.emulate import Emulator

    cand = Candidate(variant, 1, "uniform", "Latency", dict.fromkeys(variant.types, 1))
    conv = convert(model, cand.convert_config(base), work, input_scale, write=False)
    logits = Emulator.from_hls_model(conv.hls_model).predict(maps)
    shutil.rmtree(work, ignore_errors=True)
    return accuracy_of(logits, labels)


def evaluate(
    model: Any,
    cand: Candidate,
    index: int,
    base: ConvertConfig,
    board: Board,
    cfg: FitConfig,
    input_scale: float,
    work: Path,
    accuracy: float | None,
) -> FitPoint:
    """Convert, estimate and budget-check one candidate (its project is deleted afterwards)."""
    conv_cfg = cand.convert_config(base)
    conv = convert(model, conv_cfg, work, input_scale, write=False)  # the graph is all the estimate reads
    shutil.rmtree(work, ignore_errors=True)
    return measure(conv, cand, conv_cfg, index, board, cfg, accuracy)


def measure(
    conv: Conversion,
    cand: Candidate,
    conv_cfg: ConvertConfig,
    index: int,
    board: Board,
    cfg: FitConfig,
    accuracy: float | None,
) -> FitPoint:
    """Estimate and budget-check ``conv``, the conversion of ``cand`` with ``conv_cfg`` (pinned per layer)."""
    table = estimate_model(conv.hls_model, board, top=conv.axis)
    budget = check_budget(table, board, cfg.budget)
    n_in = describe_hls_model(conv.hls_model).input_elements
    words = conv.axis.in_words if conv.axis is not None else None  # the Vitis top: its own words per map
    rate = throughput(table, board, n_in, words_per_map=words)
    source = (
        ""
        if accuracy is None
        else ("emulator" if cand.strategy_label == "Latency" else "emulator (Latency twin: same arithmetic)")
    )
    return FitPoint(
        index=index,
        candidate=cand,
        config=conv_cfg,
        resources={r: table.total.get(r) for r in RESOURCES},
        utilisation={u.resource: u.utilisation for u in budget.rows},
        fits=budget.fits,
        over=budget.over,
        verdict=budget.status,
        ranges={u.resource: (u.low or u.used, u.high or u.used) for u in budget.rows},
        interval_cycles=float(table.total.interval_cycles or 0.0),
        maps_per_s=rate.maps_per_s,
        accuracy=accuracy,
        accuracy_source=source,
        hls4ml_changes=tuple(conv.hls4ml_changes),
    )


def configured_point(
    model: Any,
    configured: ConvertConfig,
    board: Board,
    cfg: FitConfig,
    input_scale: float,
    work: Path,
    calibration: np.ndarray | None,
    scored: tuple[np.ndarray, np.ndarray] | None,
) -> FitPoint:
    """The design ``configured`` (a run's ``convert:`` section) asks for, converted as the run's convert step
    converts it (types profiled on the same ``calibration`` maps), pinned per layer, estimated, and scored on
    ``scored`` (maps, labels) by its Latency twin like every grid point.  ``model``: the logit model."""
    conv = convert(model, configured, work / "configured", input_scale, calibration, write=False)
    pinned = conv.pinned_config()
    cand = configured_candidate(conv.precision, conv.reuse, configured)
    accuracy = None
    if scored is not None:
        accuracy = _score(model, cand.precision, pinned, input_scale, work / "score_configured", *scored)
        log.info("fit: configured design accuracy %.4f on %d maps (emulator)", accuracy, len(scored[1]))
    shutil.rmtree(work / "configured", ignore_errors=True)
    return measure(conv, cand, pinned, 0, board, cfg, accuracy)


def configured_sentence(result: FitResult) -> str:
    """The configured design against the choice, in words: chosen, or why not (``fit.md``, the command's output)."""
    p, c, cfg = result.configured, result.chosen, result.config
    if p is None:
        return f"no configured point: {result.configured_absent or 'no run config was given'}"
    acc = "accuracy not scored" if p.accuracy is None else f"{100 * p.accuracy:.2f} %"
    head = f"the configured design (the run's convert: section; {acc}, {p.verdict}, {p.maps_per_s:,.0f} maps/s)"
    if p.index == c.index:
        return f"{head} is the chosen point"
    if p.index not in {q.index for q in within_budget(result.points)}:
        why = f"it {p.verdict} ({_pct(p, p.over)})" if p.over else f"it {p.verdict}, and other points fit for certain"
    elif p.maps_per_s < cfg.min_maps_per_s:
        why = f"it is below the {cfg.min_maps_per_s:,.0f} maps/s floor"
    elif p.accuracy is not None and c.accuracy is not None and c.accuracy != p.accuracy:
        why = f"{c.label} is {100 * (c.accuracy - p.accuracy):.2f} pp more accurate"
    else:
        why = f"{c.label} is as accurate and preferred by the tie rule ({c.resources['lut']:,.0f} LUTs, " + (
            f"{c.maps_per_s:,.0f} maps/s, against {p.resources['lut']:,.0f} LUTs and {p.maps_per_s:,.0f} maps/s)"
        )
    return f"{head} is not chosen: {why}"


def _pct(point: FitPoint, resources: tuple[str, ...]) -> str:
    return ", ".join(f"{r} {100 * point.utilisation[r]:.0f} %" for r in resources)


def _trim(p: FitPoint) -> int:
    return p.candidate.precision.trim_bits


def choose(points: list[FitPoint], cfg: FitConfig, board: Board) -> FitPoint:
    """The most accurate point that fits (every resource's expected range within the budget) and reaches the
    throughput floor ``min_maps_per_s``.  Of equally accurate points: the one with the fewest LUTs among those
    reaching ``target_maps_per_s`` (then the shorter interval, then fewer trimmed bits), or, when none reaches
    the target, the fastest (then fewer LUTs).  Without accuracy: the fastest such point, ties → fewer LUTs,
    then fewer trimmed bits (precision is never given up when it is not measured).  When no point fits over its
    whole range, the points that fit only if the estimate is high are chosen from (the result's notes say so:
    confirm with synthesis).  Raises :class:`FitError` naming the closest point's over-budget resources when
    no point can fit."""
    if not points:
        raise FitError("the fit search space is empty")
    fitting = within_budget(points)
    if not fitting:
        closest = min(points, key=lambda p: max(p.utilisation[r] for r in RESOURCES))
        raise FitError(
            f"no configuration fits the {board.name} within the {100 * cfg.budget:.0f} % budget "
            f"({len(points)} points searched); the closest, {closest.label}, needs "
            f"{_pct(closest, closest.over)} (over budget: {', '.join(closest.over)}). Try larger reuse "
            "factors, the Resource strategy, a smaller model or pruning"
        )
    fast = [p for p in fitting if p.maps_per_s >= cfg.min_maps_per_s]
    if not fast:
        best = max(fitting, key=lambda p: p.maps_per_s)
        raise FitError(
            f"{len(fitting)} configurations fit the {board.name} budget, but none reaches "
            f"{cfg.min_maps_per_s:g} maps/s; the fastest, {best.label}, is modelled at {best.maps_per_s:.0f} maps/s"
        )
    if all(p.accuracy is not None for p in fast):
        tied = equally_accurate(fast, max(p.accuracy or 0.0 for p in fast))
        meets = [p for p in tied if p.maps_per_s >= cfg.target_maps_per_s]
        if meets:
            return min(meets, key=lambda p: (p.resources["lut"], p.interval_cycles, _trim(p)))
        return min(tied, key=lambda p: (-p.maps_per_s, p.resources["lut"], p.interval_cycles, _trim(p)))
    return min(fast, key=lambda p: (p.interval_cycles, p.resources["lut"], _trim(p)))


def within_budget(points: list[FitPoint]) -> list[FitPoint]:
    """The points the choice picks from: those that fit over the whole range of the estimate, or, when none
    does, those that fit only if the estimate is high."""
    return [p for p in points if p.verdict == "fits"] or [p for p in points if p.verdict != "does not fit"]


def equally_accurate(points: list[FitPoint], accuracy: float | None) -> list[FitPoint]:
    """The ``points`` whose accuracy equals ``accuracy`` (the same maps, the same decisions count)."""
    return [p for p in points if p.accuracy == accuracy]


@dataclass(frozen=True)
class Tradeoff:
    """What the choice gives up or keeps against the cheapest equally accurate design.

    ``tied``: points within budget (and above the floor) as accurate as the chosen one; ``cheapest``: the one of
    them with the fewest LUTs; ``lut_saved``: LUTs it would save; ``throughput_factor``: chosen maps/s ÷ its
    maps/s (what choosing it gives up); ``meets_target``: whether the chosen point reaches the target rate.
    """

    target_maps_per_s: float
    meets_target: bool
    scored: bool
    tied: int
    cheapest: FitPoint | None
    lut_saved: float
    throughput_factor: float

    def sentence(self, chosen: FitPoint) -> str:
        """What the choice traded, in words (``fit.md`` and ``fpgaflow fit``'s output)."""
        if not self.scored:
            aim = "is the fastest point within budget (accuracy not scored)"
        elif self.meets_target:
            aim = f"meets the {self.target_maps_per_s:,.0f} maps/s target"
        elif self.tied == 1:
            aim = (
                f"is the only point at its accuracy and does not reach the {self.target_maps_per_s:,.0f} maps/s target"
            )
        else:
            aim = (
                f"is the fastest of the {self.tied} equally accurate points; none reaches the "
                f"{self.target_maps_per_s:,.0f} maps/s target"
            )
        same = "equally accurate " if self.scored else ""
        if self.cheapest is None:
            return f"the chosen point ({chosen.maps_per_s:,.0f} maps/s) {aim}; no {same}point has fewer LUTs"
        c = self.cheapest
        return (
            f"the chosen point ({chosen.maps_per_s:,.0f} maps/s) {aim}; the cheapest {same}point, "
            f"{c.label}, saves {self.lut_saved:,.0f} LUTs ({100 * self.lut_saved / chosen.resources['lut']:.0f} %) "
            f"but runs at {c.maps_per_s:,.0f} maps/s: choosing it gives up {self.throughput_factor:.1f}x the throughput"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_maps_per_s": self.target_maps_per_s,
            "meets_target": self.meets_target,
            "accuracy_scored": self.scored,
            "equally_accurate_points": self.tied,
            "cheapest": None if self.cheapest is None else self.cheapest.label,
            "cheapest_lut_saved": self.lut_saved,
            "cheapest_throughput_factor": self.throughput_factor,
        }


def tradeoff(result: FitResult) -> Tradeoff:
    """The chosen point against the cheapest point as accurate as it (within budget and above the floor)."""
    c, cfg = result.chosen, result.config
    pool = [p for p in within_budget(result.points) if p.maps_per_s >= cfg.min_maps_per_s]
    tied = equally_accurate(pool, c.accuracy) if c.accuracy is not None else pool
    cheapest = min(tied, key=lambda p: (p.resources["lut"], p.interval_cycles, _trim(p)))
    other = cheapest.index != c.index and cheapest.resources["lut"] < c.resources["lut"]
    return Tradeoff(
        target_maps_per_s=cfg.target_maps_per_s,
        meets_target=c.maps_per_s >= cfg.target_maps_per_s,
        scored=c.accuracy is not None,
        tied=len(tied),
        cheapest=cheapest if other else None,
        lut_saved=c.resources["lut"] - cheapest.resources["lut"] if other else 0.0,
        throughput_factor=c.maps_per_s / cheapest.maps_per_s if other else 1.0,
    )


def _models(model: Any, cfg: FitConfig, train: tuple[np.ndarray, np.ndarray] | None, scored: bool) -> dict[float, Any]:
    """The model as given (sparsity key 0.0) and one pruned, fine-tuned copy per ``cfg.prune_levels``."""
    models = {0.0: model}
    if cfg.prune_levels:
        if not scored:
            raise FitError(
                "fit.prune_levels needs labelled maps to score accuracy (without them a pruned copy, always "
                "smaller, would win whatever it costs in accuracy)"
            )
        if train is None:
            raise FitError("fit.prune_levels needs training maps (--train NPZ, or a run directory)")
        from fpgaflow.fit.prune_levels import prune_to

        for level in cfg.prune_levels:
            models[level] = prune_to(model, level, train[0], train[1], cfg.prune_epochs, cfg.prune_seed)
    return models


def fit_model(
    model: Any,
    cfg: FitConfig,
    work_dir: Path,
    maps: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    calibration: np.ndarray | None = None,
    train: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    input_scale: float,
    configured: ConvertConfig | None = None,
) -> FitResult:
    """Search ``cfg``'s space for ``model`` (a (Q)Keras model; a final sigmoid is split off, the FPGA
    computes the logit).  ``maps``/``labels``: network-input maps scored by the emulator (``None``: no
    accuracy, the fastest fitting design is chosen); ``calibration``: maps profiled to size result types;
    ``train``: (network-input maps, labels) to fine-tune the pruned copies of ``cfg.prune_levels``;
    ``input_scale``: the model's ADC → network-input scale (:func:`fpgaflow.modelio.input_scale_for`), which
    sets the input type.  ``configured``: the run's ``convert:`` section, whose design is scored as the point
    ``configured`` (on the model as given) beside the grid.  ``work_dir`` holds the temporary projects."""
    board = get_board(cfg.board)
    input_type = input_type_for_adc(input_scale)
    # VivadoAccelerator where hls4ml has an AXI-Stream design for the board, the bare Vivado backend otherwise;
    # a packed wire (issue 20) needs fpgaflow's AXI-Stream top: the Vitis route
    if cfg.wire != WireFormat():
        base = ConvertConfig(board=cfg.board, backend="Vitis", wire=cfg.wire)
    else:
        base = ConvertConfig(board=cfg.board, backend="VivadoAccelerator" if board.hls4ml_board else "Vivado")
    if maps is not None:
        if labels is None:
            raise FitError("maps were given without labels: accuracy needs both")
        maps, labels = maps[: cfg.accuracy_maps], labels[: cfg.accuracy_maps]
    models = _models(model, cfg, train, maps is not None)
    points: list[FitPoint] = []
    absent = ""
    if configured is not None and get_board(configured.board).name != board.name:
        absent = f"the run's convert: section targets the {configured.board}, fit searches the {board.name}"
    elif configured is not None:
        logit_model, _ = split_output_activation(model)
        scored = (maps, labels) if maps is not None and labels is not None else None
        try:
            p = configured_point(logit_model, configured, board, cfg, input_scale, work_dir, calibration, scored)
        except FpgaflowError as e:  # the grid does not depend on it: say why in fit.md and search on
            absent = f"the run's convert: section does not convert this model ({e})"
            log.warning("fit: no configured point: %s", absent)
        else:
            log.info("fit: configured design: %s, LUT %.0f, %.0f maps/s", p.verdict, p.resources["lut"], p.maps_per_s)
            points.append(p)
    reference = None
    for sparsity, level_model in models.items():
        logit_model, _ = split_output_activation(level_model)
        specs, variants = _variants(logit_model, cfg, base, input_type, calibration)
        candidates = enumerate_candidates(specs, variants, cfg.reuse_factors, cfg.reuse_modes, cfg.strategies, sparsity)
        if "mixed" in cfg.reuse_modes:
            from fpgaflow.fit.mix_strategies import mixed_candidates

            def trial(cand: Candidate, model: Any = logit_model) -> FitPoint:  # estimated, not scored
                return evaluate(model, cand, -1, base, board, cfg, input_scale, work_dir / "mix", None)

            candidates += mixed_candidates(specs, variants, sparsity, cfg.reuse_factors, trial, board, candidates)
        log.info("fit: sparsity %.2f: %d precision variants, %d candidates", sparsity, len(variants), len(candidates))
        scores: dict[str, float | None] = {v.key: None for v in variants}
        if maps is not None and labels is not None:
            if sparsity == 0.0:
                reference = accuracy_of(np.asarray(logit_model.predict(maps, verbose=0)), labels)
            for i, v in enumerate(variants):
                scores[v.key] = _score(logit_model, v, base, input_scale, work_dir / f"score_{i}", maps, labels)
                log.info("fit: %s accuracy %.4f on %d maps (emulator)", v.key, scores[v.key], len(maps))
        with Progress(len(candidates), f"fit (sparsity {sparsity:.2f})", "points", logger=log) as bar:
            for cand in candidates:
                i = len(points)
                p = evaluate(
                    logit_model,
                    cand,
                    i,
                    base,
                    board,
                    cfg,
                    input_scale,
                    work_dir / f"point_{i}",
                    scores[cand.precision.key],
                )
                verdict = p.verdict if p.fits else f"{p.verdict}: " + ",".join(p.over)
                log.debug(
                    "fit: %3d %-48s LUT %8.0f FF %8.0f DSP %4.0f BRAM18 %5.1f %s",
                    i,
                    p.label,
                    *p.resources.values(),
                    verdict,
                )
                bar.update(1, note=f"{p.label}: LUT {p.resources['lut']:.0f}, {verdict}")
                points.append(p)
    try:
        chosen = choose(points, cfg, board)
    except FitError as exc:
        raise FitError(str(exc), points) from None
    notes = []
    if chosen.verdict != "fits":
        notes.append(
            f"no point fits over the whole range of the estimate; the chosen one {chosen.verdict} "
            f"({', '.join(chosen.over)}): confirm with synthesis before building"
        )
    changed = [p for p in points if p.hls4ml_changes]
    if changed:
        notes.append(f"hls4ml changed the plan of {len(changed)} points (listed per point)")
    n_maps = 0 if maps is None else len(maps)
    return FitResult(board, cfg, input_scale, points, chosen, n_maps, reference, notes, models, absent)


def chosen_model(result: FitResult) -> Any:
    """The (Q)Keras model the chosen point was planned for (a pruned copy when it has a sparsity)."""
    return result.models[result.chosen.candidate.sparsity]


def convert_chosen(model: Any, result: FitResult, out_dir: Path) -> Conversion:
    """Convert the chosen point into ``out_dir`` (the deployable project, not compiled).  ``model``: the
    model given to :func:`fit_model` (replaced by its pruned copy when the chosen point is pruned)."""
    if result.chosen.candidate.sparsity:
        model = chosen_model(result)
    logit_model, _ = split_output_activation(model)
    return convert(logit_model, result.chosen.config, out_dir, result.input_scale)
