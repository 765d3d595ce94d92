"""Atomic artefacts: a reader sees the old file (or directory) or the whole new one, never half of one.

Every file fpgaflow and the board write goes through here: the content goes into a fresh temporary file
beside the target (same directory, so the final ``os.replace`` is a rename within one file system), which is
renamed over the target when complete and deleted when writing fails.  The temporary file is created with
mode 0666 minus the process umask, the mode any other new file gets (``tempfile.mkstemp`` would leave 0600).
A directory is staged as the sibling ``<dir>.partial`` and renamed into place at the end.

Standard library and numpy only, Python 3.10 compatible: the board writes its results with it too.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Suffix of a directory being staged by :func:`atomic_directory` (a leftover one is from an interrupted run).
PARTIAL_SUFFIX = ".partial"


class PendingFile:
    """A new, empty temporary file beside ``path``: :meth:`commit` renames it over ``path``, :meth:`discard`
    deletes it.  For writers that need a file name (numpy, h5py, Keras, matplotlib) or stream over time.

    The temporary name ends in ``path``'s suffix (numpy appends ``.npz`` and Keras picks its format by it).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp{self.path.suffix}")
            try:
                # O_EXCL: never reuse someone else's file; 0o666 & ~umask, as for any new file.
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            os.close(fd)
            self.tmp = tmp
            return
        raise FileExistsError(f"{self.path.parent}: no free temporary name for {self.path.name}")

    def commit(self) -> Path:
        """Rename the temporary file over ``path`` and return ``path``."""
        os.replace(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        """Delete the temporary file (``path`` keeps its old content, if any)."""
        self.tmp.unlink(missing_ok=True)


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    """``with atomic_file(p) as tmp:`` write ``tmp`` by name; on success it replaces ``p``, on error it is
    deleted and the exception propagates."""
    pending = PendingFile(path)
    try:
        yield pending.tmp
    except BaseException:
        pending.discard()
        raise
    pending.commit()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (flushed to disk before the rename)."""
    with atomic_file(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(
    path: str | os.PathLike[str],
    data: Any,
    *,
    indent: int | None = 2,
    sort_keys: bool = True,
    allow_nan: bool = True,
    default: Any = None,
) -> Path:
    """Write ``data`` as JSON (trailing newline) to ``path`` atomically.

    ``indent=None`` writes one compact line (large arrays); ``allow_nan=False`` refuses NaN/inf (strict
    JSON); ``default`` converts objects ``json`` cannot.
    """
    text = json.dumps(data, indent=indent, sort_keys=sort_keys, allow_nan=allow_nan, default=default)
    return write_text(path, text + "\n")


def write_npz(path: str | os.PathLike[str], *, compressed: bool = False, **arrays: Any) -> Path:
    """Write ``arrays`` as an ``.npz`` archive to ``path`` atomically (``compressed``: zlib, as
    ``numpy.savez_compressed``)."""
    import numpy as np

    save = np.savez_compressed if compressed else np.savez
    with atomic_file(path) as tmp, open(tmp, "wb") as fh:
        save(fh, **arrays)
    return Path(path)


def _occupied(path: Path) -> bool:
    """Whether ``path`` exists as anything but an empty directory."""
    return path.exists() and (not path.is_dir() or any(path.iterdir()))


@contextmanager
def atomic_directory(path: str | os.PathLike[str], *, replace: bool = False) -> Iterator[Path]:
    """``with atomic_directory(d) as stage:`` fill ``stage`` (``<d>.partial``); on success it becomes ``d``.

    A leftover ``<d>.partial`` from an interrupted run is removed first.  On error the stage is removed and
    the exception propagates.  An existing ``d`` must be an empty directory (checked before anything is
    staged: ``FileExistsError``) unless ``replace``: then the old ``d`` is moved aside, the new one renamed
    in, and the old one deleted — only for directories fpgaflow owns.
    """
    final = Path(path)
    if not replace and _occupied(final):
        raise FileExistsError(f"{final} exists and is not an empty directory")
    stage = final.with_name(final.name + PARTIAL_SUFFIX)
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    old: Path | None = None
    try:
        yield stage
        old = final.with_name(f".{final.name}.{secrets.token_hex(4)}.old") if replace and _occupied(final) else None
        if old is not None:
            os.replace(final, old)
        try:
            os.replace(stage, final)
        except OSError:
            if old is not None:
                os.replace(old, final)
            raise
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()
