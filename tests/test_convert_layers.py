"""Conversion of the layers beyond the default CNN: the inference-graph rewrites (and hls4ml's own batch-norm
folding decision), the precision plans of batch-norm, pooling and hard activations, the refusals, the hls4ml 1.3
Conv2DBatchnorm repairs, and ``--part``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hls4ml")
pytest.importorskip("qkeras")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from layer_models import randomise

from fpgaflow.cli import main
from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.errors import UnconvertibleLayerError
from fpgaflow.convert.hls import convert, plan
from fpgaflow.convert.inference_graph import rewrite_rules, to_inference_graph
from fpgaflow.convert.project import load_hls_project
from fpgaflow.emulate import Emulator
from fpgaflow.modelio import save_model
from fpgaflow_board.fixed_point import FixedType

pytestmark = [
    pytest.mark.filterwarnings("ignore:non-integer arguments to randrange:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

ADC = FixedType(8, 0, signed=False)
Q6 = "quantized_bits(6,0,alpha=1)"


def _rewritable() -> Any:
    import tensorflow as tf
    from qkeras import QConv2D

    layers = tf.keras.layers
    inp = tf.keras.Input((8, 8, 2), name="x")
    y = QConv2D(3, 3, activation="quantized_relu(6,2)", kernel_quantizer=Q6, bias_quantizer=Q6, name="qc")(inp)
    y = layers.SpatialDropout2D(0.4, name="sd")(y)
    y = layers.Conv2D(4, 3, activation="relu", name="c")(y)
    y = layers.GaussianNoise(0.5, name="noise")(y)
    y = layers.Flatten(name="f")(y)
    y = layers.Dense(6, name="d")(y)
    y = layers.BatchNormalization(name="bn_d")(y)  # folded: right after an unquantised Dense
    y = layers.Dropout(0.5, name="drop")(y)
    y = layers.Dense(3, activation="sigmoid", name="out")(y)
    y = layers.Softmax(name="sm")(y)
    return randomise(tf.keras.Model(inp, y), 3)


def test_inference_graph_rewrites_keep_the_outputs() -> None:
    model = _rewritable()
    graph = to_inference_graph(model)
    assert [layer.name for layer in graph.layers] == [
        "x",
        "qc",
        "qc_quantized_relu",
        "c",
        "c_relu",
        "f",
        "d",
        "out",
        "out_sigmoid",
        "sm",
    ]
    assert [type(layer).__name__ for layer in graph.layers][-1] == "Activation"  # Softmax() → Activation
    assert set(rewrite_rules(model)) == {"Dropout", "fused_activation", "BatchNormalization.folded"}
    assert to_inference_graph(graph) is graph  # nothing left to rewrite: the same object
    assert len(model.layers) == 11  # the input model is untouched
    x = np.random.default_rng(0).uniform(0, 1, (32, 8, 8, 2)).astype(np.float32)
    np.testing.assert_allclose(graph(x).numpy(), model(x, training=False).numpy(), rtol=1e-5, atol=1e-6)
    assert graph.get_layer("d").get_config()["use_bias"]  # the folded shift became its bias


def test_a_model_fresh_from_strip_pruning_is_rewritten_like_its_saved_copy(tmp_path: Path) -> None:
    """tfmot's strip_pruning rebuilds the model around the same layer objects, whose first call was on the
    pruned model's tensors: the chain is read from the model's own graph, so the rewrites still apply
    (before, to_inference_graph silently returned such a model unrewritten)."""
    import tensorflow_model_optimization as tfmot

    from fpgaflow.modelio import load_model, save_model

    model = _rewritable()
    stripped = tfmot.sparsity.keras.strip_pruning(tfmot.sparsity.keras.prune_low_magnitude(model))
    save_model(stripped, tmp_path / "m.h5", 1.0)
    reloaded = load_model(tmp_path / "m.h5")
    assert set(rewrite_rules(stripped)) == set(rewrite_rules(reloaded)) == set(rewrite_rules(model))
    graph = to_inference_graph(stripped)
    assert graph is not stripped
    assert [layer.name for layer in graph.layers] == [layer.name for layer in to_inference_graph(reloaded).layers]
    x = np.random.default_rng(1).uniform(0, 1, (16, 8, 8, 2)).astype(np.float32)
    np.testing.assert_allclose(graph(x).numpy(), stripped(x, training=False).numpy(), rtol=1e-5, atol=1e-6)


def _hls4ml_keeps_batchnorm(model: Any, tmp_path: Path) -> bool:
    """Whether hls4ml 1.3, converting ``model`` with its own default config, keeps the batch-norm layer."""
    import hls4ml

    cfg = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado")
    hls_model = hls4ml.converters.convert_from_keras_model(
        model, hls_config=cfg, output_dir=str(tmp_path / "h"), backend="Vivado", io_type="io_stream"
    )
    return any(layer.class_name == "BatchNormalization" for layer in hls_model.get_layers())


@pytest.mark.parametrize(
    "variant",
    ["dense", "conv", "qdense", "qdense_unit_scale_zero_shift", "conv_relu_bn", "qconv_bias_quantizer"],
)
def test_batchnorm_folded_exactly_where_hls4ml_folds_it(variant: str, tmp_path: Path) -> None:
    import tensorflow as tf
    from qkeras import QConv2D, QDense

    layers = tf.keras.layers
    if variant in ("dense", "qdense", "qdense_unit_scale_zero_shift"):
        inp = tf.keras.Input((5,), name="x")
        dense = layers.Dense(4, name="w") if variant == "dense" else QDense(4, kernel_quantizer=Q6, name="w")
        y = dense(inp)
    else:
        inp = tf.keras.Input((6, 6, 2), name="x")
        quant = {"kernel_quantizer": Q6, "bias_quantizer": Q6} if variant == "qconv_bias_quantizer" else {}
        y = (QConv2D(3, 3, name="w", **quant) if quant else layers.Conv2D(3, 3, name="w"))(inp)
        if variant == "conv_relu_bn":
            y = layers.Activation("relu", name="r")(y)
    bn = layers.BatchNormalization(name="bn")
    model = tf.keras.Model(inp, bn(y))
    if variant == "qdense_unit_scale_zero_shift":
        one = np.float32(1) - np.float32(bn.epsilon)  # variance + ε == 1 in float32: scale exactly 1
        assert np.float32(one) + np.float32(bn.epsilon) == 1
        bn.set_weights([np.ones(4, np.float32), np.zeros(4, np.float32), np.zeros(4, np.float32), np.full(4, one)])
    else:
        rng = np.random.default_rng(1)
        bn.set_weights([rng.uniform(0.5, 2, w.shape).astype(np.float32) for w in bn.get_weights()])
    folded = "BatchNormalization.folded" in rewrite_rules(model)
    assert folded == (not _hls4ml_keeps_batchnorm(model, tmp_path))
    assert folded == (variant in ("dense", "conv", "qdense_unit_scale_zero_shift"))


def _specs_and_plan(model: Any, cfg: ConvertConfig | None = None, profile_maps: np.ndarray | None = None) -> Any:
    return plan(model, cfg or ConvertConfig(), ADC, profile_maps)


def test_precision_of_batchnorm_pooling_and_hard_activations() -> None:
    import tensorflow as tf
    from qkeras import QActivation, QConv2D

    layers = tf.keras.layers
    inp = tf.keras.Input((12, 12, 1), name="x")
    y = QConv2D(2, 3, kernel_quantizer=Q6, bias_quantizer=Q6, name="c1")(inp)
    y = QActivation("quantized_tanh(6)", name="t")(y)
    y = layers.AveragePooling2D(2, name="avg")(y)  # N = 4: exact
    y = layers.BatchNormalization(name="bn")(y)
    y = QActivation("quantized_relu(6,1)", name="r")(y)
    y = layers.AveragePooling2D(3, 1, name="avg9")(y)  # N = 9: truncated
    y = layers.GlobalAveragePooling2D(name="gap")(y)
    y = layers.Activation("hard_sigmoid", name="hs")(y)
    model = randomise(tf.keras.Model(inp, y), 5)
    _, precision, _, _ = _specs_and_plan(model)
    c1 = precision["c1"]
    assert c1.accum is not None
    # feeds a hard tanh: values beyond ±1 clip, so [-2, 2) with saturation keeps every output
    assert c1.result.type == FixedType(2 + c1.accum.type.fractional, 2, True, "TRN", "SAT")
    t = precision.result_type("t")
    assert t == FixedType(6, 1, True, "RND_CONV", "SAT")
    avg = precision["avg"]
    assert avg.accum is not None
    assert avg.accum.type == FixedType(t.width + 4, t.integer + 2)
    assert avg.result.type == FixedType(t.width + 2, t.integer)
    assert "exact" in avg.result.reason
    bn = precision["bn"]
    assert bn.weight is not None
    assert bn.bias is not None
    scale = bn.weight.type
    assert scale.width == 16
    # feeds quantized_relu(6,1): narrowed to its range + the sign, every product bit kept
    assert bn.result.type == FixedType(2 + avg.result.type.fractional + scale.fractional, 2, True, "TRN", "SAT")
    assert "truncated" in precision["avg9"].result.reason
    gap = precision["gap"]
    assert gap.accum is not None
    assert gap.accum.type.integer == precision.result_type("avg9").integer + 4  # a 3×3 map: k = ⌈log2 9⌉ = 4
    assert "truncated" in gap.result.reason
    assert precision.result_type("hs") == FixedType(16, 1, signed=False)


def test_float_chains_are_capped_at_max_result_bits() -> None:
    import tensorflow as tf

    layers = tf.keras.layers
    inp = tf.keras.Input((20,), name="x")
    y = inp
    for i in range(3):
        y = layers.Dense(8, name=f"d{i}")(y)
        y = layers.Activation("relu", name=f"r{i}")(y)
        y = layers.Dense(8, name=f"e{i}")(y)
    model = randomise(tf.keras.Model(inp, y), 2)
    _, precision, _, _ = _specs_and_plan(model)
    widths = [lp.result.type.width for lp in precision.layers]
    assert max(widths) == 32
    assert "fractional bits dropped" in precision["e2"].result.reason
    wider = ConvertConfig(max_result_bits=40)
    assert max(lp.result.type.width for lp in _specs_and_plan(model, wider)[1].layers) == 40


def _refusal(build: Any, cfg: ConvertConfig | None = None) -> str:
    with pytest.raises(UnconvertibleLayerError) as info:
        _specs_and_plan(build(), cfg)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_refusals_name_layer_option_and_alternative() -> None:
    import tensorflow as tf
    from qkeras import QActivation

    layers = tf.keras.layers

    def chain(*made: Any, shape: tuple[int, ...] = (8, 8, 1)) -> Any:
        inp = tf.keras.Input(shape, name="x")
        y = inp
        for layer in made:
            y = layer(y)
        return tf.keras.Model(inp, y)

    msg = _refusal(lambda: chain(layers.Conv2D(2, 3, name="c")), ConvertConfig(io_type="io_parallel"))
    assert msg.startswith("layer 'c' (Conv2D, io_parallel with Conv1D/Conv2D, pooling or padding) is not supported")
    assert msg.endswith("use io_stream")
    msg = _refusal(lambda: chain(layers.Conv1D(2, 3, strides=2, padding="causal", name="cc"), shape=(10, 1)))
    assert "layer 'cc' (Conv1D, padding='causal' with strides > 1)" in msg
    msg = _refusal(lambda: chain(layers.GlobalAveragePooling2D(keepdims=True, name="g")))
    assert "layer 'g' (GlobalAveragePooling2D, keepdims=True) is not supported: use keepdims=False" in msg
    msg = _refusal(lambda: chain(QActivation("quantized_tanh(6, use_real_tanh=True)", name="rt")))
    assert "layer 'rt' (QActivation, quantized_tanh/quantized_sigmoid with use_real" in msg
    msg = _refusal(lambda: chain(layers.LeakyReLU(name="lk")))
    assert "layer 'lk' (LeakyReLU" in msg and "use relu" in msg
    msg = _refusal(lambda: chain(layers.LayerNormalization(name="ln")))
    assert msg.endswith("use BatchNormalization")


def test_conv_batchnorm_repairs_survive_a_project_reload(tmp_path: Path) -> None:
    """The project's C++ gets the repaired Conv2DBatchnorm weights; an emulator built from the reloaded project
    (``fpgaflow emulate/verify/estimate PROJECT``) must see the same weights."""
    import tensorflow as tf
    from qkeras import QConv2DBatchnorm

    inp = tf.keras.Input((7, 7, 2), name="x")
    y = QConv2DBatchnorm(3, 3, kernel_quantizer="quantized_bits(8,2,alpha=1)", name="cbn")(inp)
    model = randomise(tf.keras.Model(inp, y), 9)
    cfg = ConvertConfig(backend="Vivado", layers={"cbn": LayerOverride(reuse_factor=2, strategy="Resource")})
    conversion = convert(model, cfg, tmp_path / "prj", 1 / 256)
    kernel = conversion.hls_model.graph["cbn"].weights["weight"].data
    assert kernel.shape == (3, 3, 3, 2)  # (F, H, W, C): transposed once
    x = np.random.default_rng(2).integers(0, 256, (50, 7, 7, 2)).astype(np.float32) / 256
    fresh = Emulator.from_hls_model(conversion.hls_model).predict(x)
    reloaded = Emulator.from_hls_model(load_hls_project(tmp_path / "prj")).predict(x)
    np.testing.assert_array_equal(fresh, reloaded)
    bias = conversion.hls_model.graph["cbn"].weights["bias"].data
    np.testing.assert_allclose(bias, conversion.specs[1].bias, rtol=0, atol=1e-7)  # the folded bias


def test_part_flag_converts_and_estimates_for_a_bare_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import tensorflow as tf

    inp = tf.keras.Input((6, 6, 1), name="x")
    y = tf.keras.layers.Conv2D(2, 3, activation="relu", name="c")(inp)
    y = tf.keras.layers.Flatten(name="f")(y)
    y = tf.keras.layers.Dense(1, name="d")(y)
    path = tmp_path / "m.h5"
    save_model(randomise(tf.keras.Model(inp, y), 1), path, 1 / 256)
    part = "xczu7ev-ffvc1156-2-e"
    assert main(["convert", str(path), "--part", part, "--out", str(tmp_path / "p"), "--no-csim"]) == 0
    report = json.loads((tmp_path / "p" / "conversion.json").read_text())
    assert (report["board"], report["part"], report["backend"]) == (part, part, "Vivado")
    capsys.readouterr()
    assert main(["convert", str(path), "--board", "zcu104", "--part", part, "--out", str(tmp_path / "q")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "--board and --part both set convert.board; give one of them" in err
    assert main(["estimate", str(tmp_path / "p"), "--part", part, "--out", str(tmp_path / "e")]) == 0
    out = capsys.readouterr().out
    assert "230,400" in out  # the xczu7ev's LUTs from the part table
