"""The Vitis route of ``fpgaflow build``: reading a Vitis project, ``hls_synth_vitis.tcl`` under tclsh with
Vitis HLS stubs (unknown commands and options fail; its command sequence is checked beside the Vivado HLS one in
``test_vivado_tcl.py``), the same block design for the route's IP, and the runner end to end with fake
``vitis-run``/``vitis_hls``/``vivado`` executables, including what it says when a tool is missing.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

import pytest
from fake_xilinx import BANNERS, UTIL_ROUTED, install_fakes, recorded
from test_vivado_tcl import find, names, run_tcl, tcl_dict, write_default_vars

from fpgaflow.cli import build as build_cli
from fpgaflow.convert.axis_wrapper import AXIS_RECORD, AxisWrapper, read_axis_wrapper
from fpgaflow.convert.write_axis_wrapper import render_axis_wrapper, write_axis_wrapper
from fpgaflow.errors import StepError, ToolNotFoundError
from fpgaflow.vivado.config import BuildConfig
from fpgaflow.vivado.project import read_project
from fpgaflow.vivado.runner import run_build
from fpgaflow_board.fixed_point import parse_fixed
from fpgaflow_board.wire_format import WireFormat

STUBS = Path(__file__).resolve().parent / "tcl_stubs"
SCRIPTS = Path(__file__).resolve().parents[1] / "vivado_scripts"
TCLSH = shutil.which("tclsh")
needs_tclsh = pytest.mark.skipif(TCLSH is None, reason="tclsh is not installed")
# A real Vitis HLS 2024.1 C-synthesis report (hls4ml, io_stream) from the calibration set.
VITIS_REPORTS = "public-designs/ece226_har_cnn1d_stream_u250/reports"
VITIS_RPT = "myproject_prj__solution1__syn__report__myproject_csynth"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "run" / "hls"
    shutil.copytree(STUBS / "sample_vitis_project", dest)
    return dest


@pytest.fixture
def va_project(tmp_path: Path) -> Path:
    dest = tmp_path / "va" / "hls"
    shutil.copytree(STUBS / "sample_project", dest)
    return dest


def test_sample_record_is_what_the_generator_writes() -> None:
    record = read_axis_wrapper(STUBS / "sample_vitis_project")
    assert record == AxisWrapper(
        "myproject", 8, 3, parse_fixed("ap_fixed<16,6>"), parse_fixed("ap_fixed<16,6>"), WireFormat()
    )
    assert (STUBS / "sample_vitis_project" / AXIS_RECORD).read_text() == render_axis_wrapper(record)[AXIS_RECORD]


def test_a_vitis_project_reads_as_the_same_stream_geometry(project: Path) -> None:
    prj = read_project(project)
    assert (prj.backend, prj.hls_tool, prj.top, prj.clock_uncertainty) == ("vitis", "vitis_hls", "myproject_axi", "27%")
    assert (prj.n_in, prj.n_out, prj.in_bits, prj.out_bits, prj.bytes_per_sample) == (8, 3, 32, 32, 32)
    _, words = write_default_vars(project)
    assert (words["hls_top"], words["clock_uncertainty"], words["dma_mm2s_width"], words["dma_s2mm_width"]) == (
        "myproject_axi",
        "27%",
        "32",
        "32",
    )
    _, words = write_default_vars(project, BuildConfig(clock_uncertainty="12.5%"))
    assert words["clock_uncertainty"] == "12.5%"


def test_a_vitis_project_without_fpgaflows_top_is_refused(project: Path) -> None:
    (project / AXIS_RECORD).unlink()
    with pytest.raises(StepError, match=r"fpgaflow_axis\.json is missing: this Vitis project has no AXI-Stream top"):
        read_project(project)


@needs_tclsh
def test_vitis_script_reads_vars_from_the_environment_as_vitis_run_passes_no_arguments(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vars_file, _ = write_default_vars(project)
    monkeypatch.setenv("FPGAFLOW_VARS", str(vars_file))
    # vitis-run --tcl: argv holds no variables file (here: only the script itself).
    proc, calls = run_tcl("hls_synth_vitis.tcl", SCRIPTS / "hls_synth_vitis.tcl", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"fpgaflow: variables from {vars_file}" in proc.stdout
    assert names(calls)[-1] == "close_project"


@needs_tclsh
@pytest.mark.parametrize(
    ("edit", "tool", "message"),
    [
        # An option a command does not have fails, as in the real tool.
        (("-name_max_length 80", "-name_max_lenght 80"), "vitis_hls",
         "config_compile: unknown option '-name_max_lenght'"),
        # Vivado HLS 2020.1 has no -flow_target: the Vitis script cannot run there.
        (None, "vivado_hls", "open_solution: unknown option '-flow_target' (vivado_hls)"),
        # A Vivado-HLS-only directive is an error in Vitis HLS (not wrapped in catch here).
        (("config_compile -name", "config_array_partition -maximum_size 4096\nconfig_compile -name"), "vitis_hls",
         "config_array_partition: unknown option '-maximum_size' (vitis_hls)"),
        # A Vivado command inside the HLS script.
        (("set_top $hls_top\n", "set_top $hls_top\nvalidate_bd_design\n"), "vitis_hls",
         'invalid command name "validate_bd_design"'),
    ],
)  # fmt: skip
def test_stubs_fail_on_unknown_commands_and_options(
    project: Path, tmp_path: Path, edit: tuple[str, str] | None, tool: str, message: str
) -> None:
    vars_file, _ = write_default_vars(project)
    script = tmp_path / "scripts" / "hls_synth_vitis.tcl"
    script.parent.mkdir()
    for helper in ("common.tcl", "hls_export.tcl"):
        shutil.copy(SCRIPTS / helper, script.parent)
    text = (SCRIPTS / "hls_synth_vitis.tcl").read_text()
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    script.write_text(text)
    proc, calls = run_tcl(script, vars_file, tmp_path, stub_tool=tool)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert calls[-1][0] == "STUB_ERROR"
    assert "export_design" not in names(calls)


@needs_tclsh
def test_block_design_takes_the_vitis_ip_and_its_stream_widths(project: Path, tmp_path: Path) -> None:
    # Fixed-point lanes: 8-bit input words, 16-bit output words (the DMA's memory-map side stays 32 bits).
    record = AxisWrapper(
        "myproject", 8, 3, parse_fixed("ap_ufixed<8,0>"), parse_fixed("ap_fixed<16,6>"), WireFormat("fixed")
    )
    write_axis_wrapper(project, record)
    vars_file, words = write_default_vars(project)
    proc, calls = run_tcl("block_design.tcl", vars_file, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert find(calls, "create_bd_cell", "xilinx.com:hls:myproject_axi:1.0", "nn_0") > 0
    assert find(calls, "connect_bd_intf_net", "intf:axi_dma_0/M_AXIS_MM2S", "intf:nn_0/in_r") > 0
    assert find(calls, "connect_bd_intf_net", "intf:nn_0/out_r", "intf:axi_dma_0/S_AXIS_S2MM") > 0
    dma = tcl_dict(calls[find(calls, "set_property", "CONFIG.c_sg_length_width")][1][1])
    assert (dma["CONFIG.c_m_axis_mm2s_tdata_width"], dma["CONFIG.c_s_axis_s2mm_tdata_width"]) == ("8", "16")
    assert (dma["CONFIG.c_m_axi_mm2s_data_width"], dma["CONFIG.c_m_axi_s2mm_data_width"]) == ("32", "32")
    # 4096 samples x max(8 x 1, 3 x 2) bytes = 32 KiB -> a 16-bit length register.
    assert dma["CONFIG.c_sg_length_width"] == words["dma_length_width"] == "16"


# ------------------------------------------------------------------------------------------------ the runner
def _fake_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, calibration_root: Path, bin_dir: Path) -> Path:
    reports = calibration_root / VITIS_REPORTS
    calls = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_CALLS", str(calls))
    monkeypatch.setenv("FAKE_CSYNTH_RPT", str(reports / f"{VITIS_RPT}.rpt"))
    monkeypatch.setenv("FAKE_CSYNTH_XML", str(reports / f"{VITIS_RPT}.xml"))
    monkeypatch.setenv("FAKE_UTIL", UTIL_ROUTED)
    monkeypatch.delenv("FAKE_FAIL_STAGE", raising=False)
    monkeypatch.delenv("FAKE_SKIP_OUTPUTS", raising=False)
    monkeypatch.delenv("FPGAFLOW_VARS", raising=False)
    return calls


VIVADO_2024 = "Vivado v2024.2 (64-bit)"


@pytest.fixture
def fake_vitis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calibration_root: Path) -> Path:
    """Fake vitis-run, vitis_hls and vivado (2024.x) first on PATH; returns the calls file."""
    bin_dir = tmp_path / "bin"
    install_fakes(
        bin_dir, {"vitis-run": BANNERS["vitis-run"], "vitis_hls": BANNERS["vitis_hls"], "vivado": VIVADO_2024}
    )
    return _fake_env(monkeypatch, tmp_path, calibration_root, bin_dir)


def test_full_vitis_build_runs_vitis_run_then_vivado(project: Path, fake_vitis: Path) -> None:
    result = run_build(project, BuildConfig(jobs=2))
    assert result.ran == ("hls", "bd", "bitstream")
    calls = recorded(fake_vitis)
    assert [(c["tool"], c["stage"]) for c in calls] == [("vitis-run", "hls"), ("vivado", "bd"), ("vivado", "bitstream")]
    build = project / "fpgaflow_build"
    assert calls[0]["argv"] == ["--mode", "hls", "--tcl", str(SCRIPTS / "hls_synth_vitis.tcl")]
    assert calls[0]["cwd"] == str(build)  # the Vitis HLS project lives in the build folder too
    assert calls[1]["argv"][-3:] == [str(SCRIPTS / "block_design.tcl"), "-tclargs", str(build / "vars.tcl")]
    assert "set clock_uncertainty 27%" in (build / "vars.tcl").read_text()
    # The HLS column is a real Vitis HLS 2024.1 report.
    assert [t.source for t in result.tables] == ["vitis_hls csynth", "vivado synth", "vivado impl"]
    assert "Vitis HLS 2024.1 report for myproject" in result.tables[0].notes
    manifest = json.loads((build / "bitstream" / "build.json").read_text())
    assert (manifest["route"], manifest["hls_top"], manifest["in_bits"], manifest["n_in"]) == (
        "vitis",
        "myproject_axi",
        32,
        8,
    )
    assert manifest["tools"] == {"hls": "vitis-run 2024.2", "bd": "vivado 2024.2", "bitstream": "vivado 2024.2"}
    assert (build / "bitstream" / "fpgaflow.bit").is_file()


def test_vitis_hls_alone_runs_the_script_with_the_vars_argument(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calibration_root: Path
) -> None:
    bin_dir = tmp_path / "bin"
    install_fakes(bin_dir, {"vitis_hls": BANNERS["vitis_hls"], "vivado": VIVADO_2024})
    calls = _fake_env(monkeypatch, tmp_path, calibration_root, bin_dir)
    run_build(project, BuildConfig(), stage="hls")
    vars_file = project / "fpgaflow_build" / "vars.tcl"
    assert recorded(calls)[0]["argv"] == ["-f", str(SCRIPTS / "hls_synth_vitis.tcl"), str(vars_file)]
    assert json.loads((project / "fpgaflow_build" / "state.json").read_text())["tools"] == {"hls": "vitis_hls 2024.1"}


def test_vitis_dir_is_searched_before_path(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calibration_root: Path
) -> None:
    install = tmp_path / "Xilinx" / "2025.1" / "Vitis"
    install_fakes(install / "bin", {"vitis-run": "vitis-run v2025.1 (64-bit)"})
    bin_dir = tmp_path / "bin"
    install_fakes(bin_dir, {"vivado": VIVADO_2024})
    calls = _fake_env(monkeypatch, tmp_path, calibration_root, bin_dir)
    run_build(project, BuildConfig(vitis_dir=install), stage="hls")
    assert recorded(calls)[0]["tool"] == "vitis-run"


def test_an_hls_release_outside_the_range_is_flagged(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    calibration_root: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bin_dir = tmp_path / "bin"
    install_fakes(bin_dir, {"vitis-run": "vitis-run v2022.2 (64-bit)", "vivado": VIVADO_2024})
    _fake_env(monkeypatch, tmp_path, calibration_root, bin_dir)
    caplog.set_level(logging.WARNING, logger="fpgaflow.vivado")
    run_build(project, BuildConfig(), stage="hls")
    assert any("vitis-run 2022.2: the hls script was written for 2023.2, 2024.1" in m for m in caplog.messages)


@pytest.mark.parametrize(
    ("tools", "which", "message"),
    [
        ({}, "vitis",
         r"^vitis-run or vitis_hls not found on PATH \(Vitis HLS 2023\.2 or later: source .*settings64\.sh"),
        ({"vivado_hls": BANNERS["vivado_hls"], "vivado": VIVADO_2024}, "vitis",
         r"vivado_hls is there, but this project is a Vitis project \(Vitis HLS only\); without it you can still"),
        ({"vitis-run": BANNERS["vitis-run"]}, "vitis", r"^vivado not found on PATH \(Vivado 2019\.2 or later"),
        ({"vitis-run": BANNERS["vitis-run"], "vivado": VIVADO_2024}, "va",
         r"^vivado_hls not found on PATH .*; vitis-run is there, but this project is a VivadoAccelerator project "
         r"\(Vivado HLS only\); convert with convert\.backend Vitis"),
    ],
)  # fmt: skip
def test_a_missing_tool_is_named_in_one_line(
    project: Path,
    va_project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    calibration_root: Path,
    tools: dict[str, str],
    which: str,
    message: str,
) -> None:
    bin_dir = tmp_path / "bin"
    install_fakes(bin_dir, tools)
    calls = _fake_env(monkeypatch, tmp_path, calibration_root, bin_dir)
    target = project if which == "vitis" else va_project
    with pytest.raises(ToolNotFoundError, match=message) as info:
        run_build(target, BuildConfig())
    assert "\n" not in str(info.value)
    assert recorded(calls) == []  # nothing ran
    assert (target / "fpgaflow_build" / "vars.tcl").is_file()  # still written, for a run elsewhere


def test_cli_builds_a_vitis_project(project: Path, fake_vitis: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    build_cli.register(parser.add_subparsers())
    args = parser.parse_args(["build", str(project), "--vitis-dir", str(fake_vitis.parent / "bin")])
    assert args.func(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["resource", "vitis_hls", "csynth"]
    assert lines[-1] == f"bitstream: {project / 'fpgaflow_build' / 'bitstream' / 'fpgaflow.bit'}"


@pytest.mark.parametrize("board", ["zcu104", "ultra96-v2", "kv260"])
def test_the_vitis_route_refuses_a_zynq_ultrascale_board_as_build_does(
    project: Path, fake_vitis: Path, board: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The block design instantiates processing_system7 on either route: a ps8 board is refused before any tool
    runs, in one line, exit status 2 (convert, estimate and fit accept these boards)."""
    from fpgaflow.cli import main

    assert main(["build", str(project), "--board", board, "--vitis-dir", str(fake_vitis.parent / "bin")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"build.board {board!r} has a Zynq UltraScale+ PS (zynq_ultra_ps_e)" in err
    assert recorded(fake_vitis) == []
    assert not (project / "fpgaflow_build").exists()
