"""The truth ceiling: how well a classifier does when it is told the true source of every cluster but not
its pT, and the label ambiguity that remains.

A map's *truth pattern* is the number of clusters of each source group in it (:data:`PATTERN_GROUPS`,
counts capped at :data:`PATTERN_CAP`); the groups merge the sources that differ only by pT (a primary
above or below the reconstruction cut is an "in-time track") and keep everything a detector could in
principle tell apart (edge fragments, loopers, delta rays, halo, out-of-time hits, noisy pixels, noise).
The Bayes-optimal rule for such a classifier predicts, for each pattern, the class most frequent among
training maps with that pattern (:func:`truth_ceiling`); its accuracy on test maps is the ceiling.  What
it still gets wrong is the physical ambiguity of the label: a window whose only cluster is an in-time
track is a *particle* window only as often as that track passes the pT cut (:func:`label_ambiguity`).

For cluster stamps (one stamp per cluster, labelled by its central cluster's source) the rule told the
source is right on every stamp; what remains is in the label itself, clusters that merge several particles
(:func:`stamp_ambiguity`).

A model that also reads the cluster's charge and shape can beat this figure: slow tracks below the cut
ionise more and bend more, which the ceiling is not told.  So it is a yardstick (how much of the
accuracy a model reaches is explained by recognising sources), not a strict upper bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.truth import (
    SRC_BELOW_PT_CUT,
    SRC_DELTA_RAY,
    SRC_EDGE_FRAGMENT,
    SRC_HALO,
    SRC_LOOPER,
    SRC_NOISE,
    SRC_NOISY_PIXEL,
    SRC_OUT_OF_TIME,
    SRC_PRIMARY,
    SRC_SPILL_OVER,
    ClusterTruth,
)
from fpgaflow.errors import DataError
from fpgaflow.metrics import roc_auc

Array = npt.NDArray[Any]

#: Source groups of a truth pattern: a classifier told the source but not the pT cannot separate the
#: sources within a group.
PATTERN_GROUPS: dict[str, tuple[int, ...]] = {
    "in_time_track": (SRC_PRIMARY, SRC_BELOW_PT_CUT),
    "edge": (SRC_EDGE_FRAGMENT, SRC_SPILL_OVER),
    "looper": (SRC_LOOPER,),
    "delta_ray": (SRC_DELTA_RAY,),
    "halo": (SRC_HALO,),
    "out_of_time": (SRC_OUT_OF_TIME,),
    "noisy_pixel": (SRC_NOISY_PIXEL,),
    "noise": (SRC_NOISE,),
}
#: Counts per group are capped here (more in-time tracks than this hardly changes the answer).
PATTERN_CAP = 12
#: A pattern's training estimate is used only when at least this many training maps have it; rarer patterns
#: fall back to a coarser pattern (otherwise a handful of maps would set the rule by chance).
MIN_SUPPORT = 20


def truth_patterns(truth: ClusterTruth, n_maps: int) -> Array:
    """Per map, the number of clusters of each :data:`PATTERN_GROUPS` group, capped: ``(n_maps, n_groups)``."""
    group_of_source = np.zeros(max(max(v) for v in PATTERN_GROUPS.values()) + 1, np.int64)
    for g, sources in enumerate(PATTERN_GROUPS.values()):
        group_of_source[list(sources)] = g
    counts = np.zeros((n_maps, len(PATTERN_GROUPS)), np.int64)
    np.add.at(counts, (truth.map_index, group_of_source[truth.source]), 1)
    return np.minimum(counts, PATTERN_CAP)


def _pattern_keys(patterns: Array, columns: list[int]) -> Array:
    """One integer per map encoding the capped counts of ``columns``."""
    key = np.zeros(patterns.shape[0], np.int64)
    for c in columns:
        key = key * (PATTERN_CAP + 1) + patterns[:, c]
    return key


def _rule(train_keys: Array, train_labels: Array, test_keys: Array) -> tuple[Array, Array]:
    """For each test key: the training P(particle | key), and whether at least :data:`MIN_SUPPORT`
    training maps have that key."""
    keys, inverse = np.unique(train_keys, return_inverse=True)
    n = np.bincount(inverse, minlength=keys.size)
    p = np.bincount(inverse, train_labels, minlength=keys.size) / n
    pos = np.clip(np.searchsorted(keys, test_keys), 0, keys.size - 1)
    found = (keys[pos] == test_keys) & (n[pos] >= MIN_SUPPORT)
    return np.where(found, p[pos], np.nan), found


@dataclass(frozen=True)
class Ceiling:
    """The truth ceiling on a test set: ``accuracy`` ± ``accuracy_error`` (binomial standard error),
    ``roc_auc`` of the rule's P(particle | pattern) as a score, ``n_train`` / ``n_test`` maps,
    ``n_patterns`` distinct patterns seen in training and ``unseen_fraction`` of test maps whose exact
    pattern has fewer than :data:`MIN_SUPPORT` training maps (they fall back to coarser patterns)."""

    accuracy: float
    accuracy_error: float
    roc_auc: float
    n_train: int
    n_test: int
    n_patterns: int
    unseen_fraction: float


def truth_ceiling(labels: Array, truth: ClusterTruth, train_index: Array, test_index: Array) -> Ceiling:
    """The Bayes-optimal source-aware, pT-blind classifier: estimated on ``train_index`` maps, applied to
    ``test_index`` maps of the same set (``labels`` and ``truth`` cover the whole set).

    Patterns with fewer than :data:`MIN_SUPPORT` training maps fall back to the pattern of in-time tracks
    and edge clusters only, then to the in-time track count, then to the training majority.
    """
    labels = np.asarray(labels).astype(np.int64)
    n_maps = labels.size
    if len(truth) and int(truth.map_index.max()) >= n_maps:
        raise DataError(f"truth refers to map {int(truth.map_index.max())} but there are {n_maps} labels")
    train_index = np.asarray(train_index, dtype=np.int64)
    test_index = np.asarray(test_index, dtype=np.int64)
    if train_index.size == 0 or test_index.size == 0:
        raise DataError("the truth ceiling needs training and test maps")
    patterns = truth_patterns(truth, n_maps)
    y_train, y_test = labels[train_index], labels[test_index]
    score = np.full(test_index.size, float(y_train.mean()))
    exact_seen = np.zeros(test_index.size, bool)
    n_patterns = 0
    all_columns = list(range(len(PATTERN_GROUPS)))
    for level, columns in enumerate(([0], [0, 1], all_columns)):  # coarse to fine: finer overrides
        keys = _pattern_keys(patterns, columns)
        p, found = _rule(keys[train_index], y_train, keys[test_index])
        score = np.where(found, p, score)
        if level == 2:
            exact_seen = found
            n_patterns = int(np.unique(keys[train_index]).size)
    predicted = score > 0.5
    acc = float(np.mean(predicted == y_test.astype(bool)))
    return Ceiling(
        accuracy=acc,
        accuracy_error=math.sqrt(acc * (1 - acc) / test_index.size),
        roc_auc=roc_auc(y_test, score),
        n_train=int(train_index.size),
        n_test=int(test_index.size),
        n_patterns=n_patterns,
        unseen_fraction=float(1 - exact_seen.mean()),
    )


@dataclass(frozen=True)
class Ambiguity:
    """How often maps of a given truth content are *particle*: ``one_track`` — maps whose clusters include
    exactly one in-time track and no edge cluster (``n_one_track`` of them); ``no_track`` — maps with no
    in-time track cluster (``n_no_track``); ``by_track_count`` — P(particle | k in-time track clusters) for
    k = 0, 1, 2, … (NaN where no map has k)."""

    one_track: float
    n_one_track: int
    no_track: float
    n_no_track: int
    by_track_count: tuple[float, ...]


def label_ambiguity(labels: Array, truth: ClusterTruth, max_tracks: int = 6) -> Ambiguity:
    """The label ambiguity left once every cluster's source is known (see :class:`Ambiguity`)."""
    labels = np.asarray(labels).astype(np.int64)
    patterns = truth_patterns(truth, labels.size)
    tracks, edge = patterns[:, 0], patterns[:, 1]
    one = (tracks == 1) & (edge == 0)
    none = tracks == 0

    def rate(mask: Array) -> float:
        return float(labels[mask].mean()) if mask.any() else math.nan

    return Ambiguity(
        one_track=rate(one),
        n_one_track=int(one.sum()),
        no_track=rate(none),
        n_no_track=int(none.sum()),
        by_track_count=tuple(rate(tracks == k) for k in range(max_tracks + 1)),
    )


@dataclass(frozen=True)
class StampAmbiguity:
    """What is ambiguous in a cluster stamp's label once its central cluster's source is known, over
    ``n_stamps`` stamps: ``merged`` — the fraction of clusters with ≥ 2 particles each giving ≥ 5 % of the
    charge; ``mixed`` — the fraction whose dominant particle gives < 75 % of the charge (the label names it);
    ``contained`` — the fraction of clusters whose extent fits the stamp (the rest are clipped)."""

    merged: float
    mixed: float
    contained: float
    n_stamps: int


def stamp_ambiguity(truth: ClusterTruth, stamp_shape: tuple[int, int]) -> StampAmbiguity:
    """:class:`StampAmbiguity` of stamps of ``stamp_shape`` (rows, cols) whose central clusters' truth is
    ``truth`` (one row per stamp)."""
    n = len(truth)
    if n == 0:
        return StampAmbiguity(math.nan, math.nan, math.nan, 0)
    rows, cols = stamp_shape
    return StampAmbiguity(
        merged=float(np.mean(truth.n_particles > 1)),
        mixed=float(np.mean(truth.charge_fraction < 0.75)),
        contained=float(np.mean((truth.size_rows <= rows) & (truth.size_cols <= cols))),
        n_stamps=n,
    )
