"""The code digest that checkpoints record changes with any source file's bytes or name, and only then."""

from __future__ import annotations

import hashlib
from pathlib import Path

import fpgaflow
import fpgaflow_board
from fpgaflow.source_digest import package_sources, source_digest


def test_the_digest_covers_every_source_file_of_both_packages() -> None:
    h = hashlib.sha256()
    n = 0
    for module in (fpgaflow, fpgaflow_board):
        root = Path(module.__file__).parent
        for path in package_sources(root):
            h.update(f"{module.__name__}/{path.relative_to(root).as_posix()}\0".encode() + path.read_bytes() + b"\0")
            n += 1
    assert n > 300  # the host and board packages, not one directory
    assert source_digest() == h.hexdigest()[:16]


def test_package_sources_are_the_python_files_in_a_stable_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for rel in ("z.py", "a.py", "b/m.py", "b/data.json"):
        (tmp_path / rel).write_text(rel)
    assert [p.relative_to(tmp_path).as_posix() for p in package_sources(tmp_path)] == ["a.py", "b/m.py", "z.py"]
