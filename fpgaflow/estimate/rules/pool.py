"""Pooling: windows of comparators (max) or adders (average) over a map, or over the whole map (global).

In ``io_stream`` a 2-D window is fed by (window height - 1) line buffers of the input row and held in
registers; one word enters per cycle.  ``io_parallel`` global pooling compares every element at once.
"""

from __future__ import annotations

import math

from fpgaflow.estimate.rules import Context, LayerCost, Memory, Timing, register
from fpgaflow.estimate.spec import HlsLayerSpec


@register("pool")
def pool(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """A k x k (or k) window: k*k - 1 comparators per channel, window registers, line buffers."""
    kh, kw = layer.kernel
    window = kh * kw
    bits = layer.input_bits
    if ctx.io_type == "io_parallel":
        compares = layer.pixels_out * layer.width_out * (window - 1)
        return LayerCost(name=layer.name, logic_bits=float(compares * bits), timing=Timing(compare_levels=2))
    rows = (kh - 1) * layer.width_in
    memories = (Memory("linebuffer", depth=layer.row_in, width=bits, count=rows),) if rows else ()
    return LayerCost(
        name=layer.name,
        logic_bits=float((window - 1) * layer.width_in * bits),
        register_bits=float(window * layer.width_in * bits),
        memories=memories,
        interval_cycles=float(layer.pixels_in),
        timing=Timing(compare_levels=max(1, math.ceil(math.log2(window)))),
    )


@register("global_pool")
def global_pool(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """The whole map reduced per channel: one running comparator per channel in io_stream, a comparator tree
    over every pixel in io_parallel."""
    bits = layer.input_bits
    if ctx.io_type == "io_parallel":
        compares = (layer.pixels_in - 1) * layer.width_in
        levels = max(1, math.ceil(math.log2(layer.pixels_in)))
        return LayerCost(
            name=layer.name,
            logic_bits=float(compares * bits),
            register_bits=float(compares * bits),
            timing=Timing(compare_levels=levels),
        )
    return LayerCost(
        name=layer.name,
        logic_bits=float(layer.width_in * bits),
        register_bits=float(layer.width_in * bits),
        interval_cycles=float(layer.pixels_in),
        timing=Timing(compare_levels=1),
    )
