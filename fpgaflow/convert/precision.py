"""Fixed-point types as typed specs; the only place that renders ``ap_fixed<W,I,Q,O>`` strings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check


@dataclass(frozen=True)
class FixedType:
    """``ap_fixed<width, integer, rounding, overflow>`` (``ap_ufixed`` when ``signed`` is false).

    ``width`` total bits; ``integer`` bits left of the binary point (including the sign bit when signed),
    so the step is 2^-(width - integer).  ``rounding``: TRN truncates toward −∞, RND rounds half up;
    ``overflow``: WRAP keeps the low bits, SAT clips to the range.
    """

    width: int
    integer: int
    signed: bool = True
    rounding: Literal["TRN", "RND", "RND_CONV"] = "TRN"
    overflow: Literal["WRAP", "SAT"] = "WRAP"

    def __post_init__(self) -> None:
        check(1 <= self.width <= 64, f"fixed-point width must be in [1, 64], got {self.width}")

    @property
    def step(self) -> float:
        return 2.0 ** -(self.width - self.integer)

    def hls(self) -> str:
        base = "ap_fixed" if self.signed else "ap_ufixed"
        if self.rounding == "TRN" and self.overflow == "WRAP":
            return f"{base}<{self.width},{self.integer}>"
        return f"{base}<{self.width},{self.integer},{self.rounding},{self.overflow}>"


def input_type_for_adc(input_scale: float, adc_bits: int = 8) -> FixedType | None:
    """The exact unsigned type for ``adc_bits``-bit ADC counts times ``input_scale`` (a power of two).

    With 8-bit ADC counts and scale 1/256 this is ``ap_ufixed<8,0>``: every input is exact and each
    stream element needs 8 bits.  Returns ``None`` when the scale is not a power of two.
    """
    exponent = math.log2(input_scale)
    if not exponent.is_integer():
        return None
    return FixedType(width=adc_bits, integer=adc_bits + int(exponent), signed=False)
