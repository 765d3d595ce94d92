"""What every baseline is: fitted on training maps, then a particle score per map and a working point.

A baseline calls a map *particle* when its score is above ``cut`` — the same rule as a softmax output above
0.5, so any baseline can be compared map by map with the deployed model
(:func:`fpgaflow.metrics.paired_comparison`).  Thresholds are learnt on training maps only
(:func:`learn_cut`); the test maps are never seen before :meth:`Baseline.score`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from fpgaflow.baselines.features import Array
from fpgaflow.baselines.sample import MapSample
from fpgaflow.errors import DataError


@dataclass(frozen=True)
class LearnedCut:
    """The best single threshold on one variable: a map is *particle* when ``direction × value >
    direction × threshold`` (``direction`` +1: above; −1: below); ``accuracy`` on the maps it was learnt on."""

    threshold: float
    direction: int
    accuracy: float

    def describe(self, variable: str) -> str:
        return f"{variable} {'>' if self.direction > 0 else '<'} {self.threshold:.4g}"


def learn_cut(values: Array, labels: Array, directions: tuple[int, ...] = (1, -1)) -> LearnedCut:
    """Threshold and direction of highest accuracy on (``values``, ``labels``).

    Candidate thresholds lie halfway between consecutive distinct values (and one unit outside the range:
    "all particle" / "all background"), so a test value equal to a training value is classified as in
    training.  Ties go to the first direction given, then to the lowest threshold.
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    y = np.asarray(labels).reshape(-1).astype(bool)
    if v.size != y.size or v.size == 0:
        raise DataError(f"a cut needs one value per label, got {v.size} values and {y.size} labels")
    distinct, group = np.unique(v, return_inverse=True)
    pos_le = np.r_[0, np.cumsum(np.bincount(group, y, minlength=distinct.size))]  # particle maps ≤ candidate k
    neg_le = np.r_[0, np.cumsum(np.bincount(group, ~y, minlength=distinct.size))]
    n_pos, n_neg = pos_le[-1], neg_le[-1]
    mids = (distinct[:-1] + distinct[1:]) / 2.0
    thresholds = np.r_[distinct[0] - 1.0, mids, distinct[-1] + 1.0]
    best: LearnedCut | None = None
    for direction in directions:
        correct = neg_le + (n_pos - pos_le) if direction > 0 else pos_le + (n_neg - neg_le)
        k = int(np.argmax(correct))
        cand = LearnedCut(float(thresholds[k]), direction, float(correct[k] / v.size))
        if best is None or cand.accuracy > best.accuracy:
            best = cand
    assert best is not None
    return best


class Baseline(ABC):
    """A baseline: :meth:`fit` on training maps, :meth:`score` any maps, ``cut`` its working point."""

    family: ClassVar[str]

    def __init__(self, name: str) -> None:
        self.name = name
        self.cut = 0.5

    @abstractmethod
    def fit(self, train: MapSample) -> Baseline:
        """Learn everything (thresholds, tables, trees) from the training maps only."""

    @abstractmethod
    def score(self, sample: MapSample) -> Array:
        """Particle score of every map of ``sample`` (higher = more particle-like)."""

    def working_point(self) -> str:
        """The decision rule in words, e.g. ``n_clusters > 4.5``."""
        return f"score > {self.cut:.4g}"
