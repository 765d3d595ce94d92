"""Fast path: max-pool a convolution's raw sums before its (monotone) casts, with an exactness check.

For ``Conv2D -> [ReLU | linear]* -> MaxPooling2D`` the C++ computes ``max_w f(s_w)`` over each pooling
window, where ``s`` are the convolution's exact product sums and ``f`` is the chain bias add ->
accumulator -> result cast -> activation casts -> pooling accumulator cast.  Every cast rounds
monotonically and saturation is monotone; wrap-around (and SAT_ZERO) is monotone as long as nothing
overflows.  Where ``f`` is non-decreasing on all values that enter a window, ``max f(s) = f(max s)``, so
the casts run on the pooled maps (64x fewer values for 8x8 pooling).  Monotonicity is checked per batch
and per channel on the interval [static lower bound from the batch's input range, the batch's largest
pooled sum] by pushing both ends through ``f``; when the check fails the unfused layer-by-layer path
runs instead, on the same sums.  The result is bit-identical either way; the tests compare both paths
with the C simulation.
"""

from __future__ import annotations

import numpy as np

from fpgaflow.emulate import layers as L
from fpgaflow_board.fixed_point import CodeArray, IntArray, apply_overflow, is_monotone_on, requantize


def run_layers(layers: list[L.Layer], q: CodeArray) -> IntArray:
    """All layers on a batch, fusing Conv2D..MaxPool groups where that is exact.  ``q``: int64 codes or
    exact float codes (as :meth:`Emulator.quantise_input` gives them); each layer keeps float codes float
    where its casts stay exact in them (:meth:`fpgaflow.emulate.layers.Layer.run_codes`)."""
    i = 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, L.Conv2D) and layer.mac.mode == "matmul":
            j = i + 1
            while j < len(layers) and isinstance(layers[j], (L.Relu, L.Linear)):
                j += 1
            pool = layers[j] if j < len(layers) else None
            if isinstance(pool, L.Pool2D) and pool.op == "Max":
                q = _conv_act_maxpool(layer, layers[i + 1 : j], pool, q)
                i = j + 1
                continue
        q = layer.run_codes(q)
        i += 1
    return q.astype(np.int64, copy=False)


def _chain(conv: L.Conv2D, acts: list[L.Layer], pool: L.Pool2D, sums: CodeArray, check: bool) -> tuple[IntArray, bool]:
    """Apply f to product sums (last axis = channel); with ``check`` also report whether every cast
    was monotone on these values."""
    mac = conv.mac
    r = sums.astype(np.int64)
    if mac.shift:
        r <<= mac.shift
    r += mac.bias_acc
    ok = True
    if mac.wrap:
        ok = ok and (not check or is_monotone_on(r, mac.accum.fractional, mac.accum))
        r = apply_overflow(r, mac.accum)
    ok = ok and (not check or is_monotone_on(r, mac.accum.fractional, mac.result))
    r = requantize(r, mac.accum.fractional, mac.result)
    for act in acts:
        if isinstance(act, L.Relu):
            r = np.maximum(r, 0)
        ok = ok and (not check or is_monotone_on(r, act.in_type.fractional, act.out_type))
        r = requantize(r, act.in_type.fractional, act.out_type)
    ok = ok and (not check or is_monotone_on(r, pool.in_type.fractional, pool.accum))
    a = requantize(r, pool.in_type.fractional, pool.accum)
    ok = ok and (not check or is_monotone_on(a, pool.accum.fractional, pool.out_type))
    return requantize(a, pool.accum.fractional, pool.out_type), ok


def _conv_act_maxpool(conv: L.Conv2D, acts: list[L.Layer], pool: L.Pool2D, q: CodeArray) -> IntArray:
    oh, ow = conv.out_hw(q)
    # convolution outputs no pooling window reads (the cropped border) are not computed
    used_h = ((oh - pool.pool[0]) // pool.stride[0]) * pool.stride[0] + pool.pool[0]
    used_w = ((ow - pool.pool[1]) // pool.stride[1]) * pool.stride[1] + pool.pool[1]
    q = q[:, : (used_h - 1) * conv.stride[0] + conv.filt[0], : (used_w - 1) * conv.stride[1] + conv.filt[1]]
    oh, ow = used_h, used_w
    xmin, xmax = int(q.min(initial=0)), int(q.max(initial=0))
    if conv.mac.float_dtype(max(-xmin, xmax)) is None:
        q = q.astype(np.int64, copy=False)
    sums = conv.sums(q, max(-xmin, xmax))
    pooled = pool.max_raw(sums)
    w = conv.mac.w
    lo = np.minimum(w * xmin, w * xmax).sum(axis=0)  # no window sum can be below this, per channel
    hi = pooled.reshape(-1, pooled.shape[-1]).max(axis=0).astype(np.int64)
    _, monotone = _chain(conv, acts, pool, np.stack([lo, np.maximum(hi, lo)]), check=True)
    if monotone:
        out, _ = _chain(conv, acts, pool, pooled, check=False)
        return out
    y = conv.mac.finish(sums.reshape(-1, sums.shape[-1])).reshape(sums.shape[0], oh, ow, -1)
    for act in acts:
        y = act.run(y)
    return pool.run(y)
