"""Fixed-point types as typed specs; the only place that renders ``ap_fixed<W,I,Q,O>`` strings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check

Rounding = Literal["TRN", "RND", "RND_CONV"]
Overflow = Literal["WRAP", "SAT"]


@dataclass(frozen=True)
class FixedType:
    """``ap_fixed<width, integer, rounding, overflow>`` (``ap_ufixed`` when ``signed`` is false).

    ``width`` total bits; ``integer`` bits left of the binary point (including the sign bit when signed),
    so the step (one LSB) is 2^-(width - integer).  ``rounding``: TRN truncates toward −∞, RND rounds half
    up, RND_CONV rounds half to even; ``overflow``: WRAP keeps the low bits, SAT clips to the range.
    """

    width: int
    integer: int
    signed: bool = True
    rounding: Rounding = "TRN"
    overflow: Overflow = "WRAP"

    def __post_init__(self) -> None:
        check(1 <= self.width <= 64, f"fixed-point width must be in [1, 64], got {self.width}")
        check(-64 <= self.integer <= 64, f"fixed-point integer bits must be in [-64, 64], got {self.integer}")

    @property
    def fractional(self) -> int:
        """Bits right of the binary point (negative when the step is larger than 1)."""
        return self.width - self.integer

    @property
    def step(self) -> float:
        """Value of one LSB."""
        return 2.0**-self.fractional

    @property
    def max_value(self) -> float:
        """Largest representable value: 2^(I-1) − step (signed) or 2^I − step (unsigned)."""
        top = self.integer - 1 if self.signed else self.integer
        return 2.0**top - self.step

    @property
    def min_value(self) -> float:
        """Smallest representable value: −2^(I-1) (signed) or 0 (unsigned)."""
        return -(2.0 ** (self.integer - 1)) if self.signed else 0.0

    def covers(self, other: FixedType) -> bool:
        """True if every value of ``other`` is exactly representable in this type."""
        return (
            self.fractional >= other.fractional
            and self.max_value >= other.max_value
            and self.min_value <= other.min_value
        )

    def hls(self) -> str:
        """The C++ type, e.g. ``ap_fixed<16,6>`` or ``ap_ufixed<8,3,AP_RND_CONV,AP_SAT>``."""
        base = "ap_fixed" if self.signed else "ap_ufixed"
        if self.rounding == "TRN" and self.overflow == "WRAP":
            return f"{base}<{self.width},{self.integer}>"
        return f"{base}<{self.width},{self.integer},AP_{self.rounding},AP_{self.overflow}>"

    def __str__(self) -> str:
        return self.hls()


def parse_fixed(text: str) -> FixedType:
    """Parse ``ap_fixed<W,I[,Q[,O]]>`` / ``ap_ufixed<...>`` (with or without the ``AP_`` prefixes)."""
    from fpgaflow.errors import ConfigError

    s = text.strip().replace(" ", "")
    signed = not s.startswith(("ap_ufixed", "ufixed"))
    if "<" not in s or not s.endswith(">") or "fixed" not in s.split("<", 1)[0]:
        raise ConfigError(f"not a fixed-point type: {text!r} (expected e.g. 'ap_fixed<16,6>')")
    parts = s.split("<", 1)[1][:-1].split(",")
    try:
        width, integer = int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        raise ConfigError(f"not a fixed-point type: {text!r} (expected e.g. 'ap_fixed<16,6>')") from None
    rounding = parts[2].removeprefix("AP_") if len(parts) > 2 else "TRN"
    overflow = parts[3].removeprefix("AP_") if len(parts) > 3 else "WRAP"
    if rounding not in ("TRN", "RND", "RND_CONV") or overflow not in ("WRAP", "SAT"):
        raise ConfigError(f"{text!r}: rounding must be TRN/RND/RND_CONV and overflow WRAP/SAT")
    return FixedType(width, integer, signed, rounding, overflow)  # type: ignore[arg-type]


def signed_integer_bits(max_abs: float, fractional: int) -> int:
    """Smallest integer-bit count I (sign bit included) with −2^(I−1) ≤ −max_abs and max_abs ≤ 2^(I−1) − 2^-f."""
    if max_abs <= 0:
        return 1
    return max(1, math.ceil(math.log2(max_abs + 2.0**-fractional)) + 1)


def input_type_for_adc(input_scale: float, adc_bits: int = 8) -> FixedType | None:
    """The exact unsigned type for ``adc_bits``-bit ADC counts times ``input_scale`` (a power of two).

    With 8-bit ADC counts and scale 1/256 this is ``ap_ufixed<8,0>``: every input is exact and each
    stream element needs 8 bits.  Returns ``None`` when the scale is not a power of two.
    """
    exponent = math.log2(input_scale)
    if not exponent.is_integer():
        return None
    return FixedType(width=adc_bits, integer=adc_bits + int(exponent), signed=False)
