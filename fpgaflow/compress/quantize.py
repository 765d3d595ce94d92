"""QKeras quantiser objects from typed specs (no quantiser strings outside the convert stage)."""

from __future__ import annotations

from typing import Any

from fpgaflow.compress.config import ActivationQuantizerSpec, QuantizerSpec


def weight_quantizer(spec: QuantizerSpec) -> Any:
    """``quantized_bits(bits, integer, alpha=1)``: signed, hardware type ``ap_fixed<bits, integer+1>``.

    ``alpha=1`` fixes the scale to a power of two so the trained weights are exactly representable in
    the hardware type (no per-channel scale that hls4ml would have to fold in).
    """
    from qkeras import quantized_bits

    return quantized_bits(spec.bits, spec.integer, alpha=1)


def activation_quantizer(spec: ActivationQuantizerSpec) -> Any:
    """``quantized_relu(bits, integer)``: unsigned, hardware type ``ap_ufixed<bits, integer>``."""
    from qkeras import quantized_relu

    return quantized_relu(spec.bits, spec.integer)
