"""Layers that move data without arithmetic: zero padding and Flatten/Reshape."""

from __future__ import annotations

from fpgaflow.estimate.rules import Context, LayerCost, register
from fpgaflow.estimate.spec import HlsLayerSpec


@register("pad")
def pad(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """Zero padding of a stream: a select per element of each output word, one word per cycle."""
    words = layer.pixels_out if ctx.io_type == "io_stream" else 1
    return LayerCost(
        name=layer.name, logic_bits=float(layer.width_out * layer.output_bits), interval_cycles=float(words)
    )


@register("reshape")
def reshape(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """Flatten/Reshape: wiring (an io_stream Flatten keeps the stream as it is, hls4ml 1.3)."""
    return LayerCost(name=layer.name, control=0.0, interval_cycles=0.0)
