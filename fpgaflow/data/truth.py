"""Per-cluster simulation truth stored beside hit maps: which particle made each cluster.

A :class:`ClusterTruth` is a table with one row per cluster (8-connected read-out pixels of one map, as
:func:`fpgaflow.data.clusters.find_clusters` finds them on the map before any rebinning), sorted by map.
It is what the simulator knows and the readout does not: it is for labelling, for the truth ceiling
(:mod:`fpgaflow.baselines.ceiling`) and for studies, never a model input.

Files (written by ``fpgaflow data simulate --truth``): HDF5 group ``clusters`` and npz arrays
``clusters/<column>``, one 1-D array per column of :data:`COLUMNS`, plus ``clusters/offsets`` (n_maps + 1,
int64): the clusters of map ``i`` are rows ``offsets[i]:offsets[i + 1]`` (so a slice of maps reads a
slice of rows).  Code lists are stored as the JSON attribute / array ``clusters/names``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.errors import DataError

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]

#: Source of a cluster: the particle (or electronics effect) that gave it most of its signal charge.
#: ``primary``: in-time collision track with pT ≥ the reconstruction cut and ≥ ``min_charge_fraction`` of
#: its charge inside the window (the *particle* label); ``below_pt_cut``: the same, pT below the cut;
#: ``edge_fragment``: in-time collision track crossing the window with less than that fraction inside;
#: ``spill_over``: in-time collision track crossing outside the window (charge drifting or sharing in);
#: ``looper``; ``delta_ray`` (isolated secondary electron); ``halo``; ``out_of_time`` (previous
#: crossing); ``noisy_pixel``; ``noise`` (pixel-cell noise above threshold).  Knock-on electrons made in
#: the sensor by a particle count as that particle (as CMS attributes unsaved secondaries to their parent).
SOURCE_NAMES = (
    "primary",
    "below_pt_cut",
    "edge_fragment",
    "spill_over",
    "looper",
    "delta_ray",
    "halo",
    "out_of_time",
    "noisy_pixel",
    "noise",
)

(
    SRC_PRIMARY,
    SRC_BELOW_PT_CUT,
    SRC_EDGE_FRAGMENT,
    SRC_SPILL_OVER,
    SRC_LOOPER,
    SRC_DELTA_RAY,
    SRC_HALO,
    SRC_OUT_OF_TIME,
    SRC_NOISY_PIXEL,
    SRC_NOISE,
) = range(len(SOURCE_NAMES))

#: Particle species of the dominant particle (``none`` for noise and noisy pixels).
SPECIES_NAMES = ("none", "pion", "kaon", "proton", "electron", "muon")
SP_NONE, SP_PION, SP_KAON, SP_PROTON, SP_ELECTRON, SP_MUON = range(len(SPECIES_NAMES))

#: Column name → dtype, in file order.
COLUMNS: dict[str, Any] = {
    "map_index": np.int64,
    "source": np.int8,
    "species": np.int8,
    "in_time": np.bool_,
    "pt": np.float32,
    "charge_fraction": np.float32,
    "in_window_fraction": np.float32,
    "delta_fraction": np.float32,
    "n_particles": np.int16,
    "n_pixels": np.int32,
    "adc": np.float32,
    "row": np.float32,
    "col": np.float32,
    "size_rows": np.int16,
    "size_cols": np.int16,
}


@dataclass(frozen=True)
class ClusterTruth:
    """One row per cluster, sorted by ``map_index`` (the map in its set).

    ``source``/``species``: codes of :data:`SOURCE_NAMES` / :data:`SPECIES_NAMES` of the dominant particle;
    ``in_time``: it came from the triggered crossing; ``pt`` (GeV; 0 for noise, delta rays and halo);
    ``charge_fraction``: its share of the cluster's signal charge; ``in_window_fraction``: the share of
    its own charge (knock-on electrons included) collected inside the window; ``delta_fraction``: the
    share of the cluster's charge carried by knock-on electrons; ``n_particles``: particles giving ≥ 5 %
    of the charge; ``n_pixels``, ``adc`` (sum of counts), ``row``/``col`` (charge-weighted centroid in the
    map's pixel coordinates before rebinning: the centre of pixel (r, c) is (r + 0.5, c + 0.5)),
    ``size_rows``/``size_cols`` (bounding box).
    """

    map_index: Array
    source: Array
    species: Array
    in_time: Array
    pt: Array
    charge_fraction: Array
    in_window_fraction: Array
    delta_fraction: Array
    n_particles: Array
    n_pixels: Array
    adc: Array
    row: Array
    col: Array
    size_rows: Array
    size_cols: Array

    def __len__(self) -> int:
        return int(self.map_index.size)

    @staticmethod
    def empty() -> ClusterTruth:
        return ClusterTruth(**{k: np.zeros(0, dt) for k, dt in COLUMNS.items()})

    def columns(self) -> dict[str, Array]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def rows(self, keep: Array) -> ClusterTruth:
        """The rows selected by a boolean mask or index array (map indices unchanged)."""
        return ClusterTruth(**{k: v[keep] for k, v in self.columns().items()})

    def offsets(self, n_maps: int) -> Array:
        """CSR offsets (n_maps + 1): the clusters of map ``i`` are rows ``offsets[i]:offsets[i + 1]``."""
        return np.concatenate([[0], np.cumsum(np.bincount(self.map_index, minlength=n_maps))]).astype(np.int64)

    def for_maps(self, index: Array, n_maps: int) -> ClusterTruth:
        """The clusters of maps ``index`` (in that order), renumbered 0..len(index) − 1."""
        index = np.asarray(index, dtype=np.int64)
        off = self.offsets(n_maps)
        counts = off[index + 1] - off[index]
        first_row = np.cumsum(counts) - counts  # where each selected map's clusters start in the result
        rows = np.repeat(off[index] - first_row, counts) + np.arange(int(counts.sum()))
        picked = self.rows(rows)
        return ClusterTruth(**{**picked.columns(), "map_index": np.repeat(np.arange(index.size), counts)})

    @staticmethod
    def concatenate(parts: list[ClusterTruth], map_counts: list[int]) -> ClusterTruth:
        """Tables of consecutive sets holding ``map_counts`` maps each, map indices shifted."""
        if not parts:
            return ClusterTruth.empty()
        shift = np.cumsum([0, *map_counts[:-1]])
        cols = {k: np.concatenate([p.columns()[k] for p in parts]) for k in COLUMNS}
        cols["map_index"] = np.concatenate([p.map_index + s for p, s in zip(parts, shift, strict=True)])
        return ClusterTruth(**cols)

    def to_arrays(self, n_maps: int) -> dict[str, Array]:
        """The file layout: ``clusters/<column>`` (``map_index`` is stored as ``offsets``) and names."""
        out = {f"clusters/{k}": v.astype(COLUMNS[k]) for k, v in self.columns().items() if k != "map_index"}
        out["clusters/offsets"] = self.offsets(n_maps)
        out["clusters/names"] = np.array(json.dumps({"source": SOURCE_NAMES, "species": SPECIES_NAMES}))
        return out

    @staticmethod
    def from_arrays(arrays: dict[str, Array], source: str) -> ClusterTruth:
        """Inverse of :meth:`to_arrays` (``arrays`` keyed ``clusters/<column>``)."""
        missing = [k for k in COLUMNS if k != "map_index" and f"clusters/{k}" not in arrays]
        if missing or "clusters/offsets" not in arrays:
            raise DataError(f"{source}: cluster truth lacks columns {missing or ['offsets']}")
        offsets = np.asarray(arrays["clusters/offsets"], dtype=np.int64)
        counts = np.diff(offsets)
        if counts.size and (counts.min() < 0 or offsets[0] != 0):
            raise DataError(f"{source}: clusters/offsets must start at 0 and never decrease")
        cols = {k: np.asarray(arrays[f"clusters/{k}"]) for k in COLUMNS if k != "map_index"}
        n_rows = int(offsets[-1]) if offsets.size else 0
        bad = [k for k, v in cols.items() if v.shape != (n_rows,)]
        if bad:
            raise DataError(f"{source}: cluster truth columns {bad} do not hold {n_rows} rows (offsets)")
        cols["map_index"] = np.repeat(np.arange(counts.size), counts)
        return ClusterTruth(**cols)


def load_truth(path: Path | str) -> ClusterTruth:
    """The cluster truth saved beside the maps of ``path`` (.npz, .h5/.hdf5 or a shard directory)."""
    from fpgaflow.data.hdf5 import H5_SUFFIXES, open_h5
    from fpgaflow.data.shard_manifest import read_shard_manifest

    path = Path(path)
    if path.is_dir():  # the manifest is checked against the shards (paths inside the directory) first
        manifest = read_shard_manifest(path)
        return ClusterTruth.concatenate([load_truth(s) for s in manifest.shards], list(manifest.counts))
    if path.suffix.lower() in H5_SUFFIXES:
        f = open_h5(path)
        try:
            if "clusters" not in f:
                raise DataError(f"{path}: no cluster truth (simulate with --truth)")
            arrays = {f"clusters/{k}": np.asarray(v[:]) for k, v in f["clusters"].items()}
        finally:
            f.close()
        return ClusterTruth.from_arrays(arrays, str(path))
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k.startswith("clusters/")}
    if not arrays:
        raise DataError(f"{path}: no cluster truth (simulate with --truth)")
    return ClusterTruth.from_arrays(arrays, str(path))
