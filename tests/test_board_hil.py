"""Hardware in the loop: the bundle's own driver copy classifies its test maps and `fpgaflow check` judges it.

Runs on a real PYNQ-Z2 when ``FPGAFLOW_BOARD_HOST`` is set (marker ``board``): the bundle is copied over
ssh/scp (user ``FPGAFLOW_BOARD_USER``, default ``xilinx``; bundle ``FPGAFLOW_BOARD_BUNDLE``, default the
tiny run's, which must then have a bitstream) and run there with ``sudo python3 -m fpgaflow_board``.
Everywhere else, CI included, the same command runs on the simulated board in a subprocess that imports
only the bundle (TensorFlow, hls4ml and the host package blocked).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.verify.check import check_results

HOST = os.environ.get("FPGAFLOW_BOARD_HOST")
BLOCKED = "import sys; sys.modules.update(tensorflow=None, hls4ml=None, qkeras=None, fpgaflow=None); "


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


def _run_on_board(bundle: Path, out: Path, batch_size: int) -> str:
    if shutil.which("ssh") is None or shutil.which("scp") is None:
        pytest.skip("ssh/scp not found")
    with np.load(bundle / "test_maps.npz"):
        pass
    if not any(bundle.glob("*.bit")):
        pytest.skip(f"{bundle} has no bitstream: set FPGAFLOW_BOARD_BUNDLE to a bundle built with Vivado")
    target = f"{os.environ.get('FPGAFLOW_BOARD_USER', 'xilinx')}@{HOST}"
    remote = os.environ.get("FPGAFLOW_BOARD_DIR", "/tmp/fpgaflow_hil")
    subprocess.run(["ssh", target, f"rm -rf {shlex.quote(remote)} && mkdir -p {shlex.quote(remote)}"], check=True)
    subprocess.run(["scp", "-rq", f"{bundle}/.", f"{target}:{remote}/"], check=True)
    cmd = (
        f"cd {shlex.quote(remote)} && sudo -E python3 -m fpgaflow_board . --real --out results.npz "
        f"--batch-size {batch_size}"
    )
    proc = subprocess.run(["ssh", target, cmd], capture_output=True, text=True, check=True, timeout=600)
    subprocess.run(["scp", "-q", f"{target}:{remote}/results.npz", str(out)], check=True)
    return proc.stdout


TARGETS = [
    "simulated",
    pytest.param(
        "pynq-z2",
        marks=[pytest.mark.board, pytest.mark.skipif(HOST is None, reason="set FPGAFLOW_BOARD_HOST to a PYNQ-Z2")],
    ),
]


@pytest.fixture
def bundle(tiny_bundle: Path) -> Path:
    return Path(os.environ.get("FPGAFLOW_BOARD_BUNDLE", tiny_bundle))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("batch_size", [1, 64, 1000])
def test_bundle_on_board_matches_csim(bundle: Path, tmp_path: Path, target: str, batch_size: int) -> None:
    out = tmp_path / "results.npz"
    stdout = (_run_simulated if target == "simulated" else _run_on_board)(bundle, out, batch_size)
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
