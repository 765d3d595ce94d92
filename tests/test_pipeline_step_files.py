"""fpgaflow.pipeline.step_files: the inventory of what a step wrote, and carrying the rest into a rerun's stage."""

from __future__ import annotations

import os
from pathlib import Path

from fpgaflow.pipeline.step_files import carry_over, first_changed, inventory


def _tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def test_inventory_detects_a_changed_or_missing_file(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"a", "sub/b.bin": b"\x00b"})
    files = inventory(tmp_path)
    assert sorted(files) == ["a.txt", "sub/b.bin"]
    assert first_changed(tmp_path, files) is None
    (tmp_path / "sub" / "b.bin").write_bytes(b"\x00B")
    assert first_changed(tmp_path, files) == "sub/b.bin"
    (tmp_path / "a.txt").unlink()
    assert first_changed(tmp_path, files) == "a.txt"


def test_carry_over_keeps_what_the_inventory_does_not_vouch_for(tmp_path: Path) -> None:
    old, stage = tmp_path / "old", tmp_path / "stage"
    _tree(old, {"model.h5": b"v1", "history.json": b"h1", "notes.txt": b"mine", "vivado/run.log": b"log"})
    written = inventory(old)
    del written["notes.txt"], written["vivado/run.log"]  # the user's
    (old / "history.json").write_bytes(b"edited by hand")
    (old / "empty").mkdir()
    os.symlink("model.h5", old / "latest")
    _tree(stage, {"model.h5": b"v2", "history.json": b"h2"})
    kept = carry_over(old, stage, written)
    assert sorted(kept.kept) == ["latest", "notes.txt", "vivado/run.log"]
    assert kept.moved_aside == {"history.json": "history.json.kept"}
    assert (stage / "notes.txt").read_bytes() == b"mine"
    assert (stage / "vivado" / "run.log").read_bytes() == b"log"
    assert (stage / "history.json").read_bytes() == b"h2"
    assert (stage / "history.json.kept").read_bytes() == b"edited by hand"
    assert (stage / "model.h5").read_bytes() == b"v2"  # fpgaflow's own, unchanged: replaced
    assert not (stage / "model.h5.kept").exists()
    assert (stage / "empty").is_dir()
    assert os.readlink(stage / "latest") == "model.h5"
    assert (old / "notes.txt").read_bytes() == b"mine"  # the old directory is left as it was


def test_without_an_inventory_everything_old_is_kept_once(tmp_path: Path) -> None:
    old, stage = tmp_path / "old", tmp_path / "stage"
    _tree(old, {"same.txt": b"x", "differs.txt": b"old", "folder": b"a file where the step now makes a folder"})
    _tree(stage, {"same.txt": b"x", "differs.txt": b"new", "folder/inside.txt": b"new"})
    (old / "differs.txt.kept").write_bytes(b"kept by an earlier rerun")
    kept = carry_over(old, stage, {})
    assert kept.moved_aside == {"differs.txt": "differs.txt.kept.1", "folder": "folder.kept"}
    assert kept.kept == ["differs.txt.kept"]
    assert not (stage / "same.txt.kept").exists()  # byte-identical: nothing to keep
    assert (stage / "differs.txt.kept.1").read_bytes() == b"old"
    assert (stage / "folder.kept").read_bytes() == b"a file where the step now makes a folder"
