"""One rule per layer kind: what hls4ml 1.3 builds for the layer, counted in hardware units.

A rule reads one :class:`~fpgaflow.estimate.spec.HlsLayerSpec` and returns a :class:`LayerCost`: DSP48
slices, the bit counts the LUT and FF models are linear in, the memories the layer needs (placed in BRAM or
LUTs later, per level), and its cycles.  Nothing here is fitted: the coefficients that turn bit counts into
LUTs and FFs live in :mod:`fpgaflow.estimate.coefficients`.

Adding a layer kind is one module with ``@register("kind")`` on a function ``(layer, ctx) -> LayerCost``
(and the kind in :data:`fpgaflow.estimate.spec.LayerKind`, read by :mod:`fpgaflow.estimate.describe`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Literal

from fpgaflow.errors import StepError
from fpgaflow.estimate.spec import HlsLayerSpec, IOType, LayerKind

#: ``fifo``: a stream between layers; ``linebuffer``: rows of a convolution/pooling window; ``weights``: the
#: weight ROM of the Resource strategy; ``constants``: the weights a shared Latency-strategy multiplier steps
#: through (logic of the cycle counter, never a BRAM); ``table``: an activation lookup table.
MemoryRole = Literal["fifo", "linebuffer", "weights", "constants", "table"]


@dataclass(frozen=True)
class Memory:
    """``count`` memories of ``depth`` words x ``width`` bits.  Where they go (BRAM18, SRL shift registers,
    LUT ROM/RAM) depends on the level: :func:`fpgaflow.estimate.memory.place` decides."""

    role: MemoryRole
    depth: int
    width: int
    count: int = 1

    @property
    def bits(self) -> int:
        return self.depth * self.width


MultiplierKind = Literal["none", "lut", "dsp"]


@dataclass(frozen=True)
class Timing:
    """The depth of a layer's datapath: its multiplier (``none``, LUT-built shift-add or DSP48), the levels
    of its adder tree and the table lookups in series (softmax: exponential then inverse)."""

    multiplier: MultiplierKind = "none"
    adder_levels: int = 0
    lookups: int = 0
    compare_levels: int = 0
    #: Times the datapath is traversed in series per sample (a recurrent cell: once per time step).
    repeat: int = 1


@dataclass(frozen=True)
class Context:
    """What a rule needs to know about the design around the layer."""

    io_type: IOType
    clock_period_ns: float


#: Bit-count features of the LUT and FF models (fields of :class:`LayerCost`, in this order).
FEATURES: tuple[str, ...] = (
    "shift_add_bits",
    "adder_bits",
    "dsp_adder_bits",
    "var_mult_bits",
    "mux_bits",
    "logic_bits",
    "register_bits",
    "cut_bits",
    "control",
)


@dataclass(frozen=True)
class LayerCost:
    """One layer in hardware units (before the level's coefficients and memory placement).

    ``dsp``: DSP48 slices Vivado HLS binds (before the device's cap); ``shift_add_bits``: adder bits of the
    constant multipliers built from LUTs, sum over weights of (CSD digits - 1) x (input bits + the weight's
    significant bits); ``adder_bits``: accumulation adders in the fabric, terms x adder bits;
    ``dsp_adder_bits``: the same for products made in DSP48s (Vivado folds much of that tree into the DSP48
    post-adders); ``var_mult_bits``:
    operand bit products (a x w) of variable multipliers built from LUTs; ``mux_bits``: operand bits
    multiplexed onto shared multipliers (reuse factor > 1); ``logic_bits``: element-wise and comparator
    bits (activations, pooling, padding, softmax arithmetic); ``register_bits``: bits held in registers
    across cycles (accumulators, held products, window registers); ``cut_bits``: bits of one pipeline
    register cut through the middle of the datapath (outputs x accumulator bits x sqrt(fan-in) partial sums),
    paid once per pipeline stage; ``control``: state machines and
    handshakes (1 per function); ``memories``: storage to place; ``latency_cycles``/``interval_cycles``: cycles
    of one sample through the layer and between samples; ``delay_ns``: combinational delay of the layer's
    datapath (chained by the critical path of an ``io_parallel`` design).
    """

    name: str
    dsp: float = 0.0
    shift_add_bits: float = 0.0
    adder_bits: float = 0.0
    dsp_adder_bits: float = 0.0
    var_mult_bits: float = 0.0
    mux_bits: float = 0.0
    logic_bits: float = 0.0
    register_bits: float = 0.0
    cut_bits: float = 0.0
    control: float = 1.0
    memories: tuple[Memory, ...] = field(default_factory=tuple)
    interval_cycles: float = 1.0
    fill_cycles: float = 0.0
    timing: Timing = field(default_factory=Timing)

    def feature(self, name: str) -> float:
        return float(getattr(self, name))

    def plus(self, other: LayerCost) -> LayerCost:
        """Resources of both (cycles and delay of ``self``): a layer built from two blocks."""
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self) if f.name in FEATURES}
        return LayerCost(
            name=self.name,
            dsp=self.dsp + other.dsp,
            memories=self.memories + other.memories,
            interval_cycles=self.interval_cycles,
            fill_cycles=self.fill_cycles,
            timing=self.timing,
            **summed,
        )


Rule = Callable[[HlsLayerSpec, Context], LayerCost]
RULES: dict[LayerKind, Rule] = {}


def register(kind: LayerKind) -> Callable[[Rule], Rule]:
    """Decorator: ``rule`` costs layers of ``kind`` (one rule per kind)."""

    def wrap(rule: Rule) -> Rule:
        if kind in RULES:
            raise ValueError(f"a rule for layer kind {kind!r} is already registered ({RULES[kind].__name__})")
        RULES[kind] = rule
        return rule

    return wrap


def cost_of(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """The registered rule's cost of ``layer`` (``StepError`` for a kind without a rule)."""
    _load()
    rule = RULES.get(layer.kind)
    if rule is None:
        raise StepError(f"layer {layer.name!r}: no resource rule for layer kind {layer.kind!r}")
    return rule(layer, ctx)


def rule_for(kind: LayerKind | None) -> Rule | None:
    """The rule registered for ``kind`` (``None`` when there is none)."""
    _load()
    return RULES.get(kind) if kind is not None else None


def _load() -> None:
    """Import the rule modules (each registers its kinds on import)."""
    from fpgaflow.estimate.rules import (  # noqa: F401
        activation,
        mult,
        pool,
        recurrent,
        wiring,
    )
