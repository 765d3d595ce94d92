"""Activations: element-wise operators, table lookups and softmax.

A ReLU-like activation is a compare-and-select per element (``logic_bits``: elements x output bits).
Sigmoid/tanh/ELU read a ``table_size`` x ``table_bits`` ROM; a dual-port ROM serves two lookups per cycle, so
``ceil(lookups per cycle / 2)`` copies.  Softmax (hls4ml's ``stable``/``latency``) looks up the exponential of
every element and the inverse of their sum, and multiplies each exponential by it: one DSP48 per product
made in the same cycle (all of them in ``io_parallel``; ``ceil(n / reuse)`` in ``io_stream``, where the layer
is pipelined at the reuse factor).
"""

from __future__ import annotations

import math

from fpgaflow.estimate.rules import Context, LayerCost, Memory, Timing, register
from fpgaflow.estimate.spec import HlsLayerSpec


def words(layer: HlsLayerSpec, ctx: Context) -> int:
    """Stream words the layer reads per sample (1 in io_parallel)."""
    return layer.pixels_in if ctx.io_type == "io_stream" else 1


def tables(lookups: int, layer: HlsLayerSpec) -> Memory:
    """Copies of a ``table_size`` x ``table_bits`` ROM serving ``lookups`` reads per cycle (dual-port)."""
    return Memory("table", depth=max(layer.table_size, 1), width=layer.table_bits, count=max(1, math.ceil(lookups / 2)))


@register("elementwise")
def elementwise(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """ReLU, linear, leaky/parametric ReLU, clipping: one small operator per element of a word."""
    return LayerCost(
        name=layer.name,
        logic_bits=float(layer.width_in * layer.output_bits),
        interval_cycles=float(words(layer, ctx)),
        timing=Timing(compare_levels=1),
    )


@register("table")
def table(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """Sigmoid, tanh, ELU and other activations read from a ROM: address arithmetic plus the table."""
    return LayerCost(
        name=layer.name,
        logic_bits=float(layer.width_in * layer.input_bits),
        memories=(tables(layer.width_in, layer),),
        interval_cycles=float(words(layer, ctx)),
        timing=Timing(lookups=1),
    )


@register("softmax")
def softmax(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """exp table per element, inverse table once, one product per element."""
    n = layer.width_in
    per_cycle = n if ctx.io_type == "io_parallel" else math.ceil(n / layer.reuse)
    return LayerCost(
        name=layer.name,
        dsp=float(per_cycle),
        logic_bits=float(n * layer.table_bits),
        adder_bits=float(n * layer.table_bits),
        register_bits=float(n * layer.table_bits),
        memories=(tables(per_cycle, layer), Memory("table", depth=max(layer.table_size, 1), width=layer.table_bits)),
        interval_cycles=float(words(layer, ctx) * (1 if ctx.io_type == "io_parallel" else layer.reuse)),
        timing=Timing(multiplier="dsp", adder_levels=max(1, math.ceil(math.log2(n + 1))), lookups=2),
    )
