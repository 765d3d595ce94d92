"""The float twin of a QKeras model: the same architecture and weights, activations in float.

QConv2D/QConv1D/QDense become Conv2D/Conv1D/Dense carrying the layer's *quantised* weights (what the hardware
multiplies by; a QConv2DBatchnorm becomes a Conv2D with its folded, quantised kernel and bias),
QActivation(quantized_relu) becomes an unbounded float ReLU, QActivation(quantized_bits) a linear activation and
quantized_tanh/quantized_sigmoid their unrounded hard functions (clip(x, −1, 1), clip(x/2 + 1/2, 0, 1)).
Comparing it with the QKeras model shows what quantising the activations costs.

Why not the unquantised "shadow" weights QKeras trains: after quantisation-aware training they are not a
float model — weights that drifted beyond the quantiser's range (±1 for ``quantized_bits(8, 0)``) are clipped
in every forward pass, so the shadow network was never evaluated as such and can score at chance.  A
float-*trained* reference is ``bench/bench_train.py qat``'s job.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.convert.errors import UnconvertibleLayerError

#: QKeras weighted layers and the Keras layer of their twin
_WEIGHTED = {"QConv2D": "Conv2D", "QConv1D": "Conv1D", "QDense": "Dense", "QConv2DBatchnorm": "Conv2D"}


def _clip(low: float, high: float, slope: float = 1.0, shift: float = 0.0) -> Any:
    """``clip(slope·x + shift, low, high)`` as an in-memory layer (the twin is never saved)."""
    import tensorflow as tf

    return lambda x: tf.clip_by_value(slope * x + shift, low, high)


def _float_layer(layer: Any) -> Any:
    import tensorflow as tf

    cls = type(layer).__name__
    cfg = layer.get_config()
    if cls in _WEIGHTED:
        base = getattr(tf.keras.layers, _WEIGHTED[cls])
        allowed = set((base(1) if base is tf.keras.layers.Dense else base(1, 1)).get_config())
        # Initialisers, constraints and regularisers only matter for training: the twin copies the weights.
        dropped = ("_initializer", "_constraint", "_regularizer")
        kept = {k: v for k, v in cfg.items() if k in allowed and not k.endswith(dropped)}
        if cls == "QConv2DBatchnorm":
            kept["use_bias"] = True  # the folded bias
        return base.from_config(kept)
    if cls == "QActivation":
        qname = type(layer.quantizer).__name__
        if qname == "quantized_relu":
            return tf.keras.layers.ReLU(name=layer.name)
        if qname == "quantized_bits":
            return tf.keras.layers.Activation("linear", name=layer.name)
        if qname == "quantized_tanh":  # QKeras' hard tanh: 2·hard_sigmoid(x) − 1
            return tf.keras.layers.Lambda(_clip(-1.0, 1.0), name=layer.name)
        if qname == "quantized_sigmoid":  # QKeras' hard sigmoid
            return tf.keras.layers.Lambda(_clip(0.0, 1.0, 0.5, 0.5), name=layer.name)
        raise UnconvertibleLayerError(f"layer {layer.name!r}: no float twin for QActivation({qname})")
    if cls.startswith("Q"):
        raise UnconvertibleLayerError(f"layer {layer.name!r}: no float twin for {cls}")
    return layer.__class__.from_config(cfg)


def _quantised_weights(layer: Any) -> list[np.ndarray]:
    """The weights the hardware multiplies by: quantised kernel and bias (folded first for QConv2DBatchnorm)."""
    import tensorflow as tf

    from fpgaflow.convert.layers import folded_batchnorm

    def q(quantizer: Any, w: np.ndarray) -> np.ndarray:
        return w if quantizer is None else np.asarray(tf.keras.backend.eval(quantizer(tf.constant(w))), dtype=w.dtype)

    if type(layer).__name__ == "QConv2DBatchnorm":
        kernel, bias = folded_batchnorm(layer)
        kq, bq = layer.get_quantizers()[:2]
        return [q(kq, kernel.astype(np.float32)), q(bq, np.asarray(bias, np.float32))]
    return [q(quantizer, w) for w, quantizer in zip(layer.get_weights(), layer.get_quantizers(), strict=False)]


def float_twin(model: Any) -> Any:
    """A Keras model equal to ``model`` with every QKeras quantiser removed (weights copied by layer name)."""
    import tensorflow as tf

    twin = tf.keras.models.clone_model(model, clone_function=_float_layer)
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        if type(layer).__name__ in _WEIGHTED:
            weights = _quantised_weights(layer)
        twin.get_layer(layer.name).set_weights(weights)
    return twin
