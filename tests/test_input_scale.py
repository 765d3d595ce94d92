"""The input scale (ADC counts → network input): one float32 scaling in every stage, stored with the model,
and a model at a scale that is not a power of two converts and verifies bit-exact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fpgaflow.cli import main
from fpgaflow.data import HitMapSet
from fpgaflow.modelio import save_model, stored_input_scale
from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.fixed_point import parse_fixed
from fpgaflow_board.scaling import scale_inputs

tf = pytest.importorskip("tensorflow")

SCALE = 0.01  # not a power of two
ADC = np.arange(256, dtype=np.float32).reshape(1, 16, 16, 1)  # every 8-bit ADC count once


class _Captured(Exception):
    """Raised by a stand-in once it has seen the network inputs a stage computed."""

    def __init__(self, x: Any) -> None:
        super().__init__("captured")
        self.x = np.asarray(x)


def _capture(*args: Any, **kwargs: Any) -> None:
    raise _Captured(next(a for a in (*args, *kwargs.values()) if isinstance(a, np.ndarray)))


@pytest.fixture(scope="module")
def identity_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved identity model at SCALE, a fake project converted from it, and the 256 counts as test maps."""
    root = tmp_path_factory.mktemp("scale")
    inp = tf.keras.Input((16, 16, 1), name="hit_map")
    model = tf.keras.Model(inp, tf.keras.layers.Reshape((256,), name="flat")(inp))
    save_model(model, root / "model.h5", SCALE)
    (root / "prj").mkdir()
    (root / "prj" / "hls4ml_config.yml").write_text("KerasModel: !keras_model keras_model.h5\n")
    save_model(model, root / "prj" / "keras_model.h5", SCALE)
    HitMapSet(ADC, np.zeros(1, np.int64)).save_npz(root / "maps.npz")
    return root


def test_every_stage_scales_the_256_adc_counts_alike(identity_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Training, convert (calibration), emulate, fit, verify and the board driver feed the same float32 inputs.
    Drift pinned: `fpgaflow emulate` scaled in float64 and fed other values for 70 of the 256 counts."""
    import fpgaflow.convert.hls
    import fpgaflow.convert.project
    import fpgaflow.fit.search
    import fpgaflow.verify.compare_paths
    from fpgaflow.emulate import Emulator
    from fpgaflow.modelio import load_model
    from fpgaflow.train.trainer import predict_scores

    want = scale_inputs(ADC, SCALE)
    float64 = (ADC.astype(np.float64) * SCALE).astype(np.float32)
    assert int(np.count_nonzero(want != float64)) == 70

    seen: dict[str, np.ndarray] = {}
    seen["train"] = predict_scores(load_model(identity_run / "model.h5"), ADC, SCALE).astype(np.float32)

    class FakeEmulator:
        input_shape = (16, 16, 1)

        def predict(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
            raise _Captured(x)

    monkeypatch.setattr(fpgaflow.convert.project, "load_hls_project", lambda project: None)
    monkeypatch.setattr(Emulator, "from_hls_model", staticmethod(lambda hls_model: FakeEmulator()))
    monkeypatch.setattr(fpgaflow.convert.hls, "convert", lambda model, cfg, out, scale, cal: _capture(cal))
    monkeypatch.setattr(fpgaflow.fit.search, "fit_model", _capture)
    monkeypatch.setattr(fpgaflow.verify.compare_paths, "verify_design", _capture)
    run, maps = identity_run, str(identity_run / "maps.npz")
    commands = {
        "convert": ["convert", str(run / "model.h5"), "--out", str(run / "c"), "--calibration", maps, "--no-csim"],
        "emulate": ["emulate", str(run / "prj"), "--maps", maps, "--out", str(run / "e.npz")],
        "fit": ["fit", str(run / "model.h5"), "--out", str(run / "f"), "--maps", maps],
        "verify": ["verify", "--model", str(run / "model.h5"), "--project", str(run / "prj"), "--maps", maps],
    }
    for stage, argv in commands.items():
        with pytest.raises(_Captured) as got:
            main(argv)
        seen[stage] = got.value.x
    codec = StreamCodec("float32", parse_fixed("ap_ufixed<31,2>"), parse_fixed("ap_fixed<16,6>"), SCALE)
    seen["board"] = np.empty((1, 256), np.float32)
    assert codec.encode_into(ADC.reshape(1, 256), seen["board"]) == 0
    for stage, x in seen.items():
        assert x.dtype == np.float32, stage
        np.testing.assert_array_equal(x.reshape(-1), want.reshape(-1), err_msg=stage)


def test_a_disagreeing_flag_is_refused(identity_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    maps = str(identity_run / "maps.npz")
    argv = ["emulate", str(identity_run / "prj"), "--maps", maps, "--out", str(identity_run / "x.npz")]
    assert main([*argv, "--scale", "0.00390625"]) == 2
    assert "was trained with input scale 0.01; --scale 0.00390625 disagrees" in capsys.readouterr().err


def test_verify_refuses_a_project_converted_for_another_scale(
    identity_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fpgaflow.modelio import load_model

    save_model(load_model(identity_run / "model.h5"), tmp_path / "other.h5", 1 / 256)
    argv = ["verify", "--model", str(tmp_path / "other.h5"), "--project", str(identity_run / "prj")]
    assert main([*argv, "--maps", str(identity_run / "maps.npz")]) == 2
    assert "prj was converted for input scale 0.01, but" in capsys.readouterr().err


def _model_at(scale: float, input_quantizer: bool) -> Any:
    """fpgaflow's QKeras CNN for 8×8 maps at ``scale``, random weights on the quantiser grid."""
    from fpgaflow.compress.config import ActivationQuantizerSpec
    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_model

    quantizer = ActivationQuantizerSpec(bits=10, integer=2) if input_quantizer else None
    model = build_model(ModelConfig(conv_filters=(3,), input_scale=scale, input_quantizer=quantizer), (8, 8, 1))
    rng = np.random.default_rng(21)
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.uniform(-1.0, 1.0, w.shape).astype(np.float32) for w in layer.get_weights()])
    return model


def test_keras_rounding_of_wide_inputs_is_announced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from fpgaflow.convert.config import ConvertConfig
    from fpgaflow.convert.hls import convert, split_output_activation

    quantized = _model_at(SCALE, input_quantizer=True)
    assert [type(layer).__name__ for layer in quantized.layers[:3]] == ["InputLayer", "QActivation", "QConv2D"]
    assert str(quantized.get_layer("input_quant").quantizer) == "quantized_relu(10,2)"
    deployed, _ = split_output_activation(_model_at(SCALE, input_quantizer=False))
    conversion = convert(deployed, ConvertConfig(backend="Vivado"), tmp_path / "prj", SCALE)
    assert conversion.precision["hit_map"].result.type == parse_fixed("ap_ufixed<31,2>")
    assert "QKeras computes layer 'conv1' in float32" in caplog.text
    assert stored_input_scale(tmp_path / "prj" / "keras_model.h5") == SCALE


@pytest.mark.slow  # 13-22 s: two C-sim builds (the design and its tracing build)
def test_a_model_at_scale_0_01_converts_and_verifies_bit_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Saved at 0.01 → `fpgaflow convert` (no flag: the stored scale) → `fpgaflow verify`: QKeras, the C simulation
    and the emulator agree bit for bit.  The input type is the exact ap_ufixed<31,2>; the input quantiser puts the
    first layer on a grid QKeras' float32 computes exactly."""
    from fpgaflow_board.csim import CSimLibrary

    save_model(_model_at(SCALE, input_quantizer=True), tmp_path / "model.h5", SCALE)
    rng = np.random.default_rng(22)
    counts = (rng.integers(0, 256, (240, 8, 8, 1)) * (rng.random((240, 8, 8, 1)) < 0.4)).astype(np.float32)
    HitMapSet(counts, rng.integers(0, 2, 240)).save_npz(tmp_path / "maps.npz")
    maps, prj = str(tmp_path / "maps.npz"), tmp_path / "prj"
    assert main(["convert", str(tmp_path / "model.h5"), "--out", str(prj), "--calibration", maps]) == 0
    conversion = json.loads((prj / "conversion.json").read_text())
    assert conversion["input_scale"] == SCALE
    layers = {lp["layer"]: lp for lp in conversion["precision"]["layers"]}
    assert layers["hit_map"]["result"]["type"] == "ap_ufixed<31,2>"
    assert layers["input_quant"]["result"]["type"] == "ap_ufixed<10,2,AP_RND_CONV,AP_SAT>"

    argv = ["verify", "--model", str(tmp_path / "model.h5"), "--project", str(prj), "--maps", maps]
    assert main([*argv, "--trace-maps", "40", "--no-float-twin", "--out", str(tmp_path / "v")]) == 0
    report = json.loads((tmp_path / "v" / "verification.json").read_text())
    assert report["hw_bit_exact_fraction"] == 1.0
    assert report["comparisons"]["qkeras_vs_hw"]["agreement"] == 1.0
    assert report["trace"]["first_departure"] is None

    assert main(["emulate", str(prj), "--maps", maps, "--out", str(tmp_path / "e.npz")]) == 0
    with np.load(tmp_path / "e.npz") as z:
        emulated = z["outputs"]
    csim = CSimLibrary(prj / "firmware" / "myproject_csim.so", 64, 1).predict(scale_inputs(counts, SCALE))
    np.testing.assert_array_equal(emulated.reshape(-1), csim.reshape(-1))
    assert main([*argv, "--input-scale", "0.00390625", "--out", str(tmp_path / "w")]) == 2
    assert "was trained with input scale 0.01" in capsys.readouterr().err
