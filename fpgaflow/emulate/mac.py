"""The multiply-accumulate core shared by Dense and Conv2D, exactly as hls4ml's ``dense_latency``.

hls4ml computes, for every output ``j``::

    accum_t mult[i] = data[i] * weight[i][j];     // full-precision product, cast to accum_t
    accum_t acc = (accum_t) bias[j];
    for i in 0..n_in-1:  acc += mult[i];          // each partial sum cast to accum_t (wrap or saturate)
    res_t out = (res_t) acc;

When no product loses bits in its cast and no partial sum can leave ``accum_t`` (checked at build time
from the weights and the input type's range) or ``accum_t`` wraps (modular sums do not depend on the
order), the whole batch is one exact matrix product: float64 BLAS when every partial sum stays below
2**53 in magnitude, int64 otherwise.  Otherwise (a saturating accumulator that can overflow, or a product
that loses fractional bits) the loop above is replayed term by term on the whole batch.
"""

from __future__ import annotations

import logging

import numpy as np

from fpgaflow.emulate.errors import UnemulatedLayerError
from fpgaflow_board.fixed_point import (
    CodeArray,
    FixedType,
    FloatArray,
    IntArray,
    apply_overflow,
    float_requantize_exact,
    requantize,
    requantize_float,
)

log = logging.getLogger(__name__)

_EXACT_FLOAT = float(2**53)
_EXACT_FLOAT32 = float(2**24)
_INT_LIMIT = 2**62


class MacUnit:
    """``y = cast<res>(bias + sum_i cast<accum>(x_i * w_ij))`` for a 2-D batch of input codes."""

    def __init__(
        self,
        layer: str,
        *,
        weights: IntArray,
        weight_type: FixedType,
        bias: IntArray,
        bias_type: FixedType,
        in_type: FixedType,
        accum: FixedType,
        result: FixedType,
        sequential_order: bool,
    ) -> None:
        self.layer = layer
        self.in_type, self.accum, self.result = in_type, accum, result
        self.w = np.asarray(weights, dtype=np.int64)  # (n_in, n_out) codes at weight_type.fractional
        self.prod_frac = in_type.fractional + weight_type.fractional
        self.bias_acc = requantize(np.asarray(bias, dtype=np.int64), bias_type.fractional, accum)
        xmax = max(abs(in_type.code_min), abs(in_type.code_max))
        wabs = np.abs(self.w)
        # can any single product lose bits when cast to accum_t?
        lossless_products = self.prod_frac <= accum.fractional
        if lossless_products:
            scale = 1 << (accum.fractional - self.prod_frac)
            pmax = int(wabs.max(initial=0)) * xmax * scale
            lossless_products = pmax <= accum.code_max and -pmax >= accum.code_min
        # worst partial sum, in accum codes
        col = wabs.sum(axis=0).astype(object) * xmax
        bound = int(max((col * (1 << max(accum.fractional - self.prod_frac, 0))).max(initial=0), 0)) + int(
            np.abs(self.bias_acc).max(initial=0)
        )
        sums_fit = bound <= accum.code_max and -bound >= accum.code_min
        self.bound = bound  # |partial sums| <= bound, in accum codes
        if lossless_products and (sums_fit or accum.overflow == "WRAP") and bound < _INT_LIMIT:
            self.mode = "matmul"
            self.wrap = not sums_fit
            self.col_max = int(max(col.max(initial=0), 0))  # |x @ w| <= max|x code| * col_max / xmax
            self.wsum = int(wabs.sum(axis=0).max(initial=0))
            self.use_float = self.col_max < _EXACT_FLOAT
            self.shift = accum.fractional - self.prod_frac
            self.wf = self.w.astype(np.float64)
            self.w32 = self.w.astype(np.float32)
        else:
            if not sequential_order:
                raise UnemulatedLayerError(
                    f"layer {layer!r}: accumulator {accum} can saturate or products lose bits, and the "
                    "summation order of this strategy is not modelled (use Strategy 'Latency')"
                )
            self.mode = "sequential"
            log.info("layer %r: term-by-term accumulation (accum %s may saturate or round products)", layer, accum)

    def float_dtype(self, xmax: int) -> type | None:
        """The narrowest float type whose matrix product is exact for inputs with |code| <= xmax."""
        if self.mode != "matmul" or not self.use_float:
            return None
        exact = xmax * self.wsum
        if exact < _EXACT_FLOAT32:
            return np.float32
        return np.float64 if exact < _EXACT_FLOAT else None

    def products(self, x: CodeArray) -> CodeArray:
        """``x @ w`` exactly (matmul mode): ``x`` int64 codes, or float codes already of the exact dtype."""
        if x.dtype == np.float32:
            return x @ self.w32
        if x.dtype == np.float64:
            return x @ self.wf
        dt = self.float_dtype(int(np.abs(x).max(initial=0)))
        if dt is None:
            return x @ self.w
        return x.astype(dt) @ (self.w32 if dt == np.float32 else self.wf)

    def finish(self, sums: CodeArray) -> IntArray:
        """Exact product sums (at the product scale) -> accumulator (bias, wrap) -> result codes."""
        s = sums.astype(np.int64)
        if self.shift:
            s <<= self.shift
        s += self.bias_acc
        if self.wrap:
            s = apply_overflow(s, self.accum)
        return requantize(s, self.accum.fractional, self.result)

    def finish_codes(self, sums: CodeArray) -> CodeArray:
        """:meth:`finish` that keeps exact float sums float: the bias add and the casts run in the sums' float
        type (or float64) where every partial sum (``bound``) stays exact there; int64 otherwise."""
        if sums.dtype.kind == "f" and not self.wrap:
            for dt in (sums.dtype, np.dtype(np.float64)):
                if float_requantize_exact(dt, self.bound, self.accum.fractional, self.result):
                    acc: FloatArray = sums.astype(dt, copy=True)
                    if self.shift:
                        acc *= dt.type(2.0**self.shift)
                    acc += self.bias_acc.astype(dt)
                    return requantize_float(acc, self.accum.fractional, self.result)
        return self.finish(sums)

    def __call__(self, x: CodeArray) -> IntArray:
        """``x``: (rows, n_in) input codes; returns (rows, n_out) result codes."""
        if self.mode == "matmul":
            return self.finish(self.products(x))
        x = x.astype(np.int64)
        acc = np.broadcast_to(self.bias_acc, (x.shape[0], self.w.shape[1])).copy()
        for i in range(self.w.shape[0]):
            prod = requantize(x[:, i : i + 1] * self.w[i], self.prod_frac, self.accum)
            acc = apply_overflow(acc + prod, self.accum)
        return requantize(acc, self.accum.fractional, self.result)
