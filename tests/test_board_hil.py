"""Hardware in the loop: the bundle's own driver classifies its test maps and `fpgaflow check` judges it.

With a PYNQ-Z2 (``FPGAFLOW_BOARD_HOST=USER@BOARD``, marker ``board``) this is exactly ``fpgaflow deploy``:
the run ``FPGAFLOW_BOARD_RUN`` (built with ``fpgaflow build``, so its bundle carries the bitstream) is copied
over ssh/scp, run there with ``python3 -m fpgaflow_board . --real`` as root and checked on the host; without
the variable the test is skipped and says so.  Everywhere, CI included, the same bundle command runs on the
simulated board in a subprocess that imports only the bundle (TensorFlow, hls4ml and the host package
blocked).  The deploy path itself is tested without a board in tests/test_board_handoff.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from board_env import ONLY_THE_BUNDLE

from fpgaflow.deploy.config import DeployConfig
from fpgaflow.deploy.deploy import deploy
from fpgaflow.verify.check import check_results
from fpgaflow_board.manifest import read_manifest

HOST = os.environ.get("FPGAFLOW_BOARD_HOST")
RUN = os.environ.get("FPGAFLOW_BOARD_RUN")
BLOCKED = ONLY_THE_BUNDLE


def _run_simulated(bundle: Path, out: Path, batch_size: int) -> str:
    code = BLOCKED + (
        "import runpy; sys.argv = ['fpgaflow_board', *sys.argv[1:]]; "
        "runpy.run_module('fpgaflow_board', run_name='__main__')"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(bundle), "--simulated", "--out", str(out), "--batch-size", str(batch_size)],
        cwd=bundle,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _run_on_board(tmp_path: Path, batch_size: int) -> tuple[Path, Path, str]:
    """`fpgaflow deploy FPGAFLOW_BOARD_RUN --host FPGAFLOW_BOARD_HOST`: (bundle, results, what the board printed)."""
    assert HOST is not None
    if RUN is None:
        pytest.skip(
            "set FPGAFLOW_BOARD_RUN to a run directory built with `fpgaflow build RUN_DIR` (it has a bitstream)"
        )
    manifest = read_manifest(Path(RUN) / "board")
    if not manifest.bitstream:
        pytest.skip(f"{RUN}/board has no bitstream ({manifest.bitstream_note}): run `fpgaflow build {RUN}` first")
    done = deploy(Path(RUN), DeployConfig(host=HOST, batch_size=batch_size), out_dir=tmp_path / "deploy")
    assert done.report.passed, done.report.format()
    return done.bundle, done.results, done.board_output


@pytest.mark.parametrize("batch_size", [1, 64, 1000])
def test_bundle_on_the_simulated_board_matches_csim(tiny_bundle: Path, tmp_path: Path, batch_size: int) -> None:
    out = tmp_path / "results.npz"
    stdout = _run_simulated(tiny_bundle, out, batch_size)
    _judge(tiny_bundle, out, stdout, "simulated", batch_size)


@pytest.mark.board
@pytest.mark.skipif(
    HOST is None,
    reason="no PYNQ-Z2: set FPGAFLOW_BOARD_HOST=USER@BOARD and FPGAFLOW_BOARD_RUN=RUN_DIR (built) to run on one",
)
@pytest.mark.parametrize("batch_size", [1, 64, 1000])
def test_bundle_on_the_pynq_z2_matches_csim(tmp_path: Path, batch_size: int) -> None:
    bundle, out, stdout = _run_on_board(tmp_path, batch_size)
    _judge(bundle, out, stdout, read_manifest(bundle).board, batch_size)


def _judge(bundle: Path, out: Path, stdout: str, target: str, batch_size: int) -> None:
    assert f"board: {target};" in stdout
    assert "accuracy on the bundled test maps:" in stdout
    report = check_results(bundle, out)
    assert report.passed, report.format()
    assert report.raw_bit_exact_fraction == 1.0
    assert report.vs_csim.agreement == 1.0
    with np.load(out) as d:
        n = int(d["raw"].shape[0])
        assert d["batch_sizes"].tolist() == [min(batch_size, n - i) for i in range(0, n, batch_size)]
        assert float(d["wall_s"]) > 0
        assert str(d["board"]) == target
