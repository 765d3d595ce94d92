"""The float twin of a QKeras model: the same architecture and weights, activations in float.

QConv2D/QDense become Conv2D/Dense carrying the layer's *quantised* weights (what the hardware multiplies
by), QActivation(quantized_relu) becomes an unbounded float ReLU and QActivation(quantized_bits) a linear
activation.  Comparing it with the QKeras model shows what quantising the activations costs.

Why not the unquantised "shadow" weights QKeras trains: after quantisation-aware training they are not a
float model — weights that drifted beyond the quantiser's range (±1 for ``quantized_bits(8, 0)``) are clipped
in every forward pass, so the shadow network was never evaluated as such and can score at chance.  A
float-*trained* reference is ``bench/bench_train.py qat``'s job.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.convert.errors import UnconvertibleLayerError


def _float_layer(layer: Any) -> Any:
    import tensorflow as tf

    cls = type(layer).__name__
    cfg = layer.get_config()
    if cls in ("QConv2D", "QDense"):
        base = tf.keras.layers.Conv2D if cls == "QConv2D" else tf.keras.layers.Dense
        allowed = set((base(1, 1) if cls == "QConv2D" else base(1)).get_config())
        # Initialisers, constraints and regularisers only matter for training: the twin copies the weights.
        dropped = ("_initializer", "_constraint", "_regularizer")
        return base.from_config({k: v for k, v in cfg.items() if k in allowed and not k.endswith(dropped)})
    if cls == "QActivation":
        qname = type(layer.quantizer).__name__
        if qname == "quantized_relu":
            return tf.keras.layers.ReLU(name=layer.name)
        if qname == "quantized_bits":
            return tf.keras.layers.Activation("linear", name=layer.name)
        raise UnconvertibleLayerError(f"layer {layer.name!r}: no float twin for QActivation({qname})")
    if cls.startswith("Q"):
        raise UnconvertibleLayerError(f"layer {layer.name!r}: no float twin for {cls}")
    return layer.__class__.from_config(cfg)


def float_twin(model: Any) -> Any:
    """A Keras model equal to ``model`` with every QKeras quantiser removed (weights copied by layer name)."""
    import tensorflow as tf

    twin = tf.keras.models.clone_model(model, clone_function=_float_layer)
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        if type(layer).__name__ in ("QConv2D", "QDense"):
            quantizers = layer.get_quantizers()
            weights = [
                w if q is None else np.asarray(tf.keras.backend.eval(q(tf.constant(w))), dtype=w.dtype)
                for w, q in zip(weights, quantizers, strict=False)
            ]
        twin.get_layer(layer.name).set_weights(weights)
    return twin
