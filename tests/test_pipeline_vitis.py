"""The Vitis-only user's command sequence, end to end: ``fpgaflow run`` with ``convert.backend: Vitis`` (real
hls4ml Vitis backend, fpgaflow's AXI-Stream top, real g++), then ``fpgaflow build RUN`` with fake
``vitis-run``/``vivado`` — the same bundle contract, the same bitstream folder (``RUN/vivado``) and the same bundle
refresh as the VivadoAccelerator route.

The tiny run's data and training are reused (a copy of the session's tiny run: only convert, verify and
package rerun, because only the ``convert`` section changed).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from fake_xilinx import BANNERS, UTIL_ROUTED, install_fakes, recorded

from fpgaflow.cli import main
from fpgaflow.convert.axis_csim import AxisCSim
from fpgaflow.convert.axis_wrapper import read_axis_wrapper
from fpgaflow_board.manifest import read_manifest, sha256
from fpgaflow_board.scaling import scale_inputs

VITIS_REPORTS = "public-designs/ece226_har_cnn1d_stream_u250/reports"


@pytest.fixture(scope="module")
def vitis_run(tiny_run: Path, tiny_config: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vitis_run")
    run = root / "tiny_vitis"
    shutil.copytree(tiny_run, run)
    config = root / "tiny_vitis.yaml"
    config.write_text(tiny_config.read_text() + "convert:\n  backend: Vitis\n")
    assert main(["run", str(config), "--out", str(run)]) == 0
    return run


def test_run_converts_verifies_and_packages_the_vitis_design(vitis_run: Path) -> None:
    s = json.loads((vitis_run / "summary.json").read_text())
    assert s["complete"] is True
    assert s["hls_backend"] == "Vitis"
    # The network reproduces QKeras bit for bit, and the AXI-Stream top reproduces the network bit for bit
    # on every test map, with TLAST where the DMA needs it.
    assert (s["csim_agreement"], s["max_abs_diff"], s["csim_bit_exact_fraction"]) == (1.0, 0.0, 1.0)
    assert s["axis_top"] == {
        "n_maps": 240,
        "maps_per_transfer": 256,
        "bit_exact": 1.0,
        "tlast_ok": True,
        "keep_ok": True,
        "passed": True,
    }
    hls = vitis_run / "hls"
    assert 'set backend "vitis"' in (hls / "project.tcl").read_text()
    assert "AXI-Stream top" in (vitis_run / "verify" / "verification.md").read_text()
    record = read_axis_wrapper(hls)
    assert record is not None and (record.top, record.in_word_bits, record.n_in) == ("myproject_axi", 32, 256)


def test_bundle_is_the_same_contract_as_the_accelerator_route(vitis_run: Path, tiny_run: Path) -> None:
    manifest = read_manifest(vitis_run / "board")
    accelerator = read_manifest(tiny_run / "board")
    assert manifest.stream_dtype == accelerator.stream_dtype == "float32"
    assert (manifest.n_in, manifest.n_out, manifest.input_precision) == (
        accelerator.n_in,
        accelerator.n_out,
        accelerator.input_precision,
    )
    # The top, fed the bundle's test maps as the driver lays them out, returns the bundle's expected outputs.
    maps = np.load(vitis_run / "board" / "test_maps.npz")["maps"]
    expected = np.load(vitis_run / "board" / "expected_outputs.npz")["csim_raw"]
    record = read_axis_wrapper(vitis_run / "hls")
    assert record is not None
    top = AxisCSim(vitis_run / "hls" / "firmware" / "myproject_csim.so", record)
    x = scale_inputs(maps.reshape(len(maps), -1), manifest.input_scale)
    got = top.decode(top.run(top.encode(x), top.transfers(len(maps), len(maps))))
    np.testing.assert_array_equal(got.reshape(-1).view(np.uint32), expected.astype(np.float32).view(np.uint32))


def test_build_then_takes_the_vitis_project_to_a_bitstream(
    vitis_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calibration_root: Path
) -> None:
    bin_dir = tmp_path / "bin"
    install_fakes(bin_dir, {"vitis-run": BANNERS["vitis-run"], "vivado": "Vivado v2024.2 (64-bit)"})
    reports = calibration_root / VITIS_REPORTS
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_CALLS", str(tmp_path / "calls.jsonl"))
    monkeypatch.setenv("FAKE_CSYNTH_RPT", str(reports / "myproject_prj__solution1__syn__report__myproject_csynth.rpt"))
    monkeypatch.setenv("FAKE_CSYNTH_XML", str(reports / "myproject_prj__solution1__syn__report__myproject_csynth.xml"))
    monkeypatch.setenv("FAKE_UTIL", UTIL_ROUTED)
    assert main(["build", str(vitis_run)]) == 0
    assert [c["tool"] for c in recorded(tmp_path / "calls.jsonl")] == ["vitis-run", "vivado", "vivado"]
    out = vitis_run / "vivado" / "bitstream"
    build = json.loads((out / "build.json").read_text())
    assert (build["route"], build["n_in"], build["in_bits"], build["out_bits"]) == ("vitis", 256, 32, 32)
    assert not (vitis_run / "hls" / "fpgaflow_build").exists() and not (vitis_run / "hls" / "myproject_prj").exists()
    # `build` wrote the bundle again: the Vitis route's bitstream is in it, with its hash and the same wire.
    manifest = read_manifest(vitis_run / "board")
    assert (manifest.bitstream, manifest.hwh, manifest.stream_dtype) == ("fpgaflow.bit", "fpgaflow.hwh", "float32")
    assert manifest.files["fpgaflow.bit"] == sha256(out / "fpgaflow.bit")
    assert manifest.files["fpgaflow.hwh"] == sha256(out / "fpgaflow.hwh")
    assert manifest.csim_library is None
