"""GRU and LSTM cells (hls4ml's static recurrent layers, io_parallel).

One cell is built and iterated over the time steps: the input and recurrent kernels are constant products
(the multiplier rules of :mod:`fpgaflow.estimate.rules.mult`, fan-in n_in + n_out), the gate products are
variable 16 x 16 multiplies (3 x units for GRU and LSTM), and the gate activations read tables: sigmoid for
gates - 1 gates, tanh for one (GRU 2u + u, LSTM 3u + u lookups), two lookups per ROM copy.  The reports of
the top-tagging GRU and LSTM give exactly those table counts (30 and 40 BRAM18).
"""

from __future__ import annotations

from dataclasses import replace

from fpgaflow.estimate.rules import Context, LayerCost, Timing, register
from fpgaflow.estimate.rules.activation import tables
from fpgaflow.estimate.rules.mult import multiply_cost, variable_dsp
from fpgaflow.estimate.spec import HlsLayerSpec


@register("recurrent")
def recurrent(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """One GRU/LSTM cell, traversed once per time step."""
    units = layer.width_out
    kernels = replace(multiply_cost(layer, ctx), name=layer.name)
    gate_products = 3 * units
    sigmoid = tables((layer.gates - 1) * units, layer)
    tanh = tables(units, layer)
    gates = LayerCost(
        name=layer.name,
        dsp=gate_products * variable_dsp(layer.output_bits, layer.output_bits),
        logic_bits=float(layer.gates * units * layer.output_bits),
        register_bits=float(2 * units * layer.output_bits),
        memories=(sigmoid, tanh),
    )
    cost = kernels.plus(gates)
    timing = Timing(
        multiplier=kernels.timing.multiplier,
        adder_levels=kernels.timing.adder_levels,
        lookups=2,
        repeat=layer.timesteps,
    )
    return replace(cost, timing=timing, interval_cycles=0.0)
