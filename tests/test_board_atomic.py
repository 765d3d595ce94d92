"""The one atomic writer (fpgaflow_board.atomic): whole files or nothing, temp files cleaned, umask honoured."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow_board import atomic
from fpgaflow_board.manifest import Manifest, write_manifest


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_every_writer_gives_the_mode_the_umask_gives(tmp_path: Path, umask: None, mask: int, expected: int) -> None:
    os.umask(mask)
    written = [
        atomic.write_text(tmp_path / "a.txt", "text"),
        atomic.write_bytes(tmp_path / "b.bin", b"\x00\x01"),
        atomic.write_json(tmp_path / "c.json", {"x": 1}),
        atomic.write_npz(tmp_path / "d.npz", a=np.arange(3)),
        atomic.write_npz(tmp_path / "e.npz", compressed=True, a=np.arange(3)),
        # The callers the issue names: a bundle manifest and a hit-map data file.
        write_manifest(tmp_path, Manifest("p", (4, 4, 1), 16, 1, 0.01, "ap_ufixed<8,0>", "ap_fixed<16,6>")),
        HitMapSet(np.zeros((2, 4, 4, 1), np.float32), np.array([0, 1], np.int8)).save_npz(tmp_path / "f.npz"),
    ]
    with atomic.atomic_file(tmp_path / "g.png") as tmp:
        tmp.write_bytes(b"png")
    written.append(tmp_path / "g.png")
    plain = tmp_path / "plain.txt"
    plain.write_text("a neighbour written without the atomic writer")
    assert mode(plain) == expected
    assert {p.name: mode(p) for p in written} == {p.name: expected for p in written}
    assert leftovers(tmp_path) == []


def test_contents_round_trip(tmp_path: Path) -> None:
    assert atomic.write_text(tmp_path / "sub" / "a.txt", "ünïcode\n").read_text(encoding="utf-8") == "ünïcode\n"
    path = atomic.write_json(tmp_path / "b.json", {"b": 2, "a": [1.5, None]})
    assert path.read_text() == '{\n  "a": [\n    1.5,\n    null\n  ],\n  "b": 2\n}\n'
    atomic.write_json(tmp_path / "c.json", {"b": 1, "a": 2}, indent=None, sort_keys=False)
    assert (tmp_path / "c.json").read_text() == '{"b": 1, "a": 2}\n'
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        atomic.write_json(tmp_path / "d.json", {"x": float("nan")}, allow_nan=False)
    assert not (tmp_path / "d.json").exists()
    atomic.write_npz(tmp_path / "e.npz", compressed=True, maps=np.ones((2, 3), np.float32), tag=np.str_("x"))
    with np.load(tmp_path / "e.npz") as z:
        assert z["maps"].tolist() == [[1, 1, 1], [1, 1, 1]]
        assert str(z["tag"]) == "x"
    assert leftovers(tmp_path) == []


def write_half_then_fail(target: Path) -> None:
    with atomic.atomic_file(target) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("disk full")


def stage_then_fail(final: Path) -> None:
    with atomic.atomic_directory(final, replace=True) as stage:
        (stage / "new.txt").write_text("new")
        raise RuntimeError("step failed")


def stage_nothing(final: Path) -> None:
    with atomic.atomic_directory(final):
        pass


def test_failure_keeps_the_old_file_and_removes_the_temp(tmp_path: Path) -> None:
    target = atomic.write_text(tmp_path / "r.json", "old")
    with pytest.raises(RuntimeError, match="disk full"):
        write_half_then_fail(target)
    assert target.read_text() == "old"
    with pytest.raises(TypeError, match="not JSON serializable"):
        atomic.write_json(target, {"x": object()})
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_temp_name_keeps_the_suffix_writers_choose_formats_by(tmp_path: Path) -> None:
    pending = atomic.PendingFile(tmp_path / "model.keras")
    assert pending.tmp.parent == tmp_path
    assert pending.tmp.name.startswith(".model.keras.") and pending.tmp.suffix == ".keras"
    assert pending.tmp.stat().st_size == 0
    pending.discard()
    assert not pending.tmp.exists() and not (tmp_path / "model.keras").exists()


def test_directory_is_staged_and_renamed(tmp_path: Path) -> None:
    final = tmp_path / "prj"
    (tmp_path / "prj.partial").mkdir()
    (tmp_path / "prj.partial" / "stale").write_text("left by an interrupted run")
    with atomic.atomic_directory(final) as stage:
        assert stage == tmp_path / "prj.partial"
        assert not (stage / "stale").exists()
        (stage / "a.txt").write_text("a")
        assert not final.exists()
    assert (final / "a.txt").read_text() == "a"
    assert not stage.exists()


def test_directory_failure_removes_the_stage_and_keeps_the_old(tmp_path: Path) -> None:
    final = tmp_path / "step"
    final.mkdir()
    (final / "old.txt").write_text("old")
    with pytest.raises(RuntimeError, match="step failed"):
        stage_then_fail(final)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step"]
    assert (final / "old.txt").read_text() == "old"
    with atomic.atomic_directory(final, replace=True) as stage:
        (stage / "new.txt").write_text("new")
    assert sorted(p.name for p in final.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step"]  # the old one moved aside is deleted


def test_directory_never_replaces_foreign_content_unless_asked(tmp_path: Path) -> None:
    final = tmp_path / "out"
    final.mkdir()
    (final / "mine.txt").write_text("the user's")
    with pytest.raises(FileExistsError, match="exists and is not an empty directory"):
        stage_nothing(final)
    assert (final / "mine.txt").read_text() == "the user's"
    assert not (tmp_path / "out.partial").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic.atomic_directory(empty) as stage:
        (stage / "x").write_text("x")
    assert (empty / "x").read_text() == "x"


def test_directory_mode_follows_the_umask(tmp_path: Path, umask: None) -> None:
    os.umask(0o022)
    with atomic.atomic_directory(tmp_path / "d") as stage:
        atomic.write_json(stage / "summary.json", {"ok": True})
    assert mode(tmp_path / "d") == 0o755
    assert mode(tmp_path / "d" / "summary.json") == 0o644
    assert json.loads((tmp_path / "d" / "summary.json").read_text()) == {"ok": True}
