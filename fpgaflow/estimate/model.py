"""Analytical per-layer model of hls4ml's Vivado implementation: LUT, FF, DSP48, BRAM18, latency, interval.

What is counted, per layer (:class:`~fpgaflow.estimate.spec.HlsLayerSpec`):

* Multipliers.  A Dense/Conv layer instantiates ``ceil(nonzero weights / reuse)`` multipliers in the
  Latency strategy (hls4ml drops zero weights, HLS folds the constants) and ``ceil(weights / reuse)`` in
  the Resource strategy (weights read from a ROM, zeros included).  A constant-weight multiplier goes to
  a DSP48 only when both operands are wider than 10 bits (narrower ones become LUT shift-and-add); a
  memory-weight multiplier goes to a DSP48 when either operand is wider than 10 bits.  Operands wider
  than the DSP48E1's 25 x 18 bits take several DSPs.
* BRAM18, counted structurally: Resource-strategy weight ROMs (``block factor x weight bits`` wide, 36
  bits per BRAM18 port), ``io_stream`` FIFOs of more than 512 bits (smaller ones are shift registers),
  activation and softmax lookup tables (one copy per two parallel lookups, dual-port ROMs).
* LUT and FF: a linear model over bit-level features (:func:`layer_features`) with calibrated
  coefficients (:mod:`fpgaflow.estimate.coefficients`).
* Cycles: an ``io_stream`` layer takes one stream word per cycle (``reuse`` cycles per word for a
  multiplier layer with reuse > 1); the dataflow design's interval is its slowest layer's, its latency
  that interval plus every layer's pipeline depth.  ``io_parallel`` layers run one after another.

The LUT/FF coefficients reproduce Vivado HLS C-synthesis estimates; ``target="synth"`` scales every
resource by the measured post-synthesis / HLS ratio (HLS overstates LUTs about two-fold).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

from fpgaflow.estimate.coefficients import FEATURES, Coefficients, LinearCoefficients
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec
from fpgaflow.estimate.table import LayerResources, ResourceTable

Target = Literal["hls", "synth"]

#: Operands at most this wide are multiplied in LUTs by Vivado HLS (the hls4ml papers' ~10-bit knee).
LUT_MULT_MAX_BITS = 10
#: A FIFO of at most this many bits (depth x width) is built from shift registers, not a BRAM18.
SRL_FIFO_MAX_BITS = 512
#: Table entries are 18-bit ``ap_fixed<18,8>`` in hls4ml's default activation precision.
TABLE_BITS = 18
#: BRAM18 aspect ratios (depth, width) of the 7-series RAMB18E1 in simple dual-port mode.
_BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))


def bram18_for(depth: int, width: int) -> int:
    """BRAM18 blocks for a ``depth x width``-bit memory, choosing the best RAMB18 aspect ratio."""
    if depth <= 0 or width <= 0:
        return 0
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in _BRAM18_SHAPES)


def dsp_tiles(a_bits: int, b_bits: int) -> int:
    """DSP48E1 slices for one ``a x b``-bit product (25 x 18 signed multiplier per slice)."""
    wide, narrow = max(a_bits, b_bits), min(a_bits, b_bits)
    return math.ceil(wide / 25) * math.ceil(narrow / 18) if wide > 25 or narrow > 18 else 1


def multipliers(layer: HlsLayerSpec) -> int:
    """Multipliers instantiated by a ``mult``/``depthwise`` layer (hls4ml's ``multiplier_limit``)."""
    if layer.kind not in ("mult", "depthwise"):
        return 0
    if layer.strategy == "latency":
        return math.ceil(layer.n_nonzero / layer.reuse)
    return math.ceil(layer.n_weights / layer.reuse)


def dsp_per_multiplier(layer: HlsLayerSpec, coeffs: Coefficients) -> float:
    """DSP48 slices per multiplier of this layer (fractions are calibrated averages)."""
    wb, ab = layer.weight_bits, layer.input_bits
    if layer.strategy == "latency":  # constant weights, folded by HLS
        if min(wb, ab) <= LUT_MULT_MAX_BITS:
            return 0.0
        return coeffs.dsp_constant_fraction * dsp_tiles(wb, ab)
    if max(wb, ab) <= LUT_MULT_MAX_BITS:  # weights from a ROM: a true variable multiply
        return coeffs.dsp_small_variable_fraction
    return float(dsp_tiles(wb, ab))


def _parallel_elements(layer: HlsLayerSpec) -> int:
    """Elements processed in the same cycle: one stream word (channels) or the whole vector."""
    return layer.width_out


def uses_dataflow(design: DesignSpec) -> bool:
    """hls4ml pipelines an io_parallel Latency design as one function; streams and Resource use DATAFLOW."""
    return design.io_type == "io_stream" or any(layer.strategy == "resource" for layer in design.layers)


def fifo_bits(layer: HlsLayerSpec, io_type: str, dataflow: bool) -> int:
    """Bits of one of the layer's output FIFOs (one FIFO per element of the output word)."""
    if io_type == "io_stream":
        return layer.fifo_depth * layer.output_bits
    if dataflow and layer.fifo_depth:
        return layer.output_bits
    return 0


def layer_features(
    layer: HlsLayerSpec, coeffs: Coefficients, io_type: str, dataflow: bool = True, include_fifo: bool = True
) -> dict[str, float]:
    """Bit-level quantities the LUT and FF models are linear in (see :class:`LinearCoefficients`)."""
    f = dict.fromkeys(FEATURES, 0.0)
    if layer.kind == "reshape":
        return f
    f["layer"] = 1.0
    f["io_bits"] = layer.width_in * layer.input_bits + layer.width_out * layer.output_bits
    n_mult = multipliers(layer)
    if n_mult:
        dsp_frac = min(1.0, dsp_per_multiplier(layer, coeffs))
        f["mult_lut_bits"] = n_mult * (1.0 - dsp_frac) * layer.weight_bits * layer.input_bits
        f["adder_bits"] = n_mult * layer.accum_bits
        if layer.reuse > 1:
            f["mux_bits"] = layer.n_weights * layer.input_bits
    if layer.kind == "elementwise":
        f["elementwise_bits"] = _parallel_elements(layer) * layer.output_bits
    if layer.kind == "pool":
        f["pool_bits"] = layer.kernel[0] * layer.kernel[1] * layer.width_in * layer.input_bits
    if layer.kind in ("table", "softmax"):
        f["table_bits"] = layer.width_in * math.log2(max(layer.table_size, 2))
    if io_type == "io_stream" and layer.kind in ("mult", "depthwise", "pool") and layer.kernel[0] > 1:
        # ap_shift_reg rows of row_in words: one SRL32 per bit lane per 32 words of depth.
        lanes = (layer.kernel[0] - 1) * layer.width_in * layer.input_bits
        f["linebuffer_srls"] = lanes * math.ceil(layer.row_in / 32)
    bits = fifo_bits(layer, io_type, dataflow)
    if include_fifo and 0 < bits <= SRL_FIFO_MAX_BITS:
        f["fifo_bits"] = float(bits * layer.width_out)
    return f


def _linear(coeffs: LinearCoefficients, features: dict[str, float]) -> float:
    return sum(c * features[name] for c, name in zip(coeffs.as_tuple(), FEATURES, strict=True))


def layer_dsp(layer: HlsLayerSpec, coeffs: Coefficients) -> float:
    """DSP48 slices: multipliers mapped to DSPs, plus softmax's normalising multiplies."""
    dsp = multipliers(layer) * dsp_per_multiplier(layer, coeffs)
    if layer.kind == "softmax":
        dsp += layer.width_in
    return dsp


def layer_bram18(layer: HlsLayerSpec, io_type: str, dataflow: bool = True) -> float:
    """BRAM18 blocks: Resource-strategy weight ROMs, large stream FIFOs and lookup tables."""
    bram = 0
    if layer.kind in ("mult", "depthwise") and layer.strategy == "resource" and layer.reuse > 1:
        bram += bram18_for(layer.reuse, multipliers(layer) * layer.weight_bits)
    if fifo_bits(layer, io_type, dataflow) > SRL_FIFO_MAX_BITS:
        bram += layer.width_out * bram18_for(layer.fifo_depth, layer.output_bits)
    if layer.kind == "table":
        bram += math.ceil(layer.width_in / 2) * bram18_for(layer.table_size, TABLE_BITS)
    if layer.kind == "softmax":
        bram += (math.ceil(layer.width_in / 2) + 1) * bram18_for(layer.table_size, TABLE_BITS)
    return float(bram)


def layer_cycles(layer: HlsLayerSpec, io_type: str) -> tuple[float, float]:
    """(latency, interval) in clock cycles of one layer for one input sample."""
    per_word = layer.reuse if layer.kind in ("mult", "depthwise") else 1
    terms = max(layer.n_weights // max(layer.width_out, 1), 1)
    depth = 2.0 + (math.ceil(math.log2(terms)) if layer.kind in ("mult", "depthwise") else 0.0)
    if layer.kind == "softmax":
        depth += 4.0
    if layer.kind == "reshape":
        # io_stream Flatten repacks a stream of pixels into one word: one cycle per pixel read.
        pixels = float(layer.pixels_in) if io_type == "io_stream" and layer.pixels_in > 1 else 1.0
        return pixels if pixels > 1 else 0.0, pixels
    if io_type == "io_stream":
        if layer.kind in ("mult", "depthwise") and layer.strategy == "resource":
            # Not pipelined per pixel: reading is one cycle per pixel, each output pixel adds reuse cycles.
            interval = float(max(layer.pixels_in, 1) + layer.pixels_out * (layer.reuse - 1))
        else:
            interval = float(max(layer.pixels_in, 1) * per_word)
        return interval + depth, interval
    return depth + per_word - 1, float(per_word)


def estimate_layer(layer: HlsLayerSpec, coeffs: Coefficients, io_type: str, dataflow: bool = True) -> LayerResources:
    """HLS-level estimate of one layer, its output FIFOs included (before the post-synthesis scaling)."""
    feats = layer_features(layer, coeffs, io_type, dataflow)
    latency, interval = layer_cycles(layer, io_type)
    return LayerResources(
        name=layer.name,
        lut=_linear(coeffs.lut, feats),
        ff=_linear(coeffs.ff, feats),
        dsp=layer_dsp(layer, coeffs),
        bram18=layer_bram18(layer, io_type, dataflow),
        latency_cycles=latency,
        interval_cycles=interval,
    )


def _with_ports(design: DesignSpec) -> tuple[HlsLayerSpec, ...]:
    """The design's layers with the last one's output FIFO removed: it is the top-level port."""
    *inner, last = design.layers
    return (*inner, replace(last, fifo_depth=0))


def design_features(design: DesignSpec, coeffs: Coefficients) -> dict[str, float]:
    """Sum of :func:`layer_features` over the design (what the LUT/FF fit sees)."""
    total = dict.fromkeys(FEATURES, 0.0)
    dataflow = uses_dataflow(design)
    for layer in _with_ports(design):
        for name, value in layer_features(layer, coeffs, design.io_type, dataflow).items():
            total[name] += value
    return total


def _scale(row: LayerResources, coeffs: Coefficients) -> LayerResources:
    return LayerResources(
        name=row.name,
        lut=row.lut * coeffs.synth_lut,
        ff=row.ff * coeffs.synth_ff,
        dsp=row.dsp * coeffs.synth_dsp,
        bram18=row.bram18 * coeffs.synth_bram18,
        latency_cycles=row.latency_cycles,
        interval_cycles=row.interval_cycles,
    )


def estimate_design(design: DesignSpec, coeffs: Coefficients, target: Target = "synth") -> ResourceTable:
    """Per-layer and total estimate of an hls4ml design (the NN core, without the AXI/DMA shell).

    ``target="hls"`` predicts what Vivado HLS C-synthesis would report; ``"synth"`` what Vivado synthesis
    would report (HLS figures times the measured post-synthesis ratios).
    """
    dataflow = uses_dataflow(design)
    rows = [estimate_layer(layer, coeffs, design.io_type, dataflow) for layer in _with_ports(design)]
    if target == "synth":
        rows = [_scale(r, coeffs) for r in rows]
    intervals = [r.interval_cycles or 0.0 for r in rows]
    latencies = [r.latency_cycles or 0.0 for r in rows]
    interval = max(intervals)
    if design.io_type == "io_stream":
        latency = interval + sum(lat - iv for lat, iv in zip(latencies, intervals, strict=True))
    else:
        latency = sum(latencies)
    total = LayerResources(
        name="total",
        lut=sum(r.lut for r in rows),
        ff=sum(r.ff for r in rows),
        dsp=sum(r.dsp for r in rows),
        bram18=sum(r.bram18 for r in rows),
        latency_cycles=latency,
        interval_cycles=interval,
    )
    kind = "Vivado synthesis" if target == "synth" else "Vivado HLS C-synthesis"
    return ResourceTable(
        source=f"estimate (analytical model, predicts {kind})",
        total=total,
        layers=tuple(rows),
        clock_period_ns=design.clock_period_ns,
        notes=design.notes,
    )
