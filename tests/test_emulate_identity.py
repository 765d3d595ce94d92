"""Bit-identity of fpgaflow.emulate against hls4ml's compiled C simulation (hls_model.predict / trace)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hls4ml")
pytest.importorskip("qkeras")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
pytestmark = [
    # a float passed to random.randint inside the TF/qkeras/hls4ml stack (a Python 3.10+ deprecation)
    pytest.mark.filterwarnings("ignore:non-integer arguments to randrange:DeprecationWarning"),
    # hls4ml 1.3.0 leaves supported_boards.json open (VivadoAcceleratorConfig)
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

from emulate_inputs import edge_maps  # noqa: E402

from fpgaflow.emulate import Emulator  # noqa: E402
from fpgaflow.emulate.compare import compare_to_csim  # noqa: E402
from fpgaflow.emulate.reference_models import convert, default_like, reduced  # noqa: E402


@pytest.fixture(scope="module")
def default_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Emulator]:
    hls_model = convert(default_like(seed=3), tmp_path_factory.mktemp("default") / "prj")
    return hls_model, Emulator.from_hls_model(hls_model)


@pytest.mark.slow  # the default_model fixture converts and compiles the project (~17 s on the shared machine)
def test_default_like_model_bit_identical(default_model: tuple[Any, Emulator]) -> None:
    hls_model, emu = default_model
    rng = np.random.default_rng(11)
    # inputs are ADC/256 in ap_ufixed<8,0>; 1.0 and negatives wrap, out-of-range values test the cast
    x = edge_maps(rng, 400, (32, 32, 1), (-0.05, 1.05), 1 / 256)
    result = compare_to_csim(emu, hls_model, x)
    assert result.n_maps == 400
    assert result.n_output_mismatch == 0, result
    assert result.max_abs_diff == 0.0
    # the outputs are not all the same value (the check has something to compare)
    assert len(np.unique(emu.predict(x))) > 20


@pytest.mark.slow  # default_model, and hls_model.trace recompiles the project
def test_default_like_per_layer_trace(default_model: tuple[Any, Emulator]) -> None:
    hls_model, emu = default_model
    x = edge_maps(np.random.default_rng(5), 24, (32, 32, 1), (0.0, 1.0), 1 / 256)
    result = compare_to_csim(emu, hls_model, x, per_layer=True, dtype=np.float64)
    assert result.identical, result
    assert result.layers_checked == ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "dense", "sig")


def _stress_model(seed: int) -> Any:
    """Odd shapes, 'same' padding (a ZeroPadding2D in io_stream), stride 2, BatchNorm, average pooling,
    a hidden Dense with quantized_relu, large 8-bit weights: every kernel the emulator models."""
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense

    tf.keras.utils.set_random_seed(seed)
    q = "quantized_bits(6,2,alpha=1)"
    inp = tf.keras.Input((11, 9, 2), name="maps")
    x = QConv2D(5, (3, 2), padding="same", kernel_quantizer=q, bias_quantizer=q, name="conv_same")(inp)
    x = QActivation("quantized_relu(6,2)", name="relu_a")(x)
    x = QConv2D(3, 3, strides=2, kernel_quantizer=q, bias_quantizer=q, name="conv_s2")(x)
    x = tf.keras.layers.BatchNormalization(name="bn")(x)
    x = tf.keras.layers.AveragePooling2D((2, 2), name="avg")(x)
    x = tf.keras.layers.Flatten(name="flat")(x)
    x = QDense(7, kernel_quantizer=q, bias_quantizer=q, name="hidden")(x)
    x = QActivation("quantized_relu(8,4)", name="relu_h")(x)
    x = QDense(2, kernel_quantizer=q, bias_quantizer=q, name="out")(x)
    out = tf.keras.layers.Activation("sigmoid", name="sig")(x)
    model = tf.keras.Model(inp, out)
    bn = model.get_layer("bn")
    rng = np.random.default_rng(seed)
    bn.set_weights([rng.uniform(0.5, 3, 3), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), rng.uniform(0.2, 2, 3)])
    return model


#: narrow accumulators: conv_same saturates term by term, conv_s2 wraps, hidden rounds its products
STRESS_OVERRIDES: dict[str, dict[str, Any]] = {
    "conv_same": {"Precision": {"accum": "ap_fixed<9,4,AP_TRN,AP_SAT>", "result": "ap_fixed<9,4,AP_RND,AP_SAT>"}},
    "conv_s2": {"Precision": {"accum": "ap_fixed<10,4>", "result": "ap_fixed<10,4,AP_RND_CONV,AP_SAT_SYM>"}},
    "bn": {"Precision": {"result": "ap_fixed<12,5,AP_RND_ZERO,AP_SAT>"}},
    "avg": {"Precision": {"accum": "ap_fixed<10,5>", "result": "ap_fixed<10,5,AP_RND_INF,AP_SAT>"}},
    "hidden": {"Precision": {"accum": "ap_fixed<14,6,AP_RND,AP_SAT>", "result": "ap_fixed<14,6>"}},
    "out": {
        "Precision": {
            "accum": "ap_fixed<16,7,AP_TRN_ZERO,AP_WRAP>",
            "result": "ap_fixed<12,5,AP_RND_MIN_INF,AP_SAT>",
        }
    },
    "sig": {
        "Precision": {"result": "ap_ufixed<10,0,AP_RND,AP_SAT>", "table": "ap_fixed<14,2>"},
        "TableSize": 512,
    },
}


@pytest.fixture(scope="module")
def stress_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Emulator]:
    hls_model = convert(
        _stress_model(seed=21),
        tmp_path_factory.mktemp("stress") / "prj",
        backend="Vivado",
        input_precision="ap_fixed<8,3,AP_RND_CONV,AP_SAT>",
        overrides=STRESS_OVERRIDES,
    )
    return hls_model, Emulator.from_hls_model(hls_model)


@pytest.mark.slow  # the stress_model fixture converts and compiles the project (~20 s)
def test_stress_model_saturation_wrap_rounding(stress_model: tuple[Any, Emulator]) -> None:
    hls_model, emu = stress_model
    assert {type(layer).__name__ for layer in emu.layers} >= {
        "ZeroPad2D",
        "Conv2D",
        "BatchNorm",
        "Pool2D",
        "Dense",
        "Sigmoid",
    }
    modes = {layer.name: layer.mac.mode for layer in emu.layers if hasattr(layer, "mac")}
    assert modes["conv_same"] == "sequential"
    assert modes["hidden"] == "sequential"
    x = edge_maps(np.random.default_rng(8), 300, (11, 9, 2), (-5.0, 5.0), 1 / 32)
    result = compare_to_csim(emu, hls_model, x)
    assert result.n_output_mismatch == 0, result
    # accumulators really overflow: some conv_same window sums exceed ap_fixed<9,4>'s range of +-8
    trace = emu.trace(x[:50].astype(np.float64))
    assert np.max(np.abs(trace["conv_same"])) >= 7.9


@pytest.mark.slow  # hls_model.trace recompiles the project (~25 s)
def test_stress_model_per_layer(stress_model: tuple[Any, Emulator]) -> None:
    hls_model, emu = stress_model
    x = edge_maps(np.random.default_rng(9), 16, (11, 9, 2), (-5.0, 5.0), 1 / 32)
    result = compare_to_csim(emu, hls_model, x, per_layer=True, dtype=np.float64)
    assert result.identical, result
    assert "conv_same" in result.layers_checked
    assert "sig" in result.layers_checked


@pytest.mark.slow  # converts and compiles a 20x18x3 model (~18 s)
def test_plain_keras_16_6_inputs_that_saturate(tmp_path: Path) -> None:
    """Plain Keras, ap_fixed<16,6> inputs and defaults (the reduced model's precision) on a small map;
    inputs up to +-40 wrap in the input cast and push the accumulators to their limits."""
    hls_model = convert(reduced(seed=4, shape=(20, 18, 3)), tmp_path / "prj", backend="Vivado", input_precision=None)
    emu = Emulator.from_hls_model(hls_model)
    x = edge_maps(np.random.default_rng(2), 120, (20, 18, 3), (-40.0, 40.0), 2.0**-10)
    result = compare_to_csim(emu, hls_model, x.astype(np.float64))
    assert result.n_output_mismatch == 0, result


@pytest.mark.slow  # two conversions and C-sim builds (~39 s)
def test_softmax_head_bit_identical(tmp_path: Path) -> None:
    """Dense -> softmax (hls4ml's 'stable' softmax: max-normalised exp table, adder tree, inverse
    table), default types and a narrow variant with small tables and a saturating accumulator."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(6)
    inp = tf.keras.Input((9,), name="x")
    x = tf.keras.layers.Dense(7, name="dense")(inp)
    x = tf.keras.layers.Activation("relu", name="relu")(x)
    x = tf.keras.layers.Dense(5, name="logits")(x)
    out = tf.keras.layers.Activation("softmax", name="softmax")(x)
    # with hls4ml's 'auto' logits type (~36 bits) the 10-bit table index sees only the top bits and
    # every output is 1/5; realistic logits types make the tables matter
    wide = {"logits": {"Precision": {"result": "ap_fixed<16,6>"}}}
    narrow = {
        "logits": {"Precision": {"result": "ap_fixed<12,5,AP_RND,AP_SAT>"}},
        "softmax": {
            "TableSize": 256,
            "Precision": {
                "exp_table": "ap_ufixed<10,2,AP_RND,AP_SAT>",
                "inv_table": "ap_fixed<12,6,AP_RND_CONV,AP_SAT>",
                "accum": "ap_fixed<11,3,AP_TRN,AP_SAT>",
                "result": "ap_ufixed<9,1,AP_RND,AP_SAT>",
            },
        },
    }
    x_in = edge_maps(np.random.default_rng(12), 400, (9,), (-6.0, 6.0), 2.0**-10).astype(np.float64)
    for k, overrides in enumerate((wide, narrow)):
        hls_model = convert(
            tf.keras.Model(inp, out),
            tmp_path / f"prj{k}",
            backend="Vivado",
            input_precision=None,
            trace=False,
            overrides=overrides,
        )
        emu = Emulator.from_hls_model(hls_model)
        assert type(emu.layers[-1]).__name__ == "SoftmaxStable"
        result = compare_to_csim(emu, hls_model, x_in)
        assert result.n_output_mismatch == 0, result
        assert len(np.unique(emu.predict(x_in))) > 50


@pytest.mark.slow
def test_default_like_10000_maps(default_model: tuple[Any, Emulator]) -> None:
    hls_model, emu = default_model
    x = edge_maps(np.random.default_rng(1234), 10_000, (32, 32, 1), (0.0, 1.0), 1 / 256)
    result = compare_to_csim(emu, hls_model, x)
    assert result.n_maps == 10_000
    assert result.n_output_mismatch == 0, result


@pytest.mark.slow
def test_reduced_model_128x128x3(tmp_path: Path) -> None:
    hls_model = convert(
        reduced(seed=5), tmp_path / "prj", backend="VivadoAccelerator", input_precision=None, trace=False
    )
    emu = Emulator.from_hls_model(hls_model)
    x = edge_maps(np.random.default_rng(3), 24, (128, 128, 3), (0.0, 1.0), 2.0**-10)
    result = compare_to_csim(emu, hls_model, x)
    assert result.n_output_mismatch == 0, result
