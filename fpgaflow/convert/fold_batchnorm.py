"""Fold a BatchNormalization into the Dense/Conv layer before it, exactly where hls4ml 1.3 folds it.

hls4ml's ``FuseBatchNormalization`` pass (``model/optimizer/passes/bn_fuse.py``) folds a batch-norm whose input
is a Dense, Conv1D or Conv2D layer (its only reader) under hls4ml's default config, unless the two cannot be
merged without requantising: the layer has a kernel quantizer and the batch-norm scale is not all ones, or it
has a bias quantizer and the batch-norm bias is not all zeros.  Folded: ``kernel·scale`` and
``bias·scale + shift``, in float32 as hls4ml computes them, with the layer's own quantizers.  Every other
batch-norm (after a quantised layer, after an activation or pooling) stays a scale-shift layer
(``nnet::normalize``), as in hls4ml.  fpgaflow pins every layer's result type, which would stop hls4ml's pass
from firing; folding here first keeps hls4ml's behaviour.

``QConv2DBatchnorm`` is folded by hls4ml itself when it builds its ``Conv2DBatchnorm`` layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.convert.inference_graph import LayerRecipe

#: Keras classes hls4ml maps to its Dense, Conv1D and Conv2D layers
FOLDS_INTO = ("Dense", "QDense", "Conv1D", "QConv1D", "Conv2D", "QConv2D")


def batchnorm_scale_shift(config: dict[str, Any], weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift) of a BatchNormalization as hls4ml computes them: ``γ / sqrt(σ² + ε)`` and ``β − scale·μ``
    (float32; γ = 1 without ``scale``, β = 0 without ``center``)."""
    w = list(weights)
    gamma = w.pop(0) if config.get("scale", True) else np.float32(1)
    beta = w.pop(0) if config.get("center", True) else np.float32(0)
    mean, variance = w[0], w[1]
    scale = gamma / np.sqrt(variance + config["epsilon"])
    return scale, beta - scale * mean


def _has(config: dict[str, Any], key: str) -> bool:
    return config.get(key) is not None


def _folds(layer: LayerRecipe, bn: LayerRecipe) -> bool:
    if layer.class_name not in FOLDS_INTO or bn.class_name != "BatchNormalization":
        return False
    if layer.config.get("activation", "linear") != "linear":
        return False
    scale, shift = batchnorm_scale_shift(bn.config, bn.weights)
    scale_ok = not _has(layer.config, "kernel_quantizer") or bool(np.all(scale == 1))
    shift_ok = not _has(layer.config, "bias_quantizer") or bool(np.all(shift == 0))
    return scale_ok and shift_ok


def fold_batchnorm(recipes: list[LayerRecipe]) -> list[LayerRecipe]:
    """``recipes`` with every batch-norm hls4ml would fuse folded into the layer before it."""
    out: list[LayerRecipe] = []
    for r in recipes:
        if out and _folds(out[-1], r):
            layer = out.pop()
            scale, shift = batchnorm_scale_shift(r.config, r.weights)
            kernel = layer.weights[0]
            bias = layer.weights[1] if layer.config.get("use_bias", True) else np.zeros(kernel.shape[-1], np.float32)
            folded = [(kernel * scale).astype(np.float32), (bias * scale + shift).astype(np.float32)]
            out.append(LayerRecipe(layer.cls, {**layer.config, "use_bias": True}, folded))
            continue
        out.append(r)
    return out
