"""Small reference networks and their hls4ml conversion, shared by the emulator's tests and benchmark.

* :func:`default_like`: the deployed QKeras CNN (32x32x1 maps, 8-bit weights, quantized_relu(8,3)).
* :func:`reduced`: the study's plain-Keras "reduced" CNN (Conv2D 16 -> MaxPool 8 -> Dense 32 -> Dense 1,
  128x128x3 maps, ap_fixed<16,6> everywhere), 115,905 parameters.

TensorFlow, QKeras and hls4ml are imported inside the functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow_board.boards import DEFAULT_BOARD, get_board

QBITS = "quantized_bits(8,0,alpha=1)"


def default_like(seed: int, shape: tuple[int, int, int] = (32, 32, 1)) -> Any:
    """QConv2D(4) -> quantized_relu(8,3) -> MaxPool2 -> QConv2D(8) -> quantized_relu(8,3) -> MaxPool2 ->
    Flatten -> QDense(1) -> sigmoid, weights drawn from ``seed``."""
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input(shape, name="maps")
    x = QConv2D(4, 3, kernel_quantizer=QBITS, bias_quantizer=QBITS, name="conv1")(inp)
    x = QActivation("quantized_relu(8,3)", name="relu1")(x)
    x = tf.keras.layers.MaxPooling2D(2, name="pool1")(x)
    x = QConv2D(8, 3, kernel_quantizer=QBITS, bias_quantizer=QBITS, name="conv2")(x)
    x = QActivation("quantized_relu(8,3)", name="relu2")(x)
    x = tf.keras.layers.MaxPooling2D(2, name="pool2")(x)
    x = tf.keras.layers.Flatten(name="flat")(x)
    x = QDense(1, kernel_quantizer=QBITS, bias_quantizer=QBITS, name="dense")(x)
    out = tf.keras.layers.Activation("sigmoid", name="sig")(x)
    return tf.keras.Model(inp, out)


def reduced(seed: int, shape: tuple[int, int, int] = (128, 128, 3)) -> Any:
    """Conv2D(16, 3x3, relu) -> MaxPool(8) -> Flatten -> Dense(32, relu) -> Dense(1, sigmoid)."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input(shape, name="maps")
    x = tf.keras.layers.Conv2D(16, 3, name="conv")(inp)
    x = tf.keras.layers.Activation("relu", name="conv_relu")(x)
    x = tf.keras.layers.MaxPooling2D(8, name="pool")(x)
    x = tf.keras.layers.Flatten(name="flat")(x)
    x = tf.keras.layers.Dense(32, name="hidden")(x)
    x = tf.keras.layers.Activation("relu", name="hidden_relu")(x)
    x = tf.keras.layers.Dense(1, name="out")(x)
    out = tf.keras.layers.Activation("sigmoid", name="sig")(x)
    return tf.keras.Model(inp, out)


def convert(
    model: Any,
    output_dir: Path,
    *,
    backend: str = "VivadoAccelerator",
    input_precision: str | None = "ap_ufixed<8,0>",
    default_precision: str = "ap_fixed<16,6>",
    trace: bool = True,
    overrides: dict[str, dict[str, Any]] | None = None,
    compile_model: bool = True,
    io_type: str = "io_stream",
) -> Any:
    """hls4ml conversion as the flow does it (io_stream, the default board's part and clock; its hls4ml board
    for VivadoAccelerator).

    ``overrides``: per-layer hls4ml config entries merged over ``config_from_keras_model``'s
    (e.g. ``{"conv1": {"Precision": {"accum": "ap_fixed<10,4,AP_TRN,AP_SAT>"}}}``).
    """
    import hls4ml

    cfg = hls4ml.utils.config_from_keras_model(
        model, granularity="name", backend=backend, default_precision=default_precision
    )
    if input_precision is not None:
        cfg["LayerName"][model.layers[0].name]["Precision"]["result"] = input_precision
    for name, entry in (overrides or {}).items():
        for key, value in entry.items():
            if isinstance(value, dict):
                cfg["LayerName"].setdefault(name, {}).setdefault(key, {}).update(value)
            else:
                cfg["LayerName"].setdefault(name, {})[key] = value
    if trace:
        for entry in cfg["LayerName"].values():
            entry["Trace"] = True
    board = get_board(DEFAULT_BOARD)
    kwargs: dict[str, Any] = {"board": board.hls4ml_board} if backend == "VivadoAccelerator" else {"part": board.part}
    hls_model = hls4ml.converters.convert_from_keras_model(
        model,
        hls_config=cfg,
        output_dir=str(output_dir),
        backend=backend,
        io_type=io_type,
        clock_period=board.clock_period_ns,
        **kwargs,
    )
    if compile_model:
        hls_model.compile()
    return hls_model
