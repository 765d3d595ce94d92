"""The FPGA-sized QKeras CNN (``model.name: qcnn``).

Sized for the PYNQ-Z2 (xc7z020: 280 BRAM18, 220 DSP48, 106,400 FF, 53,200 LUT) with hls4ml ``io_stream``:
every conv keeps only ``kernel_size − 1`` rows of line buffer (a few hundred bytes at 8 bits), and the
pools/strides shrink the map before the dense layer, whose weights are the part that grows with the
window.  ``models/default.yaml`` (32×32: 2 blocks of 8 filters) and ``models/qcnn_128.yaml`` (128×128:
a 4×4 pool after the first conv) are the shipped presets.
"""

from __future__ import annotations

from typing import Any

from fpgaflow.compress.quantize import activation_quantizer, weight_quantizer
from fpgaflow.errors import ConfigError
from fpgaflow.train.config import ModelConfig


def _conv(cfg: ModelConfig, filters: int, stride: int, name: str) -> Any:
    import tensorflow as tf
    from qkeras import QConv2D, QConv2DBatchnorm

    if not cfg.quantized:
        # he_normal: QConv2D's default initialiser, so the float twin starts from the same distribution
        return tf.keras.layers.Conv2D(
            filters, cfg.kernel_size, strides=stride, kernel_initializer="he_normal", name=name
        )
    kwargs = {
        "strides": stride,
        "kernel_quantizer": weight_quantizer(cfg.weights),
        "bias_quantizer": weight_quantizer(cfg.weights),
        "name": name,
    }
    if cfg.batch_norm:
        return QConv2DBatchnorm(filters, cfg.kernel_size, **kwargs)
    return QConv2D(filters, cfg.kernel_size, **kwargs)


def _relu(cfg: ModelConfig, name: str) -> Any:
    import tensorflow as tf
    from qkeras import QActivation

    if not cfg.quantized:
        return tf.keras.layers.ReLU(name=name)
    return QActivation(activation_quantizer(cfg.activations), name=name)


def _dense(cfg: ModelConfig, units: int, name: str) -> Any:
    import tensorflow as tf
    from qkeras import QDense

    if not cfg.quantized:
        return tf.keras.layers.Dense(units, kernel_initializer="he_normal", name=name)
    return QDense(
        units,
        kernel_quantizer=weight_quantizer(cfg.weights),
        bias_quantizer=weight_quantizer(cfg.weights),
        name=name,
    )


def build_qcnn(cfg: ModelConfig, input_shape: tuple[int, int, int]) -> Any:
    """``cfg.input_quantizer``, when set: a QActivation ``quantized_relu`` on the input.  Per ``conv_filters``
    entry: (Q)Conv2D ``kernel_size`` 'valid' with stride ``strides()[i]`` (or
    QConv2DBatchnorm when ``batch_norm``) + quantized_relu + MaxPool ``pools()[i]`` (skipped when 1 or when
    the map is smaller than the pool); then flatten, optional (Q)Dense + quantized_relu layers and one
    (Q)Dense unit with a sigmoid.

    Weights/biases use ``quantized_bits(cfg.weights)`` (``ap_fixed<bits, integer+1>``), activations
    ``quantized_relu(cfg.activations)`` (``ap_ufixed<bits, integer>``).  The sigmoid is evaluated in the
    FPGA with hls4ml's lookup table (or on the host).
    """
    import tensorflow as tf

    rows, cols, _ = input_shape
    inp = tf.keras.Input(shape=input_shape, name="hit_map")
    x = inp
    if cfg.input_quantizer is not None and cfg.quantized:
        from qkeras import QActivation

        x = QActivation(activation_quantizer(cfg.input_quantizer), name="input_quant")(x)
    k = cfg.kernel_size
    for i, (filters, stride, pool) in enumerate(zip(cfg.conv_filters, cfg.strides(), cfg.pools(), strict=True), 1):
        if rows < k or cols < k:
            raise ConfigError(
                f"model.conv_filters: block {i} sees a {rows}×{cols} map, smaller than the "
                f"{k}×{k} kernel; use fewer conv blocks, smaller pools or a larger window"
            )
        x = _conv(cfg, filters, stride, f"conv{i}")(x)
        x = _relu(cfg, f"relu{i}")(x)
        rows, cols = (rows - k) // stride + 1, (cols - k) // stride + 1
        if pool > 1 and rows >= pool and cols >= pool:
            x = tf.keras.layers.MaxPooling2D(pool, name=f"pool{i}")(x)
            rows, cols = rows // pool, cols // pool
    x = tf.keras.layers.Flatten(name="flatten")(x)
    for j, units in enumerate(cfg.dense_units, start=1):
        x = _dense(cfg, units, f"dense{j}")(x)
        x = _relu(cfg, f"dense_relu{j}")(x)
    x = _dense(cfg, 1, "output_dense")(x)
    out = tf.keras.layers.Activation("sigmoid", name="output_sigmoid")(x)
    return tf.keras.Model(inp, out, name=cfg.name if cfg.quantized else f"{cfg.name}_float")
