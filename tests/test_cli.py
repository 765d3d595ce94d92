"""CLI errors: one specific line on stderr, exit status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpgaflow.cli import main


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err


def test_config_typo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("train:\n  epocs: 3\n")
    assert main(["run", str(cfg), "--out", str(tmp_path / "o")]) == 2
    err = _err(capsys)
    assert err.count("\n") == 0
    assert "unknown key 'train.epocs' (did you mean 'epochs'?)" in err


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "config file not found" in _err(capsys)


def test_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"data:\n  source: file\n  path: {tmp_path / 'maps.npz'}\n")
    assert main(["run", str(cfg), "--out", str(tmp_path / "o")]) == 2
    err = _err(capsys)
    assert "maps.npz: file not found" in err


def test_foreign_output_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("x")
    assert main(["run", "--out", str(tmp_path)]) == 2
    assert "not an fpgaflow run" in _err(capsys)
