"""Hit maps in, batches out: arrays, ``.npz``/``.npy``/``.h5`` files, directories of them, or any iterable.

Every batch is an array ``(n, rows, cols, channels)`` of ADC counts, shaped like the design's input: float32,
or uint8 when the maps come as uint8 (the detector's 8-bit counts, which the packed adc8 wire copies without a
range check); a map given without its channel axis (rows, cols) gets one.  Files are read one at a time so a
directory larger than the board's 512 MB of RAM streams through; an HDF5 file (dataset ``maps``, as
``fpgaflow data simulate`` writes) is read 4096 maps at a time and needs h5py (the error says so when the
board's Python lacks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board.errors import BoardError, InputShapeError

MapSource = npt.NDArray[Any] | str | Path | Iterable[Any]


def as_batch(x: Any, input_shape: tuple[int, ...], where: str = "input") -> npt.NDArray[Any]:
    """``x`` as (n, *input_shape) float32 (uint8 kept as uint8): one map or a batch, with or without the
    channel axis."""
    shape = tuple(input_shape)
    if isinstance(x, np.ndarray) and x.dtype in (np.float32, np.uint8) and x.shape[1:] == shape:
        return x  # the common case, checked first: no copy, no reshape
    a = np.asarray(x, dtype=np.uint8 if isinstance(x, np.ndarray) and x.dtype == np.uint8 else np.float32)
    bare = shape[:-1] if shape and shape[-1] == 1 else None
    if a.shape == shape or (bare is not None and a.shape == bare):
        return a.reshape((1, *shape))
    if a.ndim >= 1 and (a.shape[1:] == shape or (bare is not None and a.shape[1:] == bare)):
        return a.reshape((a.shape[0], *shape))
    raise InputShapeError(
        f"{where}: hit maps of shape {a.shape} do not match the design's input {shape} "
        f"(one map {shape} or a batch (n, {', '.join(map(str, shape))}))"
    )


#: HDF5 hit-map files (dataset ``maps``), read chunk by chunk when h5py is installed.
H5_SUFFIXES = (".h5", ".hdf5")
#: Maps read from an HDF5 file at a time (the board has 512 MB of RAM).
H5_CHUNK = 4096


def _h5_chunks(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        import h5py
    except ImportError:
        raise BoardError(
            f"{path}: reading HDF5 hit maps needs h5py, which this Python lacks (pip install h5py); or make an "
            f"npz on the host: fpgaflow data convert {path.name} {path.stem}.npz"
        ) from None
    with h5py.File(path, "r") as f:
        if "maps" not in f:
            raise InputShapeError(f"{path}: no 'maps' dataset (found {sorted(f.keys())})")
        maps = f["maps"]
        for start in range(0, int(maps.shape[0]), H5_CHUNK):
            yield f"{path} maps {start}..", np.asarray(maps[start : start + H5_CHUNK])


def _load_file(path: Path) -> npt.NDArray[Any]:
    if path.suffix == ".npy":
        mapped: npt.NDArray[Any] = np.load(path, mmap_mode="r")
        return mapped
    with np.load(path) as data:
        key = "maps" if "maps" in data.files else (data.files[0] if len(data.files) == 1 else None)
        if key is None:
            raise InputShapeError(f"{path}: no 'maps' array (found {data.files})")
        maps: npt.NDArray[Any] = data[key]
        return maps


def _file_items(path: Path) -> Iterator[tuple[str, Any]]:
    if path.suffix.lower() in H5_SUFFIXES:
        yield from _h5_chunks(path)
    else:
        yield str(path), _load_file(path)


def _items(source: MapSource) -> Iterator[tuple[str, Any]]:
    if isinstance(source, np.ndarray):
        yield "array", source
    elif isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in (".npy", ".npz", *H5_SUFFIXES))
            if not files:
                raise InputShapeError(f"{path}: no .npy, .npz or .h5 hit-map files")
            for f in files:
                yield from _file_items(f)
        elif path.is_file():
            yield from _file_items(path)
        else:
            raise FileNotFoundError(f"hit-map source {path} does not exist")
    else:
        for i, item in enumerate(source):
            yield f"item {i}", item


def iter_batches(source: MapSource, input_shape: tuple[int, ...], batch_size: int) -> Iterator[npt.NDArray[Any]]:
    """Batches of exactly ``batch_size`` maps (the last one may be shorter), in source order."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    pending: list[npt.NDArray[Any]] = []
    held = 0
    shape = tuple(input_shape)
    for where, item in _items(source):
        # A batch-shaped array (e.g. a memory-mapped .npy) is converted slice by slice, never whole.
        is_batch = (
            isinstance(item, np.ndarray)
            and item.ndim in (len(shape) + 1, len(shape))
            and item.shape not in (shape, shape[:-1])
        )
        maps = item if is_batch else as_batch(item, shape, where)
        start = 0
        while start < len(maps):
            take = min(batch_size - held, len(maps) - start)
            pending.append(
                as_batch(maps[start : start + take], shape, where) if is_batch else maps[start : start + take]
            )
            held += take
            start += take
            if held == batch_size:
                yield pending[0] if len(pending) == 1 else np.concatenate(pending)
                pending, held = [], 0
    if held:
        yield pending[0] if len(pending) == 1 else np.concatenate(pending)
