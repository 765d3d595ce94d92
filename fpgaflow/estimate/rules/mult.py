"""Multiplying layers: Dense, Conv1D/2D, pointwise and depthwise convolution, batch normalisation.

Constant weights (Latency strategy, reuse factor 1).  Vivado HLS sees ``x * c`` with ``c`` a constant and
builds it from the CSD digits of ``c``: a zero costs nothing, a power of two is wiring, ``d`` digits cost
``d - 1`` adders.  It binds the product to a DSP48 only when ``c`` has at least :data:`DSP_MIN_DIGITS` digits
*and* the product is at least :data:`DSP_MIN_PRODUCT_BITS` wide (input bits + the weight's significant
bits).  Learned from the reports (per-layer DSP48 counts of 16-bit designs match the count of >= 3-digit
weights within a few per cent; the 16-bit x 6-bit first convolution of a QKeras CNN does use DSPs for its
3-digit weights; a 6-bit input times 16-bit weights uses one only for the widest weights).

Shared multipliers (reuse factor R > 1, or the Resource strategy).  hls4ml limits the layer to
``multiplier_limit`` multipliers, each fed by a multiplexer (or, Resource, a weight ROM) and used for R
products: a true variable multiply, bound to a DSP48 when an operand is wider than 10 bits, to half a DSP48
when both operands have 6-10 bits (two narrow products per slice), else built from LUTs.

In ``io_stream`` a convolution computes one output pixel per input pixel from a window held in registers,
fed by (kernel height - 1) line buffers of the input row; with shared multipliers each pixel takes
``ceil(real multiplies / multiplier_limit) + 1`` cycles, where a real multiply is one that is not a shift
(what the HLS scheduler has to share): the rule the reuse-16 and reuse-64 MNIST CNNs follow exactly.
"""

from __future__ import annotations

import math
from dataclasses import replace

from fpgaflow.estimate.rules import Context, LayerCost, Memory, MultiplierKind, Timing, register
from fpgaflow.estimate.spec import HlsLayerSpec
from fpgaflow.estimate.weights import WeightProfile

#: A constant product goes to a DSP48 only if the weight has at least this many CSD digits ...
DSP_MIN_DIGITS = 3
#: ... and input bits + the weight's significant bits reach this width.
DSP_MIN_PRODUCT_BITS = 16
#: A variable product is one DSP48 when an operand is wider than this (else half, or LUTs).
DSP_WIDE_OPERAND_BITS = 10
#: Both operands at least this wide (and none wider than DSP_WIDE_OPERAND_BITS): half a DSP48 per product.
DSP_PAIR_MIN_BITS = 6
#: Cycles a Resource-strategy convolution spends per input word beyond its reuse factor (the reuse-12/16
#: neutrino CNN: 21, 26 and 27 cycles per word at reuse 12, 16, 16; hls4ml 0.6's 'encoded' convolution).
RESOURCE_WORD_OVERHEAD = 10


def constant_in_dsp(profile: WeightProfile, input_bits: int) -> int:
    """Constant products HLS binds to DSP48s: weights with >= 3 CSD digits in a product >= 16 bits wide."""
    return sum(
        n for sig, digits, n in profile.classes if digits >= DSP_MIN_DIGITS and input_bits + sig >= DSP_MIN_PRODUCT_BITS
    )


def shift_add_bits(profile: WeightProfile, input_bits: int) -> float:
    """Adder bits of the constant products built from LUTs: (digits - 1) x (input + significant bits) each."""
    return float(
        sum(
            n * (digits - 1) * (input_bits + sig)
            for sig, digits, n in profile.classes
            if not (digits >= DSP_MIN_DIGITS and input_bits + sig >= DSP_MIN_PRODUCT_BITS)
        )
    )


def real_multiplies(profile: WeightProfile) -> int:
    """Products that are not shifts or shift-adds of two terms (what a shared multiplier has to compute)."""
    return sum(n for _, digits, n in profile.classes if digits >= DSP_MIN_DIGITS)


def dsp_tiles(a_bits: int, b_bits: int) -> int:
    """DSP48E1 slices for one ``a x b``-bit product (25 x 18 signed multiplier per slice)."""
    wide, narrow = max(a_bits, b_bits), min(a_bits, b_bits)
    return math.ceil(wide / 25) * math.ceil(narrow / 18) if wide > 25 or narrow > 18 else 1


def variable_dsp(a_bits: int, w_bits: int) -> float:
    """DSP48 slices of one variable product (shared multiplier)."""
    if max(a_bits, w_bits) > DSP_WIDE_OPERAND_BITS:
        return float(dsp_tiles(a_bits, w_bits))
    if min(a_bits, w_bits) >= DSP_PAIR_MIN_BITS:
        return 0.5
    return 0.0


#: Mean growth (bits) of a sum over the product width along an adder tree (half the adders are at the
#: leaves, a quarter one level up, ...: 1 + 1/2 + ... ~ 2 bits on average).
ADDER_GROWTH_BITS = 2


def adder_width(layer: HlsLayerSpec) -> int:
    """Mean bits of one adder of the tree: the accumulator type, or less when the products are narrow (HLS
    sizes each sum from its operands' ranges: product bits plus the growth along the tree)."""
    return min(layer.accum_bits, layer.input_bits + layer.weight_bits + ADDER_GROWTH_BITS)


def shared(layer: HlsLayerSpec) -> bool:
    """Multipliers shared over several products: a reuse factor above 1, or the Resource strategy."""
    return layer.reuse > 1 or layer.strategy == "resource"


def multiplier_limit(layer: HlsLayerSpec) -> int:
    """hls4ml's ``multiplier_limit``: ceil(weights / R), less floor(zeros / R) in the Latency strategy."""
    full = math.ceil(layer.n_weights / layer.reuse)
    if layer.strategy == "resource":
        return full
    return max(1, full - layer.n_zeros // layer.reuse)


def outputs_per_pass(layer: HlsLayerSpec) -> int:
    """Accumulators of one pass of the datapath (output channels of a pixel, or the vector length)."""
    return layer.width_out


def multiply_cost(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """The multipliers, adder tree, operand multiplexers and weight storage of one pass of the layer.

    Latency strategy: every product is kept (``mult[]`` in hls4ml's ``dense_latency``) and summed by a full
    adder tree, whatever the reuse factor; with R > 1 the ``multiplier_limit`` multipliers are shared over
    R cycles through operand multiplexers and the products are held in registers until the tree sums them.
    Resource strategy: ``multiplier_limit`` multipliers read their weights from a ROM (R words) and add into
    the accumulators every cycle.
    """
    a, w, acc = layer.input_bits, layer.weight_bits, adder_width(layer)
    profile = layer.profile
    n_out = outputs_per_pass(layer)
    levels = max(1, math.ceil(math.log2(layer.terms + 1)))
    cut = n_out * acc * math.sqrt(max(layer.terms, 1))
    if not shared(layer):
        in_dsp = constant_in_dsp(profile, a)
        return LayerCost(
            name=layer.name,
            dsp=float(in_dsp),
            shift_add_bits=shift_add_bits(profile, a),
            adder_bits=float((profile.nonzero - in_dsp) * acc),
            dsp_adder_bits=float(in_dsp * acc),
            cut_bits=cut,
            timing=Timing("dsp" if in_dsp else ("lut" if profile.nonzero else "none"), levels),
        )
    limit = multiplier_limit(layer)
    per_dsp = variable_dsp(a, w)
    var_bits = float(limit * a * w) if per_dsp == 0 else 0.0
    kind: MultiplierKind = "dsp" if per_dsp else "lut"
    if layer.strategy == "resource":
        return LayerCost(
            name=layer.name,
            dsp=limit * per_dsp,
            var_mult_bits=var_bits,
            adder_bits=float(limit * acc),
            mux_bits=float(limit * a * (min(layer.reuse, distinct_inputs(layer)) - 1)),
            register_bits=float(n_out * acc + limit * (a + w)),
            cut_bits=float(limit * acc),
            memories=(Memory("weights", depth=layer.reuse, width=limit * w),),
            timing=Timing(kind, 1),
        )
    products = layer.n_nonzero
    ways = min(layer.reuse, distinct_inputs(layer))
    return LayerCost(
        name=layer.name,
        dsp=limit * per_dsp,
        var_mult_bits=var_bits,
        adder_bits=float(products * acc),
        mux_bits=float(limit * a * (ways - 1)),
        register_bits=float(products * acc + n_out * acc),
        cut_bits=cut,
        memories=(Memory("constants", depth=layer.reuse, width=limit * w),),
        timing=Timing(kind, levels),
    )


def distinct_inputs(layer: HlsLayerSpec) -> int:
    """Different input values one shared multiplier can be fed: the fan-in (kernel window x channels)."""
    return max(1, layer.terms)


def cycles_per_word(layer: HlsLayerSpec, ctx: Context) -> int:
    """Cycles a layer with shared multipliers spends on each input word (1 when nothing is shared): the reuse
    factor in the Resource strategy (plus :data:`RESOURCE_WORD_OVERHEAD` for a streamed convolution), the
    real multiplies over the multipliers, plus one, in the Latency strategy."""
    if not shared(layer):
        return 1
    if layer.strategy == "resource":
        windowed = ctx.io_type == "io_stream" and layer.kernel != (1, 1) and layer.reuse > 1
        return layer.reuse + (RESOURCE_WORD_OVERHEAD if windowed else 0)
    return math.ceil(real_multiplies(layer.profile) / multiplier_limit(layer)) + 1


def stream_window(layer: HlsLayerSpec) -> LayerCost:
    """io_stream convolution infrastructure: (kernel height - 1) line buffers of the input row (one per
    channel and row, ``input_bits`` wide) and the kernel window in registers."""
    kh, kw = layer.kernel
    rows = (kh - 1) * layer.width_in
    memories = (Memory("linebuffer", depth=layer.row_in, width=layer.input_bits, count=rows),) if rows else ()
    return LayerCost(
        name=layer.name,
        control=0.0,
        register_bits=float(kh * kw * layer.width_in * layer.input_bits),
        memories=memories,
    )


def _layer(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    cost = multiply_cost(layer, ctx)
    per_word = cycles_per_word(layer, ctx)
    if ctx.io_type != "io_stream":
        return replace(cost, interval_cycles=float(per_word))
    if layer.pixels_out == 1 and layer.kernel == (1, 1):  # a Dense reading a flattened map word by word
        return replace(cost, interval_cycles=float(layer.pixels_in + per_word - 1))
    if layer.pixels_in > 1:
        cost = cost.plus(stream_window(layer))
    return replace(cost, interval_cycles=float(layer.pixels_in * per_word))


@register("mult")
def dense_or_conv(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """Dense, Conv1D/2D and pointwise convolution."""
    return _layer(layer, ctx)


@register("depthwise")
def depthwise(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """Depthwise convolution: one k x k kernel per channel (the same arithmetic, fan-in k x k)."""
    return _layer(layer, ctx)


@register("batchnorm")
def batchnorm(layer: HlsLayerSpec, ctx: Context) -> LayerCost:
    """Scale and shift per element: one product and one adder each (a shared multiplier when the word's
    scales change from word to word, as after a Flatten in io_stream)."""
    cost = multiply_cost(layer, ctx)
    words = layer.pixels_in if ctx.io_type == "io_stream" else 1
    return replace(cost, interval_cycles=float(words))
