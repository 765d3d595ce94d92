"""What a layer's constant weights cost in hardware depends on their values, not only their width.

A constant multiplier ``x * c`` is built by Vivado HLS from the canonical-signed-digit (CSD) form of ``c``:
one shifted copy of ``x`` per nonzero digit, added together.  So a zero weight costs nothing, a power of
two (one digit) is wiring, and a weight with ``d`` digits costs ``d - 1`` adders, each about as wide as ``x``
plus the weight's significant bits.  HLS binds the product to a DSP48 instead when the weight has at least
three digits and the product is wide (see :mod:`fpgaflow.estimate.rules.mult`).

:class:`WeightProfile` is the histogram the resource rules need: how many weights have each
(significant bits, CSD digits) pair once cast to their ``ap_fixed`` type, plus the zeros.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.config.strict import check
from fpgaflow.convert.precision import hls4ml_fixed_type
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import quantize


def csd_digits(code: int) -> int:
    """Nonzero digits of ``code`` in canonical signed-digit form (0 for 0, 1 for a power of two, 2 for 7 = 8 - 1)."""
    n = abs(int(code))
    digits = 0
    while n:
        if n & 1:
            digits += 1
            n = n + 1 if n & 3 == 3 else n - 1
        n >>= 1
    return digits


def significant_bits(code: int) -> int:
    """Bits of ``|code|`` between its highest and lowest set bit (a power of two has 1; 0 has 0)."""
    n = abs(int(code))
    if n == 0:
        return 0
    return (n >> ((n & -n).bit_length() - 1)).bit_length()


@dataclass(frozen=True)
class WeightProfile:
    """The constant weights of one layer as the multiplier rules see them.

    ``bits``: width ``W`` of the weight type ``ap_fixed<W, I>``; ``zeros``: weights whose code is 0 (cost
    nothing in the Latency strategy); ``classes``: ``(significant bits, CSD digits, count)`` for every other
    weight value class, sorted.  A power of two is ``(1, 1, n)``.
    """

    bits: int
    zeros: int = 0
    classes: tuple[tuple[int, int, int], ...] = ()

    def __post_init__(self) -> None:
        check(self.bits >= 1, f"weight width must be >= 1, got {self.bits}")
        check(self.zeros >= 0, f"zero-weight count must be >= 0, got {self.zeros}")
        for sig, digits, count in self.classes:
            check(sig >= 1 and digits >= 1 and count >= 1, f"bad weight class {(sig, digits, count)}")

    @property
    def nonzero(self) -> int:
        return sum(c for _, _, c in self.classes)

    @property
    def total(self) -> int:
        return self.zeros + self.nonzero

    @property
    def powers_of_two(self) -> int:
        """Nonzero weights with one CSD digit (a shift, no adder)."""
        return sum(c for _, d, c in self.classes if d == 1)

    @classmethod
    def from_codes(cls, codes: npt.ArrayLike, bits: int) -> WeightProfile:
        """Profile of integer weight codes (value = code * 2^-fractional bits)."""
        flat = np.asarray(codes, dtype=np.int64).ravel()
        counts = Counter((significant_bits(c), csd_digits(c)) for c in flat[flat != 0].tolist())
        classes = tuple(sorted((s, d, n) for (s, d), n in counts.items()))
        return cls(bits=bits, zeros=int(np.count_nonzero(flat == 0)), classes=classes)

    @classmethod
    def dense(cls, n: int, bits: int) -> WeightProfile:
        """``n`` weights of unknown value: every one taken as a full-width, non-trivial constant (the worst case
        for LUT-built multipliers; used when a design is described without its weights)."""
        digits = max(1, math.ceil((bits + 1) / 3))
        return cls(bits=bits, zeros=0, classes=((bits, digits, n),) if n else ())

    def scaled(self, fraction: float) -> WeightProfile:
        """The same value mix on ``fraction`` of the weights (rounded up), e.g. the weights of one time step."""
        classes = tuple((s, d, math.ceil(c * fraction)) for s, d, c in self.classes)
        return WeightProfile(self.bits, math.ceil(self.zeros * fraction), tuple(c for c in classes if c[2] > 0))


def weight_codes(data: npt.ArrayLike, precision: Any) -> npt.NDArray[np.int64] | None:
    """Integer codes of ``data`` cast to an hls4ml precision (the one fixed-point cast,
    :func:`fpgaflow_board.fixed_point.quantize`, with the type's rounding and overflow modes), as the C++
    initialiser of the weight array does; ``None`` for a float type or one the exact cast cannot hold."""
    try:
        fixed = hls4ml_fixed_type(precision)
        if fixed is None:
            return None
        codes: npt.NDArray[np.int64] = quantize(np.asarray(data, dtype=np.float64).ravel(), fixed)[0]
    except FixedPointError:  # saturation bits, or wider than the exact int64 cast
        return None
    return codes
