"""A cluster-shape look-up table in the style of CMS's pixel cluster-shape filter.

What CMS does (CMSSW ``RecoTracker/PixelLowPtUtilities``, ``ClusterShape`` and ``ClusterShapeHitFilter``):
each pixel cluster is reduced to its extent along x (rows − 1, 0–10) and its *signed* extent along y
(columns − 1, 0–15, the sign being the direction in which the cluster slants), plus flags "straight" (no
missing pixel inside a column, one slant direction) and "complete" (no pixel at a module edge, no ambiguous
double-size pixel).  For each (barrel/endcap, dx, dy) key a calibration file, made from simulated tracks,
holds up to two boxes in the plane of the sizes *predicted* from the track direction (cot α, cot β times
thickness / pitch, Lorentz drift included); BPix layer 1 has its own file.  A hit is compatible when the
prediction falls inside a box; incomplete or kinked clusters and keys outside the table pass.  An optional
cut on the charge per unit path length rejects hits that are too faint.

Here no track direction is known, so the table is turned around: for every cell of
(position × size along rows × size along columns × slant × charge) it stores the probability that a
training cluster in that cell belongs to a particle map (or, with truth, is a particle cluster),
``(n_particle + a·p₀) / (n + a)`` with a prior of ``a`` pseudo-clusters at the overall fraction p₀.  The
position axis is "complete / cut by the map border" and, when the maps carry their place on the module
(``positions``: cluster stamps do, windows do not), the module row (r-φ, ``position_axis="row"``) or column (z,
``"col"``) in ``position_bins`` bins of equal population among the training clusters: across a flat barrel
module the tracks' incidence angle in φ changes with the row, and in θ with the column, and with them the
expected cluster size along rows and columns (a window at |η| < 0.2 does not carry it).  A map's
score combines the probabilities of its clusters: the highest one (``max``), or the naive-Bayes sum of their
log-likelihood ratios (``likelihood``); a map without clusters gets the particle fraction of empty training
maps.  The working point is the best single cut on that score, learnt on the training maps.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from fpgaflow.baselines.base import Baseline, learn_cut
from fpgaflow.baselines.features import Array
from fpgaflow.baselines.sample import MapSample
from fpgaflow.errors import ConfigError, DataError

#: Cluster sizes above these are pooled into the last bin (rows: loopers and low-pT tracks reach 3–6).
MAX_SIZE_X = 6
MAX_SIZE_Y = 4
#: |row–column correlation| below this counts as "no slant" (a cluster one pixel wide has none).
SLANT_MIN = 0.2
#: Prior strength a (pseudo-clusters) pulling sparse cells to the overall particle fraction.
PRIOR_CLUSTERS = 5.0

Combiner = Literal["max", "likelihood"]
PositionAxis = Literal["row", "col"]


def _logit(p: Array) -> Array:
    q = np.clip(p, 1e-6, 1.0 - 1e-6)
    out: Array = np.log(q / (1.0 - q))
    return out


class ClusterShapeTable(Baseline):
    """Look-up table of particle probability per cluster cell, combined per map by ``combiner``."""

    family = "shape_table"

    def __init__(
        self,
        charge_bins: int = 4,
        combiner: Combiner = "max",
        position_bins: int = 1,
        position_axis: PositionAxis = "col",
    ) -> None:
        if charge_bins < 1 or position_bins < 1:
            raise ConfigError(f"charge_bins and position_bins must be >= 1, got {charge_bins}, {position_bins}")
        where = f":{'r' if position_axis == 'row' else 'z'}{position_bins}" if position_bins > 1 else ""
        super().__init__(f"shape_table:q{charge_bins}:{combiner}{where}")
        self.charge_bins = charge_bins
        self.combiner = combiner
        self.position_bins = position_bins
        self.position_axis = position_axis
        self.charge_edges = np.zeros(0)
        self.position_edges = np.zeros(0)
        self.table = np.zeros(0)
        self.p_cluster = 0.5
        self.p_empty = 0.5

    @property
    def n_cells(self) -> int:
        return 2 * MAX_SIZE_X * MAX_SIZE_Y * 3 * self.charge_bins * self.position_bins

    def _module_coordinate(self, sample: MapSample) -> Array:
        """Module row or column (:attr:`position_axis`) of every cluster's map (the position axis reads it)."""
        if sample.positions is None:
            raise DataError(f"{self.name}: the maps carry no module positions (only cluster stamps do)")
        where: Array = sample.positions[sample.clusters.map_index, 0 if self.position_axis == "row" else 1]
        return where

    def cell(self, sample: MapSample) -> Array:
        """Table cell of every cluster of ``sample``."""
        col = sample.clusters.column
        edge = col("edge").astype(np.int64)
        sx = np.clip(col("size_x").astype(np.int64), 1, MAX_SIZE_X) - 1
        sy = np.clip(col("size_y").astype(np.int64), 1, MAX_SIZE_Y) - 1
        slant = np.where(np.abs(col("slant")) < SLANT_MIN, 1, np.where(col("slant") > 0, 2, 0))
        q = np.searchsorted(self.charge_edges, col("charge"), side="right")
        cells: Array = (((edge * MAX_SIZE_X + sx) * MAX_SIZE_Y + sy) * 3 + slant) * self.charge_bins + q
        if self.position_bins > 1:
            cells = cells * self.position_bins + np.searchsorted(
                self.position_edges, self._module_coordinate(sample), "right"
            )
        return cells

    def fit(self, train: MapSample) -> ClusterShapeTable:
        y_map = train.labels
        idx = train.clusters.map_index
        y = y_map[idx] if train.cluster_labels is None else train.cluster_labels
        charge = train.clusters.column("charge")
        inner = np.linspace(0.0, 1.0, self.charge_bins + 1)[1:-1]
        self.charge_edges = np.quantile(charge, inner) if charge.size else np.zeros(self.charge_bins - 1)
        if self.position_bins > 1:
            z = self._module_coordinate(train)
            inner_z = np.linspace(0.0, 1.0, self.position_bins + 1)[1:-1]
            self.position_edges = np.quantile(z, inner_z) if z.size else np.zeros(self.position_bins - 1)
        cells = self.cell(train)
        self.p_cluster = float(y.mean()) if y.size else 0.5
        n = np.bincount(cells, minlength=self.n_cells)
        n_particle = np.bincount(cells, weights=y.astype(np.float64), minlength=self.n_cells)
        self.table = (n_particle + PRIOR_CLUSTERS * self.p_cluster) / (n + PRIOR_CLUSTERS)
        empty = np.bincount(idx, minlength=train.n_maps) == 0
        self.p_empty = float(y_map[empty].mean()) if empty.any() else 0.0
        self.cut = 0.0
        self.cut = learn_cut(self.score(train), y_map, directions=(1,)).threshold
        return self

    def cluster_probability(self, sample: MapSample) -> Array:
        """The table's particle probability of every cluster of ``sample``."""
        return np.asarray(self.table[self.cell(sample)])

    def score(self, sample: MapSample) -> Array:
        p = self.cluster_probability(sample)
        idx = sample.clusters.map_index
        has = np.bincount(idx, minlength=sample.n_maps) > 0
        if self.combiner == "max":
            out = np.full(sample.n_maps, -np.inf)
            np.maximum.at(out, idx, p)
            return np.where(has, out, self.p_empty)
        llr = np.bincount(idx, weights=_logit(p) - _logit(np.array(self.p_cluster)), minlength=sample.n_maps)
        return np.where(has, llr, _logit(np.array(self.p_empty)) - _logit(np.array(self.p_cluster)))

    def working_point(self) -> str:
        what = "highest cluster probability" if self.combiner == "max" else "summed cluster log-likelihood ratio"
        return f"{what} > {self.cut:.4g}"
