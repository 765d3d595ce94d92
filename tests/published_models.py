"""Three published QKeras architectures, rebuilt layer for layer with random (seeded) weights.

* :func:`svhn_cnn`: the QKeras SVHN CNN of the hls4ml tutorial (part 6, "CNNs"; Aarrestad et al.,
  arXiv:2101.05108): 32×32×3 images, three blocks QConv2DBatchnorm(16, 16, 24 filters, 3×3,
  ``quantized_bits(6,0,alpha=1)`` kernel and bias) → ``quantized_relu(6)`` → MaxPooling2D(2), Flatten, two
  blocks QDense(42, 64, ``quantized_bits(6,0,alpha=1)``, no bias) → BatchNormalization → ``quantized_relu(6)``,
  Dense(10), softmax.
* :func:`lenet5`: LeNet-5 (LeCun et al. 1998) in QKeras with hard tanh: 32×32×1 → QConv2D(6, 5×5) → tanh →
  AveragePooling2D(2) → QConv2D(16, 5×5) → tanh → AveragePooling2D(2) → Flatten → QDense(120) → tanh →
  QDense(84) → tanh → QDense(10) → softmax; 8-bit ``quantized_bits(8,0,alpha=1)`` weights,
  ``quantized_tanh(8)`` (QKeras' hard tanh) activations.
* :func:`jet_tagging_mlp`: the hls4ml jet-tagging MLP (hls4ml tutorial parts 1–4; Duarte et al., JINST 13
  P07027): 16 jet features → QDense(64) → ``quantized_relu(6)`` → QDense(32) → relu → QDense(32) → relu →
  QDense(5) → softmax, ``quantized_bits(6,0,alpha=1)`` weights and biases.
"""

from __future__ import annotations

from typing import Any

from layer_models import IdentityCase, randomise

from fpgaflow.convert.config import LayerOverride

Q6 = "quantized_bits(6,0,alpha=1)"
Q8 = "quantized_bits(8,0,alpha=1)"


def svhn_cnn(seed: int) -> Any:
    import tensorflow as tf
    from qkeras import QActivation, QConv2DBatchnorm, QDense

    tf.keras.utils.set_random_seed(seed)
    x = x_in = tf.keras.Input((32, 32, 3), name="image")
    for i, f in enumerate((16, 16, 24)):
        x = QConv2DBatchnorm(
            f, (3, 3), strides=(1, 1), kernel_quantizer=Q6, bias_quantizer=Q6, use_bias=True, name=f"fused_convbn_{i}"
        )(x)
        x = QActivation("quantized_relu(6)", name=f"conv_act_{i}")(x)
        x = tf.keras.layers.MaxPooling2D(pool_size=(2, 2), name=f"pool_{i}")(x)
    x = tf.keras.layers.Flatten(name="flatten")(x)
    for i, n in enumerate((42, 64)):
        x = QDense(n, kernel_quantizer=Q6, use_bias=False, name=f"dense_{i}")(x)
        x = tf.keras.layers.BatchNormalization(name=f"bn_dense_{i}")(x)
        x = QActivation("quantized_relu(6)", name=f"dense_act_{i}")(x)
    x = tf.keras.layers.Dense(10, name="output_dense")(x)
    out = tf.keras.layers.Activation("softmax", name="output_softmax")(x)
    return randomise(tf.keras.Model(x_in, out, name="qkeras"), seed)


def lenet5(seed: int) -> Any:
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((32, 32, 1), name="digit")
    x = QConv2D(6, 5, kernel_quantizer=Q8, bias_quantizer=Q8, name="c1")(inp)
    x = QActivation("quantized_tanh(8)", name="c1_tanh")(x)
    x = tf.keras.layers.AveragePooling2D(2, name="s2")(x)
    x = QConv2D(16, 5, kernel_quantizer=Q8, bias_quantizer=Q8, name="c3")(x)
    x = QActivation("quantized_tanh(8)", name="c3_tanh")(x)
    x = tf.keras.layers.AveragePooling2D(2, name="s4")(x)
    x = tf.keras.layers.Flatten(name="flatten")(x)
    x = QDense(120, kernel_quantizer=Q8, bias_quantizer=Q8, name="c5")(x)
    x = QActivation("quantized_tanh(8)", name="c5_tanh")(x)
    x = QDense(84, kernel_quantizer=Q8, bias_quantizer=Q8, name="f6")(x)
    x = QActivation("quantized_tanh(8)", name="f6_tanh")(x)
    x = QDense(10, kernel_quantizer=Q8, bias_quantizer=Q8, name="output")(x)
    out = tf.keras.layers.Activation("softmax", name="softmax")(x)
    return randomise(tf.keras.Model(inp, out, name="lenet5"), seed)


def jet_tagging_mlp(seed: int) -> Any:
    import tensorflow as tf
    from qkeras import QActivation, QDense

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((16,), name="jet_features")
    x = inp
    for i, n in enumerate((64, 32, 32), start=1):
        x = QDense(n, kernel_quantizer=Q6, bias_quantizer=Q6, name=f"fc{i}")(x)
        x = QActivation("quantized_relu(6)", name=f"relu{i}")(x)
    x = QDense(5, kernel_quantizer=Q6, bias_quantizer=Q6, name="output")(x)
    out = tf.keras.layers.Activation("softmax", name="softmax")(x)
    return randomise(tf.keras.Model(inp, out, name="jet_tagger"), seed)


PUBLISHED: dict[str, IdentityCase] = {
    c.name: c
    for c in (
        IdentityCase("svhn_cnn", svhn_cnn),
        IdentityCase("lenet5", lenet5),
        # io_parallel, reuse factor 64 under the Resource strategy; the 32×5 output layer cannot take 64 (160 is
        # not a multiple): 32, the factor hls4ml itself would pick, is pinned for it.
        IdentityCase(
            "jet_tagging_mlp",
            jet_tagging_mlp,
            {"io_type": "io_parallel", "reuse_factor": 64, "strategy": "Resource"},
            input_scale=None,
            span=(-40.0, 40.0),
            lsb=2.0**-10,
            layers={"output": LayerOverride(reuse_factor=32)},
        ),
    )
}
