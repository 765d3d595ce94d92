"""What a step wrote, by content, and keeping what it did not write when a rerun replaces its directory.

After a step succeeds the runner records every file of its directory with its SHA-256 (the step's
*inventory*, ``.fpgaflow/written/<step>.json``).  The inventory serves twice:

* resume: a checkpoint is valid only while every file it lists still has the recorded content;
* rerun: the new directory is staged in ``<dir>.partial`` and replaces the old one, and everything in the
  old directory that is not in the inventory with its recorded content — a file the user added
  (``board/results.npz``, ``verify/NOTES.txt``), a file the user changed, a Vivado build made in the step
  directory — is hard-linked (or copied) into the new directory before the swap: at the same path when the
  step did not write that path, else beside it as ``<name>.kept`` (``.kept.1``, ... if taken).  A file
  byte-identical to the new one at its path is not kept twice.  The old directory is deleted only after
  the new one is in place, so an interruption at any moment leaves every such file in one of the two.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fpgaflow_board.atomic import write_json
from fpgaflow_board.manifest import sha256

log = logging.getLogger(__name__)

#: Suffix of a kept file that the step also wrote at the same path.
KEPT_SUFFIX = ".kept"


def inventory(directory: Path) -> dict[str, str]:
    """Every regular file under ``directory`` (relative POSIX path) with its SHA-256."""
    return {
        p.relative_to(directory).as_posix(): sha256(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def read_inventory(path: Path) -> dict[str, str]:
    """A recorded inventory; empty when absent or unreadable (then every old file counts as the user's)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def write_inventory(path: Path, step: str, files: dict[str, str]) -> None:
    write_json(path, {"step": step, "files": files})


def first_changed(directory: Path, files: dict[str, str]) -> str | None:
    """The first file of ``files`` that is missing or changed under ``directory``, or ``None``."""
    for rel, digest in files.items():
        path = directory / rel
        try:
            if not path.is_file() or sha256(path) != digest:
                return rel
        except OSError:
            return rel
    return None


@dataclass
class Kept:
    """What a rerun kept of a step directory: files moved over at their path, and changed files of the
    step's own set, kept beside the new ones (old path → kept path)."""

    kept: list[str] = field(default_factory=list)
    moved_aside: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.kept or self.moved_aside)

    def describe(self) -> str:
        parts = []
        if self.kept:
            parts.append(f"kept {len(self.kept)} file(s) fpgaflow did not write: {', '.join(self.kept[:5])}")
        if self.moved_aside:
            moved = ", ".join(f"{a} → {b}" for a, b in list(self.moved_aside.items())[:5])
            parts.append(f"kept {len(self.moved_aside)} changed file(s) beside the new ones: {moved}")
        more = " ..." if len(self.kept) > 5 or len(self.moved_aside) > 5 else ""
        return "; ".join(parts) + more


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _free_name(path: Path) -> Path:
    candidate = path.with_name(path.name + KEPT_SUFFIX)
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.name}{KEPT_SUFFIX}.{n}")
    return candidate


def _reachable(stage: Path, rel: str) -> Path:
    """``stage / rel``, or, where the new step wrote a file at one of its parent folders, the same path
    under that folder's ``.kept`` name."""
    parts = rel.split("/")
    for i in range(1, len(parts)):
        head = stage.joinpath(*parts[:i])
        if head.exists() and not head.is_dir():
            folder = head.with_name(head.name + KEPT_SUFFIX)
            folder = folder if folder.is_dir() or not folder.exists() else _free_name(head)
            return folder.joinpath(*parts[i:])
    return stage / rel


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.is_file() and b.is_file() and a.stat().st_size == b.stat().st_size and sha256(a) == sha256(b)
    except OSError:
        return False


def carry_over(old: Path, stage: Path, written: dict[str, str]) -> Kept:
    """Link into ``stage`` every file of ``old`` that the inventory ``written`` does not vouch for (see the
    module doc); empty directories the user made are recreated.  ``old`` itself is not changed."""
    result = Kept()
    if not old.is_dir():
        return result
    conflicts: list[tuple[str, Path, Path]] = []
    for path in sorted(old.rglob("*")):
        rel = path.relative_to(old).as_posix()
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                (stage / rel).mkdir(parents=True, exist_ok=True)
            continue
        try:
            ours = rel in written and not path.is_symlink() and sha256(path) == written[rel]
        except OSError:
            ours = False
        if ours:
            continue
        target = _reachable(stage, rel)
        if not target.exists() and not target.is_symlink():
            _link(path, target)
            result.kept.append(rel)
        else:
            conflicts.append((rel, path, target))
    for rel, path, target in conflicts:  # after the same-path files: a kept name never takes a user file's place
        if not _same_bytes(path, target):
            aside = _free_name(target)
            _link(path, aside)
            result.moved_aside[rel] = aside.relative_to(stage).as_posix()
    return result
