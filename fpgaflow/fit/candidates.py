"""The candidate designs of a fit search: precision variants × per-layer reuse factors × strategies, and the
run's own configured design (:func:`configured_candidate`).

Each candidate is a :class:`ConvertConfig` whose ``layers`` pin every Conv2D/Dense layer's accumulator and
result type, reuse factor and strategy, so converting it needs no calibration data and reproduces exactly
the design that was estimated and scored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from fpgaflow.convert.config import ConvertConfig, LayerOverride, Strategy
from fpgaflow.convert.layers import WEIGHTED, KerasLayerSpec
from fpgaflow.convert.plan_precision import PrecisionPlan
from fpgaflow.convert.plan_reuse import ReusePlan, valid_reuse_factors
from fpgaflow.convert.plan_reuse import cycles_per_map as layer_cycles
from fpgaflow.fit.config import ReuseMode
from fpgaflow_board.fixed_point import FixedType

#: How a candidate's per-layer reuse factors and strategies were chosen: by fit's grid (``uniform``, ``balanced``),
#: by the search on the estimate (``mixed``, :mod:`fpgaflow.fit.mix_strategies`), or as the run's ``convert:`` section
#: configured them (``configured``).
CandidateMode = Literal[ReuseMode, "configured"]

#: The label of the run's own configured design among fit's points.
CONFIGURED = "configured"


@dataclass(frozen=True)
class PrecisionVariant:
    """One precision choice: ``trim_bits`` fractional bits removed from every Conv2D/Dense accumulator and
    result, profiled result types sized with ``margin_bits``.  ``types``: layer → (accum, result)."""

    trim_bits: int
    margin_bits: int
    types: dict[str, tuple[FixedType, FixedType]]

    @property
    def key(self) -> str:
        return f"trim{self.trim_bits}/margin{self.margin_bits}"


@dataclass(frozen=True)
class Candidate:
    """One design to evaluate: a precision variant, the global reuse factor and mode it came from, the
    per-layer reuse factors they give, the strategy of every Conv2D/Dense layer (``strategy``, unless
    ``layer_strategy`` names the layer: the configured and ``mixed`` designs mix Latency and Resource), and the
    kernel sparsity the model was pruned to for it (0: the model as given)."""

    precision: PrecisionVariant
    reuse_factor: int
    reuse_mode: CandidateMode
    strategy: Strategy
    layer_reuse: dict[str, int]
    sparsity: float = 0.0
    layer_strategy: dict[str, Strategy] = field(default_factory=dict)

    @property
    def label(self) -> str:
        prefix = f"pruned{round(100 * self.sparsity)}/" if self.sparsity else ""
        if self.reuse_mode == "configured":
            return f"{prefix}{CONFIGURED}"
        if self.reuse_mode == "mixed":  # the strategy is per layer (fpgaflow.fit.mix_strategies)
            return f"{prefix}R{self.reuse_factor}-mixed/{self.precision.key}"
        return f"{prefix}R{self.reuse_factor}-{self.reuse_mode}/{self.strategy}/{self.precision.key}"

    def strategy_of(self, layer: str) -> Strategy:
        """The hls4ml strategy of Conv2D/Dense ``layer`` in this design."""
        return self.layer_strategy.get(layer, self.strategy)

    @property
    def strategies(self) -> dict[str, Strategy]:
        """Every Conv2D/Dense layer's strategy."""
        return {name: self.strategy_of(name) for name in self.layer_reuse}

    @property
    def strategy_label(self) -> str:
        """The one strategy of every layer, or ``mixed``."""
        used = set(self.strategies.values())
        return used.pop() if len(used) == 1 else "mixed"

    @property
    def latency_twin(self) -> Candidate:
        """The same design with every layer on the Latency strategy (the arithmetic the emulator scores)."""
        return replace(self, strategy="Latency", layer_strategy={})

    def convert_config(self, base: ConvertConfig) -> ConvertConfig:
        """``base`` with every weighted layer pinned to this candidate's types, reuse factor and strategy
        (``base``'s other per-layer choices, such as weight types, kept)."""
        layers = dict(base.layers)
        for name, (acc, res) in self.precision.types.items():
            rf, strategy = self.layer_reuse[name], self.strategy_of(name)
            layers[name] = replace(
                layers.get(name, LayerOverride()), accum=acc, result=res, reuse_factor=rf, strategy=strategy
            )
        return replace(base, reuse_factor=1, strategy=self.strategy, layers=layers)


def trim(t: FixedType, bits: int) -> FixedType:
    """``t`` with ``bits`` fewer fractional bits (never fewer than 0), same integer bits and modes."""
    frac = max(t.fractional - bits, min(t.fractional, 0))
    return replace(t, width=t.integer + frac)


def precision_variant(plan: PrecisionPlan, trim_bits: int, margin_bits: int) -> PrecisionVariant:
    """The planned accumulator/result types of every Conv2D/Dense layer, trimmed by ``trim_bits``."""
    types = {}
    for lp in plan.layers:
        if lp.accum is None or lp.kind not in WEIGHTED:
            continue
        types[lp.layer] = (trim(lp.accum.type, trim_bits), trim(lp.result.type, trim_bits))
    return PrecisionVariant(trim_bits, margin_bits, types)


def nearest_reuse(valid: tuple[int, ...], rf: int) -> int:
    """The valid factor nearest to ``rf`` on a log scale (ties: the smaller, i.e. the faster)."""
    return min(valid, key=lambda v: (abs(math.log(v / rf)), v))


def layer_reuse(specs: list[KerasLayerSpec], rf: int, mode: ReuseMode) -> dict[str, int]:
    """Per-layer reuse factors for a global ``rf``: the nearest valid one per layer; ``balanced`` (and ``mixed``,
    which starts from it) then raises each to the largest valid factor whose cycles per map stay within the
    design's interval."""
    weighted = [s for s in specs if s.weighted]
    valid = {s.name: valid_reuse_factors(s.n_in, s.n_out) for s in weighted}
    chosen = {s.name: nearest_reuse(valid[s.name], rf) for s in weighted}
    if mode != "uniform":
        interval = max(layer_cycles(s, chosen.get(s.name, 1)) for s in specs)
        for s in weighted:
            fitting = [v for v in valid[s.name] if v >= chosen[s.name] and layer_cycles(s, v) <= interval]
            chosen[s.name] = max(fitting, default=chosen[s.name])
    return chosen


def enumerate_candidates(
    specs: list[KerasLayerSpec],
    variants: list[PrecisionVariant],
    reuse_factors: tuple[int, ...],
    modes: tuple[ReuseMode, ...],
    strategies: tuple[Strategy, ...],
    sparsity: float = 0.0,
) -> list[Candidate]:
    """Every distinct candidate (same per-layer factors, strategy and precision = one candidate) of the grid; the
    ``mixed`` mode's candidates are searched on the estimate (:mod:`fpgaflow.fit.mix_strategies`)."""
    out: list[Candidate] = []
    seen: set[tuple[object, ...]] = set()
    for variant in variants:
        for strategy in strategies:
            for rf in reuse_factors:
                for mode in (m for m in modes if m != "mixed"):
                    reuse = layer_reuse(specs, rf, mode)
                    key = (variant.key, strategy, tuple(sorted(reuse.items())))
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(Candidate(variant, rf, mode, strategy, reuse, sparsity))
    return out


def configured_candidate(plan: PrecisionPlan, reuse: ReusePlan, cfg: ConvertConfig) -> Candidate:
    """The design ``cfg`` (a run's ``convert:`` section) asks for, planned as :func:`fpgaflow.convert.hls.plan`
    planned it (``plan``, ``reuse``): its accumulator and result types untrimmed, every layer's own reuse factor and
    strategy."""
    rf = cfg.reuse_factor if isinstance(cfg.reuse_factor, int) else 1
    return Candidate(
        precision_variant(plan, 0, cfg.result_margin_bits),
        rf,
        "configured",
        cfg.strategy,
        {lr.layer: lr.reuse_factor for lr in reuse.layers},
        layer_strategy={lr.layer: lr.strategy for lr in reuse.layers if lr.strategy != cfg.strategy},
    )
