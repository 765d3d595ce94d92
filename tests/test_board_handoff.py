"""From a finished run to the board and back, without Vivado and without a board.

A copy of the session's tiny run is built with the fake ``vivado``/``vivado_hls`` (tests/fake_xilinx.py;
the bitstream stage writes the ``.hwh`` Vivado writes for the design, tests/vivado_hwh.py) through
``fpgaflow build RUN_DIR``, deployed with ``fpgaflow deploy`` over a fake ``ssh``/``scp`` to a fake board
whose ``pynq`` runs the design on the simulated PYNQ-Z2 (tests/fake_board.py), and rerun with
``fpgaflow run --from convert``.  The tests run in file order on that one copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import fake_board
import numpy as np
import pytest
from board_env import ONLY_THE_BUNDLE
from fake_xilinx import KNOBS, install_vivado_route

from fpgaflow.cli import main
from fpgaflow_board.manifest import HOST_ONLY_MODULES, read_manifest, sha256

TESTS = Path(__file__).resolve().parent
HOST = "xilinx@pynq"
BLOCKED = ONLY_THE_BUNDLE + "sys.modules.update(pynq=None); "  # pynq blocked, as on a host


def _tree_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built_run(tiny_run: Path, tmp_path_factory: pytest.TempPathFactory, calibration_root: Path) -> Path:
    """A copy of the tiny run after `fpgaflow build RUN_DIR` with the fake Vivado."""
    work = tmp_path_factory.mktemp("handoff")
    run = work / "run"
    shutil.copytree(tiny_run, run, symlinks=True)
    with pytest.MonkeyPatch.context() as mp:
        for knob in KNOBS:
            mp.delenv(knob, raising=False)
        for key, value in install_vivado_route(
            work / "vivado_bin", work / "vivado_calls.jsonl", calibration_root
        ).items():
            mp.setenv(key, value)
        mp.setenv("FAKE_HWH_MODULE", str(TESTS))
        assert main(["build", str(run), "--jobs", "2"]) == 0
    return run


@pytest.fixture
def board(built_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fake ssh/scp first on PATH, reaching a fake board whose home is ``tmp_path/board_home``."""
    env = fake_board.install(
        tmp_path / "fakes",
        tmp_path / "board_home",
        tmp_path / "calls.jsonl",
        built_run / "hls" / "firmware" / "myproject_csim.so",
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("FAKE_SSH_UNREACHABLE", raising=False)
    return tmp_path


def test_build_puts_bitstream_and_hwh_with_their_hashes_into_the_bundle(built_run: Path) -> None:
    bundle, build = built_run / "board", built_run / "vivado"
    manifest = read_manifest(bundle)  # every checksum verified
    assert (manifest.bitstream, manifest.hwh, manifest.bitstream_note) == ("fpgaflow.bit", "fpgaflow.hwh", "")
    for name in ("fpgaflow.bit", "fpgaflow.hwh"):
        assert manifest.files[name] == sha256(build / "bitstream" / name)
        assert (bundle / name).read_bytes() == (build / "bitstream" / name).read_bytes()
    assert b"<EDKSYSTEM" in (bundle / "fpgaflow.hwh").read_bytes()
    # Only what the board needs: no C simulation, no simulator modules; every file present is listed.
    assert manifest.csim_library is None
    assert not any(name.startswith("lib/") for name in manifest.files)
    assert not {f"fpgaflow_board/{m}.py" for m in HOST_ONLY_MODULES} & set(manifest.files)
    present = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert present == set(manifest.files) | {"manifest.json"}
    assert manifest.stream_dtype == "float32"  # T_in/T_out of myproject_axi.h are float; the DMA streams 32 bits
    assert (json.loads((build / "bitstream" / "build.json").read_text())["in_bits"], manifest.format_version) == (32, 2)
    # The build lives beside the step directories; the run's summary agrees with its bundle.
    assert not (built_run / "hls" / "fpgaflow_build").exists()
    assert not (built_run / "hls" / "myproject_prj").exists()
    assert (build / "myproject_prj" / "solution1" / "impl" / "ip" / "component.xml").is_file()
    summary = json.loads((built_run / "summary.json").read_text())
    assert summary["bitstream"] == "fpgaflow.bit"
    assert summary["steps_status"]["package"] == "ran"
    assert summary["complete"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no board to run on: pynq is not installed (this is not a PYNQ board image); and a board bundle "),
        (["--real"], "cannot use the real board: pynq is not installed"),
        (["--simulated"], "cannot use the simulated board: a board bundle carries no C simulation for the simulated"),
    ],
)
def test_board_cli_on_a_board_bundle_without_pynq_says_so_in_one_line(
    built_run: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    """The bundle's own `python -m fpgaflow_board`, importing only the bundle (pynq blocked as on a host)."""
    code = BLOCKED + (
        "import runpy; sys.argv = ['fpgaflow_board', *sys.argv[1:]]; "
        "runpy.run_module('fpgaflow_board', run_name='__main__')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, ".", *args, "--out", str(tmp_path / "r.npz")],
        cwd=built_run / "board",
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FPGAFLOW_SIMULATED_BOARD")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("INFO ")]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fpgaflow_board: error: ")
    assert message in lines[0]
    assert "OSError" not in proc.stderr
    assert not (tmp_path / "r.npz").exists()


def test_deploy_runs_the_bundle_on_the_board_and_checks_it(built_run: Path, board: Path) -> None:
    remote = board / "board_home" / "fpgaflow"
    out = board / "deploy"
    assert (
        main(
            [
                "deploy",
                str(built_run),
                "--host",
                HOST,
                "--remote-dir",
                str(remote),
                "--batch-size",
                "64",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    manifest = read_manifest(built_run / "board")
    there = remote / "run"
    calls = fake_board.recorded(board / "calls.jsonl")
    options = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"]
    assert [c["tool"] for c in calls] == ["ssh", "scp", "scp", "ssh", "scp"]
    assert calls[0]["argv"] == [*options, HOST, f"mkdir -p {there} {there}/fpgaflow_board"]
    uploaded = {Path(a).relative_to(built_run / "board").as_posix() for c in calls[1:3] for a in c["argv"][6:-1]}
    assert uploaded == set(manifest.files) | {"manifest.json"}  # exactly the bundle: no lib/, no simulator
    assert [c["argv"][-1] for c in calls[1:3]] == [f"{HOST}:{there}/", f"{HOST}:{there}/fpgaflow_board/"]
    assert calls[3]["argv"] == [
        *options,
        HOST,
        f"sudo -n bash -lc 'cd {there} && python3 -m fpgaflow_board . --real --out results.npz "
        "--batch-size 64 --timeout 2'",
    ]
    assert calls[4]["argv"] == [
        *options,
        "-q",
        f"{HOST}:{there}/results.npz",
        str(out.with_name("deploy.partial") / "results.npz"),
    ]
    # The board ran its own copy of the driver (through pynq, --real), on the bundle's bitstream.
    on_board = {
        p.relative_to(there).as_posix() for p in there.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }
    assert on_board == set(manifest.files) | {"manifest.json", "results.npz"}
    log = (out / "board.log").read_text()
    assert "board: pynq-z2;" in log
    assert f"driver: {there}/fpgaflow_board/driver.py" in log  # the bundle's own copy ran
    assert "accuracy on the bundled test maps:" in log
    check = json.loads((out / "check.json").read_text())
    assert check["passed"] is True
    assert check["raw_bit_exact_fraction"] == 1.0
    assert check["board"] == "pynq-z2"
    with np.load(out / "results.npz") as r, np.load(built_run / "board" / "expected_outputs.npz") as e:
        np.testing.assert_array_equal(r["raw"][:, 0], e["csim_raw"])
        assert r["batch_sizes"].tolist()[0] == 64
    assert "verdict: PASS" in (out / "check.txt").read_text()


def test_deploy_failures_are_one_line_and_leave_nothing_behind(
    built_run: Path, board: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = board / "board_home" / "fpgaflow"
    out = board / "deploy"
    argv = ["deploy", str(built_run), "--host", HOST, "--remote-dir", str(remote), "--out", str(out)]
    monkeypatch.setenv("FAKE_SSH_UNREACHABLE", "1")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"fpgaflow deploy: error: on {HOST}: create {remote}/run failed (exit 255) (ssh could not connect: check "
        "the address, the user and the key): ssh: connect to host pynq port 22: No route to host"
    )
    monkeypatch.delenv("FAKE_SSH_UNREACHABLE")
    monkeypatch.setenv("FAKE_PYNQ_CSIM", str(board / "missing.so"))  # the board's driver fails
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"fpgaflow deploy: error: on {HOST}: run the bundle in {remote}/run failed (exit ")
    assert "\n" not in err
    assert not out.exists()
    assert not out.with_name("deploy.partial").exists()
    assert main(["deploy", str(built_run), "--remote-dir", str(remote)]) == 2
    assert "no board given: pass --host USER@BOARD" in capsys.readouterr().err


def test_deploy_waits_for_no_run_it_refuses_while_the_run_directory_is_in_use(
    built_run: Path, board: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `fpgaflow run`/`build` holding RUN_DIR may be rewriting its bundle: deploy refuses in one line and
    sends nothing."""
    from fpgaflow.outdir import hold_lock

    with hold_lock(built_run):
        assert main(["deploy", str(built_run), "--host", HOST, "--out", str(board / "d")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"fpgaflow deploy: error: {built_run} is in use by fpgaflow pid ")
    assert "\n" not in err
    assert fake_board.recorded(board / "calls.jsonl") == []
    assert not (board / "d").exists()


def test_deploy_refuses_a_bundle_without_bitstream(
    tiny_run: Path, board: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", str(tiny_run), "--host", HOST, "--out", str(board / "d")]) == 2
    err = capsys.readouterr().err
    assert "has no bitstream (absent: no Vivado build yet in " in err
    assert "fpgaflow build RUN_DIR" in err
    assert fake_board.recorded(board / "calls.jsonl") == []  # nothing was sent anywhere


def test_rerun_from_verify_keeps_what_the_user_put_into_the_bundle(built_run: Path, tiny_config: Path) -> None:
    """Results copied back from the board and notes in RUN_DIR/board survive `fpgaflow run --from verify`, which
    writes the bundle again (with the bitstream: the build is untouched); the manifest lists only fpgaflow's files."""
    board = built_run / "board"
    mine = {board / "results.npz": b"results from the board", board / "notes" / "NOTES.txt": b"first light\n"}
    (board / "notes").mkdir()
    for path, data in mine.items():
        path.write_bytes(data)
    assert main(["run", str(tiny_config), "--out", str(built_run), "--from", "verify"]) == 0
    assert {path: path.read_bytes() for path in mine} == mine
    manifest = read_manifest(board)
    assert manifest.bitstream == "fpgaflow.bit"
    assert not {"results.npz", "notes/NOTES.txt"} & set(manifest.files)
    summary = json.loads((built_run / "summary.json").read_text())
    assert (summary["complete"], summary["bitstream"]) == (True, "fpgaflow.bit")


def test_rerun_from_convert_keeps_the_build_and_a_changed_design_drops_it(
    built_run: Path, tiny_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fpgaflow run --from convert` rewrites RUN_DIR/hls; the Vivado build in RUN_DIR/vivado stays byte for byte
    and, the hls4ml sources being the same, the new bundle carries it again.  A build of other sources is stale
    (tests/test_vivado_runner.py changes the sources themselves; here the build's record names other ones, since
    a changed file in RUN_DIR/hls invalidates the convert checkpoint)."""
    build = built_run / "vivado"
    before = _tree_digests(build)
    assert main(["run", str(tiny_config), "--out", str(built_run), "--from", "convert"]) == 0
    assert _tree_digests(build) == before
    manifest = read_manifest(built_run / "board")
    assert manifest.bitstream == "fpgaflow.bit"
    assert manifest.files["fpgaflow.bit"] == before["bitstream/fpgaflow.bit"]
    record = build / "bitstream" / "build.json"
    original = record.read_bytes()
    record.write_text(json.dumps({**json.loads(original), "sources_digest": "0" * 16}))
    assert main(["run", str(tiny_config), "--out", str(built_run), "--from", "package"]) == 0
    manifest = read_manifest(built_run / "board")
    assert manifest.bitstream is None
    assert manifest.bitstream_note.startswith(f"stale: the build in {build} was made from other hls4ml sources")
    assert manifest.csim_library == "lib/myproject_csim.so"  # back to a bundle for the simulated board
    record.write_bytes(original)
    assert _tree_digests(build) == before
    capsys.readouterr()
