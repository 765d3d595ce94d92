"""Running code as the board would: only the bundle importable, or in ``.venv-board``.

``.venv-board`` (Python 3.10 + pynq 3.1.2, created by ``make board-env``) is where pynq can live: it pulls
protobuf 5, which TensorFlow 2.15 cannot share.  Tests that need it skip without it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PYTHON = REPO / ".venv-board" / "bin" / "python"

#: Prefix for ``python -c``: import nothing but what ``sys.path`` holds (the bundle), as on the board.  The
#: editable install of this checkout (``make install``) registers a finder that would otherwise supply any
#: ``fpgaflow_board`` module a bundle leaves out, and the host packages are blocked outright.
ONLY_THE_BUNDLE = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, '__module__', '').startswith("
    "'__editable__')]; sys.modules.update(tensorflow=None, hls4ml=None, qkeras=None, fpgaflow=None); "
)

#: Mark a test that needs the board environment.
needs_board_env = pytest.mark.skipif(not PYTHON.exists(), reason="no .venv-board with pynq 3.1.2: run `make board-env`")


def run_json(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` with ``board/`` on its path; return the JSON object it prints on stdout."""
    proc = subprocess.run(
        [str(PYTHON), "-c", script, *args],
        env={"PYTHONPATH": str(REPO / "board")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out
