"""Model builders. Each takes a typed config and the hit-map shape and returns an uncompiled Keras model."""

from __future__ import annotations

from typing import Any

from fpgaflow.compress.quantize import activation_quantizer, weight_quantizer
from fpgaflow.config.strict import suggest
from fpgaflow.errors import ConfigError
from fpgaflow.train.config import ModelConfig


def build_qcnn(cfg: ModelConfig, input_shape: tuple[int, int, int]) -> Any:
    """QKeras CNN: per ``conv_filters`` entry a QConv2D 3×3 ('valid') + quantized_relu + MaxPool 2×2;
    then flatten, optional QDense + quantized_relu layers, and one QDense unit with a sigmoid.

    Weights/biases use ``quantized_bits(cfg.weights)`` (ap_fixed<bits, integer+1>), activations
    ``quantized_relu(cfg.activations)`` (ap_ufixed<bits, integer>).  The sigmoid is evaluated in the
    FPGA with hls4ml's lookup table.
    """
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense

    rows, cols, _ = input_shape
    inp = tf.keras.Input(shape=input_shape, name="hit_map")
    x = inp
    for i, filters in enumerate(cfg.conv_filters, start=1):
        if rows < cfg.kernel_size or cols < cfg.kernel_size:
            raise ConfigError(
                f"model.conv_filters: block {i} sees a {rows}×{cols} map, smaller than the "
                f"{cfg.kernel_size}×{cfg.kernel_size} kernel; use fewer conv blocks or a larger window"
            )
        x = QConv2D(
            filters,
            cfg.kernel_size,
            kernel_quantizer=weight_quantizer(cfg.weights),
            bias_quantizer=weight_quantizer(cfg.weights),
            name=f"conv{i}",
        )(x)
        x = QActivation(activation_quantizer(cfg.activations), name=f"relu{i}")(x)
        rows, cols = rows - cfg.kernel_size + 1, cols - cfg.kernel_size + 1
        if rows >= 2 and cols >= 2:
            x = tf.keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
            rows, cols = rows // 2, cols // 2
    x = tf.keras.layers.Flatten(name="flatten")(x)
    for j, units in enumerate(cfg.dense_units, start=1):
        x = QDense(
            units,
            kernel_quantizer=weight_quantizer(cfg.weights),
            bias_quantizer=weight_quantizer(cfg.weights),
            name=f"dense{j}",
        )(x)
        x = QActivation(activation_quantizer(cfg.activations), name=f"dense_relu{j}")(x)
    x = QDense(
        1,
        kernel_quantizer=weight_quantizer(cfg.weights),
        bias_quantizer=weight_quantizer(cfg.weights),
        name="output_dense",
    )(x)
    out = tf.keras.layers.Activation("sigmoid", name="output_sigmoid")(x)
    return tf.keras.Model(inp, out, name=cfg.name)


MODEL_BUILDERS = {"qcnn": build_qcnn}


def build_model(cfg: ModelConfig, input_shape: tuple[int, int, int]) -> Any:
    """Build the model named by ``cfg.name``."""
    try:
        builder = MODEL_BUILDERS[cfg.name]
    except KeyError:
        raise ConfigError(f"unknown model {cfg.name!r}{suggest(cfg.name, MODEL_BUILDERS)}") from None
    return builder(cfg, input_shape)


def custom_objects() -> dict[str, Any]:
    """Objects Keras needs to reload a saved QKeras model."""
    from qkeras.utils import _add_supported_quantized_objects

    objects: dict[str, Any] = {}
    _add_supported_quantized_objects(objects)
    return objects


def load_model(path: str) -> Any:
    """Load a saved (stripped) QKeras model."""
    import tensorflow as tf

    return tf.keras.models.load_model(path, custom_objects=custom_objects(), compile=False)
