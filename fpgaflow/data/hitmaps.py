"""The hit-map container every stage passes around.

A hit map is a 2-D array of collected charge per pixel in ADC counts (0–255 for the CMS Phase-1 ROC,
135 e⁻ per count), shaped ``(rows, cols)``: rows run along local x (r-φ, 100 µm pitch), columns along
local y (z, 150 µm pitch).  A :class:`HitMapSet` stacks them as ``(n, rows, cols, 1)`` float32 — the
channels-last layout Keras and hls4ml expect — with one label per map: 1 = *particle*, 0 = *background*.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.truth import ClusterTruth
from fpgaflow.errors import DataError
from fpgaflow_board.atomic import write_npz

PARTICLE = 1
BACKGROUND = 0
CLASS_NAMES = ("background", "particle")

#: ADC full scale of the PSI46dig / PROC600 readout chip (8-bit ADC).
ADC_MAX = 255.0
#: Electrons per ADC count of the readout chip (the simulator's ``electronics.electrons_per_adc`` default).
ELECTRONS_PER_ADC = 135.0
#: Pixel pitch of the Phase-1 barrel sensor, µm: rows run along local x (r-φ), columns along local y (z).
PITCH_ROW_UM = 100.0
PITCH_COL_UM = 150.0

#: Hit maps ``(n, rows, cols, 1)`` (or one map, or a stack without the channel axis): float32 ADC counts.
MapArray = npt.NDArray[np.float32]
#: Class labels ``(n,)``: integers, 1 = particle, 0 = background.
LabelArray = npt.NDArray[np.integer[Any]]
#: Labels as training targets: the integer labels or their float32 copy (what Keras is given).
TargetArray = npt.NDArray[np.integer[Any] | np.floating[Any]]
#: Indices into a set of maps (which maps to take, in which order).
IndexArray = npt.NDArray[np.integer[Any]]


@dataclass(frozen=True)
class HitMapSet:
    """Hit maps ``(n, rows, cols, 1)`` float32 in ADC counts with integer labels ``(n,)``.

    ``soft_labels`` (optional) holds the fraction of charge that came from reconstructable tracks.
    ``metadata`` is free-form provenance (generator config, seed, source file).  Optional side data:
    ``groups`` (n,) int64 — maps sharing a group come from one simulated module event and must stay in
    one split (:func:`fpgaflow.data.split.split_indices`); ``positions`` (n, 2) float32 — where the map
    sits on its module in module pixel coordinates (row, col), which the readout knows (an input for
    models that take it); ``truth`` — per-cluster simulation truth (:class:`~fpgaflow.data.truth.ClusterTruth`,
    never an input).
    """

    maps: MapArray
    labels: LabelArray
    soft_labels: npt.NDArray[np.floating[Any]] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    truth: ClusterTruth | None = None
    groups: npt.NDArray[np.int64] | None = None
    positions: npt.NDArray[np.float32] | None = None

    def __post_init__(self) -> None:
        validate_arrays(self.maps, self.labels, source="<memory>", soft_labels=self.soft_labels)
        n = self.labels.shape[0]
        if self.groups is not None and self.groups.shape != (n,):
            raise DataError(f"<memory>: groups have shape {self.groups.shape}, expected ({n},)")
        if self.positions is not None and self.positions.shape != (n, 2):
            raise DataError(f"<memory>: positions have shape {self.positions.shape}, expected ({n}, 2)")
        if self.truth is not None and len(self.truth) and int(self.truth.map_index.max()) >= n:
            raise DataError(f"<memory>: cluster truth refers to map {int(self.truth.map_index.max())} of {n}")

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def map_shape(self) -> tuple[int, int, int]:
        """Per-map shape (rows, cols, channels)."""
        return tuple(int(s) for s in self.maps.shape[1:])  # type: ignore[return-value]

    def digest(self) -> str:
        """SHA-256 of the maps and labels (their dtype, shape and bytes): equal digests, equal data."""
        h = hashlib.sha256()
        for array in (self.maps, self.labels):
            h.update(f"{array.dtype.str}{array.shape}".encode())
            h.update(np.ascontiguousarray(array).data)
        return h.hexdigest()

    def subset(self, index: IndexArray) -> HitMapSet:
        """Maps selected by an integer index array (copies; side data follows its maps)."""
        index = np.asarray(index, dtype=np.int64)
        return HitMapSet(
            self.maps[index],
            self.labels[index],
            None if self.soft_labels is None else self.soft_labels[index],
            dict(self.metadata),
            truth=None if self.truth is None else self.truth.for_maps(index, len(self)),
            groups=None if self.groups is None else self.groups[index],
            positions=None if self.positions is None else self.positions[index],
        )

    def side_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The optional per-map and per-cluster arrays as stored in files (``groups``, ``positions``,
        ``clusters/…``)."""
        out: dict[str, npt.NDArray[Any]] = {}
        if self.groups is not None:
            out["groups"] = self.groups.astype(np.int64)
        if self.positions is not None:
            out["positions"] = self.positions.astype(np.float32)
        if self.truth is not None:
            out.update(self.truth.to_arrays(len(self)))
        return out

    def save_npz(self, path: Path | str) -> Path:
        """Write atomically to ``path`` (.npz): arrays ``maps``, ``labels``, ``soft_labels``, ``metadata``
        and the side data of :meth:`side_arrays`."""
        path = Path(path)
        arrays: dict[str, npt.NDArray[Any]] = {
            "maps": self.maps,
            "labels": self.labels,
            "metadata": np.array(json.dumps(self.metadata, sort_keys=True)),
            **self.side_arrays(),
        }
        if self.soft_labels is not None:
            arrays["soft_labels"] = self.soft_labels
        return write_npz(path, compressed=True, **arrays)


def validate_arrays(
    maps: MapArray,
    labels: LabelArray,
    source: str,
    offset: int = 0,
    soft_labels: npt.NDArray[np.floating[Any]] | None = None,
) -> None:
    """Check shapes, dtypes, finiteness, charge range and labels; raise :class:`DataError` naming the
    source and the first offending sample.  ``offset`` is added to sample indices in messages (for chunks
    of a larger file); ``soft_labels``, if given, must be ``(n,)`` fractions in [0, 1]."""
    _validate_map_layout(maps, source)
    if labels.ndim != 1 or labels.shape[0] != maps.shape[0]:
        raise DataError(
            f"{source}: {maps.shape[0]} maps but labels have shape {labels.shape} (expected ({maps.shape[0]},))"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{source}: labels must be integers 0/1, got dtype {labels.dtype}")
    badl = (labels != PARTICLE) & (labels != BACKGROUND)
    if badl.any():
        i = int(np.argmax(badl))
        raise DataError(
            f"{source}: sample {i + offset} has label {labels[i]!r}, expected 0 (background) or 1 (particle)"
        )
    if soft_labels is not None:
        if soft_labels.shape != labels.shape:
            raise DataError(f"{source}: soft_labels have shape {soft_labels.shape}, expected {labels.shape}")
        bads = ~((soft_labels >= 0) & (soft_labels <= 1))
        if bads.any():
            i = int(np.argmax(bads))
            raise DataError(
                f"{source}: sample {i + offset} has soft label {soft_labels[i]!r}, expected a fraction in [0, 1]"
            )
    validate_charge(maps, source, offset)


def _validate_map_layout(maps: MapArray, source: str) -> None:
    if not isinstance(maps, np.ndarray) or maps.ndim != 4 or maps.shape[-1] != 1:
        shape = getattr(maps, "shape", None)
        raise DataError(f"{source}: maps must have shape (n, rows, cols, 1), got {shape}")
    if maps.dtype != np.float32:
        raise DataError(f"{source}: maps must be float32 ADC counts, got dtype {maps.dtype}")


def validate_charge(maps: MapArray, source: str, offset: int = 0) -> None:
    """Check that every pixel of ``maps`` is a finite charge in 0..ADC_MAX counts; raise :class:`DataError`
    naming the source and the first offending sample."""
    if maps.size == 0:
        return
    lo, hi = maps.min(), maps.max()  # NaN propagates through min/max: one fast pass for the common case
    if lo >= 0.0 and hi <= ADC_MAX:
        return
    bad = ~np.isfinite(maps).reshape(maps.shape[0], -1).all(axis=1)
    if bad.any():
        raise DataError(f"{source}: sample {int(np.argmax(bad)) + offset} contains NaN or inf charge")
    low = (maps < 0).reshape(maps.shape[0], -1).any(axis=1)
    if low.any():
        raise DataError(
            f"{source}: sample {int(np.argmax(low)) + offset} has negative charge (expected 0..{ADC_MAX:g} ADC)"
        )
    high = (maps > ADC_MAX).reshape(maps.shape[0], -1).any(axis=1)
    if high.any():
        raise DataError(
            f"{source}: sample {int(np.argmax(high)) + offset} has charge above the ADC full scale {ADC_MAX:g}"
        )


def read_metadata(raw: Any, source: Path | str) -> dict[str, Any]:
    """The provenance ``metadata`` attribute of a hit-map file: a JSON object (absent = ``{}``)."""
    if raw is None:
        return {}
    try:
        meta = json.loads(raw.decode() if isinstance(raw, bytes) else str(raw))
    except ValueError as exc:
        raise DataError(f"{source}: the 'metadata' attribute is not JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise DataError(f"{source}: the 'metadata' attribute is JSON {type(meta).__name__}, expected an object")
    return meta


def load_npz_maps(path: Path | str) -> MapArray:
    """Only the hit maps of an npz file, for inference: ``labels`` may be absent (maps a detector read out,
    not yet classified).  ``maps`` is ``(n, rows, cols[, 1])`` ADC counts, float32 or an integer type (the
    readout's 8-bit counts, converted exactly to float32); charge is checked as :func:`load_npz` does."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            if "maps" not in z:
                raise DataError(f"{path}: expected an array 'maps' (hit maps in ADC counts), found {sorted(z.files)}")
            maps: MapArray = z["maps"]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(f"{path}: not a readable npz file, truncated or corrupt ({exc})") from None
    if np.issubdtype(maps.dtype, np.integer):
        maps = maps.astype(np.float32)
    if maps.ndim == 3:
        maps = maps[..., np.newaxis]
    _validate_map_layout(maps, str(path))
    validate_charge(maps, str(path))
    return maps


def load_npz(path: Path | str) -> HitMapSet:
    """Read a :class:`HitMapSet` written by :meth:`HitMapSet.save_npz` (or any npz holding ``maps`` and
    ``labels``)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        # Open the file here: np.load leaks its handle when the zip directory is unreadable.
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            if "maps" not in z or "labels" not in z:
                raise DataError(f"{path}: expected arrays 'maps' and 'labels', found {sorted(z.files)}")
            maps = z["maps"]
            labels = z["labels"]
            soft = z.get("soft_labels")
            meta_raw = str(z["metadata"]) if "metadata" in z else None
            groups = z.get("groups")
            positions = z.get("positions")
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(f"{path}: not a readable npz file, truncated or corrupt ({exc})") from None
    if maps.ndim == 3:
        maps = maps[..., np.newaxis]
    validate_arrays(maps, labels, source=str(path), soft_labels=soft)
    meta = read_metadata(meta_raw, path)
    try:
        return HitMapSet(maps, labels, soft, meta, groups=groups, positions=positions)
    except DataError as exc:
        raise DataError(str(exc).replace("<memory>", str(path))) from None
