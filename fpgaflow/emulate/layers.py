"""Bit-exact numpy models of hls4ml's ``io_stream`` layer kernels (pure numpy, no hls4ml import).

Every layer maps a batch of input codes (int64, NHWC or (N, features), value ``code * 2**-in_type.fractional``)
to output codes of ``out_type``.  The C++ each one reproduces is named in its docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from fpgaflow.emulate.mac import MacUnit
from fpgaflow.emulate.tables import sigmoid_index, sigmoid_table, tanh_table
from fpgaflow_board.fixed_point import CodeArray, CodeT, FixedType, FloatArray, IntArray, apply_overflow, requantize


@dataclass
class Layer:
    """One hls4ml layer: ``name`` as in the hls4ml ModelGraph, output type and per-map output shape."""

    name: str
    in_type: FixedType
    out_type: FixedType
    out_shape: tuple[int, ...]

    def run(self, q: IntArray) -> IntArray:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass
class InputCast(Layer):
    """The bridge's ``input_t(value)``: float (or double) to the input layer's ap_fixed type."""

    def run(self, q: IntArray) -> IntArray:
        return q  # the cast from float happens in Emulator._quantise_input


@dataclass
class Dense(Layer):
    """``nnet::dense`` (io_stream wrapper around ``dense_latency``)."""

    mac: MacUnit = field(repr=False, default=None)  # type: ignore[assignment]

    def run(self, q: IntArray) -> IntArray:
        lead = q.shape[:-1]
        out = self.mac(q.reshape(-1, q.shape[-1]))
        return out.reshape(*lead, out.shape[-1])


@dataclass
class Conv2D(Layer):
    """``nnet::conv_2d_cl`` line-buffer implementation: each output pixel is ``dense_latency`` on the
    (filt_h, filt_w, n_chan) window, strides applied; padding comes from a separate ZeroPadding2D layer."""

    filt: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    mac: MacUnit = field(repr=False, default=None)  # type: ignore[assignment]

    def columns(self, q: CodeArray, absmax: int | None = None) -> CodeArray:
        """im2col: (N*OH*OW, fh*fw*C) windows, kernel index (kh, kw, c); float when the product is exact.
        ``absmax``: max |code| of ``q`` if already known."""
        n = q.shape[0]
        fh, fw = self.filt
        sh, sw = self.stride
        if absmax is None:
            absmax = int(np.abs(q).max(initial=0))
        dt = self.mac.float_dtype(absmax) if self.mac.mode == "matmul" else None
        src = q.astype(dt, copy=False) if dt is not None else q.astype(np.int64, copy=False)
        # (N, OH, OW, C, fh, fw)
        win: CodeArray = sliding_window_view(src, (fh, fw), axis=(1, 2))[:, ::sh, ::sw]  # type: ignore[call-overload]
        return win.transpose(0, 1, 2, 4, 5, 3).reshape(n * win.shape[1] * win.shape[2], -1)

    def out_hw(self, q: CodeArray) -> tuple[int, int]:
        return (
            (q.shape[1] - self.filt[0]) // self.stride[0] + 1,
            (q.shape[2] - self.filt[1]) // self.stride[1] + 1,
        )

    def sums(self, q: CodeArray, absmax: int | None = None) -> CodeArray:
        """Exact product sums ``window @ w`` as (N, OH, OW, n_filt) (matmul mode only; may be a view).

        With one or two input channels the windows are gathered tap-major, (fh*fw*C, N*OH*OW): each tap is
        a copy of whole image rows rather than of C-element snippets, several times faster for C=1.
        """
        n = q.shape[0]
        oh, ow = self.out_hw(q)
        if absmax is None:
            absmax = int(np.abs(q).max(initial=0))
        dt = self.mac.float_dtype(absmax)
        chans = q.shape[3]
        if dt is None or chans > 2:
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
        w_t = (self.mac.w32 if dt == np.float32 else self.mac.wf).T  # (n_filt, K)
        out = w_t @ cols.reshape(fh * fw * chans, -1)  # (n_filt, N*OH*OW)
        return out.reshape(-1, n, oh, ow).transpose(1, 2, 3, 0)

    def run(self, q: IntArray) -> IntArray:
        oh, ow = self.out_hw(q)
        if self.mac.mode == "matmul":
            s = self.sums(q)
            return self.mac.finish(s.reshape(-1, s.shape[-1])).reshape(q.shape[0], oh, ow, -1)
        return self.mac(self.columns(q)).reshape(q.shape[0], oh, ow, -1)


@dataclass
class ZeroPad2D(Layer):
    """``nnet::zeropad2d_cl``: zeros of the input type around the map, then cast to the output type."""

    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, bottom, left, right

    def run(self, q: IntArray) -> IntArray:
        top, bottom, left, right = self.pads
        padded = np.pad(q, ((0, 0), (top, bottom), (left, right), (0, 0)))
        return requantize(padded, self.in_type.fractional, self.out_type)


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
        strided row sets (contiguous rows), then of the pw strided column sets of that."""
        ph, pw = self.pool
        sh, sw = self.stride
        oh, ow = (a.shape[1] - ph) // sh + 1, (a.shape[2] - pw) // sw + 1
        if (sh, sw) == (ph, pw) and ph * pw > 9:  # large non-overlapping windows: a reshaped reduction
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


@dataclass
class Linear(Layer):
    """``nnet::linear``: a plain cast to the output type."""

    def run(self, q: IntArray) -> IntArray:
        return requantize(q, self.in_type.fractional, self.out_type)


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
