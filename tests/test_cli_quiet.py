"""``-q`` leaves stderr to errors: no TensorFlow, Keras, absl, QKeras or hls4ml chatter (a real subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _verify(run: Path, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "FPGAFLOW_PROGRESS")}
    # The explicit form with its own --out: `verify RUN_DIR` would re-verify the shared run in place.
    given = [
        "--model",
        str(run / "model" / "model.h5"),
        "--project",
        str(run / "hls"),
        "--maps",
        str(run / "data" / "test.npz"),
    ]
    argv = [sys.executable, "-m", "fpgaflow", *flags, "verify", *given, "--max-maps", "60", "--trace-maps", "20"]
    return subprocess.run([*argv, "--out", str(out)], capture_output=True, text=True, env=env, timeout=600, check=False)


def test_quiet_silences_the_libraries_and_verbose_shows_them(tiny_run: Path, tmp_path: Path) -> None:
    loud = _verify(tiny_run, tmp_path / "v1", "-v")
    assert loud.returncode == 0, loud.stderr
    # What the libraries say while fpgaflow loads a QKeras model, converts it with tracing and runs the C-sim:
    assert "root: keras dict" in loud.stderr  # QKeras logs through the root logger
    assert "UserWarning" in loud.stderr  # Keras' Python warnings
    assert "fpgaflow.verify" in loud.stderr
    normal = _verify(tiny_run, tmp_path / "v2")
    assert normal.returncode == 0
    assert "root: keras dict" not in normal.stderr and "fpgaflow.verify" in normal.stderr
    quiet = _verify(tiny_run, tmp_path / "v3", "-q")
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    # stdout carries the result lines only (hls4ml's "Recompiling ... with tracing" print is captured)
    assert quiet.stdout.startswith("{\n") and "Recompiling" not in quiet.stdout
    assert quiet.stdout == normal.stdout.replace("v2", "v3")
