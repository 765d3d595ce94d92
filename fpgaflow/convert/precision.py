"""Planning helpers for fixed-point types: integer bits for a range, the exact network-input type, and the
type of an hls4ml precision object.

The type itself (``FixedType``, ``parse_fixed``, the ``ap_fixed`` renderer) is
:mod:`fpgaflow_board.fixed_point`, shared with the emulator and the board.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fpgaflow.errors import ConfigError
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import FixedType, int_type
from fpgaflow_board.scaling import scale_inputs


def signed_integer_bits(max_abs: float, fractional: int) -> int:
    """Smallest integer-bit count I (sign bit included) with −2^(I−1) ≤ −max_abs and max_abs ≤ 2^(I−1) − 2^-f."""
    if max_abs <= 0:
        return 1
    return max(1, math.ceil(math.log2(max_abs + 2.0**-fractional)) + 1)


def hls4ml_fixed_type(precision: Any) -> FixedType | None:
    """The :class:`FixedType` of an hls4ml precision: ``FixedPrecisionType`` (``ap_[u]fixed`` with its modes) or
    ``IntegerPrecisionType`` (``ap_[u]int``: truncation toward zero); ``None`` for a float or other type.
    Saturation bits (N > 0) raise :class:`FixedPointError`."""
    width, integer = getattr(precision, "width", None), getattr(precision, "integer", None)
    signed = bool(getattr(precision, "signed", True))
    if width is None:
        return None
    # By name (this module does not import hls4ml).  hls4ml reports integer = width and AP_TRN for it, but
    # the C++ type is ap_int<W>, which takes an ap_fixed or a double toward zero.
    if type(precision).__name__ == "IntegerPrecisionType":
        return int_type(int(width), signed)
    if integer is None:
        return None
    if getattr(precision, "saturation_bits", 0):
        raise FixedPointError(f"{precision}: saturation bits are not modelled")
    rounding = str(getattr(precision, "rounding_mode", "TRN")).upper()
    overflow = str(getattr(precision, "saturation_mode", "WRAP")).upper()
    return FixedType(int(width), int(integer), signed, rounding, overflow)  # type: ignore[arg-type]


def input_type_for_adc(input_scale: float, adc_bits: int = 8) -> FixedType:
    """The narrowest unsigned type that holds every network input exactly: each ``adc_bits``-bit ADC count
    scaled as in training (:func:`fpgaflow_board.scaling.scale_inputs`, float32).

    A power-of-two scale keeps the ADC's bits: 1/256 gives ``ap_ufixed<8,0>``.  Any other scale gives
    float32 values with up to 24 significant bits spread over the 2^adc_bits counts, so the type is wider
    (0.01 gives ``ap_ufixed<31,2>``; at most 24 + adc_bits bits); the C simulation and the emulator then see
    exactly the inputs the model sees.
    """
    if not input_scale > 0:
        raise ConfigError(f"input scale must be > 0, got {input_scale}")
    values = scale_inputs(np.arange(2**adc_bits, dtype=np.float32), input_scale).astype(np.float64)
    if not np.all(np.isfinite(values)) or values[1] == 0:
        raise ConfigError(f"input scale {input_scale} gives ADC inputs outside float32's range")
    mantissas, exponents = np.frexp(values[1:])  # value = m · 2^e, 0.5 ≤ m < 1, m has ≤ 24 bits
    # fractional bits each value needs: 24 − e minus the trailing zero bits of its 24-bit significand
    significands = (mantissas * 2.0**24).astype(np.int64)
    trailing = np.array([(int(s) & -int(s)).bit_length() - 1 for s in significands])
    fractional = int(np.max(24 - exponents - trailing))
    width = int(np.ldexp(values[-1], fractional)).bit_length()
    return FixedType(width=width, integer=width - fractional, signed=False)
