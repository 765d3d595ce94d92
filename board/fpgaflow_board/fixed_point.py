"""Xilinx ``ap_fixed`` / ``ap_ufixed`` / ``ap_int`` / ``ap_uint``: the one fixed-point type, pure numpy.

Host (convert, emulate, estimate, fit, verify) and board (stream packing) import it from here: the board
package needs no TensorFlow, so this is the lowest floor both can reach.

``FixedType(width, integer, signed, rounding, overflow)`` is ``ap_[u]fixed<W, I, Q, O>``: W bits in all,
I of them left of the binary point (the sign bit included when signed), so one LSB weighs 2^-(W-I).
``ap_[u]int<W>`` is ``FixedType(W, W, signed, "TRN_ZERO")``: an ``ap_int`` takes a double or an
``ap_fixed`` the way a C cast does, truncating toward zero.

Values are held as int64 *codes* q (real value q·2^-F, F = W − I).  The arithmetic is exact:

* :func:`from_float` — ``dst y = (double)x`` (or ``(float)x``): quantisation of the dropped fraction bits
  (Q: ``AP_TRN`` floor, ``AP_TRN_ZERO``, ``AP_RND`` ties up, ``AP_RND_ZERO``, ``AP_RND_MIN_INF``,
  ``AP_RND_INF``, ``AP_RND_CONV`` ties to even), then overflow of the dropped integer bits (O: ``AP_WRAP``
  keeps the low W bits, ``AP_SAT``, ``AP_SAT_ZERO``, ``AP_SAT_SYM``).
* :func:`requantize` — ``dst y = x`` from another fixed-point type, same two steps on integer codes.
* :func:`to_float` — the exact real value of codes (exact while W ≤ 53).

Limits are checks where they apply, not limits of the type (which allows Xilinx's default 1..1024 bits):
the int64 arithmetic needs W ≤ 62 and does not model ``AP_WRAP_SM`` (:func:`check_int64`); an AXI-Stream
word carries W ≤ 32 bits in an 8/16/32-bit lane (:attr:`FixedType.lane_bits`, :func:`pack`, :func:`unpack`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args, overload

import numpy as np
import numpy.typing as npt

from fpgaflow_board.errors import FixedPointError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.floating[Any]]
#: Codes as the emulator's fast paths carry them: int64, or float32/float64 holding exact integers.
CodeArray = npt.NDArray[np.int64 | np.floating[Any]]
#: A function that keeps its codes' kind: int64 codes in, int64 out; float codes in, float out.
CodeT = TypeVar("CodeT", IntArray, CodeArray)

Rounding = Literal["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
Overflow = Literal["WRAP", "SAT", "SAT_ZERO", "SAT_SYM", "WRAP_SM"]
#: Xilinx quantisation (Q) and overflow (O) modes, without their ``AP_`` prefix.
ROUNDING_MODES: tuple[str, ...] = get_args(Rounding)
OVERFLOW_MODES: tuple[str, ...] = get_args(Overflow)

#: ap_int's default AP_INT_MAX_W: the widest type the Xilinx headers accept without a define.
AP_MAX_WIDTH = 1024
#: Widest type whose codes, shifted and summed, stay exact in int64.
INT64_MAX_WIDTH = 62
#: AXI-Stream lanes a word of W bits travels in (W rounded up; padding bits zero).
LANE_BITS = (8, 16, 32)

_TYPE = re.compile(r"^\s*(?:ap_)?(u?)(fixed|int)\s*<([^<>]*)>\s*$")


@dataclass(frozen=True)
class FixedType:
    """``ap_fixed<width, integer, AP_<rounding>, AP_<overflow>>`` (``ap_ufixed`` when not ``signed``).

    ``width``: W bits in all; ``integer``: I bits left of the binary point, sign bit included (may be
    negative or exceed W); ``rounding``/``overflow``: the Xilinx Q and O modes (defaults AP_TRN, AP_WRAP).
    """

    width: int
    integer: int
    signed: bool = True
    rounding: Rounding = "TRN"
    overflow: Overflow = "WRAP"

    def __post_init__(self) -> None:
        if not 1 <= self.width <= AP_MAX_WIDTH:
            raise FixedPointError(f"fixed-point width must be 1..{AP_MAX_WIDTH} bits, got {self.width}")
        if self.rounding not in ROUNDING_MODES:
            raise FixedPointError(
                f"unknown rounding mode {self.rounding!r} (quantisation mode Q); expected one of {ROUNDING_MODES}"
            )
        if self.overflow not in OVERFLOW_MODES:
            raise FixedPointError(f"unknown overflow mode {self.overflow!r}; expected one of {OVERFLOW_MODES}")

    @property
    def fractional(self) -> int:
        """Bits right of the binary point, F = W − I (negative when one LSB is larger than 1)."""
        return self.width - self.integer

    @property
    def lsb(self) -> float:
        """Value of one LSB, 2^-F."""
        return float(np.ldexp(1.0, -self.fractional))

    @property
    def code_min(self) -> int:
        """Smallest integer code: −2^(W−1) (signed) or 0."""
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def code_max(self) -> int:
        """Largest integer code: 2^(W−1) − 1 (signed) or 2^W − 1."""
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def min_value(self) -> float:
        """Smallest representable value: −2^(I−1) (signed) or 0."""
        return float(np.ldexp(float(self.code_min), -self.fractional))

    @property
    def max_value(self) -> float:
        """Largest representable value: 2^(I−1) − LSB (signed) or 2^I − LSB."""
        return float(np.ldexp(float(self.code_max), -self.fractional))

    def covers(self, other: FixedType) -> bool:
        """True if every value of ``other`` is exactly representable in this type."""
        return (
            self.fractional >= other.fractional
            and self.max_value >= other.max_value
            and self.min_value <= other.min_value
        )

    @property
    def lane_bits(self) -> int:
        """The AXI-Stream lane one word of this type travels in: W rounded up to 8, 16 or 32 bits."""
        for bits in LANE_BITS:
            if self.width <= bits:
                return bits
        raise FixedPointError(
            f"{self}: a stream word holds 1..32 bits (one lane of 8, 16 or 32), this type has {self.width}"
        )

    @property
    def lane_dtype(self) -> np.dtype[Any]:
        """numpy dtype of one stream lane (uint8, uint16 or uint32)."""
        return np.dtype(f"uint{self.lane_bits}")

    def hls(self) -> str:
        """The C++ type: ``ap_fixed<16,6>``, or with its modes when not the defaults,
        ``ap_ufixed<8,3,AP_RND_CONV,AP_SAT>``."""
        base = "ap_fixed" if self.signed else "ap_ufixed"
        if (self.rounding, self.overflow) == ("TRN", "WRAP"):
            return f"{base}<{self.width},{self.integer}>"
        return f"{base}<{self.width},{self.integer},AP_{self.rounding},AP_{self.overflow}>"

    def __str__(self) -> str:
        return self.hls()


def int_type(width: int, signed: bool = True) -> FixedType:
    """``ap_int<width>`` / ``ap_uint<width>``: integer codes, C-cast truncation toward zero, wrap-around."""
    return FixedType(width, width, signed, "TRN_ZERO", "WRAP")


def _mode(token: str, modes: tuple[str, ...], what: str, text: str) -> str:
    name = token.removeprefix("AP_")
    if name not in modes:
        expected = ", ".join("AP_" + m for m in modes)
        raise FixedPointError(f"{text!r}: unknown {what} mode {token!r}; expected one of {expected}")
    return name


def parse_fixed(text: str) -> FixedType:
    """Read ``ap_fixed<W,I[,Q[,O[,N]]]>``, ``ap_ufixed<...>``, ``ap_int<W>`` or ``ap_uint<W>``.

    The ``ap_`` and ``AP_`` prefixes are optional (hls4ml writes ``fixed<16,6,RND,SAT>`` internally);
    saturation bits N, when given, must be 0.
    """
    match = _TYPE.match(text)
    if not match:
        raise FixedPointError(
            f"not a fixed-point type: {text!r} (not an ap_fixed/ap_ufixed/ap_int/ap_uint, e.g. 'ap_fixed<16,6>')"
        )
    unsigned, kind = match.group(1) == "u", match.group(2)
    args = [a.strip() for a in match.group(3).split(",")]
    try:
        numbers = [int(a) for a in args[:2]] if kind == "fixed" else [int(args[0])]
    except ValueError:
        raise FixedPointError(f"{text!r}: width and integer bits must be whole numbers") from None
    if kind == "int":
        if len(args) != 1:
            raise FixedPointError(f"{text!r}: ap_int/ap_uint take one argument, the width")
        return int_type(numbers[0], not unsigned)
    if not 2 <= len(args) <= 5:
        raise FixedPointError(f"{text!r}: expected ap_fixed<W,I[,Q[,O[,N]]]>")
    rounding = _mode(args[2], ROUNDING_MODES, "quantisation", text) if len(args) > 2 else "TRN"
    overflow = _mode(args[3], OVERFLOW_MODES, "overflow", text) if len(args) > 3 else "WRAP"
    if len(args) == 5 and args[4] != "0":
        raise FixedPointError(f"{text!r}: saturation bits N = {args[4]} are not supported (only N = 0)")
    return FixedType(numbers[0], numbers[1], not unsigned, rounding, overflow)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Exact int64 arithmetic (the emulator's casts).


def check_int64(t: FixedType) -> FixedType:
    """``t`` if its codes can be computed exactly in int64 (W ≤ 62, no AP_WRAP_SM); else FixedPointError."""
    if t.width > INT64_MAX_WIDTH:
        raise FixedPointError(f"{t}: width {t.width} is beyond the {INT64_MAX_WIDTH}-bit int64 arithmetic")
    if t.overflow == "WRAP_SM":
        raise FixedPointError(f"{t}: overflow mode 'WRAP_SM' (sign-magnitude wrap) is not modelled")
    return t


def _round_up(
    mode: str,
    value: npt.NDArray[Any],
    inexact: npt.NDArray[np.bool_],
    above: npt.NDArray[np.bool_],
    tie: npt.NDArray[np.bool_],
    floor_is_odd: Callable[[], npt.NDArray[np.bool_]],
) -> npt.NDArray[np.bool_]:
    """Where a floored code goes up by one under quantisation ``mode`` (not TRN): ``above``/``tie`` say
    whether the dropped fraction is above or exactly half an LSB, ``inexact`` whether any was dropped."""
    up: npt.NDArray[np.bool_]
    if mode == "TRN_ZERO":
        up = inexact & (value < 0)
    elif mode == "RND":  # ties toward +inf
        up = above | tie
    elif mode == "RND_MIN_INF":
        up = above
    elif mode == "RND_ZERO":
        up = above | (tie & (value < 0))
    elif mode == "RND_INF":
        up = above | (tie & (value > 0))
    else:  # RND_CONV: ties to even
        up = above | (tie & floor_is_odd())
    return up


def _round_shift(q: IntArray, shift: int, mode: str) -> IntArray:
    """Divide codes by 2^shift (shift > 0), rounding per the quantisation mode."""
    fl: IntArray = q >> shift  # floor: arithmetic shift
    if mode == "TRN":
        return fl
    rem = q - (fl << shift)  # in [0, 2^shift)
    half = 1 << (shift - 1)
    out: IntArray = fl + _round_up(mode, q, rem != 0, rem > half, rem == half, lambda: (fl & 1) == 1)
    return out


def apply_overflow(q: IntArray, dst: FixedType) -> IntArray:
    """Bring codes already at ``dst.fractional`` into ``dst``'s range: wrap-around or saturation."""
    lo, hi = dst.code_min, dst.code_max
    out: IntArray
    if dst.overflow == "WRAP":
        span = 1 << dst.width
        out = ((q - lo) & (span - 1)) + lo if dst.signed else q & (span - 1)
    elif dst.overflow == "SAT":
        out = np.clip(q, lo, hi)
    elif dst.overflow == "SAT_SYM":
        out = np.clip(q, -hi if dst.signed else 0, hi)
    else:  # SAT_ZERO
        out = np.where((q < lo) | (q > hi), 0, q)
    return out


def _align(q: IntArray, fractional: int, dst: FixedType) -> IntArray:
    shift = fractional - dst.fractional
    if shift > 0:
        return _round_shift(q, shift, dst.rounding)
    return q << (-shift) if shift < 0 else q


def requantize(q: npt.ArrayLike, fractional: int, dst: FixedType) -> IntArray:
    """Cast codes ``q`` (value q·2^-fractional) to ``dst`` as ``dst y = x;`` does; ``dst`` codes, int64."""
    check_int64(dst)
    return apply_overflow(_align(np.asarray(q, dtype=np.int64), fractional, dst), dst)


#: Largest |code| a float code array may hold for :func:`requantize_float` to be exact, by float type: below
#: the mantissa's reach by one bit, so that ``floor(y) + 1/2`` of a right shift stays exact.
FLOAT_CODE_LIMIT = {np.dtype(np.float32): 2**23, np.dtype(np.float64): 2**52}


def float_requantize_exact(dtype: npt.DTypeLike, max_code: int, fractional: int, dst: FixedType) -> bool:
    """True when :func:`requantize_float` is exact on ``dtype`` codes with |q| ≤ ``max_code``."""
    limit = FLOAT_CODE_LIMIT.get(np.dtype(dtype))
    return limit is not None and max_code << max(0, dst.fractional - fractional) < limit


def requantize_float(q: CodeArray, fractional: int, dst: FixedType) -> CodeArray:
    """:func:`requantize` on float codes: integer-valued float32/float64 ``q`` (value q·2^-fractional) to
    ``dst`` codes of the same float type, bit for bit what :func:`requantize` gives.

    Exact while every |q|, and |q·2^shift| for a left shift, is below ``FLOAT_CODE_LIMIT[q.dtype]`` (the
    caller knows it from the types' ranges: :func:`float_requantize_exact`): scaling by a power of two,
    floor/rint/trunc and clipping are exact on such values.  AP_WRAP that does wrap runs through int64.
    """
    check_int64(dst)
    shift = dst.fractional - fractional
    r: CodeArray = q * q.dtype.type(2.0**shift) if shift else q.copy()  # a fresh array: later steps work in place
    if shift < 0 and dst.rounding == "RND_CONV":  # IEEE round-half-even is convergent rounding
        np.rint(r, out=r)
    elif shift < 0 and dst.rounding == "TRN":
        np.floor(r, out=r)
    elif shift < 0:
        r = _round_scaled(r.astype(q.dtype, copy=False), dst.rounding)
    lo, hi = _code_range(dst)
    if dst.overflow in ("SAT", "SAT_SYM"):
        np.clip(r, lo, hi, out=r)
        return r
    if r.size == 0 or (lo <= float(r.min()) and float(r.max()) <= hi):
        return r
    if dst.overflow == "WRAP":
        return apply_overflow(r.astype(np.int64), dst).astype(q.dtype)
    return np.where((r < lo) | (r > hi), q.dtype.type(0), r)  # SAT_ZERO


def is_monotone_on(q: npt.ArrayLike, fractional: int, dst: FixedType) -> bool:
    """True when the cast to ``dst`` is non-decreasing on the values ``q`` (quantisation always is;
    saturation too; wrap-around and SAT_ZERO only while nothing overflows)."""
    if dst.overflow in ("SAT", "SAT_SYM"):
        return True
    r = _align(np.asarray(q, dtype=np.int64), fractional, dst)
    lo, hi = _code_range(dst)
    return bool(np.all((r >= lo) & (r <= hi)))


def fits(lo: int, hi: int, fractional: int, dst: FixedType) -> bool:
    """True when every code in ``[lo, hi]`` at ``fractional`` casts to ``dst`` without any bit lost."""
    if fractional > dst.fractional:
        return False
    scale = 1 << (dst.fractional - fractional)
    code_lo, code_hi = _code_range(dst)
    return code_lo <= lo * scale and hi * scale <= code_hi


def _rounded_codes(x: npt.ArrayLike, dst: FixedType, wide: bool = False) -> FloatArray:
    """x·2^F rounded per ``dst.rounding`` (integer-valued floats, before overflow); exact.

    float32 input stays float32 (scaling by a power of two, floor and comparisons are exact there too) to halve
    the memory traffic, unless ``wide``: a value whose x·2^F overflows float32 becomes inf there, out of every
    type's range, so callers redo an out-of-range result ``wide`` (in float64) before handling the overflow.
    """
    xa = np.asarray(x)
    y: FloatArray
    if not wide and xa.dtype == np.float32 and 0 <= dst.fractional <= 64:
        with np.errstate(over="ignore"):
            y = xa * np.float32(2.0**dst.fractional)
    else:
        y = np.ldexp(np.asarray(xa, dtype=np.float64), dst.fractional)
    if dst.rounding == "TRN":  # y is a fresh array: floor it in place
        np.floor(y, out=y)
        return y
    return _round_scaled(y, dst.rounding)


def _round_scaled(y: FloatArray, mode: str) -> FloatArray:
    """``y`` (already scaled to the destination's LSB) rounded to integer-valued floats per ``mode``; exact."""
    if mode == "RND_CONV":  # IEEE round-half-even is convergent rounding
        conv: FloatArray = np.rint(y)
        return conv
    if mode == "TRN_ZERO":
        toward_zero: FloatArray = np.trunc(y)
        return toward_zero
    fl: FloatArray = np.floor(y)
    if mode == "TRN":
        return fl
    # y − floor(y) is not always exact (y = −0.49999999999999994 gives 0.5): compare y with floor(y) + ½ instead,
    # exact wherever y has a fraction (|y| < 2^52 in float64, 2^23 in float32).
    inexact = y != fl
    half = fl + 0.5

    def floor_is_odd() -> npt.NDArray[np.bool_]:
        with np.errstate(invalid="ignore"):  # fmod(±inf): non-finite input is refused later
            odd: npt.NDArray[np.bool_] = np.fmod(fl, 2.0) != 0
        return odd

    out: FloatArray = fl + _round_up(mode, y, inexact, inexact & (y > half), inexact & (y == half), floor_is_odd)
    return out


def _code_range(dst: FixedType) -> tuple[int, int]:
    """Codes a cast leaves alone: AP_SAT_SYM (signed) also saturates −2^(W−1), to −(2^(W−1) − 1)."""
    if dst.overflow == "SAT_SYM" and dst.signed:
        return -dst.code_max, dst.code_max
    return dst.code_min, dst.code_max


def _overflowing(r: FloatArray, dst: FixedType) -> tuple[IntArray, int]:
    """Integer-valued float codes ``r`` (some beyond ``dst``'s range) → ``dst`` codes, and how many were beyond.

    Exact for every W ≤ 62: the range ends are compared as powers of two and the wrap is ``fmod`` by 2^W.
    """
    r = r.astype(np.float64)
    if not np.all(np.isfinite(r)):
        flat = int(np.flatnonzero(~np.isfinite(r))[0])
        raise FixedPointError(f"non-finite value at flat index {flat}: {dst} has no NaN or infinity")
    lo, hi = _code_range(dst)
    edge, top = float(dst.code_min), float(hi + 1)  # −2^(W−1) or 0, and 2^(W−1) or 2^W: exact in float64
    below = r <= edge if lo > dst.code_min else r < edge
    above = r >= top
    n_out = int(np.count_nonzero(below | above))
    if dst.overflow == "WRAP":
        return apply_overflow(np.fmod(r, float(1 << dst.width)).astype(np.int64), dst), n_out
    q: IntArray = np.clip(r, edge, top).astype(np.int64)
    if dst.overflow == "SAT_ZERO":
        q = np.where(below | above, 0, q)
    else:
        q = np.where(above, hi, np.where(below, lo, q))
    return q, n_out


def quantize(x: npt.ArrayLike, dst: FixedType) -> tuple[IntArray, int]:
    """``dst`` codes of every element (``dst y = x``), and how many lay outside ``dst``'s range after
    quantisation — counted whatever the overflow mode does with them (AP_WRAP wraps them silently)."""
    check_int64(dst)
    r = _rounded_codes(x, dst)
    lo, hi = _code_range(dst)
    if r.size == 0 or (lo <= float(r.min()) and float(r.max()) <= hi):
        return r.astype(np.int64), 0
    return _overflowing(_rounded_codes(x, dst, wide=True), dst)


@overload
def from_float(x: npt.ArrayLike, dst: FixedType, float_codes: Literal[False] = False) -> IntArray: ...
@overload
def from_float(x: npt.ArrayLike, dst: FixedType, float_codes: bool) -> IntArray | FloatArray: ...
def from_float(x: npt.ArrayLike, dst: FixedType, float_codes: bool = False) -> IntArray | FloatArray:
    """``dst y = (double)x`` for every element: exact quantisation and overflow, int64 codes.

    ``float_codes``: when nothing overflows, return the codes as the (exact) float array instead.
    NaN or infinite input raises :class:`FixedPointError`.
    """
    check_int64(dst)
    r = _rounded_codes(x, dst)
    lo, hi = _code_range(dst)
    if r.size and lo <= float(r.min()) and float(r.max()) <= hi:
        return r if float_codes else r.astype(np.int64)
    if r.size == 0:
        return r.astype(np.int64)
    return _overflowing(_rounded_codes(x, dst, wide=True), dst)[0]


def to_float(q: npt.ArrayLike, t: FixedType) -> npt.NDArray[np.float64]:
    """Exact real values of codes ``q`` of type ``t`` (exact while W ≤ 53)."""
    return np.ldexp(np.asarray(q, dtype=np.float64), -t.fractional)


# --------------------------------------------------------------------------------------------------
# AXI-Stream words (the board driver's packing).


@dataclass(frozen=True)
class PackedWords:
    """Stream words (unsigned lane dtype) plus how many inputs lay outside the type's range."""

    words: npt.NDArray[np.unsignedinteger[Any]]
    n_overflow: int
    n_values: int


def pack(values: npt.ArrayLike, t: FixedType) -> PackedWords:
    """Encode values as stream words: W-bit two's complement codes in a ``t.lane_dtype`` lane."""
    lane = t.lane_dtype
    codes, n_overflow = quantize(values, t)
    mask = np.uint64((1 << t.width) - 1)
    words = (codes.astype(np.uint64) & mask).astype(lane)
    return PackedWords(words=words, n_overflow=n_overflow, n_values=int(codes.size))


def unpack(words: npt.ArrayLike, t: FixedType) -> npt.NDArray[np.float64]:
    """Decode stream words (any unsigned lane) to float64 values; padding bits above W are ignored."""
    t.lane_bits  # noqa: B018 - refuses types wider than a lane
    w = np.asarray(words).astype(np.uint64) & np.uint64((1 << t.width) - 1)
    codes = w.astype(np.int64)
    if t.signed:
        codes = np.where(codes >= (1 << (t.width - 1)), codes - (1 << t.width), codes)
    return to_float(codes, t)


def count_out_of_range(values: npt.ArrayLike, t: FixedType) -> int:
    """How many values the type cannot hold after quantisation (what AP_WRAP would silently wrap)."""
    return quantize(values, t)[1]
