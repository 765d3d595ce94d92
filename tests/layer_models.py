"""Models whose layers together meet every accepted row of the layer registry (fpgaflow.convert.registry).

Each :class:`IdentityCase` is converted by ``fpgaflow.convert.hls.convert``, compiled, and compared bit for bit
with the emulator in ``tests/test_layer_identity.py`` (the published models in ``tests/published_models.py`` are
cases too).  ``tests/test_layer_coverage.py`` checks that the cases meet every accepted registry row, so a row
added to the registry without a model here fails the suite.

Weights are random (seeded) and large: drawn over each quantiser's whole grid, batch-norm statistics far from 1
and 0, so accumulators, saturating results and tables are exercised across their ranges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fpgaflow.convert.config import LayerOverride
from fpgaflow_board.fixed_point import FixedType


@dataclass(frozen=True)
class IdentityCase:
    """``build(seed)`` → a (Q)Keras model; ``config``: ConvertConfig fields; ``input_scale``: ADC → input (``None``:
    the input type is ``layers``' override for the input or the default precision); inputs are drawn over ``span``
    (a little beyond it, to test the input cast) on a grid of ``lsb``."""

    name: str
    build: Callable[[int], Any]
    config: dict[str, Any] = field(default_factory=dict)
    input_scale: float | None = 1 / 256
    span: tuple[float, float] = (0.0, 1.0)
    lsb: float = 1 / 256
    layers: dict[str, LayerOverride] = field(default_factory=dict)


def randomise(model: Any, seed: int) -> Any:
    """Draw every weight of ``model`` from a seeded generator: kernels and biases uniform in ±1 (the range of a
    ``quantized_bits(b, 0)`` grid; quantisers round them onto it), batch-norm γ in [0.5, 2], β and the moving
    mean in ±1, the moving variance in [0.2, 2]."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        by_name = [w.name.split("/")[-1].split(":")[0] for w in layer.weights]
        new = []
        for name, w in zip(by_name, weights, strict=True):
            if name in ("gamma", "moving_variance"):
                lo, hi = (0.5, 2.0) if name == "gamma" else (0.2, 2.0)
                new.append(rng.uniform(lo, hi, w.shape).astype(w.dtype))
            elif w.ndim == 0:
                new.append(w)  # QConv2DBatchnorm's iteration counter
            else:
                new.append(rng.uniform(-1.0, 1.0, w.shape).astype(w.dtype))
        layer.set_weights(new)
    return model


def _q(bits: int, integer: int = 0) -> str:
    return f"quantized_bits({bits},{integer},alpha=1)"


def zoo_conv2d(seed: int) -> Any:
    """Same padding, stride 2, a fused QKeras activation, QConv2DBatchnorm without a bias quantizer, hard
    sigmoid, spatial dropout, a float Conv2D whose batch-norm hls4ml folds, ReLU, a scale-shift batch-norm,
    average pooling, quantized_bits, global average pooling, a fused tanh, dropout, hard_sigmoid, linear,
    sigmoid; explicit zero padding."""
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QConv2DBatchnorm

    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((12, 11, 2), name="maps")
    x = layers.ZeroPadding2D(((1, 0), (0, 1)), name="pad")(inp)
    x = QConv2D(
        4,
        3,
        strides=2,
        padding="same",
        activation="quantized_relu(6,2)",
        kernel_quantizer=_q(6, 1),
        bias_quantizer=_q(6, 1),
        name="conv_a",
    )(x)
    x = QConv2DBatchnorm(3, (3, 2), kernel_quantizer=_q(8, 2), name="conv_bn")(x)
    x = QActivation("quantized_sigmoid(6)", name="qsig")(x)
    x = layers.SpatialDropout2D(0.3, name="sdrop")(x)
    x = layers.Conv2D(4, 2, name="conv_f")(x)
    x = layers.BatchNormalization(name="bn_folded")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.AveragePooling2D(2, name="avg")(x)
    x = QActivation("quantized_bits(8,2)", name="qbits")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(6, activation="tanh", name="dense_t")(x)
    x = layers.Dropout(0.5, name="drop")(x)
    x = layers.Dense(5, name="dense_h")(x)
    x = layers.Activation("hard_sigmoid", name="hsig")(x)
    x = layers.Activation("linear", name="lin")(x)
    x = layers.Dense(3, name="out")(x)
    x = layers.Activation("sigmoid", name="sig")(x)
    return randomise(tf.keras.Model(inp, x), seed)


def zoo_conv1d(seed: int) -> Any:
    """Conv1D with same and causal padding and stride 2, max and average pooling, explicit zero padding, a fused
    relu, global max pooling, softmax; the first convolution under the Resource strategy."""
    import tensorflow as tf
    from qkeras import QActivation, QConv1D

    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((20, 3), name="trace")
    x = QConv1D(4, 3, padding="same", kernel_quantizer=_q(6, 1), bias_quantizer=_q(6, 1), name="c1")(inp)
    x = QActivation("quantized_relu(6,2)", name="r1")(x)
    x = layers.MaxPooling1D(2, name="mp")(x)
    x = layers.Conv1D(5, 3, padding="causal", name="c2")(x)
    x = layers.Conv1D(4, 3, strides=2, activation="relu", name="c3")(x)
    x = layers.ZeroPadding1D((1, 2), name="zp")(x)
    x = layers.AveragePooling1D(2, name="ap")(x)
    x = layers.GlobalMaxPooling1D(name="gmp")(x)
    x = layers.Dense(6, name="d")(x)
    x = layers.Softmax(name="sm")(x)
    return randomise(tf.keras.Model(inp, x), seed)


def global_max_2d(seed: int) -> Any:
    """Conv2D → GlobalMaxPooling2D → Dense (Resource strategy, reuse factor 3)."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((7, 6, 2), name="maps")
    x = tf.keras.layers.Conv2D(3, 3, name="conv")(inp)
    x = tf.keras.layers.GlobalMaxPooling2D(name="gmp")(x)
    x = tf.keras.layers.Dense(2, name="out")(x)
    return randomise(tf.keras.Model(inp, x), seed)


def global_average_1d(seed: int) -> Any:
    """Conv1D → GlobalAveragePooling1D over 6 positions (not a power of two: the division truncates) → Dense."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((8, 2), name="trace")
    x = tf.keras.layers.Conv1D(3, 3, name="conv")(inp)
    x = tf.keras.layers.GlobalAveragePooling1D(name="gap")(x)
    x = tf.keras.layers.Dense(2, name="out")(x)
    return randomise(tf.keras.Model(inp, x), seed)


def dense_parallel(seed: int) -> Any:
    """io_parallel, Dense only: a fused quantized_relu, a scale-shift batch-norm, hard tanh, sigmoid."""
    import tensorflow as tf
    from qkeras import QActivation, QDense

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((10,), name="features")
    x = QDense(8, activation="quantized_relu(8,3)", kernel_quantizer=_q(6), bias_quantizer=_q(6), name="fc1")(inp)
    x = tf.keras.layers.BatchNormalization(name="bn")(x)
    x = QActivation("quantized_tanh(6)", name="tanh")(x)
    x = QDense(4, kernel_quantizer=_q(6), bias_quantizer=_q(6), name="fc2")(x)
    x = tf.keras.layers.Activation("sigmoid", name="sig")(x)
    return randomise(tf.keras.Model(inp, x), seed)


ZOO: dict[str, IdentityCase] = {
    c.name: c
    for c in (
        IdentityCase(
            "zoo_conv2d",
            zoo_conv2d,
            {"backend": "Vivado"},
            layers={"conv_bn": LayerOverride(reuse_factor=3, strategy="Resource")},
        ),
        IdentityCase(
            "zoo_conv1d",
            zoo_conv1d,
            {"backend": "Vivado"},
            input_scale=None,
            span=(-6.0, 6.0),
            lsb=2.0**-5,
            layers={
                "trace": LayerOverride(result=FixedType(10, 4, True, "RND", "SAT")),
                "c1": LayerOverride(reuse_factor=3, strategy="Resource"),
            },
        ),
        IdentityCase(
            "global_max_2d",
            global_max_2d,
            {"backend": "VivadoAccelerator"},
            layers={"out": LayerOverride(reuse_factor=3, strategy="Resource")},
        ),
        IdentityCase(
            "global_average_1d",
            global_average_1d,
            {"backend": "Vivado"},
            input_scale=None,
            span=(-8.0, 8.0),
            lsb=2.0**-10,
        ),
        IdentityCase(
            "dense_parallel",
            dense_parallel,
            {"backend": "Vivado", "io_type": "io_parallel"},
            input_scale=None,
            span=(-20.0, 20.0),
            lsb=2.0**-10,
        ),
    )
}

#: Cases converted again on the Vitis route by tests/test_layer_identity.py (hls4ml's Vitis backend has its own
#: convolution, dense and pooling stream templates): the io_stream zoos, which meet every io_stream layer row, and
#: the hls4ml tutorial's SVHN CNN (tests/published_models.py).  LeNet-5 adds no layer kind to them and its
#: fully unrolled 400 x 120 Dense takes minutes to compile again; the jet-tagging MLP is io_parallel, which the
#: Vitis route refuses.
VITIS_CASES = ("svhn_cnn", "zoo_conv1d", "zoo_conv2d")
