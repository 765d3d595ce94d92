"""Exact ``ap_fixed`` / ``ap_int`` casts on numpy integer arrays.

A fixed-point tensor is held as an ``int64`` array ``q`` together with a :class:`FixedType`; the real
value of each element is ``q * 2**-frac``.  :func:`requantize` moves such a tensor to another type
exactly as an assignment ``dst_t y = x;`` does in the Xilinx ``ap_fixed`` headers: first quantisation
of the dropped fractional bits (the destination's ``AP_TRN``, ``AP_RND``, ``AP_RND_CONV``... mode),
then overflow handling of the dropped integer bits (``AP_WRAP``, ``AP_SAT``, ``AP_SAT_ZERO``,
``AP_SAT_SYM``).  :func:`from_float` is the ``dst_t y = (double)x;`` constructor.

Widths are limited to 62 bits so that every intermediate stays inside ``int64``; wrap-around with
saturation bits (``AP_WRAP_SM`` or ``N > 0``) is not modelled and is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

from fpgaflow.emulate.errors import UnsupportedPrecisionError
from fpgaflow.errors import DataError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.floating[Any]]
#: Codes as the fast paths carry them: int64, or float32/float64 holding exact integers.
CodeArray = npt.NDArray[np.int64 | np.floating[Any]]
#: A function that keeps its codes' kind: int64 codes in, int64 out; float codes in, float out.
CodeT = TypeVar("CodeT", IntArray, CodeArray)

ROUNDING_MODES = ("TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV")
OVERFLOW_MODES = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")
MAX_WIDTH = 62


@dataclass(frozen=True)
class FixedType:
    """``ap_[u]fixed<width, integer, rounding, overflow>``: ``width`` bits in all, ``integer`` of them
    left of the binary point (sign bit included when ``signed``), so one LSB is ``2**-(width-integer)``.
    ``ap_[u]int<W>`` is ``FixedType(W, W, ...)``."""

    width: int
    integer: int
    signed: bool = True
    rounding: str = "TRN"
    overflow: str = "WRAP"

    def __post_init__(self) -> None:
        if not 1 <= self.width <= MAX_WIDTH:
            raise UnsupportedPrecisionError(f"{self}: width {self.width} outside 1..{MAX_WIDTH} bits")
        if self.rounding not in ROUNDING_MODES:
            raise UnsupportedPrecisionError(f"{self}: rounding mode {self.rounding!r} not in {ROUNDING_MODES}")
        if self.overflow not in OVERFLOW_MODES:
            raise UnsupportedPrecisionError(f"{self}: overflow mode {self.overflow!r} not in {OVERFLOW_MODES}")

    @property
    def frac(self) -> int:
        """Fractional bits F: the LSB weighs ``2**-F`` (F may be negative)."""
        return self.width - self.integer

    @property
    def qmin(self) -> int:
        """Smallest representable integer code."""
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def qmax(self) -> int:
        """Largest representable integer code."""
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    def __str__(self) -> str:
        kind = "ap_fixed" if self.signed else "ap_ufixed"
        return f"{kind}<{self.width},{self.integer},AP_{self.rounding},AP_{self.overflow}>"


def _round_shift(q: IntArray, shift: int, mode: str) -> IntArray:
    """Divide integer codes by ``2**shift`` (shift > 0) and round per the ap_fixed quantisation mode."""
    fl: IntArray = q >> shift  # floor: arithmetic shift
    if mode == "TRN":
        return fl
    rem = q - (fl << shift)  # in [0, 2**shift)
    half = 1 << (shift - 1)
    if mode == "TRN_ZERO":
        up = (rem != 0) & (q < 0)
    else:
        above = rem > half
        tie = rem == half
        if mode == "RND":  # ties toward +inf
            up = above | tie
        elif mode == "RND_MIN_INF":
            up = above
        elif mode == "RND_ZERO":  # ties toward zero
            up = above | (tie & (q < 0))
        elif mode == "RND_INF":  # ties away from zero
            up = above | (tie & (q > 0))
        else:  # RND_CONV: ties to even
            up = above | (tie & ((fl & 1) == 1))
    out: IntArray = fl + up
    return out


def apply_overflow(q: IntArray, dst: FixedType) -> IntArray:
    """Bring integer codes already at ``dst.frac`` into ``dst``'s range: wrap-around or saturation."""
    lo, hi = dst.qmin, dst.qmax
    if dst.overflow == "WRAP":
        span = 1 << dst.width
        if dst.signed:
            return ((q - lo) & (span - 1)) + lo
        return q & (span - 1)
    if dst.overflow == "SAT":
        return np.clip(q, lo, hi)
    if dst.overflow == "SAT_SYM":
        return np.clip(q, -hi if dst.signed else 0, hi)
    # SAT_ZERO
    return np.where((q < lo) | (q > hi), 0, q)


def requantize(q: IntArray, frac: int, dst: FixedType) -> IntArray:
    """Cast codes ``q`` (value ``q * 2**-frac``) to ``dst``; returns ``dst`` codes as int64."""
    q = np.asarray(q, dtype=np.int64)
    shift = frac - dst.frac
    if shift > 0:
        q = _round_shift(q, shift, dst.rounding)
    elif shift < 0:
        q = q << (-shift)
    return apply_overflow(q, dst)


def is_monotone_on(q: IntArray, frac: int, dst: FixedType) -> bool:
    """True when the cast to ``dst`` is non-decreasing on the values ``q`` (quantisation always is;
    saturation too; wrap-around and SAT_ZERO only while nothing overflows)."""
    if dst.overflow in ("SAT", "SAT_SYM"):
        return True
    q = np.asarray(q, dtype=np.int64)
    shift = frac - dst.frac
    if shift > 0:
        q = _round_shift(q, shift, dst.rounding)
    elif shift < 0:
        q = q << (-shift)
    return bool(np.all((q >= dst.qmin) & (q <= dst.qmax)))


def fits(lo: int, hi: int, frac: int, dst: FixedType) -> bool:
    """True when every code in ``[lo, hi]`` at ``frac`` casts to ``dst`` without any bit lost."""
    if frac > dst.frac:
        return False
    scale = 1 << (dst.frac - frac)
    return dst.qmin <= lo * scale and hi * scale <= dst.qmax


@overload
def from_float(x: npt.ArrayLike, dst: FixedType, float_codes: Literal[False] = False) -> IntArray: ...
@overload
def from_float(x: npt.ArrayLike, dst: FixedType, float_codes: bool) -> IntArray | FloatArray: ...
def from_float(x: npt.ArrayLike, dst: FixedType, float_codes: bool = False) -> IntArray | FloatArray:
    """``dst y = (double)x`` for every element: exact quantisation and overflow of binary64 values.

    float32 input is processed in float32 (scaling by a power of two, floor and comparisons are exact
    there too, barring overflow to inf, which is checked) to halve the memory traffic.
    ``float_codes``: when nothing overflows, return the codes as the (exact) float array instead of
    int64.  NaN or infinite input raises :class:`DataError`.
    """
    xa = np.asarray(x)
    use32 = xa.dtype == np.float32 and 0 <= dst.frac <= 64
    xd = xa if use32 else np.asarray(xa, dtype=np.float64)
    ftype = xd.dtype.type
    with np.errstate(over="ignore"):
        y = xd * ftype(2.0**dst.frac)  # exact scaling by a power of two
    if use32 and not np.all(np.isfinite(y)):
        return from_float(xa.astype(np.float64), dst)
    fl = np.floor(y)
    mode = dst.rounding
    if mode == "TRN":
        r = fl
    else:
        rem = y - fl  # exact, in [0, 1)
        if mode == "TRN_ZERO":
            r = fl + ((rem != 0) & (y < 0))
        else:
            above = rem > 0.5
            tie = rem == 0.5
            if mode == "RND":
                up = above | tie
            elif mode == "RND_MIN_INF":
                up = above
            elif mode == "RND_ZERO":
                up = above | (tie & (y < 0))
            elif mode == "RND_INF":
                up = above | (tie & (y > 0))
            else:
                up = above | (tie & (np.fmod(fl, 2.0) != 0))
            r = fl + up
    lo, hi = float(dst.qmin), float(dst.qmax)
    if r.size and lo <= float(r.min()) and float(r.max()) <= hi:
        return r if float_codes else r.astype(np.int64)  # nothing overflows
    r = r.astype(np.float64)
    if not np.all(np.isfinite(r)):
        flat = int(np.flatnonzero(~np.isfinite(r))[0])
        raise DataError(f"input value #{flat} is NaN or infinite; {dst} has no such value")
    if dst.overflow == "WRAP":
        span = float(1 << dst.width)
        r = np.mod(r - lo, span) + lo if dst.signed else np.mod(r, span)
    else:
        # clip to one code beyond the range so that the integer overflow rules apply safely
        r = np.clip(r, lo - 1.0, hi + 1.0)
    return apply_overflow(r.astype(np.int64), dst)


def to_float(q: IntArray, t: FixedType) -> npt.NDArray[np.float64]:
    """Exact real values of codes ``q`` of type ``t`` (exact while width <= 53)."""
    return np.ldexp(np.asarray(q, dtype=np.float64), -t.frac)
