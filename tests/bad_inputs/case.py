"""One catalogue case, the helpers that run commands, and the markdown table the docs carry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: A prepared command: run it, get its exit status.
Command = Callable[[], int]


@dataclass(frozen=True)
class Prepared:
    """What a case set up: the command to run, the files (made before it) that must survive it, each still
    at its path or, for a changed file of fpgaflow's own, beside it as ``<name>.kept``, and optionally a
    description of the directory afterwards (its text is searched for the message like the output)."""

    command: Command
    keep: Sequence[Path] = ()
    state: Callable[[], str] | None = None  # describes what the directory holds afterwards (checked like output)


#: Builds a case's inputs under a fresh directory and returns the command to run.
Prepare = Callable[[Path, pytest.MonkeyPatch], Prepared]


@dataclass(frozen=True)
class Case:
    """``area``: which part of fpgaflow; ``given``: the input, as the user would describe it; ``exit``: the
    expected exit status (``python -m fpgaflow_board`` for board-side cases); ``message``: a fragment of what
    the command prints; ``prepare(tmp, monkeypatch)`` builds the inputs under ``tmp``."""

    id: str
    area: str
    given: str
    exit: int
    message: str
    prepare: Prepare = field(repr=False, compare=False)
    slow: bool = False

    @property
    def kind(self) -> str:
        return "works" if self.exit == 0 else "FAIL verdict" if self.exit == 1 else "refused"


def fpgaflow(*argv: str | Path) -> Command:
    """The ``fpgaflow`` command line with ``argv`` (run in-process, as the console script does)."""
    from fpgaflow.cli import main

    return lambda: main([str(a) for a in argv])


def board_call(fn: Callable[[], object]) -> Command:
    """A board-side library call, with the exit status ``python -m fpgaflow_board`` gives its errors."""
    from fpgaflow_board.errors import BoardError

    def run() -> int:
        try:
            fn()
        except (BoardError, OSError, ValueError) as exc:
            print(f"fpgaflow_board: error: {exc}")
            return 2
        return 0

    return run


def snapshot(paths: Sequence[Path]) -> dict[Path, bytes]:
    """The bytes of every file in ``paths`` (folders: every file below them)."""
    files: dict[Path, bytes] = {}
    for p in paths:
        for f in [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file()):
            files[f] = f.read_bytes()
    return files


def lost(before: dict[Path, bytes]) -> list[str]:
    """Files of ``before`` whose bytes are neither at their path nor at ``<path>.kept``."""
    missing = []
    for path, data in before.items():
        kept = path.with_name(path.name + ".kept")
        here = path.is_file() and path.read_bytes() == data
        if not here and not (kept.is_file() and kept.read_bytes() == data):
            missing.append(str(path))
    return missing


def markdown_table(cases: Sequence[Case]) -> str:
    """The catalogue as the docs show it."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| # | area | input | exit | what fpgaflow says (fragment) |", "|---|---|---|---|---|"]
    for i, c in enumerate(cases, 1):
        lines.append(f"| {i} | {c.area} | {cell(c.given)} | {c.exit} | `{cell(c.message)}` |")
    return "\n".join(lines) + "\n"
