"""Size the ``io_stream`` FIFOs between layers from the layer geometry (no Vivado needed).

hls4ml gives every inter-layer stream a depth of one entry per pixel of its tensor (H×W), which maps
large FIFOs to BRAM18s.  Its FIFO-depth optimisation measures the real occupancy in RTL co-simulation,
which needs Vivado.  Without it fpgaflow uses this rule, per stream from producer P to consumer C
(one stream entry = all channels of one pixel):

* T(layer) = pixels_in × R cycles per map for a Conv2D (reuse factor R: one input pixel per R cycles),
  R for a Dense, pixels_in for pooling/activation; the effective time of P is the largest T of P and
  everything upstream of it (a stage cannot produce faster than it is fed).
* If C is at least as fast as P (T_C ≤ T_P,eff): C drains every entry soon after it arrives, and P's
  bursts last at most one output row, so depth = out_width + 1.
* If C is slower: entries pile up at the rate difference, depth = ceil(N·(1 − T_P,eff/T_C)) + out_width + 1,
  N = entries per map.

Every depth is at least 2 and at most N (hls4ml's own default).  This is a sizing rule, not a proof: the
RTL co-simulation of a Vivado build (hls4ml's FIFO optimisation) remains the reference.  A FIFO that is
too shallow stalls the dataflow pipeline (lower throughput) or, in a feedback-free chain like these CNNs,
never deadlocks; the C simulation is unaffected by depths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fpgaflow.convert.layers import KerasLayerSpec, consumers
from fpgaflow.convert.plan_reuse import ReusePlan
from fpgaflow.convert.plan_reuse import layer_cycles as _cycles


@dataclass(frozen=True)
class FifoDepth:
    """Depth (entries) of the stream leaving ``layer``; ``default`` is hls4ml's depth (one per pixel)."""

    layer: str
    depth: int
    default: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "depth": self.depth, "hls4ml_default": self.default, "reason": self.reason}


def size_fifos(specs: list[KerasLayerSpec], reuse: ReusePlan, input_words: int = 0) -> tuple[FifoDepth, ...]:
    """Depth of every stream between two layers (not the network's input or output streams).

    ``input_words``: AXI-Stream words per map at the network's input, one per clock (the wire's
    :meth:`~fpgaflow_board.wire_format.WireFormat.input_words`: ``n_in`` for one input per word, a quarter of
    it for 4 packed ADC counts per word): the input cannot feed the first layer faster, so it is the input's
    time T.  A space-to-depth input (issue 20) needs nothing else: its rows are ``cols / bx`` beats wide, and
    every later row width comes from the layer shapes."""
    by_name = {s.name: s for s in specs}
    eff: dict[str, int] = {}
    for s in specs:
        own = input_words if s.kind == "input" else _cycles(s, reuse)
        eff[s.name] = max(own, eff[s.source]) if s.source else own
    out: list[FifoDepth] = []
    for s in specs:
        if s.kind in ("input", "flatten"):
            continue  # the input is an interface; Flatten is an alias of its input stream in io_stream
        readers = consumers(specs, s.name)
        while len(readers) == 1 and readers[0].kind == "flatten":
            readers = consumers(specs, readers[0].name)
        if not readers:
            continue  # the network's output stream: an interface, sized by the AXI wrapper
        n = s.pixels_out
        width = s.out_shape[1] if len(s.out_shape) == 3 else 1
        t_c = max(_cycles(by_name[r.name], reuse) for r in readers)
        t_p = eff[s.name]
        if t_c <= t_p:
            depth, why = width + 1, f"consumer keeps up ({t_c} ≤ {t_p} cycles/map): one output row + 1"
        else:
            depth = math.ceil(n * (1 - t_p / t_c)) + width + 1
            why = f"consumer slower ({t_c} > {t_p} cycles/map): backlog {n}·(1 − {t_p}/{t_c}) + one row + 1"
        depth = min(n, max(2, depth))
        out.append(FifoDepth(s.name, depth, n, why))
    return tuple(out)
