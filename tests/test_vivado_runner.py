"""The build runner with fake ``vivado_hls``/``vivado`` executables on PATH (VivadoAccelerator route).

The fakes (:mod:`fake_xilinx`, written into tmp_path by the tests) read vars.tcl like the real scripts do, print
a Vivado banner and ``fpgaflow:`` progress lines, write canned reports where the real tools would, record their
argument lists, and fail on demand.  The Vitis route's runner tests are in ``test_vivado_vitis.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

import pytest
from fake_xilinx import KNOBS, install_vivado_route, recorded

from fpgaflow.cli import build as build_cli
from fpgaflow.errors import StepError, ToolNotFoundError
from fpgaflow.estimate.table import LayerResources
from fpgaflow.vivado.config import BuildConfig
from fpgaflow.vivado.location import find_bitstream
from fpgaflow.vivado.project import sources_digest
from fpgaflow.vivado.runner import load_state, run_build

STUBS = Path(__file__).resolve().parent / "tcl_stubs"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "run" / "hls"
    shutil.copytree(STUBS / "sample_project", dest)
    return dest


@pytest.fixture
def fake_vivado(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calibration_root: Path) -> Path:
    """Put fake vivado/vivado_hls first on PATH; returns the file their calls are recorded in."""
    calls = tmp_path / "calls.jsonl"
    for knob in KNOBS:
        monkeypatch.delenv(knob, raising=False)
    for key, value in install_vivado_route(tmp_path / "bin", calls, calibration_root).items():
        monkeypatch.setenv(key, value)
    return calls


def test_full_build_runs_three_stages_with_argument_lists(
    project: Path, fake_vivado: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fpgaflow.vivado")
    result = run_build(project, BuildConfig(jobs=2))
    assert result.ran == ("hls", "bd", "bitstream")
    calls = recorded(fake_vivado)
    assert [(c["tool"], c["stage"]) for c in calls] == [
        ("vivado_hls", "hls"),
        ("vivado", "bd"),
        ("vivado", "bitstream"),
    ]
    build = project / "fpgaflow_build"
    scripts = Path(__file__).resolve().parents[1] / "vivado_scripts"
    assert calls[0]["argv"] == ["-f", str(scripts / "hls_synth.tcl"), str(build / "vars.tcl")]
    assert calls[0]["cwd"] == str(build)  # every tool runs in the build folder, never in the hls4ml project
    assert calls[1]["argv"] == [
        "-mode", "batch", "-nojournal", "-nolog", "-notrace",
        "-source", str(scripts / "block_design.tcl"), "-tclargs", str(build / "vars.tcl"),
    ]  # fmt: skip
    assert calls[2]["cwd"] == str(build)
    # Progress lines from the scripts are streamed through logging; the logs keep everything.
    assert "hls: starting" in caplog.messages
    assert "bitstream: done" in caplog.messages
    for stage in ("hls", "bd", "bitstream"):
        assert "INFO: [Common 17-206] Exiting" in (build / "logs" / f"{stage}.log").read_text()
    assert (build / "bitstream" / "fpgaflow.bit").is_file()
    # Reports parsed into the estimator's table: HLS estimate, post-synthesis, post-route.
    assert [t.source for t in result.tables] == ["vivado_hls csynth", "vivado synth", "vivado impl"]
    assert result.tables[0].total == LayerResources(
        name="total", lut=61044, ff=22076, dsp=202, bram18=52, latency_cycles=140, interval_cycles=141
    )
    assert result.tables[2].total == LayerResources(name="total", lut=12034, ff=15102, dsp=57, bram18=19)
    manifest = json.loads((build / "bitstream" / "build.json").read_text())
    assert manifest["dma_instance"] == "axi_dma_0"
    assert manifest["network_instance"] == "nn_0"
    assert (manifest["dma_length_width"], manifest["max_batch"], manifest["max_batch_fitting"]) == (
        18,
        4096,
        8191,
    )
    assert load_state(build / "state.json").keys() == {"hls", "bd", "bitstream"}


def test_failure_mid_build_keeps_log_names_stage_and_resumes(
    project: Path, fake_vivado: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FAIL_STAGE", "bd")
    with pytest.raises(StepError) as info:
        run_build(project, BuildConfig())
    message = str(info.value)
    assert "build stage 'bd' failed (exit code 1)" in message
    assert "ERROR: [BD 41-1273] Error running connect_bd_intf_net: interface width mismatch" in message
    assert "--stage bd" in message
    log = project / "fpgaflow_build" / "logs" / "bd.log"
    assert str(log) in message
    assert "ERROR: [Common 17-39]" in log.read_text()
    assert load_state(project / "fpgaflow_build" / "state.json").keys() == {"hls"}

    monkeypatch.delenv("FAKE_FAIL_STAGE")
    result = run_build(project, BuildConfig())
    assert result.ran == ("bd", "bitstream")
    assert result.skipped == ("hls",)
    assert [c["stage"] for c in recorded(fake_vivado)] == ["hls", "bd", "bd", "bitstream"]


def test_finished_build_reruns_nothing_even_without_vivado(
    project: Path, fake_vivado: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_build(project, BuildConfig())
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    result = run_build(project, BuildConfig(jobs=7))  # jobs does not change the result
    assert result.ran == ()
    assert len(recorded(fake_vivado)) == 3
    assert [t.source for t in result.tables] == ["vivado_hls csynth", "vivado synth", "vivado impl"]


def test_rerunning_one_stage_invalidates_the_later_ones(project: Path, fake_vivado: Path) -> None:
    run_build(project, BuildConfig())
    assert run_build(project, BuildConfig(), stage="hls").ran == ("hls",)
    state = load_state(project / "fpgaflow_build" / "state.json")
    assert state.keys() == {"hls"}
    assert run_build(project, BuildConfig()).ran == ("bd", "bitstream")


def test_changed_variables_rebuild_everything(project: Path, fake_vivado: Path) -> None:
    run_build(project, BuildConfig())
    result = run_build(project, BuildConfig(max_batch=100_000))
    assert result.ran == ("hls", "bd", "bitstream")
    assert "set dma_length_width 22" in (project / "fpgaflow_build" / "vars.tcl").read_text()


def test_deleted_output_makes_its_stage_run_again(project: Path, fake_vivado: Path) -> None:
    run_build(project, BuildConfig())
    (project / "fpgaflow_build" / "bitstream" / "fpgaflow.hwh").unlink()
    assert run_build(project, BuildConfig()).ran == ("bitstream",)


def test_single_stage_needs_its_predecessors(project: Path, fake_vivado: Path) -> None:
    with pytest.raises(StepError, match="build stage 'bitstream' needs stage 'hls' first"):
        run_build(project, BuildConfig(), stage="bitstream")
    run_build(project, BuildConfig(), stage="hls")
    with pytest.raises(StepError, match="build stage 'bitstream' needs stage 'bd' first"):
        run_build(project, BuildConfig(), stage="bitstream")
    assert recorded(fake_vivado)[-1]["stage"] == "hls"


def test_exit_zero_without_outputs_is_a_failure(
    project: Path, fake_vivado: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SKIP_OUTPUTS", "hls")
    with pytest.raises(StepError, match=r"build stage 'hls' exited 0 but did not write .*csynth\.rpt"):
        run_build(project, BuildConfig())
    assert load_state(project / "fpgaflow_build" / "state.json") == {}


def test_missing_vivado_says_what_is_missing_and_what_still_works(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with pytest.raises(
        ToolNotFoundError, match=r"vivado_hls not found on PATH .*fpgaflow estimate.*C simulation.*bundle"
    ):
        run_build(project, BuildConfig())
    # vars.tcl is written anyway: vivado_scripts/ can be run by hand on a machine with Vivado.
    assert (project / "fpgaflow_build" / "vars.tcl").is_file()
    with pytest.raises(ToolNotFoundError, match=r"vivado_hls not found in .*/xilinx/bin or on PATH"):
        run_build(project, BuildConfig(vivado_dir=tmp_path / "xilinx"))


def test_vivado_dir_is_searched_before_path(
    project: Path, fake_vivado: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = tmp_path / "Vivado" / "2020.1"
    shutil.copytree(tmp_path / "bin", install / "bin")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert run_build(project, BuildConfig(vivado_dir=install)).ran == ("hls", "bd", "bitstream")


def test_cli_prints_the_side_by_side_table(
    project: Path, fake_vivado: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    build_cli.register(parser.add_subparsers())
    args = parser.parse_args(["build", str(project), "--jobs", "2", "--max-batch", "1024"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["resource", "vivado_hls", "csynth", "vivado", "synth", "vivado", "impl"]
    assert lines[1].split() == ["lut", "61,044", "(114.7%)", "12,500", "(23.5%)", "12,034", "(22.6%)"]
    assert lines[4].split() == ["bram18", "52", "(18.6%)", "19", "(6.8%)", "19", "(6.8%)"]
    assert f"bitstream: {project / 'fpgaflow_build' / 'bitstream' / 'fpgaflow.bit'}" in out


def _install(root: Path, version: str, patched: bool) -> Path:
    """A Xilinx install laid out as the installer does (``<root>/Vivado/<version>/bin``, ``common/scripts``)
    holding the fake tools; with the y2k22 patch's file when ``patched``."""
    install = root / "Xilinx" / "Vivado" / version
    shutil.copytree(root / "bin", install / "bin")
    (install / "common" / "scripts").mkdir(parents=True)
    if patched:
        (install / "common" / "scripts" / "automg_patch_20220104.tcl").write_text("# y2k22 patch\n")
    return install


def test_unpatched_vivado_hls_is_refused_before_synthesis_with_the_fix(
    project: Path, fake_vivado: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    install = _install(tmp_path, "2020.1", patched=False)
    with pytest.raises(StepError) as info:
        run_build(project, BuildConfig(vivado_dir=install))
    message = str(info.value)
    assert "\n" not in message
    assert f"vivado_hls 2020.1 in {install} lacks {install}/common/scripts/automg_patch_20220104.tcl" in message
    assert "y2k22 patch (AR 76960)" in message
    assert f"unzip y2k22_patch-1.2.zip in {tmp_path / 'Xilinx'} and run `python3 y2k22_patch/patch.py` there" in message
    assert recorded(fake_vivado) == []  # nothing ran: hours of C synthesis are not wasted on a doomed export
    (install / "common" / "scripts" / "automg_patch_20220104.tcl").write_text("# y2k22 patch\n")
    assert run_build(project, BuildConfig(vivado_dir=install)).ran == ("hls", "bd", "bitstream")


def test_y2k22_export_failure_names_the_fix(project: Path, fake_vivado: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_Y2K22", "1")
    with pytest.raises(StepError) as info:
        run_build(project, BuildConfig())
    message = str(info.value)
    assert message.startswith("build stage 'hls' failed: export_design hit the y2k22 bug (bad lexical cast); ")
    assert "AR 76960" in message
    assert "python3 y2k22_patch/patch.py" in message
    assert str(project / "fpgaflow_build" / "logs" / "hls.log") in message


def test_the_build_of_a_run_lives_beside_its_step_directories(project: Path, fake_vivado: Path, tmp_path: Path) -> None:
    """RUN_DIR/hls is a step directory that `fpgaflow run --from convert` replaces: the build (and the HLS
    project with the exported IP) goes to RUN_DIR/vivado, and nothing is written into RUN_DIR/hls."""
    run_dir = project.parent
    (run_dir / ".fpgaflow").mkdir()
    (run_dir / ".fpgaflow" / "run.json").write_text('{"kind": "run"}')
    before = sorted(p.relative_to(project).as_posix() for p in project.rglob("*"))
    result = run_build(project, BuildConfig())
    assert result.layout.root == run_dir / "vivado"
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*")) == before
    assert (run_dir / "vivado" / "bitstream" / "fpgaflow.bit").is_file()
    assert (run_dir / "vivado" / "myproject_prj" / "solution1" / "impl" / "ip" / "component.xml").is_file()
    assert {c["cwd"] for c in recorded(fake_vivado)} == {str(run_dir / "vivado")}
    bitstream, note = find_bitstream(project)
    assert bitstream is not None and note == ""
    assert bitstream.bit == run_dir / "vivado" / "bitstream" / "fpgaflow.bit"
    assert bitstream.record["sources_digest"] == sources_digest(project)


def test_build_of_a_run_in_use_is_refused_before_vivado_starts(
    project: Path, fake_vivado: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fpgaflow build RUN_DIR` holds the run's lock while Vivado reads RUN_DIR/hls: with an `fpgaflow run` into the
    same directory under way it refuses in one line (exit 2) and starts no tool."""
    from fpgaflow.cli import main
    from fpgaflow.outdir import hold_lock

    run_dir = project.parent
    (run_dir / ".fpgaflow").mkdir()
    (run_dir / ".fpgaflow" / "run.json").write_text('{"kind": "run"}')
    with hold_lock(run_dir):  # what a running `fpgaflow run --out RUN_DIR` holds
        assert main(["build", str(project)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"fpgaflow build: error: {run_dir} is in use by fpgaflow pid ")
    assert "\n" not in err
    assert recorded(fake_vivado) == []
    assert not (run_dir / "vivado").exists()


def test_changed_hls_sources_rebuild_and_make_the_old_bitstream_stale(project: Path, fake_vivado: Path) -> None:
    run_build(project, BuildConfig())
    assert find_bitstream(project)[0] is not None
    header = project / "firmware" / "myproject_axi.h"
    header.write_text(header.read_text() + "\n// another design\n")
    bitstream, note = find_bitstream(project)
    assert bitstream is None
    assert note.startswith("stale: the build in ") and "was made from other hls4ml sources" in note
    assert run_build(project, BuildConfig()).ran == ("hls", "bd", "bitstream")
    assert find_bitstream(project)[0] is not None
    (project / "firmware" / "myproject_csim.so").write_bytes(b"a rebuilt C simulation is not a source")
    assert run_build(project, BuildConfig()).ran == ()


def test_no_bitstream_before_the_build_and_after_an_unfinished_one(project: Path, fake_vivado: Path) -> None:
    bitstream, note = find_bitstream(project)
    assert bitstream is None
    assert note.startswith("absent: no Vivado build yet in ") and "fpgaflow build RUN_DIR" in note
    run_build(project, BuildConfig())
    run_build(project, BuildConfig(), stage="bd")  # the bitstream stage is no longer done
    bitstream, note = find_bitstream(project)
    assert bitstream is None
    assert note.startswith("unfinished: ")
