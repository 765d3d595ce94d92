"""Reuse factor and strategy per Conv2D/Dense layer, valid by hls4ml 1.3.0's own rule.

hls4ml (``FPGABackend._validate_reuse_factor``) accepts a reuse factor R for a layer with an
``n_in × n_out`` multiplier array (Conv2D: kernel area × input channels by filters) only if

* ``n_in·n_out`` is divisible by R,
* R < n_in, or R is a multiple of n_in,
* ``ceil(n_in·n_out / min(n_in, R))`` is a multiple of n_out, or R ≥ n_in;

with the Resource strategy it silently replaces any other R by the closest valid one (a printed
warning).  fpgaflow applies the same rule to both strategies and refuses an invalid R with
:class:`~fpgaflow.convert.errors.InvalidReuseFactorError` naming the layer and the nearest valid choices,
so the design hls4ml writes is the one that was asked for.

Hardware meaning: a layer with reuse factor R instantiates ``n_in·n_out / R`` multipliers (DSP48 or LUT
multipliers), each used R times per output pixel; in ``io_stream`` a Conv2D accepts one input pixel
every R cycles, so its interval is about ``pixels_in × R`` cycles per map.

``reuse_factor="auto"``: start every layer at R = 1 (Latency) and, while the multipliers of all layers
exceed ``dsp_budget`` × the board's DSP48 count, move the layer with the most multipliers to its next
valid R (Resource strategy once R > 1).  This is a first cut that counts every product as a DSP48 (small
products often go to LUTs); ``fpgaflow fit`` refines it with the resource estimator.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

from fpgaflow.convert.config import ConvertConfig, Strategy
from fpgaflow.convert.errors import InvalidReuseFactorError
from fpgaflow.convert.layers import KerasLayerSpec
from fpgaflow_board.boards import get_board


def is_valid_reuse_factor(n_in: int, n_out: int, rf: int) -> bool:
    """hls4ml 1.3.0's rule (``FPGABackend._validate_reuse_factor``)."""
    if rf < 1:
        return False
    mult_limit = math.ceil(n_in * n_out / min(n_in, rf))
    ok = (mult_limit % n_out == 0) or rf >= n_in
    ok = ok and (rf % n_in == 0 or rf < n_in)
    return ok and (n_in * n_out) % rf == 0


def valid_reuse_factors(n_in: int, n_out: int) -> tuple[int, ...]:
    """Every valid reuse factor of an ``n_in × n_out`` layer, ascending (1 and n_in·n_out always are)."""
    total = n_in * n_out
    divisors = sorted({d for i in range(1, math.isqrt(total) + 1) if total % i == 0 for d in (i, total // i)})
    return tuple(rf for rf in divisors if is_valid_reuse_factor(n_in, n_out, rf))


def nearest_valid(valid: tuple[int, ...], rf: int) -> tuple[int, ...]:
    """The valid factors just below and just above ``rf`` (one of them if ``rf`` is outside the range)."""
    pos = bisect.bisect_left(valid, rf)
    return tuple(valid[i] for i in (pos - 1, pos) if 0 <= i < len(valid))


@dataclass(frozen=True)
class LayerReuse:
    """One layer's implementation: ``multipliers`` = n_in·n_out / reuse_factor; ``interval_cycles`` ≈ cycles
    per map for this layer alone (pixels_in × R for Conv2D, R for Dense)."""

    layer: str
    n_in: int
    n_out: int
    reuse_factor: int
    strategy: Strategy
    valid: tuple[int, ...]
    reason: str

    @property
    def multipliers(self) -> int:
        return self.n_in * self.n_out // self.reuse_factor

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "n_in": self.n_in,
            "n_out": self.n_out,
            "reuse_factor": self.reuse_factor,
            "strategy": self.strategy,
            "multipliers": self.multipliers,
            "valid_reuse_factors": list(self.valid),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ReusePlan:
    layers: tuple[LayerReuse, ...]

    def get(self, name: str) -> LayerReuse | None:
        return next((lr for lr in self.layers if lr.layer == name), None)

    @property
    def multipliers(self) -> int:
        return sum(lr.multipliers for lr in self.layers)

    def to_dict(self) -> dict[str, Any]:
        return {"multipliers": self.multipliers, "layers": [lr.to_dict() for lr in self.layers]}


def check_reuse_factor(spec: KerasLayerSpec, rf: int) -> tuple[int, ...]:
    """The layer's valid factors; raises :class:`InvalidReuseFactorError` if ``rf`` is not one of them."""
    valid = valid_reuse_factors(spec.n_in, spec.n_out)
    if rf not in valid:
        near = " or ".join(str(v) for v in nearest_valid(valid, rf))
        raise InvalidReuseFactorError(
            f"layer {spec.name!r} ({spec.class_name}, {spec.n_in}×{spec.n_out} multiplier array): reuse factor {rf} "
            f"is not valid (hls4ml would silently use another); nearest valid: {near}; all valid: "
            f"{', '.join(map(str, valid))}"
        )
    return valid


def plan_reuse(specs: list[KerasLayerSpec], cfg: ConvertConfig) -> ReusePlan:
    """Reuse factor and strategy for every Conv2D/Dense layer (module docstring: rule and ``auto``)."""
    weighted = [s for s in specs if s.weighted]
    chosen: dict[str, LayerReuse] = {}
    auto = cfg.reuse_factor == "auto"
    for spec in weighted:
        ov = cfg.override(spec.name)
        rf = ov.reuse_factor if ov.reuse_factor is not None else (1 if auto else int(cfg.reuse_factor))
        valid = check_reuse_factor(spec, rf)
        strategy: Strategy = ov.strategy or ("Latency" if auto else cfg.strategy)
        reason = "override" if ov.reuse_factor is not None else ("auto: start" if auto else "convert.reuse_factor")
        chosen[spec.name] = LayerReuse(spec.name, spec.n_in, spec.n_out, rf, strategy, valid, reason)
    if auto:
        budget = int(cfg.dsp_budget * get_board(cfg.board).dsp)
        fixed = {n for n in chosen if cfg.override(n).reuse_factor is not None}
        while sum(lr.multipliers for lr in chosen.values()) > budget:
            movable = [lr for lr in chosen.values() if lr.layer not in fixed and lr.reuse_factor < lr.valid[-1]]
            if not movable:
                break
            big = max(movable, key=lambda lr: lr.multipliers)
            nxt = big.valid[big.valid.index(big.reuse_factor) + 1]
            strategy = cfg.override(big.layer).strategy or "Resource"
            chosen[big.layer] = LayerReuse(
                big.layer,
                big.n_in,
                big.n_out,
                nxt,
                strategy,
                big.valid,
                f"auto: multipliers of all layers above {cfg.dsp_budget:.0%} of {budget / cfg.dsp_budget:.0f} DSP48",
            )
        for name, lr in chosen.items():
            if lr.reason == "auto: start":
                chosen[name] = LayerReuse(
                    lr.layer,
                    lr.n_in,
                    lr.n_out,
                    lr.reuse_factor,
                    lr.strategy,
                    lr.valid,
                    f"auto: fits {cfg.dsp_budget:.0%} of the board's DSP48 at this factor",
                )
    return ReusePlan(tuple(chosen[s.name] for s in weighted))


def cycles_per_map(spec: KerasLayerSpec, rf: int) -> int:
    """Cycles one layer needs per map in ``io_stream`` at reuse factor ``rf``: pixels_in × R for a convolution
    (one input pixel every R cycles), R for Dense (its whole input vector at once), pixels_in for pooling,
    padding, batch-norm and activations (one stream word per cycle)."""
    if spec.kind == "input":
        return 0
    if spec.kind == "dense":
        return rf
    return spec.pixels_in * (rf if spec.weighted else 1)


def layer_cycles(spec: KerasLayerSpec, reuse: ReusePlan) -> int:
    """:func:`cycles_per_map` at the layer's planned reuse factor (1 for a layer without one)."""
    lr = reuse.get(spec.name)
    return cycles_per_map(spec, lr.reuse_factor if lr else 1)


def interval_cycles(specs: list[KerasLayerSpec], reuse: ReusePlan) -> int:
    """The dataflow pipeline's interval (cycles between maps): its slowest layer.  A first-order figure
    without pipeline start-up, FIFO stalls or the DMA; the estimator (fpgaflow.estimate) refines it."""
    return max((layer_cycles(s, reuse) for s in specs), default=0)
