"""Writing simulated sets larger than memory: streamed to one HDF5 file or to npz shards, with progress.

Memory stays at one simulator batch (plus one shard for npz), whatever ``n_maps`` is.  Both writers are
atomic: HDF5 via a temporary file renamed at the end, shards via a manifest written last (a directory
without a manifest is not a data set).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from fpgaflow.data.dataset import concat, rechunk
from fpgaflow.data.hdf5 import H5_SUFFIXES, H5Writer
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.data.shard_manifest import SHARD_MANIFEST
from fpgaflow.errors import DataError
from fpgaflow.progress import Progress
from fpgaflow_board.atomic import write_json

log = logging.getLogger(__name__)

#: Maps per npz shard of a directory output (10,000 32x32 float32 maps: 41 MB per shard).
SHARD_SIZE = 10_000


def write_h5_stream(
    chunks: Iterable[HitMapSet],
    path: Path | str,
    *,
    n_maps: int,
    map_shape: tuple[int, int, int],
    metadata: dict[str, Any],
    with_soft_labels: bool = True,
) -> Path:
    """Stream ``chunks`` (``n_maps`` maps in total) into one HDF5 file with a progress bar; the chunks carry
    soft labels unless ``with_soft_labels`` is false."""
    with (
        H5Writer(path, map_shape, metadata, with_soft_labels) as writer,
        Progress(n_maps, Path(path).name, "maps", logger=log) as bar,
    ):
        for chunk in chunks:
            writer.append(chunk)
            bar.update(len(chunk))
        if writer.n != n_maps:
            raise DataError(f"{path}: wrote {writer.n} maps, expected {n_maps}")
    log.info("wrote %d maps to %s", n_maps, path)
    return Path(path)


def write_shards(
    chunks: Iterable[HitMapSet],
    directory: Path | str,
    *,
    n_maps: int,
    map_shape: tuple[int, int, int],
    metadata: dict[str, Any],
    shard_size: int = SHARD_SIZE,
) -> Path:
    """Write ``chunks`` as npz shards of ``shard_size`` maps plus ``manifest.json`` (written last)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / SHARD_MANIFEST).exists() or any(directory.glob("shard-*.npz")):
        raise DataError(f"{directory}: already holds shards; choose an empty directory")
    shards: list[dict[str, Any]] = []
    labels: list[int] = []
    with Progress(n_maps, directory.name, "maps", logger=log) as bar:
        for i, shard in enumerate(rechunk(chunks, shard_size)):
            name = f"shard-{i:05d}.npz"
            shard.save_npz(directory / name)
            shards.append({"file": name, "n_maps": len(shard)})
            labels.extend(int(v) for v in shard.labels)
            bar.update(len(shard), note=name)
    total = sum(s["n_maps"] for s in shards)
    if total != n_maps:
        raise DataError(f"{directory}: wrote {total} maps, expected {n_maps}")
    manifest = {
        "n_maps": total,
        "map_shape": list(map_shape),
        "shards": shards,
        "labels": labels,
        "metadata": metadata,
    }
    write_json(directory / SHARD_MANIFEST, manifest, indent=None, sort_keys=False)
    return directory


def write_stream(
    chunks: Iterable[HitMapSet],
    out: Path | str,
    *,
    n_maps: int,
    map_shape: tuple[int, int, int],
    metadata: dict[str, Any],
    shard_size: int = SHARD_SIZE,
    with_soft_labels: bool = True,
) -> Path:
    """Write chunks to ``out`` by its form: ``.h5``/``.hdf5`` streamed, ``.npz`` in memory, else shards
    (``with_soft_labels``: whether the chunks carry soft labels, which HDF5 must know up front)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix in H5_SUFFIXES:
        return write_h5_stream(
            chunks, out, n_maps=n_maps, map_shape=map_shape, metadata=metadata, with_soft_labels=with_soft_labels
        )
    if suffix == ".npz":
        parts = []
        with Progress(n_maps, out.name, "maps", logger=log) as bar:
            for chunk in chunks:
                parts.append(chunk)
                bar.update(len(chunk))
        return replace(concat(parts), metadata=metadata).save_npz(out)
    if suffix:
        raise DataError(f"{out}: unknown output format {suffix!r}; use .npz, .h5/.hdf5, or a directory for shards")
    return write_shards(chunks, out, n_maps=n_maps, map_shape=map_shape, metadata=metadata, shard_size=shard_size)
