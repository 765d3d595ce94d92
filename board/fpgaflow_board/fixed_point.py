"""Pack float hit maps into ap_fixed / ap_ufixed / ap_int stream words and back — pure numpy.

A Vivado HLS type ``ap_fixed<W,I,Q,O>`` holds W bits, I of them above the binary point (the sign bit
included for ``ap_fixed``), so one step (LSB) is 2**-(W-I).  On an AXI-Stream the W bits travel in a
lane rounded up to 8, 16 or 32 bits, two's complement for signed types, padding bits zero.

Quantisation follows the C++ ``ap_fixed`` constructor from a double: quantisation mode Q (AP_TRN
default, AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV), then overflow mode
O (AP_WRAP default, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM).  Values outside the type's range are counted
(``PackedWords.n_overflow``) whatever O does with them: with AP_WRAP they wrap silently in hardware.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

QUANTIZATION_MODES = ("AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV")
OVERFLOW_MODES = ("AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM")

_TYPE_RE = re.compile(r"^\s*ap_(u?)(fixed|int)\s*<\s*([^>]*)>\s*$")


@dataclass(frozen=True)
class FixedPointType:
    """``width`` W bits, ``integer`` I bits (sign included when ``signed``), modes as in Vivado HLS."""

    width: int
    integer: int
    signed: bool
    quantization: str = "AP_TRN"
    overflow: str = "AP_WRAP"

    def __post_init__(self) -> None:
        if not 1 <= self.width <= 32:
            raise ValueError(f"fixed-point width must be 1..32 bits (one stream lane of at most 32), got {self.width}")
        if self.quantization not in QUANTIZATION_MODES:
            raise ValueError(f"unknown quantisation mode {self.quantization!r}; expected one of {QUANTIZATION_MODES}")
        if self.overflow not in OVERFLOW_MODES:
            raise ValueError(f"unknown overflow mode {self.overflow!r}; expected one of {OVERFLOW_MODES}")

    @classmethod
    def parse(cls, text: str) -> FixedPointType:
        """From ``ap_fixed<16,6>``, ``ap_ufixed<8,0,AP_RND,AP_SAT>``, ``ap_int<8>``, ``ap_uint<4>``."""
        m = _TYPE_RE.match(text)
        if not m:
            raise ValueError(f"not an ap_fixed/ap_ufixed/ap_int/ap_uint type: {text!r}")
        unsigned, kind, args = m.group(1) == "u", m.group(2), [a.strip() for a in m.group(3).split(",")]
        try:
            width = int(args[0])
            if kind == "int":
                if len(args) != 1:
                    raise ValueError
                # An ap_int constructed from a double converts like a C cast: truncation toward zero.
                return cls(width, width, not unsigned, "AP_TRN_ZERO")
            integer = int(args[1]) if len(args) > 1 else width
        except (ValueError, IndexError):
            raise ValueError(f"cannot read width/integer bits of {text!r}") from None
        q = args[2] if len(args) > 2 else "AP_TRN"
        o = args[3] if len(args) > 3 else "AP_WRAP"
        return cls(width, integer, not unsigned, q, o)

    @property
    def fractional(self) -> int:
        """Bits below the binary point (may be negative or exceed W)."""
        return self.width - self.integer

    @property
    def lsb(self) -> float:
        return float(2.0**-self.fractional)

    @property
    def int_min(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def int_max(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def min_value(self) -> float:
        return self.int_min * self.lsb

    @property
    def max_value(self) -> float:
        return self.int_max * self.lsb

    @property
    def lane_bits(self) -> int:
        """Stream lane: W rounded up to 8, 16 or 32 bits."""
        return next(b for b in (8, 16, 32) if self.width <= b)

    @property
    def lane_dtype(self) -> np.dtype[np.unsignedinteger[Any]]:
        return np.dtype(f"uint{self.lane_bits}")

    def __str__(self) -> str:
        base = f"ap_{'' if self.signed else 'u'}fixed<{self.width},{self.integer}"
        if (self.quantization, self.overflow) != ("AP_TRN", "AP_WRAP"):
            base += f",{self.quantization},{self.overflow}"
        return base + ">"


@dataclass(frozen=True)
class PackedWords:
    """Stream words (unsigned lane dtype) plus how many inputs lay outside the type's range."""

    words: npt.NDArray[np.unsignedinteger[Any]]
    n_overflow: int
    n_values: int


def _round(scaled: npt.NDArray[np.float64], mode: str) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64]
    if mode == "AP_TRN":
        out = np.floor(scaled)
    elif mode == "AP_TRN_ZERO":
        out = np.trunc(scaled)
    elif mode == "AP_RND":
        out = np.floor(scaled + 0.5)
    elif mode == "AP_RND_MIN_INF":
        out = np.ceil(scaled - 0.5)
    elif mode == "AP_RND_ZERO":
        out = np.sign(scaled) * np.ceil(np.abs(scaled) - 0.5)
    elif mode == "AP_RND_INF":
        out = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    else:
        out = np.rint(scaled)  # AP_RND_CONV: ties to even
    return out


def quantize(values: npt.ArrayLike, fmt: FixedPointType) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes (int64, value = code × LSB) and the number of values outside the type's range."""
    x = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        bad = int(np.flatnonzero(~np.isfinite(x.reshape(-1)))[0])
        raise ValueError(f"cannot encode non-finite value at flat index {bad} as {fmt}")
    codes = _round(np.ldexp(x, fmt.fractional), fmt.quantization)
    lo, hi = fmt.int_min, fmt.int_max
    out_of_range = (codes < lo) | (codes > hi)
    n_overflow = int(np.count_nonzero(out_of_range))
    if fmt.overflow == "AP_WRAP":
        span = float(1 << fmt.width)
        wrapped = np.mod(codes - lo, span) + lo if fmt.signed else np.mod(codes, span)
        return wrapped.astype(np.int64), n_overflow
    if fmt.overflow == "AP_SAT_ZERO":
        return np.where(out_of_range, 0.0, codes).astype(np.int64), n_overflow
    if fmt.overflow == "AP_SAT_SYM" and fmt.signed:
        lo = -hi
    return np.clip(codes, lo, hi).astype(np.int64), n_overflow


def pack(values: npt.ArrayLike, fmt: FixedPointType) -> PackedWords:
    """Encode floats as stream words: W-bit two's complement in a ``fmt.lane_dtype`` lane."""
    codes, n_overflow = quantize(values, fmt)
    mask = np.uint64((1 << fmt.width) - 1)
    words = (codes.astype(np.uint64) & mask).astype(fmt.lane_dtype)
    return PackedWords(words=words, n_overflow=n_overflow, n_values=int(codes.size))


def unpack(words: npt.ArrayLike, fmt: FixedPointType) -> npt.NDArray[np.float64]:
    """Decode stream words (any unsigned lane) to float64; padding bits above W are ignored."""
    w = np.asarray(words).astype(np.uint64) & np.uint64((1 << fmt.width) - 1)
    codes = w.astype(np.int64)
    if fmt.signed:
        codes = np.where(codes >= (1 << (fmt.width - 1)), codes - (1 << fmt.width), codes)
    return np.ldexp(codes.astype(np.float64), -fmt.fractional)


def count_out_of_range(values: npt.ArrayLike, fmt: FixedPointType) -> int:
    """How many values the type cannot hold after quantisation (what AP_WRAP would silently wrap)."""
    return quantize(values, fmt)[1]
