"""A gradient-boosted decision tree on the per-map cluster features (scikit-learn's
``HistGradientBoostingClassifier``; ``bench/results_baselines.md`` compares it with LightGBM and XGBoost)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fpgaflow.baselines.base import Baseline
from fpgaflow.baselines.features import Array
from fpgaflow.baselines.sample import MapSample
from fpgaflow.errors import require


@dataclass(frozen=True)
class TreeSettings:
    """Boosting settings: ``max_iter`` trees of at most ``max_leaf_nodes`` leaves, shrunk by
    ``learning_rate``; leaves hold at least ``min_samples_leaf`` training rows; ``l2`` regularisation.
    No early stopping (it would hold out a random part of the training maps), so a fit is deterministic."""

    max_iter: int = 200
    learning_rate: float = 0.1
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 20
    l2: float = 0.0

    def label(self) -> str:
        return f"{self.max_iter}x{self.max_leaf_nodes}@{self.learning_rate:g}"


#: OpenMP threads of one booster.  One: on a machine shared with other jobs, two threads that wait for each
#: other at every tree level were 9–12× slower than one thread (bench/results_baselines.md, section 6).
BOOSTER_THREADS = 1


class Booster:
    """A scikit-learn ``HistGradientBoostingClassifier`` (binary log-loss) with ``settings``, fitted and
    evaluated on ``threads`` OpenMP threads."""

    def __init__(self, settings: TreeSettings, seed: int, threads: int = BOOSTER_THREADS) -> None:
        require("sklearn", "the boosted-tree baselines")
        from sklearn.ensemble import HistGradientBoostingClassifier

        self.threads = threads
        self.model = HistGradientBoostingClassifier(
            max_iter=settings.max_iter,
            learning_rate=settings.learning_rate,
            max_leaf_nodes=settings.max_leaf_nodes,
            min_samples_leaf=settings.min_samples_leaf,
            l2_regularization=settings.l2,
            early_stopping=False,
            random_state=seed,
        )

    def _threads(self) -> Any:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.threads, user_api="openmp")

    def fit(self, features: Array, labels: Array) -> Booster:
        with self._threads():
            self.model.fit(features, labels)
        return self

    def probability(self, features: Array) -> Array:
        """P(particle) for rows of ``features`` (empty input → empty output)."""
        if features.shape[0] == 0:
            return np.zeros(0)
        with self._threads():
            p: Array = self.model.predict_proba(features)[:, 1].astype(np.float64)
        return p


class MapTree(Baseline):
    """Boosted trees on :data:`~fpgaflow.baselines.features.MAP_FEATURES` (and the map's module position where
    the maps carry it: :data:`~fpgaflow.baselines.features.POSITION_FEATURES`); score = P(particle), cut 0.5."""

    family = "tree"

    def __init__(self, settings: TreeSettings = TreeSettings(), seed: int = 0) -> None:
        super().__init__(f"tree:{settings.label()}")
        self.settings = settings
        self.seed = seed
        self.model = Booster(settings, seed)

    def fit(self, train: MapSample) -> MapTree:
        self.model.fit(train.features, train.labels)
        return self

    def score(self, sample: MapSample) -> Array:
        return self.model.probability(sample.features)

    def working_point(self) -> str:
        return f"P(particle) > {self.cut:g}"
