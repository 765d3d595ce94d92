"""Real conversions of a tiny QKeras CNN with both backends: planned types reach the C++, valid reuse factors
survive hls4ml, FIFO depths are applied, and the relocatable C-sim reproduces QKeras bit for bit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from convert_models import adc_maps, tiny_qcnn

from fpgaflow.cli import main
from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.csim_build import build_csim_library
from fpgaflow.convert.hls import Conversion, _hls4ml_changes, convert, split_output_activation
from fpgaflow.convert.plan_reuse import LayerReuse, ReusePlan
from fpgaflow_board.csim import CSimLibrary

SCALE = 1 / 256  # ADC counts → network input: ap_ufixed<8,0>


@pytest.fixture(scope="module")
def deployed() -> Any:
    model, activation = split_output_activation(tiny_qcnn(np.random.default_rng(3)))
    assert activation == "sigmoid"
    return model


@pytest.fixture(scope="module")
def maps() -> np.ndarray:
    return adc_maps(np.random.default_rng(4), 300)


def _build(model: Any, cfg: ConvertConfig, out: Path, calibration: np.ndarray) -> tuple[Conversion, CSimLibrary]:
    conversion = convert(model, cfg, out, SCALE, calibration)
    lib = build_csim_library(out, out / "firmware" / "myproject_csim.so")
    return conversion, CSimLibrary(lib, 64, 1)


@pytest.fixture(scope="module")
def accelerator(
    deployed: Any, maps: np.ndarray, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Conversion, CSimLibrary]:
    return _build(deployed, ConvertConfig(), tmp_path_factory.mktemp("acc") / "prj", maps[:200])


@pytest.fixture(scope="module")
def vivado(deployed: Any, maps: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> tuple[Conversion, CSimLibrary]:
    cfg = ConvertConfig(
        backend="Vivado",
        layers={
            "conv1": LayerOverride(reuse_factor=3, strategy="Resource"),
            "output_dense": LayerOverride(reuse_factor=9),
        },
    )
    return _build(deployed, cfg, tmp_path_factory.mktemp("viv") / "prj", maps[:200])


@pytest.mark.slow  # trains, converts and compiles the C simulation per backend (~14-17 s each)
@pytest.mark.parametrize("which", ["accelerator", "vivado"])
def test_csim_is_bit_exact_with_qkeras(
    which: str, deployed: Any, maps: np.ndarray, request: pytest.FixtureRequest
) -> None:
    _, lib = request.getfixturevalue(which)
    keras = deployed.predict(maps, verbose=0).reshape(-1)
    np.testing.assert_array_equal(lib.predict(maps).reshape(-1), keras)


def test_planned_types_reach_the_cpp(accelerator: tuple[Conversion, CSimLibrary]) -> None:
    conversion, _ = accelerator
    defines = (conversion.output_dir / "firmware" / "defines.h").read_text()
    accum = conversion.precision["conv1"].accum
    assert accum is not None
    assert f"typedef {accum.type.hls()} conv1_accum_t;" in defines
    assert "typedef nnet::array<ap_ufixed<8,0>, 1*1> input_t;" in defines
    assert "ap_ufixed<8,3,AP_RND_CONV,AP_SAT,0>" in defines  # quantized_relu(8, 3)
    # The output type comes from profiling, far narrower than the worst-case accumulator.
    out = conversion.precision["output_dense"]
    assert out.accum is not None
    assert out.result.type.width < out.accum.type.width
    assert out.result.type.overflow == "SAT"
    assert (conversion.output_dir / "firmware" / "myproject_axi.cpp").is_file()


def test_fifo_depths_are_applied(accelerator: tuple[Conversion, CSimLibrary]) -> None:
    conversion, _ = accelerator
    cpp = (conversion.output_dir / "firmware" / "myproject.cpp").read_text()
    depths = sorted(int(d) for d in re.findall(r"#pragma HLS STREAM variable=\w+ depth=(\d+)", cpp))
    # 8×8 → conv 6×6 (rows of 6: depth 7) → relu (7) → pool 3×3 (into the dense: one row + 1 = 4).
    assert depths == sorted(f.depth for f in conversion.fifos) == [4, 7, 7]


def test_vivado_backend_keeps_the_planned_reuse(vivado: tuple[Conversion, CSimLibrary]) -> None:
    conversion, _ = vivado
    assert not (conversion.output_dir / "firmware" / "myproject_axi.cpp").exists()
    layers = {layer.name: layer for layer in conversion.hls_model.get_layers()}
    assert int(layers["conv1"].get_attr("reuse_factor")) == 3
    assert layers["conv1"].get_attr("strategy") == "resource"
    assert int(layers["output_dense"].get_attr("reuse_factor")) == 9
    assert conversion.hls4ml_changes == []


def test_changes_made_by_hls4ml_are_detected(vivado: tuple[Conversion, CSimLibrary]) -> None:
    conversion, _ = vivado
    fake = ReusePlan((LayerReuse("conv1", 9, 3, 1, "Resource", (1, 3, 9, 27), "test"),))
    assert _hls4ml_changes(conversion.hls_model, fake) == ["conv1: reuse factor 1 → 3"]


def test_cli_convert_writes_project_and_report(
    deployed: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model_path = tmp_path / "m.h5"
    deployed.save(model_path)
    out = tmp_path / "prj"
    assert main(["convert", str(model_path), "--board", "pynq-z2", "--out", str(out), "--no-csim"]) == 0
    assert "precision report" in capsys.readouterr().out
    report = (out / "conversion.md").read_text()
    assert "| conv1 | accum |" in report
    assert "valid reuse factors" in report
    assert (out / "conversion.json").is_file()
    assert (out / "firmware" / "myproject.cpp").is_file()
    assert not out.with_name("prj.partial").exists()


def test_cli_convert_rejects_invalid_reuse(deployed: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model_path = tmp_path / "m.h5"
    deployed.save(model_path)
    assert main(["convert", str(model_path), "--out", str(tmp_path / "p"), "--reuse-factor", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "layer 'conv1' (QConv2D, 9×3 multiplier array): reuse factor 2 is not valid" in err
    assert "nearest valid: 1 or 3" in err


def test_a_reloaded_project_keeps_its_fifo_depths(accelerator: tuple[Conversion, CSimLibrary]) -> None:
    """`fpgaflow estimate PROJECT` (and every stage that rebuilds a project from its directory) sees the stream
    depths the project's firmware sets, not hls4ml's one entry per pixel: the same FIFOs, the same BRAM18."""
    from fpgaflow.convert.project import load_hls_project
    from fpgaflow.estimate.estimator import estimate_model

    conversion, _ = accelerator

    def depths(hls_model: Any) -> dict[str, int]:
        return {
            layer.name: int(layer.get_output_variable().pragma[1])
            for layer in hls_model.get_layers()
            if isinstance(layer.get_output_variable().pragma, tuple)
        }

    reloaded = load_hls_project(conversion.output_dir)
    planned = {f.layer: f.depth for f in conversion.fifos}
    got = depths(reloaded)
    assert {name: got[name] for name in planned} == planned == {"conv1": 7, "relu1": 7, "pool1": 4}
    assert depths(reloaded) == depths(conversion.hls_model)
    written, rebuilt = estimate_model(conversion.hls_model, None), estimate_model(reloaded, None)
    rows = [(r.name, r.bram18, r.lut, r.ff) for r in rebuilt.layers]
    assert rows == [(r.name, r.bram18, r.lut, r.ff) for r in written.layers]
    assert (rebuilt.total.lut, rebuilt.total.bram18) == (written.total.lut, written.total.bram18)
