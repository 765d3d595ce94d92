"""Two stages: score every cluster, then decide per map from its cluster scores.

Stage 1 (:class:`ClusterStage`) is a boosted tree on :data:`~fpgaflow.baselines.features.CLUSTER_FEATURES`
(and the module position of the cluster's map, where the maps carry it) trained on every training cluster
with either the label of its map (``inherited``: a cluster of a particle map counts as particle, even when it
is a pileup hit beside the track) or, where the data carry it, the cluster's own truth (``truth``).  Training
maps are split into ``folds`` groups of whole maps; each group's clusters are scored by the model trained on
the other groups (cross-fitting), so the second stage learns from scores as noisy as those it will see on new
maps.  New maps get the mean of the fold models.

Stage 2 combines a map's cluster scores: ``max`` (the most particle-like cluster; working point learnt on the
training maps) or ``learned`` (a boosted tree on the highest, second-highest, mean and summed cluster score,
the number of clusters scoring above ½, and the per-map features; P(particle) > ½).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from fpgaflow.baselines.base import Baseline, learn_cut
from fpgaflow.baselines.features import Array
from fpgaflow.baselines.sample import MapSample
from fpgaflow.baselines.tree import Booster, TreeSettings
from fpgaflow.errors import DataError

LabelSource = Literal["inherited", "truth"]
StageTwo = Literal["max", "learned"]

#: Stage-1 trees: more leaves than the map tree, there are ~10× more rows.
CLUSTER_TREE = TreeSettings(max_iter=200, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=40)


class ClusterStage:
    """Cross-fitted per-cluster particle scores (stage 1), fitted once and shared by the stage-2 members."""

    def __init__(
        self, labels: LabelSource = "inherited", settings: TreeSettings = CLUSTER_TREE, folds: int = 2, seed: int = 0
    ) -> None:
        if folds < 2:
            raise DataError(f"cross-fitting needs at least 2 folds, got {folds}")
        self.labels = labels
        self.settings = settings
        self.folds = folds
        self.seed = seed
        self.models: list[Booster] = []
        self._train: MapSample | None = None
        self._train_scores = np.zeros(0)

    def fit(self, train: MapSample) -> ClusterStage:
        """Fit once per training sample (a second call with the same sample does nothing)."""
        if self._train is train:
            return self
        if self.labels == "truth":
            if train.cluster_labels is None:
                raise DataError("two-stage with truth labels needs per-cluster truth in the training data")
            y = train.cluster_labels
        else:
            y = train.labels[train.clusters.map_index]
        fold_of_map = np.random.default_rng(self.seed).permutation(train.n_maps) % self.folds
        fold = fold_of_map[train.clusters.map_index]
        x = train.cluster_features
        scores = np.zeros(y.size)
        self.models = []
        for k in range(self.folds):
            model = Booster(self.settings, self.seed + k).fit(x[fold != k], y[fold != k])
            scores[fold == k] = model.probability(x[fold == k])
            self.models.append(model)
        self._train, self._train_scores = train, scores
        return self

    def scores(self, sample: MapSample) -> Array:
        """Cluster scores: out-of-fold for the training sample, the fold models' mean for any other."""
        if sample is self._train:
            return self._train_scores
        x = sample.cluster_features
        return np.mean([m.probability(x) for m in self.models], axis=0) if len(x) else np.zeros(0)


def combine_features(sample: MapSample, cluster_scores: Array) -> Array:
    """Per-map summaries of cluster scores (highest, second, mean, sum, number above ½) beside the map
    features; a map without clusters has zeros."""
    n, idx = sample.n_maps, sample.clusters.map_index
    count = np.bincount(idx, minlength=n).astype(np.float64)
    total = np.bincount(idx, cluster_scores, minlength=n)
    order = np.lexsort((cluster_scores, idx))
    sorted_idx = idx[order]
    last = np.flatnonzero(np.r_[sorted_idx[1:] != sorted_idx[:-1], True]) if idx.size else np.zeros(0, np.int64)
    highest, second = np.zeros(n), np.zeros(n)
    highest[sorted_idx[last]] = cluster_scores[order[last]]
    prev = last - 1
    ok = prev >= 0
    ok[ok] = sorted_idx[prev[ok]] == sorted_idx[last[ok]]
    second[sorted_idx[last[ok]]] = cluster_scores[order[prev[ok]]]
    mean = np.divide(total, count, out=np.zeros(n), where=count > 0)
    above = np.bincount(idx, (cluster_scores > 0.5).astype(np.float64), minlength=n)
    return np.column_stack([highest, second, mean, total, above, sample.features])


class TwoStage(Baseline):
    """Stage 2 over a shared :class:`ClusterStage`: ``max`` or a ``learned`` combiner."""

    family = "two_stage"

    def __init__(self, stage: ClusterStage, combiner: StageTwo = "learned", seed: int = 0) -> None:
        super().__init__(f"two_stage:{stage.labels}:{combiner}")
        self.stage = stage
        self.combiner = combiner
        self.seed = seed
        self.model = Booster(TreeSettings(), seed)

    def fit(self, train: MapSample) -> TwoStage:
        s = self.stage.fit(train).scores(train)
        if self.combiner == "max":
            self.cut = 0.0
            self.cut = learn_cut(self.score(train), train.labels, directions=(1,)).threshold
        else:
            self.model.fit(combine_features(train, s), train.labels)
        return self

    def score(self, sample: MapSample) -> Array:
        s = self.stage.scores(sample)
        if self.combiner == "max":
            out = np.zeros(sample.n_maps)
            np.maximum.at(out, sample.clusters.map_index, s)
            return out
        return self.model.probability(combine_features(sample, s))

    def working_point(self) -> str:
        if self.combiner == "max":
            return f"highest cluster score > {self.cut:.4g}"
        return f"P(particle) > {self.cut:g}"
