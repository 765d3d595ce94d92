"""hls4ml's ``softmax_stable`` (io_stream, the default softmax implementation), bit for bit.

Per map, with ``x`` the input vector (one stream word):

* ``d_j = (inp_norm_t)(max(x) - x_j)`` (an unsigned type one bit narrower than the input);
* ``e_j = (accum_t) exp_table[top N bits of d_j]`` with the table holding ``expf(-value of index i)``;
* ``s = (inv_inp_t) reduce_add<accum_t>(e)`` (hls4ml's adder tree, each sum cast to accum_t);
* ``r = inv_table[top N' bits of s]`` with the table holding ``1 / value of index i``;
* ``out_j = (res_t)(e_j * r)``.

Table entries are computed in single precision as the C++ does; an infinite entry (``1/0``) becomes
the saturation value (SAT) or 0 (WRAP, SAT_ZERO), as ``ap_fixed(double inf)`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from fpgaflow.emulate.layers import Layer, reduce_add
from fpgaflow_board.fixed_point import FixedType, IntArray, from_float, requantize


def ceillog2(n: int) -> int:
    return int(np.ceil(np.log2(n))) if n > 1 else 0


def _float_to_fixed(vals: npt.NDArray[np.float32], t: FixedType) -> IntArray:
    """float32 table values to ``t`` codes, infinities as ap_fixed converts them."""
    vals = vals.astype(np.float64)
    finite = np.isfinite(vals)
    out = from_float(np.where(finite, vals, 0.0), t)
    if t.overflow in ("SAT", "SAT_SYM"):
        lo = -t.code_max if (t.overflow == "SAT_SYM" and t.signed) else t.code_min
        out = np.where(~finite & (vals > 0), t.code_max, np.where(~finite & (vals < 0), lo, out))
    return out


def index_value(t: FixedType, size: int) -> npt.NDArray[np.float32]:
    """``softmax_real_val_from_idx``: values of ``t`` whose top ceil(log2(size)) bits are i (float32)."""
    n = ceillog2(size)
    raw = np.arange(size, dtype=np.int64) << (t.width - n)
    if t.signed:
        raw = np.where(raw >= (1 << (t.width - 1)), raw - (1 << t.width), raw)
    return np.ldexp(raw.astype(np.float64), -t.fractional).astype(np.float32)


def top_bits(q: IntArray, t: FixedType, size: int) -> IntArray:
    """``softmax_idx_from_real_val``: the top ceil(log2(size)) bits of the raw bit pattern of ``q``."""
    n = ceillog2(size)
    return (q & ((1 << t.width) - 1)) >> (t.width - n)


@dataclass
class SoftmaxStable(Layer):
    """``nnet::softmax_stable`` on (N, n) vectors."""

    exp_table_t: FixedType = field(default_factory=lambda: FixedType(18, 8))
    inv_table_t: FixedType = field(default_factory=lambda: FixedType(18, 8))
    inv_inp_t: FixedType = field(default_factory=lambda: FixedType(18, 8))
    accum: FixedType = field(default_factory=lambda: FixedType(18, 8))
    inp_norm_t: FixedType = field(default_factory=lambda: FixedType(15, 5, False))
    exp_table_size: int = 1024
    inv_table_size: int = 1024
    exp_scale: float = 1.0

    def __post_init__(self) -> None:
        x = index_value(self.inp_norm_t, self.exp_table_size) * np.float32(self.exp_scale)
        self.exp_table = _float_to_fixed(np.exp(-x.astype(np.float64)).astype(np.float32), self.exp_table_t)
        with np.errstate(divide="ignore"):
            inv = (np.float32(1) / index_value(self.inv_inp_t, self.inv_table_size)).astype(np.float32)
        self.inv_table = _float_to_fixed(inv, self.inv_table_t)

    def run(self, q: IntArray) -> IntArray:
        fin = self.in_type.fractional
        d = requantize(q.max(axis=-1, keepdims=True) - q, fin, self.inp_norm_t)
        e = requantize(
            self.exp_table[top_bits(d, self.inp_norm_t, self.exp_table_size)],
            self.exp_table_t.fractional,
            self.accum,
        )
        total = requantize(reduce_add(e, self.accum), self.accum.fractional, self.inv_inp_t)
        r = self.inv_table[top_bits(total, self.inv_inp_t, self.inv_table_size)]
        return requantize(e * r[..., None], self.accum.fractional + self.inv_table_t.fractional, self.out_type)
