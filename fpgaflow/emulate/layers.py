"""Bit-exact numpy models of hls4ml's ``io_stream`` layer kernels (pure numpy, no hls4ml import).

Every layer maps a batch of input codes (int64, NHWC or (N, features), value ``code * 2**-in_type.fractional``)
to output codes of ``out_type``.  The C++ each one reproduces is named in its docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from fpgaflow.emulate.mac import MacUnit
from fpgaflow.emulate.tables import sigmoid_index, sigmoid_table, tanh_table
from fpgaflow_board.fixed_point import (
    CodeArray,
    CodeT,
    FixedType,
    FloatArray,
    IntArray,
    apply_overflow,
    float_requantize_exact,
    requantize,
    requantize_float,
)


@dataclass
class Layer:
    """One hls4ml layer: ``name`` as in the hls4ml ModelGraph, output type and per-map output shape."""

    name: str
    in_type: FixedType
    out_type: FixedType
    out_shape: tuple[int, ...]

    def run(self, q: IntArray) -> IntArray:  # pragma: no cover - abstract
        raise NotImplementedError

    def run_codes(self, q: CodeArray) -> CodeArray:
        """:meth:`run` on int64 or exact float codes (see :func:`float_codes_exact`): layers with a float
        path keep float codes float where the result is exact; the others run on int64."""
        return self.run(q.astype(np.int64, copy=False))


@dataclass
class InputCast(Layer):
    """The bridge's ``input_t(value)``: float (or double) to the input layer's ap_fixed type."""

    def run(self, q: IntArray) -> IntArray:
        return q  # the cast from float happens in Emulator._quantise_input

    def run_codes(self, q: CodeArray) -> CodeArray:
        return q


@dataclass
class Dense(Layer):
    """``nnet::dense`` (io_stream wrapper around ``dense_latency``)."""

    mac: MacUnit = field(repr=False, default=None)  # type: ignore[assignment]

    def run(self, q: IntArray) -> IntArray:
        lead = q.shape[:-1]
        out = self.mac(q.reshape(-1, q.shape[-1]))
        return out.reshape(*lead, out.shape[-1])

    def run_codes(self, q: CodeArray) -> CodeArray:
        dt = self.mac.float_dtype(_max_code(self.in_type))
        if q.dtype.kind != "f" or dt is None:
            return self.run(q.astype(np.int64, copy=False))
        x: CodeArray = q.reshape(-1, q.shape[-1]).astype(dt, copy=False)
        out = self.mac.finish_codes(self.mac.products(x))
        return out.reshape(*q.shape[:-1], out.shape[-1])


@dataclass
class Conv2D(Layer):
    """``nnet::conv_2d_cl`` line-buffer implementation: each output pixel is ``dense_latency`` on the
    (filt_h, filt_w, n_chan) window, strides applied; padding comes from a separate ZeroPadding2D layer."""

    filt: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    mac: MacUnit = field(repr=False, default=None)  # type: ignore[assignment]

    def columns(self, q: CodeArray, absmax: int | None = None) -> CodeArray:
        """im2col: (N*OH*OW, fh*fw*C) windows, kernel index (kh, kw, c); float when the product is exact.
        ``absmax``: max |code| of ``q`` if already known (see :func:`copy_windows` for the copy)."""
        if absmax is None:
            absmax = int(np.abs(q).max(initial=0))
        dt = self.mac.float_dtype(absmax) if self.mac.mode == "matmul" else None
        src: CodeArray = np.ascontiguousarray(q, dtype=dt if dt is not None else np.int64)
        return copy_windows(src, self.out_hw(q), self.filt, self.stride)

    def out_hw(self, q: CodeArray) -> tuple[int, int]:
        return (
            (q.shape[1] - self.filt[0]) // self.stride[0] + 1,
            (q.shape[2] - self.filt[1]) // self.stride[1] + 1,
        )

    def sums(self, q: CodeArray, absmax: int | None = None) -> CodeArray:
        """Exact product sums ``window @ w`` as a C-contiguous (N, OH, OW, n_filt) (matmul mode only).

        With one or two input channels and overlapping windows the windows are gathered tap-major,
        (fh*fw*C, N*OH*OW): each tap is a copy of whole image rows rather than of C-element snippets, several
        times faster for C=1; the product reads that matrix transposed, so its result is pixel-major again.
        """
        n = q.shape[0]
        oh, ow = self.out_hw(q)
        if absmax is None:  # the input type's range where that already allows an exact float product
            static = _max_code(self.in_type)
            absmax = static if self.mac.float_dtype(static) is not None else int(np.abs(q).max(initial=0))
        dt = self.mac.float_dtype(absmax)
        chans = q.shape[3]
        if dt is None or chans > 2 or self.stride == self.filt:
            return self.mac.products(self.columns(q, absmax)).reshape(n, oh, ow, -1)
        fh, fw = self.filt
        sh, sw = self.stride
        src: CodeArray = q.astype(dt, copy=False)
        cols: FloatArray = np.empty((fh, fw, chans, n, oh, ow), dtype=dt)
        for kh in range(fh):
            for kw in range(fw):
                rows = src[:, kh : kh + sh * (oh - 1) + 1 : sh, kw : kw + sw * (ow - 1) + 1 : sw]
                for c in range(chans):
                    cols[kh, kw, c] = rows[..., c]
        w = self.mac.w32 if dt == np.float32 else self.mac.wf  # (K, n_filt)
        out: FloatArray = cols.reshape(fh * fw * chans, -1).T @ w  # (N*OH*OW, n_filt)
        return out.reshape(n, oh, ow, -1)

    def run(self, q: IntArray) -> IntArray:
        oh, ow = self.out_hw(q)
        if self.mac.mode == "matmul":
            s = self.sums(q)
            return self.mac.finish(s.reshape(-1, s.shape[-1])).reshape(q.shape[0], oh, ow, -1)
        return self.mac(self.columns(q)).reshape(q.shape[0], oh, ow, -1)

    def run_codes(self, q: CodeArray) -> CodeArray:
        if self.mac.mode != "matmul" or q.dtype.kind != "f":
            return self.run(q.astype(np.int64, copy=False))
        s = self.sums(q)
        return self.mac.finish_codes(s.reshape(-1, s.shape[-1])).reshape(s.shape)


@dataclass
class ZeroPad2D(Layer):
    """``nnet::zeropad2d_cl``: zeros of the input type around the map, then cast to the output type."""

    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, bottom, left, right

    def run(self, q: IntArray) -> IntArray:
        top, bottom, left, right = self.pads
        padded = np.pad(q, ((0, 0), (top, bottom), (left, right), (0, 0)))
        return requantize(padded, self.in_type.fractional, self.out_type)

    def run_codes(self, q: CodeArray) -> CodeArray:
        if not _float_cast(q, self.in_type, self.out_type):
            return self.run(q.astype(np.int64, copy=False))
        top, bottom, left, right = self.pads
        padded = np.pad(q, ((0, 0), (top, bottom), (left, right), (0, 0)))
        return requantize_float(padded, self.in_type.fractional, self.out_type)


@dataclass
class Pool2D(Layer):
    """``nnet::pooling2d_cl`` without padding: window values cast to ``accum_t``; Max takes the largest,
    Average sums pairwise as ``reduce`` does (each sum cast to accum_t) and divides by the window size
    truncating toward zero; the result is cast to the output type."""

    op: str = "Max"
    pool: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (2, 2)
    accum: FixedType = field(default_factory=lambda: FixedType(16, 6))

    def windows(self, a: CodeT) -> CodeT:
        """(N, OH, OW, C, ph*pw) view (or copy) of the pooling windows of ``a``."""
        ph, pw = self.pool
        sh, sw = self.stride
        if (sh, sw) == (ph, pw):  # non-overlapping: a reshape of the cropped map
            n, h, w, c = a.shape
            oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
            blocks = a[:, : oh * ph, : ow * pw].reshape(n, oh, ph, ow, pw, c)
            return blocks.transpose(0, 1, 3, 5, 2, 4).reshape(n, oh, ow, c, ph * pw)
        win: CodeT = sliding_window_view(a, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]  # type: ignore[call-overload]
        return win.reshape(*win.shape[:4], ph * pw)

    def max_raw(self, a: CodeT) -> CodeT:
        """Window maxima of ``a`` (any dtype, no cast), separably: element-wise maxima of the ph
        strided row sets (contiguous rows), then of the pw strided column sets of that.  Large non-overlapping
        windows of int64 codes take a reshaped reduction instead (faster there; on float codes the separable
        maxima are: 2.4 against 7.7 us per 28 x 28 x 8 map for 4 x 4 windows, 73 against 84 for 8 x 8 on 126 x
        126 x 16)."""
        ph, pw = self.pool
        sh, sw = self.stride
        oh, ow = (a.shape[1] - ph) // sh + 1, (a.shape[2] - pw) // sw + 1
        if (sh, sw) == (ph, pw) and ph * pw > 9 and a.dtype.kind != "f":  # a reshaped reduction
            n, c = a.shape[0], a.shape[3]
            blocks = a[:, : oh * ph, : ow * pw].reshape(n, oh, ph, ow, pw, c)
            maxima: CodeT = blocks.max(axis=2).max(axis=3)
            return maxima
        rows: CodeT | None = None
        for i in range(ph):
            part = a[:, i : i + sh * (oh - 1) + 1 : sh]
            rows = part.copy() if rows is None else np.maximum(rows, part, out=rows)
        assert rows is not None
        out: CodeT | None = None
        for j in range(pw):
            part = rows[:, :, j : j + sw * (ow - 1) + 1 : sw]
            out = part.copy() if out is None else np.maximum(out, part, out=out)
        assert out is not None
        return out

    def finish(self, red: IntArray) -> IntArray:
        """Cast already-pooled input codes through accum_t to the output type (Max pooling)."""
        return requantize(requantize(red, self.in_type.fractional, self.accum), self.accum.fractional, self.out_type)

    def run(self, q: IntArray) -> IntArray:
        a = requantize(q, self.in_type.fractional, self.accum)
        if self.op == "Max":
            red = self.max_raw(a)
        else:
            red = reduce_add(self.windows(a), self.accum)
            size = self.pool[0] * self.pool[1]
            red = np.where(red >= 0, red // size, -((-red) // size))
        return requantize(red, self.accum.fractional, self.out_type)

    def run_codes(self, q: CodeArray) -> CodeArray:
        if self.op != "Max" or not (
            _float_cast(q, self.in_type, self.accum)
            and float_requantize_exact(q.dtype, _max_code(self.accum), self.accum.fractional, self.out_type)
        ):
            return self.run(q.astype(np.int64, copy=False))
        red = self.max_raw(requantize_float(q, self.in_type.fractional, self.accum))
        return requantize_float(red, self.accum.fractional, self.out_type)


def reduce_add(x: IntArray, t: FixedType) -> IntArray:
    """hls4ml ``reduce<T, N, Op_add<T>>``: split at the largest power of two below N, add halves as T."""
    n = x.shape[-1]
    if n == 1:
        return x[..., 0]
    if n == 2:
        return requantize(x[..., 0] + x[..., 1], t.fractional, t)
    left = 1 << int(np.floor(np.log2(n - 1))) if n > 2 else 1
    return requantize(reduce_add(x[..., :left], t) + reduce_add(x[..., left:], t), t.fractional, t)


@dataclass
class Relu(Layer):
    """``nnet::relu``: ``out = in > 0 ? in : 0`` with the output type's rounding and saturation."""

    def run(self, q: IntArray) -> IntArray:
        return requantize(np.maximum(q, 0), self.in_type.fractional, self.out_type)

    def run_codes(self, q: CodeArray) -> CodeArray:
        if not _float_cast(q, self.in_type, self.out_type):
            return self.run(q.astype(np.int64, copy=False))
        return requantize_float(np.maximum(q, 0), self.in_type.fractional, self.out_type)


@dataclass
class Linear(Layer):
    """``nnet::linear``: a plain cast to the output type."""

    def run(self, q: IntArray) -> IntArray:
        return requantize(q, self.in_type.fractional, self.out_type)

    def run_codes(self, q: CodeArray) -> CodeArray:
        if not _float_cast(q, self.in_type, self.out_type):
            return self.run(q.astype(np.int64, copy=False))
        return requantize_float(q, self.in_type.fractional, self.out_type)


@dataclass
class Sigmoid(Layer):
    """``nnet::sigmoid``: table index from the input, ``out = (res_t) table[index]``."""

    table_size: int = 1024
    table_t: FixedType = field(default_factory=lambda: FixedType(18, 8))

    def __post_init__(self) -> None:
        self.table = sigmoid_table(self.table_size, self.table_t)

    def run(self, q: IntArray) -> IntArray:
        idx = sigmoid_index(q, self.in_type.fractional, self.table_size)
        return requantize(self.table[idx], self.table_t.fractional, self.out_type)


@dataclass
class BatchNorm(Layer):
    """``nnet::normalize``: ``out = (res_t)(in * scale[c] + bias[c])`` with the full-precision product."""

    scale: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    scale_t: FixedType = field(default_factory=lambda: FixedType(16, 6))
    bias: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    bias_t: FixedType = field(default_factory=lambda: FixedType(16, 6))

    def run(self, q: IntArray) -> IntArray:
        pf = self.in_type.fractional + self.scale_t.fractional
        work = max(pf, self.bias_t.fractional)
        prod = (q * self.scale) << (work - pf)
        total = prod + (self.bias << (work - self.bias_t.fractional))
        return requantize(total, work, self.out_type)


@dataclass
class Flatten(Layer):
    """``Reshape``/``Flatten`` in io_stream: an alias of the stream, values untouched (NHWC order)."""

    def run(self, q: IntArray) -> IntArray:
        return q.reshape(q.shape[0], *self.out_shape)

    def run_codes(self, q: CodeArray) -> CodeArray:
        return q.reshape(q.shape[0], *self.out_shape)


@dataclass
class Tanh(Layer):
    """``nnet::tanh``: table index ``int(x * N / 8) + N / 2`` (clamped), ``out = (res_t) table[index]``."""

    table_size: int = 1024
    table_t: FixedType = field(default_factory=lambda: FixedType(18, 8))

    def __post_init__(self) -> None:
        self.table = tanh_table(self.table_size, self.table_t)

    def run(self, q: IntArray) -> IntArray:
        idx = sigmoid_index(q, self.in_type.fractional, self.table_size, span=8)
        return requantize(self.table[idx], self.table_t.fractional, self.out_type)


@dataclass
class HardActivation(Layer):
    """``nnet::hard_sigmoid`` / ``nnet::hard_tanh``: ``v = slope * x + shift`` at full precision, clipped to
    [0, 1] (compared with the integers 0 and 1), then ``out = (res_t) v`` or ``out = (res_t)(2 * v - 1)``.
    ``slope``/``shift``: codes of the ``slope_t``/``shift_t`` constants (the C++ casts hls4ml's decimal)."""

    slope: int = 0
    slope_t: FixedType = field(default_factory=lambda: FixedType(16, 0, False))
    shift: int = 0
    shift_t: FixedType = field(default_factory=lambda: FixedType(2, 0, False))
    tanh: bool = False

    def run(self, q: IntArray) -> IntArray:
        fx, fs, fsh = self.in_type.fractional, self.slope_t.fractional, self.shift_t.fractional
        frac = max(fx + fs, fsh, 0)
        v = (q.astype(np.int64) * self.slope) << (frac - fx - fs)
        v += self.shift << (frac - fsh)
        one = 1 << frac
        v = np.clip(v, 0, one)
        if self.tanh:
            v = 2 * v - one
        return requantize(v, frac, self.out_type)


@dataclass
class GlobalPool(Layer):
    """``nnet::global_pooling1d_cl/2d_cl``: every pixel of a channel, cast to ``accum_t``, enters a running
    maximum (from ``accum_t``'s minimum) or a running sum (from 0, each partial sum cast to ``accum_t``); the
    average divides by the pixel count truncating toward zero; the result is cast to the output type."""

    op: str = "Max"
    accum: FixedType = field(default_factory=lambda: FixedType(16, 6))

    def run(self, q: IntArray) -> IntArray:
        a = requantize(q, self.in_type.fractional, self.accum)
        flat = a.reshape(a.shape[0], -1, a.shape[-1])
        n = flat.shape[1]
        if self.op == "Max":
            red = np.maximum(flat.max(axis=1), self.accum.code_min)
            return requantize(red, self.accum.fractional, self.out_type)
        bound = n * int(np.abs(flat).max(initial=0))
        if self.accum.overflow == "WRAP" or bound <= min(self.accum.code_max, -self.accum.code_min):
            red = apply_overflow(flat.sum(axis=1), self.accum)  # no partial sum saturates; wrapping is modular
        else:
            red = np.zeros((flat.shape[0], flat.shape[2]), np.int64)
            for i in range(n):
                red = apply_overflow(red + flat[:, i], self.accum)
        red = np.where(red >= 0, red // n, -((-red) // n))
        return requantize(red, self.accum.fractional, self.out_type)


@dataclass
class As2D(Layer):
    """A 1-D io_stream layer (``conv_1d_cl``, ``pooling1d_cl``, ``zeropad1d_cl``) run as its 2-D twin on maps
    one pixel high: hls4ml's 1-D kernels compute the same windows in the same (width, channel) order."""

    inner: Layer = field(repr=False, default=None)  # type: ignore[assignment]

    def run(self, q: IntArray) -> IntArray:
        return self.inner.run(q[:, None])[:, 0]


def copy_windows(src: CodeT, out_hw: tuple[int, int], filt: tuple[int, int], stride: tuple[int, int]) -> CodeT:
    """im2col of a C-contiguous NHWC batch: (N*OH*OW, fh*fw*C), kernel index (kh, kw, c), any dtype.

    One window row, (kw, c), is ``fw*C`` consecutive values of an input row, so each is copied as one opaque
    ``fw*C``-value element (a numpy void type): the copy moves N*OH*OW*fh whole runs, with no per-value loop
    (3-4x faster than copying a float view of the same windows for a 4 x 4 patchify, ~1.6x for 3 x 3 on 8
    channels).
    """
    n, _, _, c = src.shape
    (oh, ow), (fh, fw), (sh, sw) = out_hw, filt, stride
    row = np.dtype((np.void, fw * c * src.itemsize))
    s0, s1, s2, _ = src.strides
    windows: npt.NDArray[np.void] = np.ndarray(
        (n, oh, ow, fh), dtype=row, buffer=src, strides=(s0, s1 * sh, s2 * sw, s1)
    )
    cols: CodeT = np.empty((n * oh * ow, fh * fw * c), src.dtype)
    cols.view(row).reshape(n, oh, ow, fh)[...] = windows
    return cols


def _max_code(t: FixedType) -> int:
    """Largest |code| of type ``t``."""
    return max(-t.code_min, t.code_max)


def _float_cast(q: CodeArray, src: FixedType, dst: FixedType) -> bool:
    """True when ``q`` holds float codes of ``src`` whose cast to ``dst`` is exact in their float type."""
    return q.dtype.kind == "f" and float_requantize_exact(q.dtype, _max_code(src), src.fractional, dst)
