"""Cycles from datapath depth: combinational delay in ns, pipeline stages at the clock, interval, latency.

A layer's datapath (:class:`~fpgaflow.estimate.rules.Timing`) takes ``delay_ns`` = multiplier delay + adder
levels x adder delay + lookups x ROM read + comparator levels x compare delay.  HLS schedules it into
``ceil(delay / (clock x (1 - uncertainty)))`` stages (12.5 % uncertainty, hls4ml's default).

* ``io_parallel``: the whole network is one pipelined function, so its latency follows the critical path
  through every layer *in series*: the delays add up before they are cut into stages (summing each
  layer's own cycle count overcounts about 3x on the jet MLP), plus one register at each function
  boundary.  The interval is 1, or the largest reuse factor of the shared layers.
* ``io_stream``: layers run concurrently (DATAFLOW); the interval is the slowest layer's words x cycles per
  word plus its pipeline depth, and the latency that interval plus every other layer's depth.
* A recurrent cell repeats its datapath once per time step, in series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fpgaflow.estimate.rules import LayerCost, Timing

#: Clock uncertainty HLS subtracts from the period (hls4ml's default 12.5 %).
CLOCK_UNCERTAINTY = 0.125


@dataclass(frozen=True)
class Delays:
    """Combinational delays (ns) of the datapath elements, calibrated on the reports' latencies.

    ``dsp``: a DSP48 product; ``lut_mult``: a shift-add constant product; ``adder``: one adder-tree level;
    ``lookup``: one ROM read; ``compare``: one comparator level; ``boundary``: cycles added at each function
    boundary of an io_parallel design (input/output registers); ``recurrent_step``: cycles hls4ml's
    recurrent cell adds to each time step (its activations and gate products are separate functions)."""

    dsp: float = 3.4
    lut_mult: float = 1.6
    adder: float = 1.1
    lookup: float = 2.5
    compare: float = 0.9
    boundary: float = 0.5
    recurrent_step: float = 0.0

    def scaled(self, factor: float, boundary: float, recurrent_step: float) -> Delays:
        """Every delay times ``factor`` (the calibration fits one scale, the boundary and the step cycles)."""
        return Delays(
            dsp=self.dsp * factor,
            lut_mult=self.lut_mult * factor,
            adder=self.adder * factor,
            lookup=self.lookup * factor,
            compare=self.compare * factor,
            boundary=boundary,
            recurrent_step=recurrent_step,
        )


def delay_ns(t: Timing, d: Delays) -> float:
    """Combinational delay of one traversal of the datapath."""
    mult = {"none": 0.0, "lut": d.lut_mult, "dsp": d.dsp}[t.multiplier]
    return mult + t.adder_levels * d.adder + t.lookups * d.lookup + t.compare_levels * d.compare


def stages(delay: float, clock_ns: float) -> int:
    """Pipeline stages HLS cuts a ``delay`` ns datapath into at ``clock_ns`` (clock uncertainty subtracted)."""
    return max(0, math.ceil(delay / (clock_ns * (1 - CLOCK_UNCERTAINTY)) - 1e-9))


def layer_depth(cost: LayerCost, clock_ns: float, d: Delays) -> int:
    """Pipeline depth in cycles of one layer (a recurrent cell: per step, times the steps)."""
    per_pass = max(1, stages(delay_ns(cost.timing, d), clock_ns))
    if cost.timing.repeat > 1:
        return math.ceil((per_pass + d.recurrent_step) * cost.timing.repeat)
    return per_pass


def parallel_cycles(costs: list[LayerCost], clock_ns: float, d: Delays) -> tuple[float, float]:
    """(latency, interval) of an io_parallel design: delays chained through every layer in series, each
    shared layer adding the cycles it spends on its products, a recurrent cell its time steps."""
    feed_forward = [c for c in costs if c.timing.repeat == 1]
    chained = sum(delay_ns(c.timing, d) for c in feed_forward)
    functions = sum(1 for c in feed_forward if c.control > 0)
    shared = sum(c.interval_cycles - 1 for c in feed_forward if c.interval_cycles > 1)
    recurrent = [float(layer_depth(c, clock_ns, d)) for c in costs if c.timing.repeat > 1]
    latency = stages(chained, clock_ns) + math.ceil(d.boundary * functions) + shared + sum(recurrent)
    interval = max([1.0] + [c.interval_cycles for c in feed_forward] + recurrent)
    return float(max(latency, interval)), interval


def stream_cycles(costs: list[LayerCost], clock_ns: float, d: Delays) -> tuple[float, float]:
    """(latency, interval) of an io_stream (DATAFLOW) design."""
    depths = [layer_depth(c, clock_ns, d) for c in costs]
    per_layer = [c.interval_cycles + depth + c.fill_cycles for c, depth in zip(costs, depths, strict=True)]
    slowest = max(range(len(costs)), key=lambda i: per_layer[i])
    interval = per_layer[slowest] + 1
    latency = interval + sum(depth + 1 for i, depth in enumerate(depths) if i != slowest and costs[i].control > 0)
    return float(latency), float(interval)
