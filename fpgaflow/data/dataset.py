"""A hit-map data set read chunk by chunk, whatever its storage.

Training consumes a :class:`HitMapDataset`: its length, map shape and labels are known up front (labels
are small), and maps are read in chunks or by index, so a set larger than memory is never loaded whole.
:func:`open_dataset` picks the reader from the path: ``.npz`` (loaded: npz cannot be read partially),
``.h5``/``.hdf5`` (sliced from disk), a directory of shards written by
:func:`fpgaflow.data.shards.write_shards`
(one shard in memory at a time), or ``.root`` (streamed with uproot; its labels need one pass).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hdf5 import H5_SUFFIXES, open_h5, read_h5_slice
from fpgaflow.data.hitmaps import HitMapSet, IndexArray, LabelArray, MapArray, load_npz, load_npz_maps, read_metadata
from fpgaflow.data.root import ROOT_SUFFIXES, RootConfig, iter_root, load_root
from fpgaflow.data.shard_manifest import read_shard_manifest
from fpgaflow.data.truth import ClusterTruth
from fpgaflow.errors import DataError


class HitMapDataset:
    """Base class: ``len()``, :attr:`map_shape`, :attr:`labels`, :meth:`chunks` and :meth:`take`, and the
    set's provenance :attr:`metadata` (generator config, seed; ``{}`` when the file has none)."""

    source: str
    metadata: dict[str, Any] = {}  # noqa: RUF012 - replaced per instance; never mutated

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def labels(self) -> LabelArray:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def map_shape(self) -> tuple[int, int, int]:  # pragma: no cover - abstract
        raise NotImplementedError

    def chunks(self, size: int) -> Iterator[HitMapSet]:  # pragma: no cover - abstract
        """Consecutive chunks of at most ``size`` maps, in order."""
        raise NotImplementedError

    def take(self, index: IndexArray) -> HitMapSet:
        """The maps at ``index`` (any order), reading only the chunks that hold them."""
        index = np.asarray(index, dtype=np.int64)
        if index.size and (index.min() < 0 or index.max() >= len(self)):
            raise DataError(f"{self.source}: index out of range 0..{len(self) - 1}")
        order = np.argsort(index, kind="stable")
        wanted = index[order]
        parts: list[HitMapSet] = []
        start = 0
        for chunk in self.chunks(4096):
            stop = start + len(chunk)
            lo, hi = np.searchsorted(wanted, [start, stop])
            if hi > lo:
                parts.append(chunk.subset(wanted[lo:hi] - start))
            start = stop
            if hi == wanted.size:
                break
        maps = np.concatenate([p.maps for p in parts]) if parts else np.zeros((0, *self.map_shape), np.float32)
        labels = np.concatenate([p.labels for p in parts]) if parts else np.zeros(0, np.int8)
        soft = np.concatenate([p.soft_labels for p in parts]) if parts and parts[0].soft_labels is not None else None
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.size)
        return HitMapSet(maps[inverse], labels[inverse], None if soft is None else soft[inverse], {})


class InMemoryDataset(HitMapDataset):
    """A :class:`HitMapSet` already in memory."""

    def __init__(self, data: HitMapSet, source: str = "<memory>") -> None:
        self.data = data
        self.source = source
        self.metadata = data.metadata

    @property
    def labels(self) -> LabelArray:
        return self.data.labels

    @property
    def map_shape(self) -> tuple[int, int, int]:
        return self.data.map_shape

    def chunks(self, size: int) -> Iterator[HitMapSet]:
        for start in range(0, len(self.data), size):
            yield self.data.subset(np.arange(start, min(start + size, len(self.data))))

    def take(self, index: IndexArray) -> HitMapSet:
        return self.data.subset(np.asarray(index, dtype=np.int64))


class H5Dataset(HitMapDataset):
    """An HDF5 file read slice by slice (each slice validated, errors give the global sample index)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.source = str(path)
        f = open_h5(self.path)
        try:
            self._labels = np.asarray(f["labels"][:])
            self._shape = tuple(int(s) for s in f["maps"].shape[1:])
            n_maps = int(f["maps"].shape[0])
            self.metadata = read_metadata(f.attrs.get("metadata"), self.path)
        finally:
            f.close()
        if n_maps != self._labels.shape[0]:
            raise DataError(f"{path}: {n_maps} maps but {self._labels.shape[0]} labels (counts must match)")
        if len(self._shape) == 2:
            self._shape = (*self._shape, 1)

    @property
    def labels(self) -> LabelArray:
        return self._labels

    @property
    def map_shape(self) -> tuple[int, int, int]:
        return self._shape  # type: ignore[return-value]

    def chunks(self, size: int) -> Iterator[HitMapSet]:
        f = open_h5(self.path)
        try:
            for start in range(0, len(self), size):
                yield read_h5_slice(f, self.path, start, min(start + size, len(self)))
        finally:
            f.close()

    def take(self, index: IndexArray) -> HitMapSet:
        """The maps at ``index``, read directly from the file (sorted, de-duplicated, then re-ordered)."""
        index = np.asarray(index, dtype=np.int64)
        if index.size and (index.min() < 0 or index.max() >= len(self)):
            raise DataError(f"{self.source}: index out of range 0..{len(self) - 1}")
        unique, inverse = np.unique(index, return_inverse=True)
        f = open_h5(self.path)
        try:
            parts = []
            # Read contiguous runs as slices (h5py point selection is slow for long lists).
            breaks = np.flatnonzero(np.diff(unique) != 1) + 1
            for run in np.split(unique, breaks) if unique.size else []:
                chunk = read_h5_slice(f, self.path, int(run[0]), int(run[-1]) + 1)
                parts.append(chunk)
        finally:
            f.close()
        if not parts:
            return HitMapSet(np.zeros((0, *self.map_shape), np.float32), np.zeros(0, np.int8))
        merged = concat(parts)
        return merged.subset(inverse)


class ShardDataset(HitMapDataset):
    """A directory of npz shards with a ``manifest.json`` (see :func:`~fpgaflow.data.shards.write_shards`),
    checked against the shards when opened (:func:`~fpgaflow.data.shard_manifest.read_shard_manifest`)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.source = str(directory)
        manifest = read_shard_manifest(self.directory)
        self.shards = list(manifest.shards)
        self.counts = list(manifest.counts)
        self._shape = manifest.map_shape
        self._labels = manifest.labels
        self.metadata = manifest.metadata

    @property
    def labels(self) -> LabelArray:
        return self._labels

    @property
    def map_shape(self) -> tuple[int, int, int]:
        return self._shape

    def chunks(self, size: int) -> Iterator[HitMapSet]:
        start = 0
        for shard, count in zip(self.shards, self.counts, strict=True):
            data = load_npz(shard)
            if len(data) != count:
                raise DataError(f"{shard}: holds {len(data)} maps, the manifest says {count}")
            if data.map_shape != self.map_shape:
                raise DataError(f"{shard}: map shape {data.map_shape}, the manifest says {self.map_shape}")
            if not np.array_equal(data.labels, self._labels[start : start + count]):
                raise DataError(f"{shard}: labels changed since the directory was opened")
            for lo in range(0, count, size):
                yield data.subset(np.arange(lo, min(lo + size, count)))
            start += count


class RootDataset(HitMapDataset):
    """A ROOT digi ntuple streamed with uproot (labels and shape from a first pass)."""

    def __init__(self, path: Path | str, cfg: RootConfig) -> None:
        self.path = Path(path)
        self.source = str(path)
        self.cfg = cfg
        self._labels = np.concatenate([c.labels for c in iter_root(self.path, cfg)] or [np.zeros(0, np.int8)])

    @property
    def labels(self) -> LabelArray:
        return self._labels

    @property
    def map_shape(self) -> tuple[int, int, int]:
        return (160, 416, 1)

    def chunks(self, size: int) -> Iterator[HitMapSet]:
        yield from rechunk(iter_root(self.path, self.cfg), size)


def rechunk(parts: Iterable[HitMapSet], size: int) -> Iterator[HitMapSet]:
    """Re-cut a stream of hit-map sets into sets of exactly ``size`` maps (the last one may be shorter)."""
    buffered: list[HitMapSet] = []
    count = 0
    for part in parts:
        buffered.append(part)
        count += len(part)
        while count >= size:
            merged = concat(buffered)
            yield merged.subset(np.arange(size))
            rest = merged.subset(np.arange(size, len(merged)))
            buffered, count = [rest], len(rest)
    if count:
        yield concat(buffered)


def concat(parts: list[HitMapSet]) -> HitMapSet:
    """One set holding ``parts`` in order (metadata dropped; side data kept where every part has it)."""

    def joined(name: str) -> npt.NDArray[Any] | None:
        arrays = [getattr(p, name) for p in parts]
        return None if any(a is None for a in arrays) else np.concatenate(arrays)

    truths = [p.truth for p in parts]
    truth = (
        None if any(t is None for t in truths) else ClusterTruth.concatenate(truths, [len(p) for p in parts])  # type: ignore[arg-type]
    )
    return HitMapSet(
        np.concatenate([p.maps for p in parts]),
        np.concatenate([p.labels for p in parts]),
        joined("soft_labels"),
        {},
        truth=truth,
        groups=joined("groups"),
        positions=joined("positions"),
    )


def shuffled_batches(
    ds: HitMapDataset,
    batch_size: int,
    rng: np.random.Generator,
    *,
    index: IndexArray | None = None,
    buffer_maps: int = 16_384,
) -> Iterator[HitMapSet]:
    """Batches of the maps ``index`` (default all) in a random order, with bounded memory.

    The selected maps are visited in a random order of blocks of ``buffer_maps`` consecutive indices, each
    block shuffled in memory: a uniform shuffle when the set fits in one block, a block shuffle (as
    streaming loaders do) otherwise.  ``rng`` fixes the order exactly.
    """
    chosen = np.arange(len(ds)) if index is None else np.sort(np.asarray(index, dtype=np.int64))
    blocks = [chosen[i : i + buffer_maps] for i in range(0, chosen.size, buffer_maps)]
    for b in rng.permutation(len(blocks)):
        data = ds.take(blocks[b])
        order = rng.permutation(len(data))
        for start in range(0, order.size, batch_size):
            yield data.subset(order[start : start + batch_size])


def open_dataset(path: Path | str, root: RootConfig | None = None) -> HitMapDataset:
    """A streaming reader for ``path``, chosen by suffix (npz, h5/hdf5, root) or shard directory."""
    path = Path(path)
    if path.is_dir():
        return ShardDataset(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return InMemoryDataset(load_npz(path), str(path))
    if suffix in H5_SUFFIXES:
        return H5Dataset(path)
    if suffix in ROOT_SUFFIXES:
        return RootDataset(path, root or RootConfig())
    if not path.exists():
        raise DataError(f"{path}: file not found")
    raise DataError(f"{path}: unknown hit-map format {suffix!r}; expected .npz, .h5, .hdf5, .root or a shard directory")


def load_file(path: Path | str, root: RootConfig | None = None) -> HitMapSet:
    """Load a whole hit-map file into memory (npz, h5/hdf5, root, or shard directory)."""
    path = Path(path)
    if path.suffix.lower() in ROOT_SUFFIXES:
        return load_root(path, root or RootConfig())
    if path.suffix.lower() in H5_SUFFIXES:
        from fpgaflow.data.hdf5 import load_h5

        return load_h5(path)
    ds = open_dataset(path, root)
    if isinstance(ds, InMemoryDataset):
        return ds.data
    return concat(list(ds.chunks(max(len(ds), 1))))


def load_maps(path: Path | str, root: RootConfig | None = None) -> MapArray:
    """Only the hit maps of a file, for inference (emulation, calibration): an ``.npz`` may hold ``maps``
    without ``labels`` (:func:`fpgaflow.data.hitmaps.load_npz_maps`); other formats are read whole by
    :func:`load_file`."""
    path = Path(path)
    if path.suffix.lower() == ".npz":
        return load_npz_maps(path)
    return load_file(path, root).maps
