"""The house style is enforced by the suite itself: ruff (lint + format), mypy, and the layering contract
(import-linter, `[tool.importlinter]` in pyproject.toml) on the shipped code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TREES = ["fpgaflow", "board", "tests", "bench"]


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff(args: list[str]) -> None:
    proc = subprocess.run([_tool("ruff"), *args, *TREES], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy(tmp_path: Path) -> None:
    # A private cache: a stale shared one can report modules that have since moved.
    args = [_tool("mypy"), "--cache-dir", str(tmp_path / "mypy"), "fpgaflow", "board/fpgaflow_board"]
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the packages under ``root`` (``root`` and ``root/board`` put first on the path)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "board")])}
    args = [_tool("lint-imports"), "--no-cache", "--config", str(root / "pyproject.toml")]
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)


def test_layering_contract_is_kept() -> None:
    proc = _lint_imports(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 3 kept, 0 broken." in proc.stdout


@pytest.mark.parametrize(
    ("path", "line", "broken"),
    [
        ("fpgaflow/data/wrong.py", "from fpgaflow.convert import config", "fpgaflow.data is not allowed to import"),
        ("fpgaflow/estimate/wrong.py", "import fpgaflow.cli", "fpgaflow.estimate is not allowed to import"),
        ("fpgaflow/verify/wrong.py", "from fpgaflow.train import trainer", "fpgaflow.verify is not allowed to import"),
        ("board/fpgaflow_board/wrong.py", "from fpgaflow.errors import DataError", "fpgaflow_board is not allowed"),
        ("board/fpgaflow_board/wrong.py", "import tensorflow", "fpgaflow_board is not allowed to import tensorflow"),
        ("fpgaflow/helpers.py", "import numpy", "not listed as layers:\n\n- fpgaflow.helpers"),
    ],
    ids=[
        "data-imports-convert",
        "estimate-imports-cli",
        "verify-imports-train",
        "board-imports-host",
        "board-tf",
        "unplaced",
    ],
)
def test_layering_contract_catches_a_wrong_import(tmp_path: Path, path: str, line: str, broken: str) -> None:
    """The contract can fail: a copy of the packages with one wrong import (or one module the contract does not
    place) is refused, and the report names the offending module."""
    ignore = shutil.ignore_patterns("__pycache__", "*.so")
    shutil.copytree(REPO / "fpgaflow", tmp_path / "fpgaflow", ignore=ignore)
    shutil.copytree(REPO / "board" / "fpgaflow_board", tmp_path / "board" / "fpgaflow_board", ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / path).write_text(f'"""A deliberately wrong import."""\n\n{line}\n')
    proc = _lint_imports(tmp_path)
    assert proc.returncode != 0, proc.stdout
    assert broken in proc.stdout + proc.stderr, proc.stdout + proc.stderr
