"""Read a shard directory's ``manifest.json`` and check it against the shards before anything trusts it.

A shard directory (written by :func:`fpgaflow.data.shards.write_shards`) holds ``shard-NNNNN.npz`` files and a
manifest listing each shard's file and map count, the map shape, every label and the provenance.  Labels come
from the manifest so a split can be drawn without reading maps; here they are compared with the labels stored
in the shards, and every claim is checked against the files:

* each ``file`` is a plain name or relative path that resolves inside the directory (no ``..``, no absolute
  path, no symlink leading out), listed once;
* every ``.npz`` in the directory is listed (a dropped entry is an error, not a silently smaller set);
* each shard holds ``n_maps`` maps of ``map_shape`` and the labels the manifest gives, 0 or 1;
* the totals agree: ``n_maps`` = the sum of the shard counts = the number of labels.

Only each shard's ``labels`` array and the header of its ``maps`` array are read (a few kB per shard).
"""

from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.data.hitmaps import LabelArray
from fpgaflow.errors import DataError

SHARD_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ShardManifest:
    """A checked manifest: shard paths (inside ``directory``), their map counts, the per-map shape
    (rows, cols, channels), all labels in shard order, and the provenance metadata."""

    directory: Path
    shards: tuple[Path, ...]
    counts: tuple[int, ...]
    map_shape: tuple[int, int, int]
    labels: LabelArray
    metadata: dict[str, Any] = field(default_factory=dict)


def _shard_path(directory: Path, root: Path, entry: Any, where: str) -> Path:
    """The shard file of one manifest entry, confined to ``directory``."""
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) or not entry["file"]:
        raise DataError(f"{where}: expected {{'file': NAME, 'n_maps': N}}, got {entry!r}")
    name = entry["file"]
    rel = Path(name)
    if rel.is_absolute() or ".." in rel.parts:
        raise DataError(f"{where}: file {name!r} points outside the shard directory {directory}")
    path = directory / rel
    if not path.resolve().is_relative_to(root):
        raise DataError(f"{where}: file {name!r} resolves outside the shard directory {directory} (a symlink?)")
    if not path.is_file():
        raise DataError(f"{where}: file {name!r} is missing from {directory}")
    return path


def _count(entry: dict[str, Any], where: str) -> int:
    n = entry.get("n_maps")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise DataError(f"{where}: n_maps must be a count >= 0, got {n!r}")
    return n


def _read_shard_head(path: Path) -> tuple[tuple[int, ...], LabelArray]:
    """The ``maps`` array's shape (from its header only) and the ``labels`` array of one npz shard."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if not {"maps.npy", "labels.npy"} <= names:
                raise DataError(f"{path}: expected arrays 'maps' and 'labels', found {sorted(names)}")
            with zf.open("maps.npy") as fh:
                version = np.lib.format.read_magic(fh)  # type: ignore[no-untyped-call]
                read_header = (
                    np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                )
                shape = read_header(fh)[0]  # type: ignore[no-untyped-call]
            with zf.open("labels.npy") as fh:
                labels = np.lib.format.read_array(fh, allow_pickle=False)  # type: ignore[no-untyped-call]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: not a readable npz shard, truncated or corrupt ({exc})") from None
    return tuple(int(s) for s in shape), np.asarray(labels)


def _map_shape(value: Any, where: str) -> tuple[int, int, int]:
    ok = isinstance(value, list) and len(value) in (2, 3) and all(isinstance(v, int) and v >= 1 for v in value)
    if not ok:
        raise DataError(f"{where}: map_shape must be [rows, cols, 1], got {value!r}")
    return (value[0], value[1], value[2] if len(value) == 3 else 1)


def _check_labels(labels: Any, n: int, where: str) -> LabelArray:
    if not isinstance(labels, list) or len(labels) != n:
        got = len(labels) if isinstance(labels, list) else type(labels).__name__
        raise DataError(f"{where}: labels must list one 0/1 label per map ({n}), got {got}")
    arr = np.asarray(labels)
    bad = ~np.isin(arr, (0, 1)) if arr.dtype.kind in "iub" else np.ones(arr.shape, bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{where}: label of map {i} is {labels[i]!r}, expected 0 (background) or 1 (particle)")
    return arr.astype(np.int8)


def read_shard_manifest(directory: Path | str) -> ShardManifest:
    """Read ``directory/manifest.json`` and check it against the shards (see the module doc); every
    disagreement is a :class:`DataError` naming the manifest or the shard and what differs."""
    directory = Path(directory)
    path = directory / SHARD_MANIFEST
    if not path.is_file():
        raise DataError(f"{directory}: not a shard directory (no {SHARD_MANIFEST})")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: malformed shard manifest ({exc})") from None
    if not isinstance(info, dict) or not isinstance(info.get("shards"), list):
        raise DataError(f"{path}: malformed shard manifest (expected an object with a 'shards' list)")
    root = directory.resolve()
    entries: list[dict[str, Any]] = info["shards"]
    shards = [_shard_path(directory, root, e, f"{path}: shards[{i}]") for i, e in enumerate(entries)]
    counts = [_count(e, f"{path}: shards[{i}]") for i, e in enumerate(entries)]
    listed = {p.resolve() for p in shards}
    if len(listed) != len(shards):
        raise DataError(f"{path}: a shard file is listed twice")
    unlisted = sorted(
        p.relative_to(directory).as_posix() for p in directory.rglob("*.npz") if p.resolve() not in listed
    )
    if unlisted:
        raise DataError(f"{path}: {unlisted[0]} is in the directory but not in the manifest (a dropped shard entry?)")
    map_shape = _map_shape(info.get("map_shape"), path.as_posix())
    stored: list[LabelArray] = []
    for shard, count in zip(shards, counts, strict=True):
        shape, labels = _read_shard_head(shard)
        if shape[0] != count or labels.shape != (shape[0],):
            raise DataError(f"{shard}: holds {shape[0]} maps, the manifest says {count}")
        if tuple(shape[1:3]) != map_shape[:2]:
            raise DataError(f"{shard}: map shape {shape[1:]}, the manifest says {map_shape}")
        stored.append(_check_labels(labels.tolist(), count, str(shard)))
    from_shards = np.concatenate(stored) if stored else np.zeros(0, np.int8)
    total = sum(counts)
    if "n_maps" in info and info["n_maps"] != total:
        raise DataError(f"{path}: n_maps is {info['n_maps']!r} but the shards listed hold {total}")
    if "labels" in info:
        manifest_labels = _check_labels(info["labels"], total, path.as_posix())
        differ = manifest_labels != from_shards
        if differ.any():
            i = int(np.argmax(differ))
            raise DataError(
                f"{path}: label of map {i} is {int(manifest_labels[i])} but the shard holds {int(from_shards[i])} "
                "(manifest and shards disagree)"
            )
    metadata = info.get("metadata", {})
    return ShardManifest(
        directory, tuple(shards), tuple(counts), map_shape, from_shards, metadata if isinstance(metadata, dict) else {}
    )
