"""Fast path: fold each convolution's casts into one rounding and one clip on exact float32 sums.

Between two convolutions hls4ml casts every accumulator value ``a`` (the window's product sum plus the bias, in
``accum_t`` codes) through a chain of element-wise casts: ``result_t``, the activation (ReLU or linear) to its
type, the ZeroPadding2D cast, the max-pool's ``accum_t`` and output type.  On the designs fpgaflow deploys the
chain is one rounding and one saturation in disguise (``ap_fixed<16,4,TRN,SAT>`` then ReLU to
``ap_ufixed<8,3,RND_CONV,SAT>`` is ``clip(rint(a / 128), 0, 255)``), so a stage computes::

    y = clip(round(a * 2**-k), lo, hi)        # in place, on float32

with the weights and bias pre-scaled by ``2**-k``, where the matrix product of float32 codes is exact (every
partial sum below 2**24 in magnitude: :attr:`fpgaflow.emulate.mac.MacUnit.bound`).  The fold is not derived
but checked: at build time the float32 code runs on every accumulator value the layer can reach
(``-bound..bound``) and must give the codes of the layer-by-layer int64 casts on each; where it does not (or the
range is too large to check, or an accumulator wraps) the stage is not folded and those layers run as before.
A max-pool runs on the raw sums first (the checked chain is non-decreasing, so it commutes with the maximum),
and a ZeroPadding2D is the zero border of the buffer the stage writes into (zero is zero in every type).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import as_strided

from fpgaflow.emulate import layers as L
from fpgaflow.emulate.mac import MacUnit
from fpgaflow_board.fixed_point import FixedType, FloatArray, IntArray, requantize

#: widest accumulator range whose every value is checked (2**22 values: ~0.1 s, 4 MiB chunks)
_MAX_CHECKED = 1 << 22
_CHUNK = 1 << 19
_EXACT_FLOAT32 = 1 << 24


@dataclass(frozen=True)
class FoldedCast:
    """``y = clip(round(a * scale), lo, hi)`` on float32: the layers' casts of accumulator codes ``a`` to the
    output codes of the last folded layer (``rounding``: TRN floor, TRN_ZERO trunc, RND_CONV rint, RND
    floor(y + 1/2))."""

    scale: float
    rounding: str
    lo: float
    hi: float

    def apply(self, y: FloatArray, out: FloatArray, bounds: tuple[FloatArray, FloatArray] | None = None) -> None:
        """Round ``y`` (already ``a * scale``) in place, clip it into ``out`` (``y``'s shape; may be a view).
        ``bounds``: ``lo`` and ``hi`` as float32 arrays of ``y``'s shape (:meth:`bounds`), for speed."""
        if self.rounding == "TRN":
            np.floor(y, out=y)
        elif self.rounding == "TRN_ZERO":
            np.trunc(y, out=y)
        elif self.rounding == "RND_CONV":
            np.rint(y, out=y)
        else:  # RND: ties toward +inf; y + 1/2 is exact below 2**22
            y += np.float32(0.5)
            np.floor(y, out=y)
        lo, hi = bounds if bounds is not None else (np.float32(self.lo), np.float32(self.hi))
        np.minimum(y, hi, out=y)
        np.maximum(y, lo, out=out)

    def bounds(self, shape: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
        """``lo`` and ``hi`` filled into float32 arrays: numpy 1.26's minimum/maximum run ~4x faster against an
        array than against a scalar (0.56 against 2.4 us per 28 x 28 x 8 map)."""
        return np.full(shape, self.lo, np.float32), np.full(shape, self.hi, np.float32)


#: roundings a FoldedCast can run
_ROUNDINGS = ("TRN", "RND_CONV", "TRN_ZERO", "RND")


def _reference(a: IntArray, mac: MacUnit, tail: list[L.Layer]) -> IntArray:
    """The layer-by-layer int64 casts of accumulator codes ``a`` (bias added) to the last tail layer's codes."""
    r = requantize(a, mac.accum.fractional, mac.result)
    for layer in tail:
        if isinstance(layer, L.Relu):
            r = requantize(np.maximum(r, 0), layer.in_type.fractional, layer.out_type)
        elif isinstance(layer, L.Pool2D):
            r = requantize(r, layer.in_type.fractional, layer.accum)
            r = requantize(r, layer.accum.fractional, layer.out_type)
        else:  # Linear, ZeroPad2D
            r = requantize(r, layer.in_type.fractional, layer.out_type)
    return r


def fold_casts(mac: MacUnit, tail: list[L.Layer]) -> FoldedCast | None:
    """The FoldedCast equal to ``mac``'s result cast then ``tail``'s casts on every reachable accumulator value,
    or None (no candidate matches everywhere, the chain is not non-decreasing, the range is too wide to check,
    the sums are not exact in float32, or the accumulator wraps)."""
    if mac.mode != "matmul" or mac.wrap or mac.bound >= _EXACT_FLOAT32 or 2 * mac.bound + 1 > _MAX_CHECKED:
        return None
    if int(np.abs(mac.w).max(initial=0)) << mac.shift >= _EXACT_FLOAT32:
        return None  # a weight code itself is not exact in float32
    out_t: FixedType = tail[-1].out_type if tail else mac.result
    if abs(out_t.fractional - mac.accum.fractional) > 64:
        return None  # keep the pre-scaled products far from float32's smallest and largest exponents
    scale = 2.0 ** (out_t.fractional - mac.accum.fractional)
    ends = _reference(np.array([-mac.bound, mac.bound]), mac, tail)
    modes = [t.rounding for t in (mac.result, *(layer.out_type for layer in tail))]
    for rounding in dict.fromkeys(m for m in reversed(modes) if m in _ROUNDINGS):
        cast = FoldedCast(scale, rounding, float(ends[0]), float(ends[1]))
        if _matches(cast, mac, tail):
            return cast
    return None


def _matches(cast: FoldedCast, mac: MacUnit, tail: list[L.Layer]) -> bool:
    """True when ``cast`` gives the reference codes on every accumulator value in ``-bound..bound`` and the
    reference is non-decreasing there (so a max-pool may run before it)."""
    last = None
    for start in range(-mac.bound, mac.bound + 1, _CHUNK):
        a = np.arange(start, min(start + _CHUNK, mac.bound + 1), dtype=np.int64)
        ref = _reference(a, mac, tail)
        got = a.astype(np.float32) * np.float32(cast.scale)
        cast.apply(got, got)
        if not np.array_equal(got, ref) or np.any(np.diff(ref) < 0) or (last is not None and ref[0] < last):
            return False
        last = ref[-1]
    return True


@dataclass
class FoldedConv:
    """One Conv2D with its folded casts: optional max-pool on the raw sums, optional zero border (the next
    ZeroPad2D's ``pads``: top, bottom, left, right).  ``weights``/``bias``: float32, pre-scaled by the cast's
    ``scale``, weights (fh*fw*C, n_filt) in the im2col order."""

    conv: L.Conv2D
    cast: FoldedCast
    pool: L.Pool2D | None
    pads: tuple[int, int, int, int]
    weights: FloatArray
    bias: FloatArray
    #: the bias, lo and hi filled into arrays of an output shape, by shape (:meth:`FoldedCast.bounds`: numpy's
    #: element-wise kernels run several times faster against arrays than against a scalar or a broadcast row)
    _consts: dict[tuple[int, ...], tuple[FloatArray, FloatArray, FloatArray]] = field(default_factory=dict, repr=False)

    def sums(self, x: FloatArray) -> FloatArray:
        """Window sums times the cast's scale, bias not added: (N, OH, OW, n_filt), exact in float32.  (Copying
        each input row's window rows once and reading them at ``kh`` row offsets, ``fh`` products on views, copies
        a third as much on 3 x 3 convs but ran 2-6 % slower on the flagship: the partial products' extra passes.)"""
        n = x.shape[0]
        oh, ow = self.conv.out_hw(x)
        cols = L.copy_windows(x, (oh, ow), self.conv.filt, self.conv.stride)
        acc: FloatArray = (cols @ self.weights).reshape(n, oh, ow, -1)
        return acc

    def run(self, x: FloatArray) -> FloatArray:
        """float32 codes of the conv's input (C-contiguous NHWC) -> float32 codes of the last folded layer."""
        acc = self.sums(x)
        if self.pool is not None:
            acc = np.ascontiguousarray(self.pool.max_raw(acc))
        n, h, w, f = acc.shape
        rows = acc.reshape(n, h, w * f)  # whole output rows: long inner loops
        consts = self._consts.get(rows.shape)
        if consts is None:
            bias = np.ascontiguousarray(np.broadcast_to(np.tile(self.bias, w), rows.shape))
            consts = self._consts[rows.shape] = (bias, *self.cast.bounds(rows.shape))
        rows += consts[0]
        top, bottom, left, right = self.pads
        out: FloatArray = np.zeros((n, h + top + bottom, w + left + right, f), np.float32)
        inner = out[:, top : top + h, left : left + w]
        self.cast.apply(rows, as_strided(inner, (n, h, w * f), inner.strides[:2] + inner.strides[3:]), consts[1:])
        return out


def plan_folds(layers: list[L.Layer]) -> tuple[list[FoldedConv], int]:
    """The folded stages from the first layer after the InputCast on, and the index of the first layer they
    do not cover.  A stage is ``Conv2D -> (ReLU | linear)* -> [MaxPool2D] -> [ZeroPadding2D]``; planning stops at
    the first layer that does not start one, or whose casts do not fold."""
    if not layers or not isinstance(layers[0], L.InputCast):
        return [], 0
    if max(-layers[0].out_type.code_min, layers[0].out_type.code_max) >= _EXACT_FLOAT32:
        return [], 0  # the stages start from the input cast's codes, which float32 must hold exactly
    i = 1
    stages: list[FoldedConv] = []
    while i < len(layers):
        conv = layers[i]
        if not isinstance(conv, L.Conv2D):
            break
        j = i + 1
        while j < len(layers) and isinstance(layers[j], (L.Relu, L.Linear)):
            j += 1
        pool = layers[j] if j < len(layers) else None
        if not isinstance(pool, L.Pool2D):
            pool = None
        elif pool.op != "Max":
            break
        j += pool is not None
        pad = layers[j] if j < len(layers) else None
        pads = pad.pads if isinstance(pad, L.ZeroPad2D) else (0, 0, 0, 0)
        j += isinstance(pad, L.ZeroPad2D)
        cast = fold_casts(conv.mac, layers[i + 1 : j])
        if cast is None:
            break
        weights = (conv.mac.w << conv.mac.shift).astype(np.float32) * np.float32(cast.scale)
        bias = conv.mac.bias_acc.astype(np.float32) * np.float32(cast.scale)
        stages.append(FoldedConv(conv, cast, pool, pads, weights, bias))
        i = j
    return stages, (i if stages else 0)
