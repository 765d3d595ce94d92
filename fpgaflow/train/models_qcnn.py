"""The FPGA-sized QKeras CNN (``model.name: qcnn``).

Sized for the PYNQ-Z2 (xc7z020: 280 BRAM18, 220 DSP48, 106,400 FF, 53,200 LUT) with hls4ml ``io_stream``:
every conv keeps only ``kernel − 1`` rows of line buffer (a few hundred bytes at 8 bits), and the
pools/strides shrink the map before the dense layer, whose weights are the part that grows with the
window.  ``models/default.yaml`` (the flagship at 128 × 128: a 4 × 4 stride-4 *patchify* conv first) and
``models/quick.yaml`` (32 × 32, two small blocks) are the shipped presets.

'valid' convolutions, strides and pools whose sizes do not divide the map drop its last rows or columns:
:func:`unseen_pixels` says which input rows and columns then never reach the output, and the builder logs
them (a hit there cannot change the score).
"""

from __future__ import annotations

import logging
from typing import Any

from fpgaflow.compress.quantize import activation_quantizer, weight_quantizer
from fpgaflow.errors import ConfigError
from fpgaflow.train.config import ModelConfig

log = logging.getLogger(__name__)


def _conv(cfg: ModelConfig, filters: int, kernel: int, stride: int, padding: str, name: str) -> Any:
    import tensorflow as tf
    from qkeras import QConv2D, QConv2DBatchnorm

    if not cfg.quantized:
        # he_normal: QConv2D's default initialiser, so the float twin starts from the same distribution
        return tf.keras.layers.Conv2D(
            filters, kernel, strides=stride, padding=padding, kernel_initializer="he_normal", name=name
        )
    kwargs = {
        "strides": stride,
        "padding": padding,
        "kernel_quantizer": weight_quantizer(cfg.weights),
        "bias_quantizer": weight_quantizer(cfg.weights),
        "name": name,
    }
    if cfg.batch_norm:
        return QConv2DBatchnorm(filters, kernel, **kwargs)
    return QConv2D(filters, kernel, **kwargs)


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


def _conv_out(size: int, kernel: int, stride: int, padding: str) -> tuple[int, int]:
    """(output size, zeros padded before the map) of one conv along an axis of ``size`` pixels, as Keras (and
    hls4ml's inserted ZeroPadding2D) lay it out: 'same' gives ``ceil(size / stride)`` outputs, the padding split
    with the smaller half first."""
    if padding == "same":
        out = -(-size // stride)
        return out, max((out - 1) * stride + kernel - size, 0) // 2
    return (size - kernel) // stride + 1, 0


def layout(cfg: ModelConfig, rows: int, cols: int) -> list[tuple[int, int, int, str]]:
    """(kernel, stride, pool, padding) of each conv block as built for a ``rows`` × ``cols`` map: the pool is 1
    where it is skipped (1, or larger than the map it would pool).  Stops before a 'valid' block whose kernel does
    not fit."""
    out: list[tuple[int, int, int, str]] = []
    for k, stride, pool, padding in zip(cfg.kernels(), cfg.strides(), cfg.pools(), cfg.paddings(), strict=True):
        if padding == "valid" and (rows < k or cols < k):
            break
        rows, cols = _conv_out(rows, k, stride, padding)[0], _conv_out(cols, k, stride, padding)[0]
        applied = pool if pool > 1 and rows >= pool and cols >= pool else 1
        out.append((k, stride, applied, padding))
        rows, cols = rows // applied, cols // applied
    return out


def _seen_axis(blocks: list[tuple[int, int, int, str]], size: int) -> set[int]:
    """Input indices along one axis of ``size`` pixels that reach the output: walk back from every index of the
    last map (the flatten and the global pools read them all) through each pool (output i reads [i·p, i·p + p))
    and conv (output i reads [i·s − pad, i·s − pad + k), the padded zeros dropped)."""
    sizes, pads = [], []
    for k, stride, pool, padding in blocks:
        sizes.append(size)
        out, pad = _conv_out(size, k, stride, padding)
        pads.append(pad)
        size = out // pool
    seen = set(range(size))
    for (k, stride, pool, _), n_in, pad in reversed(list(zip(blocks, sizes, pads, strict=True))):
        seen = {j for i in seen for j in range(i * pool, i * pool + pool)}
        seen = {j for i in seen for j in range(i * stride - pad, i * stride - pad + k) if 0 <= j < n_in}
    return seen


def unseen_pixels(cfg: ModelConfig, rows: int, cols: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Input rows and columns that no output of the ``qcnn`` layout depends on (empty tuples: the model sees
    every pixel).  E.g. 32 × 32 with two 3 × 3 blocks and 2 × 2 pools: 30 → 15 → 13 → 6 drops the last row
    of the 13 × 13 map, so input rows and columns 30 and 31 are never read."""
    blocks = layout(cfg, rows, cols)
    seen_r, seen_c = _seen_axis(blocks, rows), _seen_axis(blocks, cols)
    return tuple(i for i in range(rows) if i not in seen_r), tuple(i for i in range(cols) if i not in seen_c)


def _global_pool(cfg: ModelConfig, rows: int, cols: int) -> Any:
    """The layer that turns the last ``rows`` × ``cols`` map into the output layer's input (see
    :class:`ModelConfig` ``global_pool``)."""
    import tensorflow as tf

    if cfg.global_pool == "max":
        return tf.keras.layers.GlobalMaxPooling2D(name="global_pool")
    if cfg.global_pool == "average":
        n = rows * cols
        if n & (n - 1):
            raise ConfigError(
                f"model.global_pool: average over the last {rows}×{cols} map divides by {n}, which hls4ml does "
                "not compute bit for bit with QKeras (only a power of two is exact); choose kernels, strides, "
                "pools or conv_paddings that end on a 2^k-pixel map, or global_pool: max"
            )
        return tf.keras.layers.GlobalAveragePooling2D(name="global_pool")
    return tf.keras.layers.Flatten(name="flatten")


def build_qcnn(cfg: ModelConfig, input_shape: tuple[int, int, int]) -> Any:
    """``cfg.input_quantizer``, when set: a QActivation ``quantized_relu`` on the input.  Per ``conv_filters``
    entry: (Q)Conv2D ``kernels()[i]`` with stride ``strides()[i]`` and padding ``paddings()[i]`` (or
    QConv2DBatchnorm when ``batch_norm``) + quantized_relu + MaxPool ``pools()[i]`` (skipped when 1 or when
    the map is smaller than the pool); then flatten (or the global pool ``global_pool``), optional (Q)Dense +
    quantized_relu layers and one (Q)Dense unit with a sigmoid.

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
    blocks = zip(cfg.conv_filters, cfg.kernels(), cfg.strides(), cfg.pools(), cfg.paddings(), strict=True)
    for i, (filters, k, stride, pool, padding) in enumerate(blocks, 1):
        if padding == "valid" and (rows < k or cols < k):
            raise ConfigError(
                f"model.conv_filters: block {i} sees a {rows}×{cols} map, smaller than the "
                f"{k}×{k} kernel; use fewer conv blocks, smaller pools or a larger window"
            )
        x = _conv(cfg, filters, k, stride, padding, f"conv{i}")(x)
        x = _relu(cfg, f"relu{i}")(x)
        rows, cols = _conv_out(rows, k, stride, padding)[0], _conv_out(cols, k, stride, padding)[0]
        if pool > 1 and rows >= pool and cols >= pool:
            x = tf.keras.layers.MaxPooling2D(pool, name=f"pool{i}")(x)
            rows, cols = rows // pool, cols // pool
    unseen = unseen_pixels(cfg, *input_shape[:2])
    if unseen[0] or unseen[1]:
        log.warning(
            "model: the conv/pool layout never reads input rows %s and columns %s of the %d×%d map (a hit there "
            "cannot change the score); choose kernels, strides and pools that divide the maps",
            list(unseen[0]),
            list(unseen[1]),
            *input_shape[:2],
        )
    x = _global_pool(cfg, rows, cols)(x)
    for j, units in enumerate(cfg.dense_units, start=1):
        x = _dense(cfg, units, f"dense{j}")(x)
        x = _relu(cfg, f"dense_relu{j}")(x)
    x = _dense(cfg, 1, "output_dense")(x)
    out = tf.keras.layers.Activation("sigmoid", name="output_sigmoid")(x)
    return tf.keras.Model(inp, out, name=cfg.name if cfg.quantized else f"{cfg.name}_float")
