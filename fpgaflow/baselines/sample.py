"""A labelled stack of hit maps prepared once for every baseline: its clusters, their features, the per-map
features and, where the data carry them, the truth label of every cluster and the maps' module positions."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from fpgaflow.baselines.features import MAP_FEATURES, Array, ClusterTable, cluster_table, map_features
from fpgaflow.data.clusters import Clusters
from fpgaflow.errors import DataError


@dataclass(frozen=True)
class MapSample:
    """``labels`` (1 = particle) of ``n_maps`` maps, their :class:`ClusterTable`, the per-map feature matrix
    (:data:`MAP_FEATURES` columns, then :data:`~fpgaflow.baselines.features.POSITION_FEATURES` when the maps
    carry ``positions``), optional per-cluster truth labels aligned with the table's rows and the optional
    module ``positions`` ``(n_maps, 2)`` (row, column) of the maps."""

    labels: Array
    clusters: ClusterTable
    features: Array
    cluster_labels: Array | None = None
    positions: Array | None = None

    @property
    def cluster_features(self) -> Array:
        """Per-cluster inputs of the cluster trees: the table's :data:`CLUSTER_FEATURES`, then (with
        positions) the module position of the cluster's map."""
        if self.positions is None:
            return self.clusters.features
        return np.column_stack([self.clusters.features, self.positions[self.clusters.map_index]])

    @property
    def n_maps(self) -> int:
        return int(self.labels.size)

    def feature(self, name: str) -> Array:
        """One per-map feature column by its :data:`MAP_FEATURES` name."""
        names = [f.name for f in MAP_FEATURES]
        if name not in names:
            raise DataError(f"unknown map feature {name!r}; expected one of {names}")
        return self.features[:, names.index(name)]

    def subset(self, index: Array) -> MapSample:
        """The maps at the increasing integer positions ``index``, with their clusters (order kept, so truth
        labels stay aligned) renumbered from 0."""
        index = np.asarray(index, dtype=np.int64)
        if index.size > 1 and np.any(np.diff(index) <= 0):
            raise DataError("MapSample.subset needs strictly increasing map indices")
        keep = np.zeros(self.n_maps, bool)
        keep[index] = True
        new_number = np.cumsum(keep) - 1
        rows = np.flatnonzero(keep[self.clusters.map_index])
        cl = self.clusters.clusters
        picked = Clusters(**{f.name: getattr(cl, f.name)[rows] for f in fields(Clusters)})
        picked = replace(picked, map_index=new_number[picked.map_index])
        table = ClusterTable(picked, self.clusters.features[rows], int(index.size), self.clusters.map_shape)
        truth = None if self.cluster_labels is None else self.cluster_labels[rows]
        positions = None if self.positions is None else self.positions[index]
        return MapSample(self.labels[index], table, self.features[index], truth, positions)


def prepare(
    maps: Array, labels: Array, cluster_labels: Array | None = None, positions: Array | None = None
) -> MapSample:
    """Cluster ``maps`` ``(n, rows, cols[, 1])`` (ADC counts) and compute every feature once.

    ``cluster_labels`` (optional): 1 = the cluster comes from a particle the label counts (a reconstructable
    in-time track), 0 = background, one per cluster in :func:`fpgaflow.data.clusters.find_clusters` order.
    ``positions`` (optional, ``(n, 2)``): where each map sits on its module (``HitMapSet.positions``, module
    row and column); they become features of the trees and an axis of the shape table.
    """
    y = np.asarray(labels).reshape(-1)
    if maps.ndim not in (3, 4) or maps.shape[0] != y.size:
        raise DataError(f"expected maps (n, rows, cols[, 1]) with n = {y.size} labels, got shape {maps.shape}")
    if not np.isin(y, (0, 1)).all():
        raise DataError(f"labels must be 0 (background) or 1 (particle), got values {np.unique(y)[:5]}")
    table = cluster_table(maps)
    if cluster_labels is not None and np.asarray(cluster_labels).size != len(table.clusters):
        raise DataError(f"{np.asarray(cluster_labels).size} cluster labels for {len(table.clusters)} clusters")
    truth = None if cluster_labels is None else np.asarray(cluster_labels).reshape(-1).astype(np.int64)
    features = map_features(maps, table)
    where = None
    if positions is not None:
        where = np.asarray(positions, dtype=np.float64)
        if where.shape != (y.size, 2):
            raise DataError(f"expected module positions of shape ({y.size}, 2), got {where.shape}")
        features = np.column_stack([features, where])
    return MapSample(y.astype(np.int64), table, features, truth, where)
