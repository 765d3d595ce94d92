"""Where a command writes: one policy for every output directory fpgaflow creates.

A directory is accepted as an output of kind ``K`` (``run``, ``study``, ``convert``, ``fit``, ...) when it
does not exist, is empty, or is an earlier fpgaflow output of kind ``K``: its marker ``.fpgaflow/K.json`` says
so.  fpgaflow never deletes a file it did not write.

Two ways to write, by how the output is made:

* :func:`claim_output_dir` for outputs that grow and resume in place (``fpgaflow run``, ``fpgaflow study``):
  the marker is written first, the steps add their own files (each staged in ``<step>.partial``).
  :func:`locked_output_dir` does the same while holding the directory's lock for the whole command: a second
  process writing into the same directory at once refuses in one line (:class:`OutputDirError`).
* :func:`staged_output_dir` for outputs written in one go (``convert``, ``fit``, ``estimate``, ``verify``,
  shard directories): everything is written into ``<dir>.partial``; on success the marker, listing every file,
  is added and the staging directory is renamed to ``<dir>``.  An earlier output of the same kind is replaced
  only when it holds nothing but the files its marker lists (and fpgaflow outputs nested in it); otherwise
  the command refuses, naming the first file fpgaflow did not write.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fpgaflow import __version__
from fpgaflow.errors import OutputDirError
from fpgaflow_board.atomic import PARTIAL_SUFFIX, atomic_directory, write_json

#: The folder inside every fpgaflow output that holds its marker(s).
MARKER_DIR = ".fpgaflow"
#: The lock file inside ``MARKER_DIR`` of an output that resumes in place (its text names the holder).
LOCK_NAME = "lock"


def marker_path(directory: Path, kind: str) -> Path:
    """The marker that makes ``directory`` an fpgaflow output of ``kind``."""
    return directory / MARKER_DIR / f"{kind}.json"


def output_kind(directory: Path) -> str | None:
    """The kind of fpgaflow output ``directory`` is (from its marker), or ``None``."""
    markers = sorted((directory / MARKER_DIR).glob("*.json")) if (directory / MARKER_DIR).is_dir() else []
    return markers[0].stem if markers else None


def _write_marker(directory: Path, kind: str, record: Mapping[str, Any]) -> None:
    write_json(marker_path(directory, kind), {"fpgaflow": __version__, "kind": kind, **record}, sort_keys=False)


def _written_by_fpgaflow(directory: Path, kind: str) -> set[str]:
    """The files (relative paths) the marker of ``directory`` lists; empty for an output that resumes in place."""
    try:
        record = json.loads(marker_path(directory, kind).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = record.get("files", []) if isinstance(record, dict) else []
    return {str(f) for f in files}


def _foreign_file(directory: Path, kind: str) -> str | None:
    """The first file under ``directory`` that its ``kind`` marker does not list (nested fpgaflow outputs and
    marker folders count as fpgaflow's), or ``None``."""
    listed = _written_by_fpgaflow(directory, kind)
    pending = [directory]
    while pending:
        folder = pending.pop()
        for entry in sorted(folder.iterdir()):
            rel = entry.relative_to(directory).as_posix()
            if entry.name == MARKER_DIR or rel in listed:
                continue
            if entry.is_dir() and not entry.is_symlink():
                if output_kind(entry) is None:
                    pending.append(entry)
                continue
            return rel
    return None


def _empty(directory: Path) -> bool:
    """Nothing in ``directory`` but, at most, the lock of a claim that stopped before its marker."""
    for entry in directory.iterdir():
        if entry.name != MARKER_DIR or not entry.is_dir() or any(e.name != LOCK_NAME for e in entry.iterdir()):
            return False
    return True


def check_output_dir(directory: Path, kind: str, *, replace: bool) -> None:
    """Raise :class:`OutputDirError` unless ``directory`` may hold an output of ``kind``.

    ``replace``: the output is written in one go and replaces an earlier one (then every file there must be
    one fpgaflow wrote); otherwise an earlier output of the same kind is resumed in place.
    """
    if not directory.exists():
        return
    if not directory.is_dir():
        raise OutputDirError(f"{directory} exists and is not a directory; choose a new --out")
    if _empty(directory):
        return
    found = output_kind(directory)
    if found is None or not marker_path(directory, kind).is_file():
        what = f"an fpgaflow {found} output" if found else f"files that are not an fpgaflow {kind} output"
        raise OutputDirError(f"{directory} exists and holds {what}; choose an empty or new --out")
    if replace:
        foreign = _foreign_file(directory, kind)
        if foreign is not None:
            raise OutputDirError(
                f"{directory} holds {foreign}, which fpgaflow did not write there; move it away or choose a new --out"
            )


def claim_output_dir(directory: Path, kind: str, record: Mapping[str, Any] | None = None) -> Path:
    """Create ``directory`` (or accept an earlier ``kind`` output, to resume) and write its marker with
    ``record`` (e.g. the config).  Raises :class:`OutputDirError` for a directory with foreign content."""
    directory = Path(directory)
    check_output_dir(directory, kind, replace=False)
    directory.mkdir(parents=True, exist_ok=True)
    _write_marker(directory, kind, dict(record or {}))
    return directory


@contextmanager
def staged_output_dir(directory: Path, kind: str, record: Mapping[str, Any] | None = None) -> Iterator[Path]:
    """Yield an empty staging directory ``<directory>.partial``; when the block finishes, mark it as a ``kind``
    output (listing its files, plus ``record``) and rename it to ``directory`` (the atomic directory writer of
    :mod:`fpgaflow_board.atomic`).  If the block raises, the staging directory is removed and ``directory`` is
    left as it was."""
    directory = Path(directory)
    check_output_dir(directory, kind, replace=True)
    staging = directory.with_name(directory.name + PARTIAL_SUFFIX)
    if staging.exists() and output_kind(staging) != kind:
        raise OutputDirError(f"{staging} exists and is not fpgaflow's staging directory; move it away")
    with atomic_directory(directory, replace=True) as stage:
        _write_marker(stage, kind, {"partial": True})
        yield stage
        files = sorted(
            p.relative_to(stage).as_posix()
            for p in stage.rglob("*")
            if p.is_file() and MARKER_DIR not in p.relative_to(stage).parts
        )
        _write_marker(stage, kind, {**dict(record or {}), "files": files})
        check_output_dir(directory, kind, replace=True)  # nothing foreign arrived while the block ran


@contextmanager
def hold_lock(directory: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``directory`` (``.fpgaflow/lock``, ``flock``) while the block runs.

    Another holder makes this raise :class:`OutputDirError` naming it (pid, host, since when).  The kernel
    drops an ``flock`` when its process exits however it ends (killed, crashed), so a lock is never stale;
    the file is left behind, empty.  On a network file system without ``flock`` support the lock is skipped
    with a warning.
    """
    path = directory / MARKER_DIR / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                import logging

                logging.getLogger(__name__).warning("%s: cannot lock (%s); not guarded against a second run", path, exc)
            else:
                holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "another process"
                raise OutputDirError(
                    f"{directory} is in use by {holder}; wait for it to finish or choose another --out"
                ) from None
        os.ftruncate(fd, 0)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        os.pwrite(fd, f"fpgaflow pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


@contextmanager
def locked_output_dir(directory: Path, kind: str, record: Mapping[str, Any] | None = None) -> Iterator[Path]:
    """:func:`claim_output_dir` under the directory's lock (:func:`hold_lock`), held until the block ends."""
    directory = Path(directory)
    check_output_dir(directory, kind, replace=False)
    directory.mkdir(parents=True, exist_ok=True)
    with hold_lock(directory):
        yield claim_output_dir(directory, kind, record)
