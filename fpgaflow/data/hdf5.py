"""HDF5 hit-map files: datasets ``maps`` (n, rows, cols, 1) float32 ADC, ``labels`` (n,) int8, optional
``soft_labels`` (n,) float32, ``groups`` (n,) int64, ``positions`` (n, 2) float32, the group ``clusters``
(per-cluster truth, :mod:`fpgaflow.data.truth`) and the JSON ``metadata`` attribute.

:class:`H5Writer` appends chunks to resizable, chunked datasets, so sets larger than memory stream to
disk; the file appears under its final name only when :meth:`H5Writer.close` succeeds.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from fpgaflow.data.hitmaps import HitMapSet, read_metadata
from fpgaflow.errors import DataError, install_hint
from fpgaflow_board.atomic import PendingFile

H5_SUFFIXES = (".h5", ".hdf5")


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - h5py is in the host extra
        raise install_hint(["h5py"], "HDF5 hit maps") from exc
    return h5py


class H5Writer:
    """Stream :class:`HitMapSet` chunks into one HDF5 file (atomic: temp file, renamed on close)."""

    def __init__(
        self,
        path: Path | str,
        map_shape: tuple[int, int, int],
        metadata: dict[str, Any],
        with_soft_labels: bool = True,
        chunk_bytes: int = 1 << 20,
    ) -> None:
        h5py = _h5py()
        self.path = Path(path)
        self._pending = PendingFile(self.path)
        self._file = h5py.File(self._pending.tmp, "w")
        # HDF5 chunks of about ``chunk_bytes`` (3 module maps, 256 maps of 32 × 32): slices read cheaply.
        per_map = 4 * int(np.prod(map_shape))
        chunk = (max(1, min(1024, chunk_bytes // per_map)), *map_shape)
        self._maps = self._file.create_dataset(
            "maps",
            shape=(0, *map_shape),
            maxshape=(None, *map_shape),
            dtype="float32",
            chunks=chunk,
            compression="lzf",
        )
        self._labels = self._file.create_dataset("labels", shape=(0,), maxshape=(None,), dtype="int8", chunks=(4096,))
        self._soft = (
            self._file.create_dataset("soft_labels", shape=(0,), maxshape=(None,), dtype="float32", chunks=(4096,))
            if with_soft_labels
            else None
        )
        self._file.attrs["metadata"] = json.dumps(metadata, sort_keys=True)
        self._side: dict[str, Any] | None = None  # created from the first chunk's side data
        self._clusters = 0
        self.n = 0

    def _append_side(self, chunk: HitMapSet) -> None:
        """Append the chunk's ``groups``, ``positions`` and cluster truth (``clusters/…``, offsets shifted)."""
        arrays = chunk.side_arrays()
        if self._side is None:
            self._side = {}
            for name, a in arrays.items():
                if name == "clusters/names":
                    self._file.attrs["cluster_names"] = str(a)
                    continue
                shape = (0, *a.shape[1:]) if name != "clusters/offsets" else (1,)
                ds = self._file.create_dataset(name, shape=shape, maxshape=(None, *a.shape[1:]), dtype=a.dtype)
                self._side[name] = ds
        elif set(self._side) != set(arrays) - {"clusters/names"}:
            raise DataError(
                f"{self.path}: chunk at sample {self.n} has side data {sorted(arrays)}, expected {sorted(self._side)}"
            )
        for name, ds in self._side.items():
            a = arrays[name]
            if name == "clusters/offsets":
                a = a[1:] + self._clusters
                self._clusters = int(a[-1]) if a.size else self._clusters
            start = ds.shape[0]
            ds.resize(start + a.shape[0], axis=0)
            ds[start:] = a

    def append(self, chunk: HitMapSet) -> None:
        """Append the maps, labels and soft labels of ``chunk``."""
        k = len(chunk)
        end = self.n + k
        self._maps.resize(end, axis=0)
        self._maps[self.n : end] = chunk.maps
        self._labels.resize(end, axis=0)
        self._labels[self.n : end] = chunk.labels
        if self._soft is not None:
            if chunk.soft_labels is None:
                raise DataError(f"{self.path}: chunk at sample {self.n} has no soft labels but the file expects them")
            self._soft.resize(end, axis=0)
            self._soft[self.n : end] = chunk.soft_labels
        self._append_side(chunk)
        self.n = end

    def close(self) -> Path:
        """Finish the file and move it to its final name."""
        self._file.close()
        return self._pending.commit()

    def abort(self) -> None:
        """Drop the partial file."""
        self._file.close()
        self._pending.discard()

    def __enter__(self) -> H5Writer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def save_h5(data: HitMapSet, path: Path | str) -> Path:
    """Write ``data`` to an HDF5 file atomically."""
    with H5Writer(path, data.map_shape, data.metadata, with_soft_labels=data.soft_labels is not None) as w:
        w.append(data)
    return Path(path)


def open_h5(path: Path | str) -> Any:
    """Open an HDF5 hit-map file for reading; errors name the file and what is missing."""
    h5py = _h5py()
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: not a readable HDF5 file (truncated or corrupt?): {exc}") from None
    missing = [k for k in ("maps", "labels") if k not in f]
    if missing:
        found = sorted(f.keys())
        f.close()
        raise DataError(f"{path}: expected datasets 'maps' and 'labels', missing {missing}, found {found}")
    return f


def read_h5_slice(f: Any, path: Path | str, start: int, stop: int) -> HitMapSet:
    """Maps ``start:stop`` of an open file as a validated :class:`HitMapSet` (errors give file and index)."""
    from fpgaflow.data.hitmaps import validate_arrays

    try:
        maps = np.asarray(f["maps"][start:stop])
        labels = np.asarray(f["labels"][start:stop])
        soft = np.asarray(f["soft_labels"][start:stop]) if "soft_labels" in f else None
        groups = np.asarray(f["groups"][start:stop]) if "groups" in f else None
        positions = np.asarray(f["positions"][start:stop]) if "positions" in f else None
    except (OSError, KeyError) as exc:
        raise DataError(f"{path}: cannot read samples {start}..{stop - 1} (truncated or corrupt?): {exc}") from None
    if maps.ndim == 3:
        maps = maps[..., np.newaxis]
    validate_arrays(maps, labels, source=str(path), offset=start, soft_labels=soft)
    meta = read_metadata(f.attrs.get("metadata"), path)
    try:
        return HitMapSet(maps, labels, soft, meta, groups=groups, positions=positions)
    except DataError as exc:
        raise DataError(str(exc).replace("<memory>", f"{path} samples {start}..{stop - 1}")) from None


def load_h5(path: Path | str) -> HitMapSet:
    """Read a whole HDF5 hit-map file into memory."""
    f = open_h5(path)
    try:
        n_maps, n_labels = f["maps"].shape[0], f["labels"].shape[0]
        if n_maps != n_labels:
            raise DataError(f"{path}: {n_maps} maps but {n_labels} labels (counts must match)")
        return read_h5_slice(f, path, 0, n_maps)
    finally:
        f.close()
