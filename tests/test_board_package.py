"""board/fpgaflow_board as it ships: imports without TensorFlow/hls4ml/fpgaflow, Python 3.10 syntax, ruff clean."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from board_env import ONLY_THE_BUNDLE

import fpgaflow_board
from fpgaflow_board.manifest import HOST_ONLY_MODULES

BOARD = Path(__file__).resolve().parents[1] / "board"
PY310 = Path("/root/.pyenv/versions/3.10.13/bin/python")


def test_imports_without_tensorflow_hls4ml_or_host_package() -> None:
    modules = sorted(m.name for m in pkgutil.iter_modules(fpgaflow_board.__path__) if m.name != "__main__")
    assert {"driver", "simulated", "fixed_point", "dma", "session", "boards", "atomic"} <= set(modules)
    code = (
        "import sys; sys.modules.update(tensorflow=None, hls4ml=None, qkeras=None, fpgaflow=None)\n"
        f"import importlib\nfor m in {modules!r}:\n    importlib.import_module('fpgaflow_board.' + m)\n"
        "roots = ('tensorflow', 'keras', 'qkeras', 'hls4ml', 'fpgaflow', 'pynq')\n"
        "heavy = sorted(k for k, v in sys.modules.items() if v is not None and k.split('.')[0] in roots)\n"
        "print('heavy', heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(BOARD)}, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "heavy []"  # pynq too: imported lazily, only on a board


def test_ruff_py310() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff not installed")
    proc = subprocess.run(
        [ruff, "check", "--target-version", "py310", str(BOARD)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.skipif(not PY310.exists(), reason=f"no Python 3.10 at {PY310}")
def test_compiles_with_python_310(tmp_path: Path) -> None:
    files = sorted(str(p) for p in (BOARD / "fpgaflow_board").glob("*.py"))
    proc = subprocess.run([str(PY310), "-m", "py_compile", *files], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_the_board_part_runs_without_the_host_only_modules(tmp_path: Path) -> None:
    """A bundle with a bitstream leaves out HOST_ONLY_MODULES (simulator, C-simulation loader): everything else
    must import without them, and the entry point must start."""
    modules = {m.name for m in pkgutil.iter_modules(fpgaflow_board.__path__)}
    assert set(HOST_ONLY_MODULES) <= modules
    board_only = sorted(modules - set(HOST_ONLY_MODULES) - {"__main__"})
    shutil.copytree(
        BOARD / "fpgaflow_board",
        tmp_path / "fpgaflow_board",
        ignore=shutil.ignore_patterns("__pycache__", *(f"{m}.py" for m in HOST_ONLY_MODULES)),
    )
    code = ONLY_THE_BUNDLE + (
        "sys.modules.update(pynq=None)\n"
        f"import importlib\nfor m in {board_only!r}:\n    importlib.import_module('fpgaflow_board.' + m)\n"
        "import fpgaflow_board\nprint(fpgaflow_board.__file__)\n"
        "try:\n    import fpgaflow_board.simulated\nexcept ImportError:\n    print('no simulator')\n"
        "import runpy; sys.argv = ['fpgaflow_board', '--help']; runpy.run_module('fpgaflow_board', run_name='__main__')"
    )
    env = {"PYTHONPATH": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == [str(tmp_path / "fpgaflow_board" / "__init__.py"), "no simulator"]
    assert "--real" in proc.stdout  # the entry point's help
