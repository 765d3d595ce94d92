"""Reading converted hls4ml models (hls4ml 1.3) into the resource model, end to end, and the CLI."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from fpgaflow.errors import DataError, StepError
from fpgaflow.estimate.budget import check_budget
from fpgaflow.estimate.describe import count_zero_weights, describe_hls_model, describe_layer
from fpgaflow.estimate.estimator import estimate_model
from fpgaflow.estimate.rules.mult import multiplier_limit
from fpgaflow_board.boards import get_board

hls4ml = pytest.importorskip("hls4ml")
keras = pytest.importorskip("tensorflow.keras")

BOARD = get_board("pynq-z2")


def convert(
    model: Any,
    tmp_path: Path,
    precision: str = "ap_fixed<16,6>",
    io_type: str = "io_stream",
    layer_precision: dict[str, dict[str, str]] | None = None,
) -> Any:
    config = hls4ml.utils.config_from_keras_model(
        model,
        granularity="name",
        backend="VivadoAccelerator",
        default_precision=precision,
        default_reuse_factor=1,
    )
    for layer in config["LayerName"].values():
        layer["Precision"] = (
            precision if not isinstance(layer.get("Precision"), dict) else dict.fromkeys(layer["Precision"], precision)
        )
    for name, prec in (layer_precision or {}).items():
        config["LayerName"][name]["Precision"].update(prec)
    return hls4ml.converters.convert_from_keras_model(
        model,
        backend="VivadoAccelerator",
        board="pynq-z2",
        io_type=io_type,
        clock_period=10,
        part="xc7z020clg400-1",
        hls_config=config,
        output_dir=str(tmp_path / "prj"),
    )


def test_dense_16_to_8_with_8bit_weights_and_pruning(tmp_path: Path) -> None:
    model = keras.Sequential([keras.layers.Input((16,)), keras.layers.Dense(8, name="fc")])
    w = np.random.default_rng(3).uniform(0.1, 0.9, size=(16, 8))
    w[:, :2] = 0.0  # 32 weights pruned
    model.get_layer("fc").set_weights([w, np.zeros(8)])
    hls_model = convert(model, tmp_path, io_type="io_parallel", layer_precision={"fc": {"weight": "ap_fixed<8,1>"}})
    spec = describe_hls_model(hls_model)
    fc = next(layer for layer in spec.layers if layer.name == "fc")
    assert (fc.kind, fc.n_weights, fc.weight_bits, fc.input_bits, fc.width_in, fc.width_out) == (
        "mult",
        128,
        8,
        16,
        16,
        8,
    )
    assert fc.n_zeros == 32
    assert fc.weights is not None and fc.weights.nonzero == 96
    assert fc.terms == 16
    assert multiplier_limit(fc) == 128 - 32  # reuse 1: every nonzero product
    table = estimate_model(hls_model, None, level="hls")
    # 8-bit constant weights in (0.1, 0.9) x 16-bit input: the 3-digit ones with >= 8 significant bits go
    # to DSP48s, the rest are shift-adds.
    assert 0 < table.layers[0].dsp < 96


def test_count_zero_weights_after_truncation() -> None:
    prec = SimpleNamespace(precision=SimpleNamespace(width=8, integer=1, rounding_mode="TRN"))
    lsb = 2.0**-7
    data = np.array([0.0, lsb / 2, -lsb / 2, lsb, 0.5])
    assert count_zero_weights(data, prec) == 2  # 0 and +lsb/2 truncate to 0; -lsb/2 truncates to -lsb
    # Drift pinned: the count used |w| < lsb/2 for every RND mode; AP_RND rounds the tie -lsb/2 up, to 0 (the one
    # fixed-point cast, checked against the C++ in tests/test_fixed_point.py), and AP_TRN_ZERO zeroes (-lsb, lsb).
    rnd = SimpleNamespace(precision=SimpleNamespace(width=8, integer=1, rounding_mode="RND"))
    assert count_zero_weights(data, rnd) == 2
    conv = SimpleNamespace(precision=SimpleNamespace(width=8, integer=1, rounding_mode="RND_CONV"))
    assert count_zero_weights(data, conv) == 3
    trn_zero = SimpleNamespace(precision=SimpleNamespace(width=8, integer=1, rounding_mode="TRN_ZERO"))
    assert count_zero_weights(data, trn_zero) == 3
    wraps = SimpleNamespace(precision=SimpleNamespace(width=8, integer=1, rounding_mode="TRN"))
    assert count_zero_weights(np.array([2.0, -2.0, 1.5]), wraps) == 2  # ±2 wrap to 0 in ap_fixed<8,1>
    assert count_zero_weights(data, SimpleNamespace(precision=SimpleNamespace(width=32))) == 1  # float: exact zeros


def test_unsupported_layer_is_named() -> None:
    layer = SimpleNamespace(name="emb", class_name="Embedding", get_attr=lambda k, d=None: d)
    with pytest.raises(StepError, match=r"layer 'emb' \(Embedding\) is not covered by the resource model"):
        describe_layer(layer, "io_stream")


def reduced_model() -> Any:
    """The study's reduced CNN: Conv2D 16 3x3 -> MaxPool 8 -> Flatten -> Dense 32 -> Dense 1 at 128x128x3."""
    return keras.Sequential(
        [
            keras.layers.Input((128, 128, 3)),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(8, name="pool"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(32, activation="relu", name="fc"),
            keras.layers.Dense(1, activation="sigmoid", name="out"),
        ]
    )


def test_study_reduced_model_is_far_over_the_xc7z020(tmp_path: Path) -> None:
    hls_model = convert(reduced_model(), tmp_path)
    spec = describe_hls_model(hls_model)
    by_name = {layer.name: layer for layer in spec.layers}
    assert by_name["fc"].n_weights == 15 * 15 * 16 * 32  # 115,200 weights, all multiplied in parallel
    assert by_name["conv"].pixels_in == 128 * 128
    assert by_name["conv"].fifo_depth == 126 * 126
    table = estimate_model(hls_model, BOARD, level="hls")
    budget = check_budget(table, BOARD)
    util = {r.resource: r.utilisation for r in budget.rows}
    # The study's HLS estimate: 376 % LUT, 418 % BRAM18.  The model is far over too: every resource but the
    # FIFO BRAM above 100 %, LUT by more than an order of magnitude, and the verdict holds over the range.
    assert util["lut"] > 10 and util["ff"] > 1.0 and util["dsp"] > 1.0
    assert util["bram18"] > 0.7
    assert budget.status == "does not fit"
    conv_depth = 128 * 128
    assert conv_depth < (table.total.interval_cycles or 0) < conv_depth + 50  # one input pixel per cycle


def run_cli(source: Path, out: Path) -> int:
    from fpgaflow.cli import estimate

    parser = argparse.ArgumentParser()
    estimate.register(parser.add_subparsers())
    args = parser.parse_args(["estimate", str(source), "--out", str(out)])
    return int(args.func(args))


# hls4ml 1.3's VivadoAccelerator writer opens supported_boards.json without closing it (ResourceWarning).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_cli_on_keras_file_and_hls4ml_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = keras.Sequential(
        [
            keras.layers.Input((6, 6, 1)),
            keras.layers.Conv2D(2, 3, name="c"),
            keras.layers.Flatten(name="f"),
            keras.layers.Dense(1, name="d"),
        ]
    )
    path = tmp_path / "tiny.keras"
    model.save(path)
    assert run_cli(path, tmp_path / "out") == 0  # fits over the whole range: exit status 0
    out = capsys.readouterr().out
    assert "ESTIMATE of the post-implementation utilisation from an analytical model" in out
    assert re.search(r"LUT [\d.]+k \([\d.]+k–[\d.]+k\) +/ +53,200", out)  # every line carries its range
    assert "fits the pynq-z2" in out
    for name in ("estimate.md", "estimate.json", "estimate.png"):
        assert (tmp_path / "out" / name).stat().st_size > 100
    from fpgaflow.estimate.load import convert_keras_default

    convert_keras_default(model, BOARD, tmp_path / "prj").write()
    project = tmp_path / "prj"
    before = sorted(p.name for p in project.iterdir())
    assert run_cli(project, tmp_path / "out2") == 0
    assert sorted(p.name for p in project.iterdir()) == before  # the project is not touched
    assert (tmp_path / "out2" / "estimate.md").read_text(encoding="utf-8") == (
        (tmp_path / "out" / "estimate.md").read_text(encoding="utf-8").replace("tiny.keras", "prj")
    )


def test_cli_rejects_other_inputs(tmp_path: Path) -> None:
    (tmp_path / "m.onnx").write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match="expected an hls4ml project directory or a Keras model file"):
        run_cli(tmp_path / "m.onnx", tmp_path / "out")
    with pytest.raises(DataError, match="not an hls4ml project"):
        run_cli(tmp_path, tmp_path / "out")


def test_qkeras_model_precisions_reach_the_model(tmp_path: Path) -> None:
    qkeras = pytest.importorskip("qkeras")
    q6 = qkeras.quantized_bits(6, 0, alpha=1)
    model = keras.Sequential(
        [
            keras.layers.Input((16, 16, 1)),
            qkeras.QConv2D(4, 3, kernel_quantizer=q6, bias_quantizer=q6, name="qc"),
            qkeras.QActivation(qkeras.quantized_relu(6), name="qr"),
            keras.layers.MaxPooling2D(2, name="p"),
            keras.layers.Flatten(name="f"),
            qkeras.QDense(3, kernel_quantizer=q6, bias_quantizer=q6, name="qd"),
            keras.layers.Activation("softmax", name="sm"),
        ]
    )
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="VivadoAccelerator")
    hls_model = hls4ml.converters.convert_from_keras_model(
        model,
        backend="VivadoAccelerator",
        board="pynq-z2",
        io_type="io_stream",
        clock_period=10,
        part="xc7z020clg400-1",
        hls_config=config,
        output_dir=str(tmp_path / "q"),
    )
    layers = {layer.name: layer for layer in describe_hls_model(hls_model).layers}
    assert [(n, layers[n].kind) for n in ("qc", "qr", "p", "f", "qd", "sm")] == [
        ("qc", "mult"),
        ("qr", "elementwise"),
        ("p", "pool"),
        ("f", "reshape"),
        ("qd", "mult"),
        ("sm", "softmax"),
    ]
    assert layers["qc"].weight_bits == 6
    assert layers["qd"].weight_bits == 6
    assert layers["qr"].output_bits == 6
    assert layers["qd"].input_bits == 6
    assert layers["qd"].n_weights == 7 * 7 * 4 * 3
    table = estimate_model(hls_model, None, level="hls")
    dsp = {row.name: row.dsp for row in table.layers}
    # 6-bit weights x 16-bit input: only 3-digit weights go to DSP48s (the QKeras CNN reports); the 6-bit x
    # 6-bit dense: products of at most 12 bits, all shift-adds.
    assert dsp["qc"] == sum(n for _, d, n in layers["qc"].profile.classes if d >= 3)
    assert dsp["qd"] == 0
    assert dsp["sm"] == 3  # softmax's normalising multiplies


def test_fifo_depth_follows_the_stream_pragma_fpgaflow_sized(tmp_path: Path) -> None:
    """An io_stream output FIFO is as deep as its ``#pragma HLS STREAM depth`` (what fpgaflow's convert sets
    from the layer geometry), capped at one entry per pixel; without the pragma, one entry per pixel."""
    hls_model = convert(reduced_model(), tmp_path)
    conv = next(layer for layer in hls_model.get_layers() if layer.name == "conv")
    var = conv.get_output_variable()
    assert describe_layer(conv, "io_stream").fifo_depth == 126 * 126
    var.pragma = ("stream", 127)
    assert describe_layer(conv, "io_stream").fifo_depth == 127
    var.pragma = ("stream", 10**6)
    assert describe_layer(conv, "io_stream").fifo_depth == 126 * 126
    assert describe_layer(conv, "io_parallel").fifo_depth == 0
