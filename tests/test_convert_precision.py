"""The exact input type, integer-bit sizing, QKeras quantiser reading and the per-layer precision plan (no hls4ml)."""

from __future__ import annotations

import numpy as np
import pytest
from convert_models import tiny_qcnn

from fpgaflow.config.strict import from_mapping
from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.errors import PrecisionRangeError, UnconvertibleLayerError
from fpgaflow.convert.layers import describe_model
from fpgaflow.convert.plan_precision import plan_precision
from fpgaflow.convert.precision import input_type_for_adc, signed_integer_bits
from fpgaflow.convert.quantizers import activation_type, parameter_type
from fpgaflow.errors import ConfigError
from fpgaflow_board.fixed_point import FixedType, from_float, to_float
from fpgaflow_board.scaling import scale_inputs

ADC = FixedType(8, 0, signed=False)


def test_input_type_holds_every_scaled_adc_value_exactly() -> None:
    assert input_type_for_adc(1 / 256) == ADC
    assert input_type_for_adc(1.0) == FixedType(8, 8, signed=False)
    assert input_type_for_adc(2**-10) == FixedType(8, -2, signed=False)
    # Not a power of two: float32 inputs with up to 24 significant bits; the narrowest exact type is wider.
    for scale, expected in [(0.01, FixedType(31, 2, False)), (3.0, FixedType(10, 10, False))]:
        t = input_type_for_adc(scale)
        assert t == expected
        x = scale_inputs(np.arange(256), scale)
        np.testing.assert_array_equal(to_float(from_float(x, t), t), x)
        for narrower in (FixedType(t.width - 1, t.integer - 1, False), FixedType(t.width - 1, t.integer, False)):
            assert not np.array_equal(to_float(from_float(x, narrower), narrower), x)
    with pytest.raises(ConfigError, match="input scale must be > 0"):
        input_type_for_adc(0.0)


@pytest.mark.parametrize(
    ("max_abs", "frac", "bits"),
    [(0.0, 7, 1), (0.9921875, 7, 1), (0.99, 7, 1), (1.0, 7, 2), (7.96875, 5, 4), (7.97, 5, 5), (605.58, 12, 11)],
)
def test_signed_integer_bits_is_the_smallest_that_holds(max_abs: float, frac: int, bits: int) -> None:
    assert signed_integer_bits(max_abs, frac) == bits
    t = FixedType(bits + frac, bits)
    assert t.max_value >= max_abs
    if bits > 1:
        assert FixedType(bits - 1 + frac, bits - 1).max_value < max_abs


def test_quantizer_types_mirror_hls4ml() -> None:
    from qkeras import quantized_bits, quantized_relu

    assert parameter_type(quantized_bits(8, 0, alpha=1), "l", "kernel") == FixedType(8, 1)
    assert parameter_type(quantized_bits(6, 2, alpha=1), "l", "kernel") == FixedType(6, 3)
    assert activation_type(quantized_relu(8, 3), "l") == FixedType(8, 3, False, "RND_CONV", "SAT")
    assert activation_type(quantized_bits(8, 2), "l") == FixedType(8, 3, True, "RND_CONV", "SAT")
    with pytest.raises(UnconvertibleLayerError, match=r"layer 'c1'.*alpha='auto'"):
        parameter_type(quantized_bits(8, 0, alpha="auto"), "c1", "kernel")
    with pytest.raises(UnconvertibleLayerError, match=r"layer 'r'.*negative_slope"):
        activation_type(quantized_relu(8, 3, negative_slope=0.25), "r")


@pytest.fixture(scope="module")
def model() -> object:
    # 4 input channels: 36 products per output, so the worst-case sum needs more than the relu's 4 bits.
    return tiny_qcnn(np.random.default_rng(5), shape=(8, 8, 4))


def test_plan_follows_quantizers_bounds_and_consumers(model: object) -> None:
    specs = describe_model(model)
    plan = plan_precision(specs, ConvertConfig(), ADC, profile=None)
    conv = next(s for s in specs if s.name == "conv1")
    assert conv.weights is not None
    assert conv.bias is not None
    # Worst case of the accumulator by hand: Σ|w| · max input + |b| per filter.
    bound = float(np.max(np.abs(conv.weights).reshape(36, 3).sum(0) * ADC.max_value + np.abs(conv.bias)))
    lp = plan["conv1"]
    assert lp.bound_max_abs == pytest.approx(bound, rel=1e-12)
    assert lp.weight is not None
    assert lp.weight.type == FixedType(8, 1)
    assert lp.accum is not None
    assert lp.accum.type == FixedType(signed_integer_bits(bound, 15) + 15, signed_integer_bits(bound, 15))
    assert lp.accum.type.integer > 4
    # conv1 feeds quantized_relu ap_ufixed<8,3>: result keeps 15 fractional bits, 4 integer bits, saturating.
    assert lp.result.type == FixedType(19, 4, True, "TRN", "SAT")
    assert plan.result_type("relu1") == FixedType(8, 3, False, "RND_CONV", "SAT")
    assert plan.result_type("pool1") == plan.result_type("relu1")
    # Without calibration data the output layer keeps its exact accumulator.
    out = plan["output_dense"]
    assert out.accum is not None
    assert out.result.type == out.accum.type


def test_profiled_result_is_narrower_and_saturates(model: object) -> None:
    specs = describe_model(model)
    plan = plan_precision(specs, ConvertConfig(result_margin_bits=1), ADC, profile={"output_dense": 3.2})
    out = plan["output_dense"]
    assert out.accum is not None
    frac = out.accum.type.fractional
    # 3.2 × 2^1 margin = 6.4 → 4 integer bits (range ±8).
    assert out.result.type == FixedType(4 + frac, 4, True, "TRN", "SAT")
    assert "calibration max |v| = 3.2" in out.result.reason


def test_override_narrower_than_quantizer_is_rejected(model: object) -> None:
    specs = describe_model(model)
    cfg = from_mapping(ConvertConfig, {"layers": {"conv1": {"weight": {"width": 6, "integer": 1}}}})
    with pytest.raises(
        PrecisionRangeError, match=r"layer 'conv1': weight type ap_fixed<6,1> cannot hold .* ap_fixed<8,1>"
    ):
        plan_precision(specs, cfg, ADC)
    cfg = ConvertConfig(layers={"relu1": LayerOverride(result=FixedType(8, 2, False))})
    with pytest.raises(PrecisionRangeError, match=r"layer 'relu1': result type ap_ufixed<8,2> cannot hold"):
        plan_precision(specs, cfg, ADC)
    wider = ConvertConfig(layers={"conv1": LayerOverride(weight=FixedType(10, 2))})
    assert plan_precision(specs, wider, ADC)["conv1"].weight.type == FixedType(10, 2)  # type: ignore[union-attr]


def test_override_of_unknown_layer_suggests(model: object) -> None:
    cfg = ConvertConfig(layers={"conv_1": LayerOverride(reuse_factor=3)})
    with pytest.raises(PrecisionRangeError, match=r"no layer named 'conv_1'.*did you mean 'conv1'"):
        plan_precision(describe_model(model), cfg, ADC)


def test_unsupported_layers_are_named_with_the_nearest_alternative() -> None:
    import tensorflow as tf

    inp = tf.keras.Input((8, 8, 1), name="x")
    y = tf.keras.layers.DepthwiseConv2D(3, name="dw")(inp)
    with pytest.raises(
        UnconvertibleLayerError, match=r"^layer 'dw' \(DepthwiseConv2D\) is not supported: .*use Conv2D$"
    ):
        describe_model(tf.keras.Model(inp, y))
    y = tf.keras.layers.Conv2D(2, 3, dilation_rate=2, name="dil")(inp)
    with pytest.raises(
        UnconvertibleLayerError, match=r"layer 'dil' \(Conv2D, dilation_rate > 1\) is not supported: .*dilation_rate=1"
    ):
        describe_model(tf.keras.Model(inp, y))
    y = tf.keras.layers.Activation("elu", name="e")(inp)
    with pytest.raises(UnconvertibleLayerError, match=r"layer 'e' \(Activation 'elu'\) is not supported: .*use relu"):
        describe_model(tf.keras.Model(inp, y))
    y = tf.keras.layers.MaxPooling2D(3, padding="same", name="mp")(inp)  # 8 is not a multiple of 3: it pads
    with pytest.raises(UnconvertibleLayerError, match=r"layer 'mp' \(MaxPooling2D, padding='same' that pads\)"):
        describe_model(tf.keras.Model(inp, y))
    z = tf.keras.layers.Conv2D(2, 3, name="a")(inp)
    merged = tf.keras.layers.Add(name="add")([z, tf.keras.layers.Conv2D(2, 3, name="b")(inp)])
    with pytest.raises(UnconvertibleLayerError, match=r"layer 'add' \(Add\) is not supported: only sequential chains"):
        describe_model(tf.keras.Model(inp, merged))


def test_float_layer_weights_must_fit_default_precision() -> None:
    import tensorflow as tf

    inp = tf.keras.Input((4,), name="x")
    dense = tf.keras.layers.Dense(1, name="d")
    model = tf.keras.Model(inp, dense(inp))
    dense.set_weights([np.full((4, 1), 40.0, np.float32), np.zeros(1, np.float32)])
    with pytest.raises(
        PrecisionRangeError, match=r"layer 'd': weight type ap_fixed<16,6> cannot hold max \|weight\| = 40"
    ):
        plan_precision(describe_model(model), ConvertConfig(), None)


def test_result_feeding_relu_is_never_profiled_below_the_relu_range() -> None:
    # One input channel: 9 products, the worst case fits the relu's own 4 signed integer bits, so a small
    # calibration maximum must not narrow conv1's result (values in [max, 8) would change relu1's output).
    specs = describe_model(tiny_qcnn(np.random.default_rng(5)))
    lp = plan_precision(specs, ConvertConfig(), ADC, profile={"conv1": 0.5, "output_dense": 1.0})["conv1"]
    assert lp.accum is not None
    assert lp.accum.type.integer <= 4
    assert lp.result.type == lp.accum.type


def test_cli_names_an_unsupported_layer(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    import tensorflow as tf

    from fpgaflow.cli import main

    inp = tf.keras.Input((8, 8, 1), name="x")
    y = tf.keras.layers.Conv2D(2, 3, name="c")(inp)
    y = tf.keras.layers.SeparableConv2D(2, 3, name="sep")(y)
    path = f"{tmp_path}/m.h5"
    tf.keras.Model(inp, y).save(path)
    assert main(["convert", path, "--out", f"{tmp_path}/p", "--no-csim"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert (
        "layer 'sep' (SeparableConv2D) is not supported: not modelled by fpgaflow's planner and emulator; use Conv2D"
        in err
    )
