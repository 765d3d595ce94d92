"""The study's two reference CNNs (float Keras): the *base* model and the *reduced* model.

Both are kept exactly as the study counted them, so their parameter counts are checkable:
12,942,273 (base) and 115,905 (reduced) at a 128×128×3 input, batch-norm moving statistics included.
The reduced model was the study's FPGA candidate; hls4ml estimated it at 418 % of the xc7z020's BRAM,
which is why :mod:`fpgaflow.train.models_qcnn` exists.
"""

from __future__ import annotations

from typing import Any

from fpgaflow.train.config import ModelConfig


def build_base_cnn(cfg: ModelConfig, input_shape: tuple[int, int, int]) -> Any:
    """Base CNN: [Conv2D 3×3 'valid' ReLU → BatchNorm → MaxPool 2 → Dropout] × (32, 64, 128),
    Flatten → Dense 512 ReLU → BatchNorm → Dropout → Dense 1 sigmoid."""
    import tensorflow as tf

    o = cfg.base
    layers = tf.keras.layers
    inp = tf.keras.Input(shape=input_shape, name="hit_map")
    x = inp
    for i, filters in enumerate(o.filters, start=1):
        x = layers.Conv2D(filters, o.kernel_size, activation="relu", name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.MaxPooling2D(o.pool_size, name=f"pool{i}")(x)
        x = layers.Dropout(o.dropout, name=f"drop{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(o.dense_units, activation="relu", name="dense1")(x)
    x = layers.BatchNormalization(name="dense_bn1")(x)
    x = layers.Dropout(o.dense_dropout, name="dense_drop1")(x)
    x = layers.Dense(1, name="output_dense")(x)
    out = layers.Activation("sigmoid", name="output_sigmoid")(x)
    return tf.keras.Model(inp, out, name="base")


def build_reduced_cnn(cfg: ModelConfig, input_shape: tuple[int, int, int]) -> Any:
    """Reduced CNN: Conv2D 16 3×3 'valid' ReLU → BatchNorm → MaxPool 8 → Flatten → Dense 32 ReLU →
    BatchNorm → Dense 1 sigmoid."""
    import tensorflow as tf

    o = cfg.reduced
    layers = tf.keras.layers
    inp = tf.keras.Input(shape=input_shape, name="hit_map")
    x = layers.Conv2D(o.filters, o.kernel_size, activation="relu", name="conv1")(inp)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.MaxPooling2D(o.pool_size, name="pool1")(x)
    if o.dropout > 0:
        x = layers.Dropout(o.dropout, name="drop1")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(o.dense_units, activation="relu", name="dense1")(x)
    x = layers.BatchNormalization(name="dense_bn1")(x)
    x = layers.Dense(1, name="output_dense")(x)
    out = layers.Activation("sigmoid", name="output_sigmoid")(x)
    return tf.keras.Model(inp, out, name="reduced")
