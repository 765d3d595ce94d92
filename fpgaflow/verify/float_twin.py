"""The float twin of a QKeras model: the same architecture and trained (shadow) weights, quantisers removed.

QConv2D/QDense become Conv2D/Dense with the layer's float kernel (QKeras keeps the unquantised weights and
quantises on the fly), QActivation(quantized_relu) becomes ReLU and QActivation(quantized_bits) a linear
activation.  Comparing it with the QKeras model shows what quantisation itself costs in accuracy.
"""

from __future__ import annotations

from typing import Any

from fpgaflow.convert.errors import UnsupportedLayerError


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
        raise UnsupportedLayerError(f"layer {layer.name!r}: no float twin for QActivation({qname})")
    if cls.startswith("Q"):
        raise UnsupportedLayerError(f"layer {layer.name!r}: no float twin for {cls}")
    return layer.__class__.from_config(cfg)


def float_twin(model: Any) -> Any:
    """A Keras model equal to ``model`` with every QKeras quantiser removed (weights copied by layer name)."""
    import tensorflow as tf

    twin = tf.keras.models.clone_model(model, clone_function=_float_layer)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            twin.get_layer(layer.name).set_weights(weights)
    return twin
