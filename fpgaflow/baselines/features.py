"""Documented per-cluster and per-map features of hit maps, from :func:`fpgaflow.data.clusters.find_clusters`.

Every feature is a :class:`Feature` (name, definition, unit); :data:`CLUSTER_FEATURES` and
:data:`MAP_FEATURES` are the tables printed in ``docs/baselines.md`` (a test keeps them identical).  Charge is
in kilo-electrons: (ADC sum + ½ count per pixel) × 135 e⁻ per count, the gain of the CMS Phase-1 readout; a
minimum-ionising particle crossing 285 µm of silicon at normal incidence leaves ≈ 21 ke.  "Leading cluster"
is the cluster of highest charge in its map.  An empty map has every feature 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.clusters import Clusters, find_clusters

#: Any numpy array (maps, labels, feature matrices, scores) in this package's signatures.
Array = npt.NDArray[Any]

#: Electrons per ADC count of the CMS Phase-1 readout chip (``electronics.electrons_per_adc``).
ELECTRONS_PER_ADC = 135.0
#: A cluster with at least this charge counts as "MIP-like" (half the ≈ 21 ke of a normal MIP).
MIP_LIKE_KE = 10.0
#: Maps clustered per call of :func:`find_clusters` (bounds the label array: 2048 maps of 128 × 128 = 128 MiB).
CLUSTER_CHUNK_PIXELS = 1 << 25


@dataclass(frozen=True)
class Feature:
    """One documented feature: its ``name`` (column name), a one-line ``definition`` and its ``unit``."""

    name: str
    definition: str
    unit: str


CLUSTER_FEATURES: tuple[Feature, ...] = (
    Feature("n_pixels", "read-out pixels in the cluster (8-connected)", "pixels"),
    Feature("size_x", "bounding-box extent along rows (local x, r-φ, 100 µm pitch)", "rows"),
    Feature("size_y", "bounding-box extent along columns (local y, z, 150 µm pitch)", "columns"),
    Feature("charge", "cluster charge (ADC sum + ½ per pixel) × 135 e⁻", "ke"),
    Feature("adc_max", "highest pixel of the cluster", "ADC counts"),
    Feature("charge_per_pixel", "charge / n_pixels", "ke"),
    Feature("aspect", "size_y / size_x (long in z: halo; long in r-φ: loopers, low pT)", "1"),
    Feature("rms_x", "charge-weighted RMS spread along rows", "rows"),
    Feature("rms_y", "charge-weighted RMS spread along columns", "columns"),
    Feature("slant", "charge-weighted row–column correlation (0 when either spread is 0)", "1"),
    Feature("fill", "n_pixels / (size_x × size_y): 1 for a full rectangle, low for diagonal or broken shapes", "1"),
    Feature("edge", "1 when the bounding box touches the map border (the cluster may be cut)", "flag"),
    Feature("map_n_clusters", "clusters in the same map (pileup context)", "count"),
    Feature("map_other_charge", "charge of all other clusters in the same map", "ke"),
)

MAP_FEATURES: tuple[Feature, ...] = (
    Feature("n_pixels", "read-out pixels (ADC > 0)", "pixels"),
    Feature("total_adc", "sum of all pixels", "ADC counts"),
    Feature("max_adc", "highest pixel", "ADC counts"),
    Feature("n_clusters", "clusters (8-connected groups of read-out pixels)", "count"),
    Feature("n_single", "single-pixel clusters (noise hits, out-of-time fragments)", "count"),
    Feature("n_edge", "clusters touching the map border", "count"),
    Feature("n_mip_like", "clusters with charge ≥ 10 ke (half a MIP)", "count"),
    Feature("lead_charge", "charge of the leading cluster", "ke"),
    Feature("second_charge", "charge of the second-highest cluster (0 if none)", "ke"),
    Feature("mean_charge", "mean cluster charge", "ke"),
    Feature("max_pixels", "largest cluster", "pixels"),
    Feature("mean_pixels", "mean cluster size", "pixels"),
    Feature("max_size_x", "largest extent along rows", "rows"),
    Feature("max_size_y", "largest extent along columns", "columns"),
    Feature("mean_size_x", "mean extent along rows", "rows"),
    Feature("mean_size_y", "mean extent along columns", "columns"),
    Feature("max_charge_per_pixel", "highest charge per pixel of any cluster", "ke"),
    Feature("max_aspect", "highest size_y / size_x of any cluster (halo: long in z)", "1"),
    Feature("lead_charge_per_pixel", "charge per pixel of the leading cluster", "ke"),
    Feature("lead_aspect", "size_y / size_x of the leading cluster", "1"),
    Feature("lead_fill", "fill of the leading cluster (see the cluster table)", "1"),
    Feature("lead_edge", "1 when the leading cluster touches the map border", "flag"),
    Feature("lead_fraction", "leading-cluster charge / total charge of the map", "1"),
)


#: Where a map sits on its module (``HitMapSet.positions``: the readout knows it; cluster stamps carry it,
#: windows do not).  When the data carry positions, these columns follow :data:`MAP_FEATURES` in a
#: :class:`~fpgaflow.baselines.sample.MapSample`'s per-map features and :data:`CLUSTER_FEATURES` in its
#: per-cluster features (every cluster gets its map's position).
POSITION_FEATURES: tuple[Feature, ...] = (
    Feature("module_row", "module row of the map's place (a stamp: its cluster's centroid), along r-φ", "rows"),
    Feature("module_col", "module column of the same point, along z (sets the tracks' incidence angle)", "columns"),
)


def cluster_maps(maps: Array) -> Clusters:
    """:func:`find_clusters` of a stack ``(n, rows, cols[, 1])``, a block of maps at a time (bounded memory);
    ``map_index`` counts from 0 over the whole stack."""
    stack = maps[..., 0] if maps.ndim == 4 else maps
    per_chunk = max(1, CLUSTER_CHUNK_PIXELS // max(1, stack.shape[1] * stack.shape[2]))
    parts = []
    for start in range(0, stack.shape[0], per_chunk):
        cl = find_clusters(stack[start : start + per_chunk])
        parts.append(replace(cl, map_index=cl.map_index + start))
    if len(parts) == 1:
        return parts[0]
    return Clusters(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Clusters)})


@dataclass(frozen=True)
class ClusterTable:
    """The clusters of a stack of maps with their :data:`CLUSTER_FEATURES` (one row per cluster) and the
    index of the map each belongs to; ``n_maps`` and ``map_shape`` (rows, cols) describe the stack."""

    clusters: Clusters
    features: Array
    n_maps: int
    map_shape: tuple[int, int]

    @property
    def map_index(self) -> Array:
        return self.clusters.map_index

    def column(self, name: str) -> Array:
        return self.features[:, [f.name for f in CLUSTER_FEATURES].index(name)]


def _safe_ratio(num: Array, den: Array) -> Array:
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def cluster_table(maps: Array) -> ClusterTable:
    """Cluster every map of ``maps`` ``(n, rows, cols[, 1])`` and compute :data:`CLUSTER_FEATURES`."""
    n, rows, cols = maps.shape[0], maps.shape[1], maps.shape[2]
    cl = cluster_maps(maps)
    charge = cl.charge_e(ELECTRONS_PER_ADC) / 1000.0
    n_clusters = np.bincount(cl.map_index, minlength=n)
    map_charge = np.bincount(cl.map_index, charge, minlength=n)
    sx, sy = cl.size_x.astype(np.float64), cl.size_y.astype(np.float64)
    edge = (cl.row_min == 0) | (cl.col_min == 0) | (cl.row_min + cl.size_x == rows) | (cl.col_min + cl.size_y == cols)
    columns: dict[str, Array] = {
        "n_pixels": cl.n_pixels.astype(np.float64),
        "size_x": sx,
        "size_y": sy,
        "charge": charge,
        "adc_max": cl.adc_max,
        "charge_per_pixel": charge / np.maximum(cl.n_pixels, 1),
        "aspect": sy / sx,
        "rms_x": np.sqrt(np.maximum(cl.var_x, 0.0)),
        "rms_y": np.sqrt(np.maximum(cl.var_y, 0.0)),
        "slant": _safe_ratio(cl.cov_xy, np.sqrt(np.maximum(cl.var_x * cl.var_y, 0.0))),
        "fill": cl.n_pixels / (sx * sy),
        "edge": edge.astype(np.float64),
        "map_n_clusters": n_clusters[cl.map_index].astype(np.float64),
        "map_other_charge": map_charge[cl.map_index] - charge,
    }
    features = (
        np.column_stack([columns[f.name] for f in CLUSTER_FEATURES])
        if len(cl)
        else np.zeros((0, len(CLUSTER_FEATURES)))
    )
    return ClusterTable(cl, features.reshape(len(cl), len(CLUSTER_FEATURES)), n, (rows, cols))


def _per_map(reduce: Callable[..., None], index: Array, values: Array, n: int) -> Array:
    out = np.zeros(n)
    reduce(out, index, values)
    return out


def map_features(maps: Array, table: ClusterTable | None = None) -> Array:
    """:data:`MAP_FEATURES` of every map of ``maps`` ``(n, rows, cols[, 1])``, shape ``(n, 23)``.

    ``table`` (from :func:`cluster_table` of the same maps) saves clustering them again.
    """
    table = cluster_table(maps) if table is None else table
    n = table.n_maps
    flat = (maps[..., 0] if maps.ndim == 4 else maps).reshape(n, -1)
    idx = table.map_index
    col = table.column
    count = np.bincount(idx, minlength=n).astype(np.float64)
    charge = col("charge")

    def total(values: Array) -> Array:
        return np.bincount(idx, values, minlength=n)

    def largest(values: Array) -> Array:
        return _per_map(np.maximum.at, idx, values, n)

    # Leading and second cluster: sort by (map, charge), the last of a map's run leads.
    order = np.lexsort((charge, idx))
    sorted_idx = idx[order]
    last = np.flatnonzero(np.r_[sorted_idx[1:] != sorted_idx[:-1], True]) if idx.size else np.zeros(0, np.int64)
    lead = order[last]
    prev = last - 1
    has_second = prev >= 0
    has_second[has_second] = sorted_idx[prev[has_second]] == sorted_idx[last[has_second]]
    second = np.zeros(n)
    second[sorted_idx[last[has_second]]] = charge[order[prev[has_second]]]

    def of_lead(values: Array) -> Array:
        out = np.zeros(n)
        out[idx[lead]] = values[lead]
        return out

    total_charge = total(charge)
    columns: dict[str, Array] = {
        "n_pixels": (flat > 0).sum(axis=1).astype(np.float64),
        "total_adc": flat.sum(axis=1, dtype=np.float64),
        "max_adc": flat.max(axis=1).astype(np.float64),
        "n_clusters": count,
        "n_single": total((col("n_pixels") == 1).astype(np.float64)),
        "n_edge": total(col("edge")),
        "n_mip_like": total((charge >= MIP_LIKE_KE).astype(np.float64)),
        "lead_charge": of_lead(charge),
        "second_charge": second,
        "mean_charge": _safe_ratio(total_charge, count),
        "max_pixels": largest(col("n_pixels")),
        "mean_pixels": _safe_ratio(total(col("n_pixels")), count),
        "max_size_x": largest(col("size_x")),
        "max_size_y": largest(col("size_y")),
        "mean_size_x": _safe_ratio(total(col("size_x")), count),
        "mean_size_y": _safe_ratio(total(col("size_y")), count),
        "max_charge_per_pixel": largest(col("charge_per_pixel")),
        "max_aspect": largest(col("aspect")),
        "lead_charge_per_pixel": of_lead(col("charge_per_pixel")),
        "lead_aspect": of_lead(col("aspect")),
        "lead_fill": of_lead(col("fill")),
        "lead_edge": of_lead(col("edge")),
        "lead_fraction": _safe_ratio(of_lead(charge), total_charge),
    }
    return np.column_stack([columns[f.name] for f in MAP_FEATURES])


def feature_table_markdown(features: tuple[Feature, ...]) -> str:
    """The Markdown table of ``features`` as printed in ``docs/baselines.md``."""
    lines = ["| feature | definition | unit |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.definition} | {f.unit} |" for f in features]
    return "\n".join(lines)
