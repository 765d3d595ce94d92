"""verify_design end to end on a converted tiny CNN: float twin / QKeras / C-sim, the process pool, the
emulator hook, and the `fpgaflow verify` CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from convert_models import adc_maps, tiny_qcnn

from fpgaflow.cli import main
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.csim_build import build_csim_library
from fpgaflow.convert.hls import convert, split_output_activation
from fpgaflow.convert.report import write_conversion_report
from fpgaflow.data import HitMapSet
from fpgaflow.verify import csim_pool
from fpgaflow.verify.compare_paths import verify_design
from fpgaflow.verify.config import VerifyConfig
from fpgaflow.verify.float_twin import float_twin
from fpgaflow_board.csim import CSimLibrary


@pytest.fixture(scope="module")
def model() -> Any:
    return tiny_qcnn(np.random.default_rng(21))  # with its final sigmoid, as saved by training


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(22)
    return adc_maps(rng, 240), rng.integers(0, 2, 240)


@pytest.fixture(scope="module")
def project(model: Any, data: tuple[np.ndarray, np.ndarray], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("v") / "prj"
    deployed, activation = split_output_activation(model)
    conversion = convert(deployed, ConvertConfig(), out, 1 / 256, data[0][:100])
    write_conversion_report(conversion, extra={"input_scale": 1 / 256, "output_activation": activation})
    build_csim_library(out, out / "firmware" / "myproject_csim.so")
    return out


def test_float_twin_has_no_quantizers_and_carries_the_quantised_weights(model: Any) -> None:
    import tensorflow as tf

    twin = float_twin(model)
    assert not any(type(layer).__name__.startswith("Q") for layer in twin.layers)
    for layer in model.layers:
        weights = layer.get_weights()
        if type(layer).__name__ in ("QConv2D", "QDense"):
            weights = [np.asarray(q(tf.constant(w))) for w, q in zip(weights, layer.get_quantizers(), strict=True)]
        for a, b in zip(weights, twin.get_layer(layer.name).get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    # The weights really are on the ap_fixed<8,1> grid (2^-7 steps), so the twin differs from QKeras only in
    # its float activations.
    kernel = twin.get_layer("conv1").get_weights()[0]
    np.testing.assert_array_equal(kernel * 128, np.round(kernel * 128))


def test_float_twin_of_the_new_layers() -> None:
    """QConv2DBatchnorm becomes a Conv2D with its folded, quantised weights; QConv1D a Conv1D; quantized_tanh and
    quantized_sigmoid their unrounded hard functions."""
    import tensorflow as tf
    from layer_models import randomise
    from qkeras import QActivation, QConv1D, QConv2DBatchnorm

    inp = tf.keras.Input((6, 6, 2), name="x")
    y = QConv2DBatchnorm(3, 3, kernel_quantizer="quantized_bits(8,2,alpha=1)", name="cbn")(inp)
    y = QActivation("quantized_tanh(8)", name="t")(y)
    y = tf.keras.layers.Reshape((16, 3), name="r")(y)
    y = QConv1D(2, 3, kernel_quantizer="quantized_bits(8,2,alpha=1)", name="c1")(y)
    y = QActivation("quantized_sigmoid(8)", name="s")(y)
    model = randomise(tf.keras.Model(inp, y), 4)
    twin = float_twin(model)
    assert [type(layer).__name__ for layer in twin.layers[1:]] == ["Conv2D", "Lambda", "Reshape", "Conv1D", "Lambda"]
    x = np.random.default_rng(1).uniform(0, 1, (20, 6, 6, 2)).astype(np.float32)
    cbn_q = tf.keras.Model(model.inputs, model.get_layer("cbn").output)(x).numpy()
    cbn_t = tf.keras.Model(twin.inputs, twin.get_layer("cbn").output)(x).numpy()
    np.testing.assert_allclose(cbn_t, cbn_q, atol=1e-5)  # same folded, quantised kernel and bias
    t_twin = tf.keras.Model(twin.inputs, twin.get_layer("t").output)(x).numpy()
    np.testing.assert_allclose(t_twin, np.clip(cbn_t, -1, 1))
    out = twin(x).numpy()
    assert out.min() >= 0.0
    assert out.max() <= 1.0
    # QKeras rounds tanh and sigmoid to 8 bits; the twin does not: they differ by a few of those LSBs
    assert 0.0 < np.max(np.abs(out - model(x).numpy())) <= 2.0**-6


def test_verify_design_reports_each_path(model: Any, project: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    x, labels = data
    rep = verify_design(model, project, x, labels, VerifyConfig(trace_maps=40))
    assert rep.n_maps == 240
    assert rep.output_activation == "sigmoid"
    assert set(rep.accuracy) == {"qkeras", "float", "hw"}
    assert rep.paths["hw"].startswith("C simulation (myproject_csim.so, 1 process")
    cmp = rep.comparisons["qkeras_vs_hw"]
    assert (cmp.agreement, cmp.max_abs_diff, rep.hw_bit_exact_fraction) == (1.0, 0.0, 1.0)
    assert rep.accuracy["qkeras"] == rep.accuracy["hw"] == pytest.approx(np.mean((rep.scores["hw"] >= 0.5) == labels))
    assert "float_vs_qkeras" in rep.comparisons
    assert rep.passed
    assert rep.trace is not None
    assert rep.trace.same_design is True
    assert rep.trace.first_departure is None
    assert rep.trace.exact_layers == ("conv1", "relu1", "pool1", "output_dense")
    ranges = {r.layer: r for r in rep.ranges}
    assert ranges["conv1"].n_values == 240 * 6 * 6 * 3
    assert ranges["relu1"].outside == 0


def test_pool_gives_the_single_process_answer(
    project: Path, data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = project / "firmware" / "myproject_csim.so"
    single = CSimLibrary(lib, 64, 1).predict(data[0])
    monkeypatch.setattr(csim_pool, "MIN_PARALLEL_MAPS", 10)
    pooled, procs = csim_pool.predict_csim(lib, 64, 1, "myproject", data[0], workers=2)
    assert procs == 2
    np.testing.assert_array_equal(pooled, single)


def test_emulator_backend_matches_the_csim_and_says_so(
    model: Any, project: Path, data: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = data[0][:60], data[1][:60]
    ref = verify_design(model, project, x, y, VerifyConfig(backend="csim", trace_maps=0, float_twin=False))
    emu = verify_design(
        model, project, x, y, VerifyConfig(backend="emulator", emulator_check_maps=20, trace_maps=0, float_twin=False)
    )
    np.testing.assert_array_equal(emu.raw["hw"], ref.raw["hw"])
    assert emu.paths["hw"].startswith("emulator")
    assert "identical on the first 20 maps" in emu.paths["hw"]
    # `auto` picks the emulator only above the threshold.
    auto = verify_design(
        model, project, x, y, VerifyConfig(backend="auto", auto_emulator_above=59, trace_maps=0, float_twin=False)
    )
    assert auto.paths["hw"].startswith("emulator")
    small = verify_design(model, project, x, y, VerifyConfig(backend="auto", trace_maps=0, float_twin=False))
    assert small.paths["hw"].startswith("C simulation")


def test_cli_verify_writes_json_and_markdown(
    model: Any, project: Path, data: tuple[np.ndarray, np.ndarray], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model_path = tmp_path / "m.h5"
    model.save(model_path)
    counts = np.round(data[0] * 256).astype(np.float32)
    HitMapSet(counts, data[1].astype(np.int64)).save_npz(tmp_path / "test.npz")
    args = ["verify", "--model", str(model_path), "--project", str(project), "--maps", str(tmp_path / "test.npz")]
    assert main([*args, "--trace-maps", "0", "--no-float-twin", "--out", str(tmp_path / "rep")]) == 0
    report = json.loads((tmp_path / "rep" / "verification.json").read_text())
    assert report["passed"] is True
    assert report["comparisons"]["qkeras_vs_hw"]["agreement"] == 1.0
    assert report["trace"] is None
    assert "float" not in report["accuracy"]
    assert "# Verification: PASSED" in (tmp_path / "rep" / "verification.md").read_text()
    assert json.loads(capsys.readouterr().out.split("report:")[0])["hw_bit_exact_fraction"] == 1.0


def test_cli_verify_needs_run_dir_or_all_three(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--model", str(tmp_path / "m.h5")]) == 2
    assert "give RUN_DIR, or all of --model, --project and --maps" in capsys.readouterr().err
    assert main(["verify", str(tmp_path)]) == 2
    assert "is not a finished fpgaflow run" in capsys.readouterr().err
