"""A whole design in hardware units: every layer's rule cost, the stream FIFOs, memory placement, DSP cap.

:func:`design_cost` runs the rules over a :class:`DesignSpec` and adds what belongs to the design rather than
to a layer: the FIFOs between ``io_stream`` layers (one per element of the output word, as deep as the map
has pixels: hls4ml 1.3's default depth) and, when the part has fewer DSP48s than HLS asks for, the
products Vivado synthesis moves to LUTs.  :meth:`DesignCost.features` gives the quantities the LUT/FF
models of one level are linear in, per layer or for the design's own rows (FIFOs, DSP overflow).
"""

from __future__ import annotations

from dataclasses import dataclass

from fpgaflow.estimate.memory import Level, Placement, place
from fpgaflow.estimate.rules import FEATURES, Context, LayerCost, Memory, cost_of
from fpgaflow.estimate.spec import DesignSpec
from fpgaflow.estimate.timing import Delays, delay_ns, layer_depth, parallel_cycles, stages, stream_cycles

#: Quantities the LUT and FF models are linear in (fields of LinearCoefficients).
MODEL_FEATURES: tuple[str, ...] = (
    *FEATURES,
    "memory_luts",
    "fifos",
    "bram_fifos",
    "pipeline_bits",
    "staged_bits",
    "overflow_bits",
    "word_bits",
    "dsp",
)
#: LUT bits of one product Vivado moves out of a DSP48 when the part has too few: a 16 x 16 constant
#: multiply of ~4 CSD digits, 3 adders of ~28 bits.
OVERFLOW_SHIFT_ADD_BITS = 3 * (16 + 12)
#: Register bits of such a product (the DSP48's M register, now in the fabric).
OVERFLOW_REGISTER_BITS = 32.0
FIFOS_ROW = "stream FIFOs"
OVERFLOW_ROW = "DSP48 overflow"


def fifo_memories(design: DesignSpec) -> tuple[Memory, ...]:
    """io_stream FIFOs: one per element of each layer's output word, ``fifo_depth`` deep (the last layer's
    output is the top-level port; a Flatten shares its input's stream)."""
    if design.io_type != "io_stream":
        return ()
    out = []
    for layer in design.layers[:-1]:
        if layer.kind == "reshape" or layer.fifo_depth <= 0:
            continue
        out.append(Memory("fifo", depth=layer.fifo_depth, width=layer.output_bits, count=layer.width_out))
    return tuple(out)


def _memory_features(p: Placement) -> dict[str, float]:
    return {"memory_luts": p.memory_luts, "fifos": p.fifos, "bram_fifos": p.bram_fifos}


@dataclass(frozen=True)
class DesignCost:
    """Every layer's cost, the design's FIFOs and cycles, and the DSP48s the part can give.

    ``depths``: pipeline depth (cycles) of each layer; ``cuts``: pipeline register cuts inside each layer's
    datapath (depth - 1); ``stage_ratios``: each layer's datapath delay / clock period."""

    design: DesignSpec
    layers: tuple[LayerCost, ...]
    fifos: tuple[Memory, ...]
    latency_cycles: float
    interval_cycles: float
    depths: tuple[int, ...]
    cuts: tuple[int, ...]
    stage_ratios: tuple[float, ...]
    device_dsp: int | None = None

    @property
    def dsp_requested(self) -> float:
        """DSP48s Vivado HLS binds (its report's figure)."""
        return sum(c.dsp for c in self.layers)

    def dsp(self, level: Level) -> float:
        """DSP48s at ``level``: HLS's figure, capped at the part's count after synthesis."""
        if level == "hls" or self.device_dsp is None:
            return self.dsp_requested
        return min(self.dsp_requested, float(self.device_dsp))

    def overflow(self, level: Level) -> float:
        """Products synthesis builds in LUTs because the part has too few DSP48s."""
        return max(0.0, self.dsp_requested - self.dsp(level))

    def layer_features(self, index: int, level: Level) -> dict[str, float]:
        """The model quantities of layer ``index`` at ``level`` (its own memories placed; no FIFOs)."""
        c = self.layers[index]
        f = {name: c.feature(name) for name in FEATURES}
        f.update(_memory_features(place(c.memories, level)))
        f["pipeline_bits"] = float(self.cuts[index] * c.cut_bits)
        f["staged_bits"] = (c.adder_bits + c.dsp_adder_bits + c.shift_add_bits + c.logic_bits) * self.stage_ratios[
            index
        ]
        f["overflow_bits"] = 0.0
        layer = self.design.layers[index]
        f["word_bits"] = float(layer.width_in * layer.input_bits + layer.width_out * layer.output_bits)
        f["dsp"] = c.dsp
        return f

    def fifo_features(self, level: Level) -> dict[str, float]:
        """The model quantities of the stream FIFOs between layers."""
        f = dict.fromkeys(MODEL_FEATURES, 0.0)
        f.update(_memory_features(place(self.fifos, level)))
        f["control"] = 0.0
        return f

    def overflow_features(self, level: Level) -> dict[str, float]:
        """LUT/FF quantities of the products moved out of DSP48s (and the DSP48s given back)."""
        f = dict.fromkeys(MODEL_FEATURES, 0.0)
        n = self.overflow(level)
        f["shift_add_bits"] = n * OVERFLOW_SHIFT_ADD_BITS
        f["overflow_bits"] = n * OVERFLOW_REGISTER_BITS
        f["dsp"] = -n
        return f

    def features(self, level: Level) -> dict[str, float]:
        """The design total of every model quantity at ``level``."""
        total = dict.fromkeys(MODEL_FEATURES, 0.0)
        parts = [self.layer_features(i, level) for i in range(len(self.layers))]
        parts += [self.fifo_features(level), self.overflow_features(level)]
        for part in parts:
            for name, value in part.items():
                total[name] += value
        return total

    def bram18(self, level: Level) -> float:
        """BRAM18 blocks of every memory at ``level``."""
        return place([m for c in self.layers for m in c.memories] + list(self.fifos), level).bram18


def design_cost(design: DesignSpec, delays: Delays | None = None, device_dsp: int | None = None) -> DesignCost:
    """Run every layer's rule, add the FIFOs, compute cycles (see :mod:`fpgaflow.estimate.timing`)."""
    d = delays or Delays()
    ctx = Context(io_type=design.io_type, clock_period_ns=design.clock_period_ns)
    costs = [cost_of(layer, ctx) for layer in design.layers]
    clock = design.clock_period_ns
    if design.io_type == "io_parallel":
        latency, interval = parallel_cycles(costs, clock, d)
    else:
        latency, interval = stream_cycles(costs, clock, d)
    return DesignCost(
        design=design,
        layers=tuple(costs),
        fifos=fifo_memories(design),
        latency_cycles=latency,
        interval_cycles=interval,
        depths=tuple(layer_depth(c, clock, d) for c in costs),
        cuts=tuple(max(0, stages(delay_ns(c.timing, d), clock) - 1) for c in costs),
        stage_ratios=tuple(delay_ns(c.timing, d) / clock for c in costs),
        device_dsp=device_dsp,
    )
