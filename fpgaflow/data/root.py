"""ROOT ntuples of pixel digis (read with uproot): one entry per module readout, with the module's raw
detector ID and jagged per-pixel ``row``, ``col``, ``adc`` branches, plus a label branch.

The Phase-1 BPix raw ID is decoded as layer = (id >> 20) & 0xF, ladder = (id >> 12) & 0xFF,
module = (id >> 2) & 0x3FF (physics.md).  Entries are selected by layer and module number (the two
central modules, 4 and 5 of 1–8, hold |η| < 0.2 for a vertex near z = 0), or by a z range when the ntuple
carries the module's z.  Dense 160 × 416 maps are built with ``np.add.at`` (several digis on one pixel add).
Branch names are parameters: ntuples differ between analyses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.config.strict import check
from fpgaflow.data.hitmaps import ADC_MAX, HitMapSet, IndexArray, MapArray, validate_arrays
from fpgaflow.data.simulate.config import MODULE_COLS, MODULE_ROWS
from fpgaflow.errors import DataError, install_hint

ROOT_SUFFIXES = (".root",)


@dataclass(frozen=True)
class RootConfig:
    """How to read a digi ntuple.

    ``tree``: TTree name.  ``module_id``/``row``/``col``/``adc``: branch names (``row``/``col``/``adc``
    jagged, one list per module).  ``label``: per-entry 0/1 branch.  ``soft_label``: optional per-entry
    fraction branch ("" for none).  ``z``: optional per-entry module z (cm) branch ("" for none) used with
    ``z_range_cm``.  Selection: ``layer`` and ``modules`` (module numbers from the raw ID; empty = all).
    """

    tree: str = "digis"
    module_id: str = "detId"
    row: str = "row"
    col: str = "col"
    adc: str = "adc"
    label: str = "label"
    soft_label: str = ""
    z: str = ""
    layer: int = 1
    modules: tuple[int, ...] = (4, 5)
    z_range_cm: tuple[float, float] = (-100.0, 100.0)
    step_entries: int = 1024

    def __post_init__(self) -> None:
        check(1 <= self.layer <= 4, f"root.layer must be in [1, 4] (BPix), got {self.layer}")
        check(
            self.z_range_cm[0] < self.z_range_cm[1],
            f"root.z_range_cm must be increasing, got {self.z_range_cm}",
        )
        check(self.step_entries >= 1, "root.step_entries must be >= 1")

    @property
    def branches(self) -> list[str]:
        names = [self.module_id, self.row, self.col, self.adc, self.label, self.soft_label, self.z]
        return [b for b in names if b]


def decode_bpix_id(raw_id: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(layer, ladder, module) of Phase-1 BPix raw detector IDs."""
    raw = np.asarray(raw_id).astype(np.int64)
    return (raw >> 20) & 0xF, (raw >> 12) & 0xFF, (raw >> 2) & 0x3FF


def encode_bpix_id(layer: int, ladder: int, module: int, subdet: int = 1, det: int = 1) -> int:
    """Raw ID of a BPix module (inverse of :func:`decode_bpix_id`; det = Tracker (1) << 28,
    subdet = PXB (1) << 25)."""
    return (det << 28) | (subdet << 25) | (layer << 20) | (ladder << 12) | (module << 2)


def _uproot() -> Any:
    try:
        import uproot
    except ImportError as exc:  # pragma: no cover - uproot is in the host extra
        raise install_hint(["uproot"], "reading ROOT ntuples") from exc
    return uproot


def _read_errors() -> tuple[type[BaseException], ...]:
    """What uproot raises for truncated or corrupt files (short reads, bad headers, decompression)."""
    import zlib

    uproot = _uproot()
    return (OSError, EOFError, ValueError, KeyError, zlib.error, uproot.deserialization.DeserializationError)


def open_tree(path: Path | str, cfg: RootConfig) -> Any:
    """Open the digi tree; errors name the file, the missing tree or branches and what was found."""
    uproot = _uproot()
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:  # uproot reads the directory and the tree's header lazily: a short file fails at any of these
        f = uproot.open(path)
        if cfg.tree not in f:
            raise DataError(f"{path}: no TTree {cfg.tree!r}; the file holds {sorted(f.keys(cycle=False))}")
        tree = f[cfg.tree]
        missing = [b for b in cfg.branches if b not in tree]
        if missing:
            raise DataError(f"{path}: tree {cfg.tree!r} lacks branches {missing}; found {sorted(tree.keys())}")
    except DataError:
        raise
    except _read_errors() as exc:
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise DataError(f"{path}: not a readable ROOT file (truncated or corrupt?): {detail}") from None
    return tree


def dense_maps(
    entry: IndexArray,
    row: npt.NDArray[np.floating[Any]],
    col: npt.NDArray[np.floating[Any]],
    adc: npt.NDArray[np.floating[Any]],
    *,
    n: int,
    source: str,
    entry_numbers: IndexArray | None = None,
) -> MapArray:
    """Module maps ``(n, 160, 416, 1)`` float32 from flat digis (``entry`` = map index 0..n-1 of each
    digi): ``np.add.at`` sums repeated pixels.  Out-of-range rows/columns or ADC values raise
    :class:`DataError` naming the tree entry (``entry_numbers[map]``, default the map index)."""
    numbers = np.arange(n) if entry_numbers is None else entry_numbers
    for name, values, top in (
        ("row", row, MODULE_ROWS - 1),
        ("col", col, MODULE_COLS - 1),
        ("adc", adc, ADC_MAX),
    ):
        bad = (values < 0) | (values > top) | ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(f"{source}: entry {int(numbers[entry[i]])} has {name} = {values[i]!r}, expected 0..{top:g}")
    maps = np.zeros((n, MODULE_ROWS, MODULE_COLS), dtype=np.float32)
    np.add.at(maps, (entry, row.astype(np.int64), col.astype(np.int64)), adc.astype(np.float32))
    over = maps.reshape(n, -1).max(axis=1) > ADC_MAX if n else np.zeros(0, bool)
    if over.any():
        i = int(np.argmax(over))
        raise DataError(
            f"{source}: entry {int(numbers[i])} sums to more than {ADC_MAX:g} ADC on one pixel (duplicate digis?)"
        )
    return maps[..., np.newaxis]


def iter_root(path: Path | str, cfg: RootConfig) -> Iterator[HitMapSet]:
    """Stream selected module maps from a digi ntuple in chunks of ``cfg.step_entries`` entries."""
    tree = open_tree(path, cfg)
    source = str(path)
    first = 0
    chunks = tree.iterate(cfg.branches, step_size=cfg.step_entries, library="ak")
    while True:
        try:  # only the reading is guarded: errors in our own processing keep their traceback
            arrays = next(chunks)
        except StopIteration:
            return
        except _read_errors() as exc:
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise DataError(
                f"{source}: cannot read entries from {first} on (truncated or corrupt?): {detail}"
            ) from None
        yield _chunk_to_set(arrays, cfg, source, first)
        first += len(arrays)


def _jagged(
    arrays: Any, name: str, idx: IndexArray, source: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Flattened values and per-entry counts of a jagged branch for the selected entries (vectorised
    with awkward, which uproot brings along)."""
    import awkward as ak

    lists = arrays[name][idx]
    if lists.ndim < 2:
        raise DataError(f"{source}: branch {name!r} must hold one list per module (jagged), got one value per entry")
    counts = np.asarray(ak.num(lists, axis=1), dtype=np.int64)
    flat = np.asarray(ak.to_numpy(ak.flatten(lists, axis=1)), dtype=np.float64)
    return flat, counts


def ak_numpy(array: Any) -> npt.NDArray[Any]:
    """A flat (one value per entry) awkward branch as numpy."""
    import awkward as ak

    return np.asarray(ak.to_numpy(array))


def _chunk_to_set(arrays: Any, cfg: RootConfig, source: str, first: int) -> HitMapSet:
    ids = ak_numpy(arrays[cfg.module_id])
    layer, _, module = decode_bpix_id(ids)
    keep = layer == cfg.layer
    if cfg.modules:
        keep &= np.isin(module, cfg.modules)
    if cfg.z:
        z = ak_numpy(arrays[cfg.z]).astype(np.float64)
        keep &= (z >= cfg.z_range_cm[0]) & (z <= cfg.z_range_cm[1])
    idx = np.flatnonzero(keep)
    row, counts = _jagged(arrays, cfg.row, idx, source)
    col, n_col = _jagged(arrays, cfg.col, idx, source)
    adc, n_adc = _jagged(arrays, cfg.adc, idx, source)
    for name, other in ((cfg.col, n_col), (cfg.adc, n_adc)):
        if not np.array_equal(other, counts):
            j = int(np.argmax(other != counts))
            raise DataError(
                f"{source}: entry {first + int(idx[j])} has {counts[j]} {cfg.row!r} values but "
                f"{other[j]} {name!r} values"
            )
    entry = np.repeat(np.arange(idx.size), counts)
    maps = dense_maps(entry, row, col, adc, n=idx.size, source=source, entry_numbers=first + idx)
    raw_labels = ak_numpy(arrays[cfg.label])[idx]
    bad = ~np.isin(raw_labels, (0, 1))
    if bad.any():
        j = int(np.argmax(bad))
        raise DataError(
            f"{source}: entry {first + int(idx[j])} has {cfg.label!r} = {raw_labels[j]!r}, "
            "expected 0 (background) or 1 (particle)"
        )
    labels = raw_labels.astype(np.int8)
    soft = ak_numpy(arrays[cfg.soft_label]).astype(np.float32)[idx] if cfg.soft_label else None
    validate_arrays(maps, labels, source=source, soft_labels=soft)
    return HitMapSet(maps, labels, soft, {"source": source, "tree": cfg.tree})


def load_root(path: Path | str, cfg: RootConfig) -> HitMapSet:
    """Read every selected module of a digi ntuple into memory."""
    parts = list(iter_root(path, cfg))
    if not parts or sum(len(p) for p in parts) == 0:
        raise DataError(f"{path}: no entries match layer {cfg.layer}, modules {list(cfg.modules)}")
    soft = None if parts[0].soft_labels is None else np.concatenate([p.soft_labels for p in parts])
    return HitMapSet(
        np.concatenate([p.maps for p in parts]),
        np.concatenate([p.labels for p in parts]),
        soft,
        {"source": str(path), "tree": cfg.tree, "layer": cfg.layer, "modules": list(cfg.modules)},
    )
