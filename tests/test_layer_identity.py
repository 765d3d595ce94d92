"""Every model of tests/layer_models.py and tests/published_models.py converts, compiles, emulates bit for bit
(1,000 maps near the precision limits and in saturation) and gets an estimate.

The models together meet every accepted row of the layer registry (tests/test_layer_coverage.py checks that), so
each layer and option fpgaflow converts is compared here with hls4ml's compiled C simulation.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hls4ml")
pytest.importorskip("qkeras")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from emulate_inputs import edge_maps
from layer_models import VITIS_CASES, ZOO, IdentityCase
from published_models import PUBLISHED

from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.hls import Conversion, convert
from fpgaflow.emulate import Emulator
from fpgaflow.emulate.compare import compare_to_csim
from fpgaflow.estimate.budget import check_budget
from fpgaflow.estimate.estimator import estimate_model
from fpgaflow_board.boards import get_board

pytestmark = [
    pytest.mark.slow,  # each case converts and compiles an hls4ml project (15-60 s on the shared machine)
    pytest.mark.filterwarnings("ignore:non-integer arguments to randrange:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

CASES: dict[str, IdentityCase] = {**ZOO, **PUBLISHED}
N_MAPS = 1000


def _input_shape(model: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in model.input_shape[1:])


def _convert(case: IdentityCase, model: Any, out: Path, **layers: LayerOverride) -> Conversion:
    rng = np.random.default_rng(17)
    calibration = rng.uniform(*case.span, (300, *_input_shape(model))).astype(np.float32)
    cfg = ConvertConfig(**case.config, layers={**case.layers, **layers})
    return convert(model, cfg, out, case.input_scale, calibration)


@pytest.fixture(scope="module", params=sorted(CASES))
def converted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[IdentityCase, Any, Any]:
    case = CASES[request.param]
    model = case.build(7)
    conversion = _convert(case, model, tmp_path_factory.mktemp(case.name) / "prj")
    conversion.hls_model.compile()
    return case, model, conversion


def test_bit_identical_to_the_c_simulation(converted: tuple[IdentityCase, Any, Any]) -> None:
    case, model, conversion = converted
    emu = Emulator.from_hls_model(conversion.hls_model)
    x = edge_maps(np.random.default_rng(23), N_MAPS, _input_shape(model), case.span, case.lsb)
    result = compare_to_csim(emu, conversion.hls_model, x)
    assert result.n_maps == N_MAPS
    assert result.n_output_mismatch == 0, result
    assert result.max_abs_diff == 0.0
    assert len(np.unique(emu.predict(x))) > 15  # the outputs vary: the comparison has something to compare


def test_estimate(converted: tuple[IdentityCase, Any, Any]) -> None:
    _, _, conversion = converted
    board = get_board(conversion.config.board)
    table = estimate_model(conversion.hls_model, board)
    graph = {layer.name for layer in conversion.hls_model.get_layers() if layer.class_name != "Input"}
    assert graph <= {row.name for row in table.layers}  # every hls4ml layer has its estimator row
    assert table.total.lut > 0
    assert table.total.interval_cycles is not None
    assert table.total.interval_cycles > 0
    report = check_budget(table, board)
    assert {row.resource for row in report.rows} == {"lut", "ff", "dsp", "bram18"}


@pytest.mark.parametrize("name", VITIS_CASES)
def test_vitis_route_bit_identical_to_its_c_simulation(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    model = case.build(7)
    rng = np.random.default_rng(17)
    calibration = rng.uniform(*case.span, (300, *_input_shape(model))).astype(np.float32)
    cfg = ConvertConfig(**{**case.config, "backend": "Vitis"}, layers=case.layers)
    conversion = convert(model, cfg, tmp_path / "prj", case.input_scale, calibration)
    assert conversion.axis is not None  # fpgaflow's AXI-Stream top was written around the network
    assert str(conversion.hls_model.config.backend.name) == "Vitis"
    conversion.hls_model.compile()
    emu = Emulator.from_hls_model(conversion.hls_model)
    x = edge_maps(np.random.default_rng(23), N_MAPS, _input_shape(model), case.span, case.lsb)
    result = compare_to_csim(emu, conversion.hls_model, x)
    assert (result.n_maps, result.n_output_mismatch, result.max_abs_diff) == (N_MAPS, 0, 0.0), result
    assert len(np.unique(emu.predict(x))) > 15
    # the same numbers as the case's own backend computes (the emulator is bit-exact with each C simulation)
    other = convert(model, ConvertConfig(**case.config, layers=case.layers), tmp_path / "other", case.input_scale,
                    calibration, write=False)  # fmt: skip
    np.testing.assert_array_equal(emu.predict(x), Emulator.from_hls_model(other.hls_model).predict(x))
    table = estimate_model(conversion.hls_model, get_board(cfg.board))
    graph = {layer.name for layer in conversion.hls_model.get_layers() if layer.class_name != "Input"}
    assert graph <= {row.name for row in table.layers}
    assert table.total.lut > 0


@pytest.mark.parametrize("backend", ["Vivado", "Vitis"])
def test_zoo_conv2d_repairs_of_hls4ml_conv_batchnorm(tmp_path: Path, backend: str) -> None:
    """QConv2DBatchnorm without a bias quantizer under the Resource strategy: the design computes what the
    Latency design computes (the kernel transposed once) and what QKeras computes (the folded bias), on the
    Vivado backends (whose layer transposes the kernel itself) and on Vitis (whose layer does not)."""
    case = replace(CASES["zoo_conv2d"], config={"backend": backend})
    model = case.build(7)
    resource = _convert(case, model, tmp_path / "resource")
    latency = _convert(case, model, tmp_path / "latency", conv_bn=LayerOverride(reuse_factor=3, strategy="Latency"))
    x = edge_maps(np.random.default_rng(4), 200, _input_shape(model), case.span, case.lsb)
    emu_r, emu_l = Emulator.from_hls_model(resource.hls_model), Emulator.from_hls_model(latency.hls_model)
    np.testing.assert_array_equal(emu_r.predict(x), emu_l.predict(x))
    # conv_bn against QKeras, on inputs exactly on the ADC grid: differences stay within the folded bias's rounding
    import tensorflow as tf

    from fpgaflow.convert.inference_graph import to_inference_graph

    graph = to_inference_graph(model)
    adc = (np.round(np.clip(x, 0, 255 / 256) * 256) / 256).astype(np.float32)
    keras_out = tf.keras.Model(graph.inputs, graph.get_layer("conv_bn").output)(adc).numpy()
    t = resource.precision.result_type("conv_bn")
    emu_out = emu_r.trace(adc)["conv_bn"]
    assert np.max(np.abs(np.clip(keras_out, t.min_value, t.max_value) - emu_out)) < 2.0**-8


#: Layers whose outputs QKeras and the design compute bit for bit on every input (QKeras fed the values the design
#: sees after its input cast): every activation, pooling and the logits of the jet MLP and LeNet-5 (after them only
#: hls4ml's softmax table differs); the SVHN CNN up to its first QDense, after which its unquantised batch-norm (a
#: float32 scale-shift in Keras, fixed point in hls4ml) moves a few quantized_relu(6) outputs by one LSB.  The
#: pre-activation Conv/Dense results are not listed: fpgaflow narrows them (with saturation) to what the following
#: quantized activation can tell apart, so they differ from Keras' floats where the activation clips anyway.
QKERAS_EXACT = {
    "jet_tagging_mlp": ("relu1", "relu2", "relu3", "output"),
    "lenet5": ("c1_tanh", "s2", "c3_tanh", "s4", "flatten", "c5_tanh", "f6_tanh", "output"),
    "svhn_cnn": ("conv_act_0", "pool_0", "conv_act_1", "pool_1", "conv_act_2", "pool_2", "flatten", "dense_0"),
}


@pytest.mark.parametrize("name", sorted(QKERAS_EXACT))
def test_published_models_equal_qkeras(name: str, tmp_path: Path) -> None:
    import tensorflow as tf

    from fpgaflow.convert.inference_graph import to_inference_graph

    case = CASES[name]
    model = case.build(7)
    rng = np.random.default_rng(17)
    calibration = rng.uniform(*case.span, (300, *_input_shape(model))).astype(np.float32)
    cfg = ConvertConfig(**case.config, layers=case.layers)
    conversion = convert(model, cfg, tmp_path / "prj", case.input_scale, calibration, write=False)
    emu = Emulator.from_hls_model(conversion.hls_model)  # bit-identical with the C simulation (tests above)
    x = edge_maps(np.random.default_rng(23), N_MAPS, _input_shape(model), case.span, case.lsb)
    trace = emu.trace(x)
    seen = next(iter(trace.values())).reshape(x.shape).astype(np.float32)  # the input after the design's cast
    graph = to_inference_graph(model)
    names = [*QKERAS_EXACT[name], *(("dense_act_0", "dense_act_1") if name == "svhn_cnn" else ())]
    keras = tf.keras.Model(graph.inputs, [graph.get_layer(n).output for n in names])(seen)
    out = {n: k.numpy().reshape(N_MAPS, -1) for n, k in zip(names, keras, strict=True)}
    for n in QKERAS_EXACT[name]:
        np.testing.assert_array_equal(out[n], trace[n].reshape(N_MAPS, -1), err_msg=n)
    if name == "svhn_cnn":  # past dense_0: the batch-norm rounding moves a few activations by one LSB, no more
        for n in ("dense_act_0", "dense_act_1"):
            diff = np.abs(out[n] - trace[n].reshape(N_MAPS, -1))
            assert diff.max() <= 2.0**-6 and np.mean(diff > 0) < 0.01, n
