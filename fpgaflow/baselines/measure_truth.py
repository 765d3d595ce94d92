"""Measure what the simulation truth of a run's maps says about its task: the truth ceiling and the label
ambiguity (:mod:`fpgaflow.baselines.ceiling`), and the per-cluster labels that train the two-stage baseline's
``truth`` member.

A run keeps the simulator's per-cluster truth beside its simulated window maps (``data/*.npz``, arrays
``clusters/*``); the readout never sees it.  :func:`cluster_labels` is 1 for a cluster whose dominant source
is an in-time primary track that the map label counts (``primary``: pT ≥ the reconstruction cut, at least
``min_charge_fraction`` of its charge inside the window), 0 otherwise.  :func:`measure_truth` gives the
figures a run reports, JSON-safe (NaN → ``None``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.baselines.ceiling import label_ambiguity, stamp_ambiguity, truth_ceiling
from fpgaflow.baselines.features import Array, cluster_maps
from fpgaflow.data.hitmaps import HitMapSet, load_npz
from fpgaflow.data.truth import SRC_PRIMARY, ClusterTruth, load_truth
from fpgaflow.errors import DataError


def cluster_labels(truth: ClusterTruth) -> Array:
    """Per-cluster truth labels in table order (1 = a cluster of a track the map label counts)."""
    labels: Array = (truth.source == SRC_PRIMARY).astype(np.int64)
    return labels


def load_with_truth(path: Path) -> HitMapSet:
    """The maps of the npz file ``path`` with the cluster truth saved beside them, if the file holds any."""
    maps = load_npz(path)
    with np.load(path) as z:
        has_truth = any(k.startswith("clusters/") for k in z.files)
    return replace(maps, truth=load_truth(path)) if has_truth else maps


def aligned_cluster_labels(data: HitMapSet) -> Array | None:
    """:func:`cluster_labels` of ``data``'s truth when its rows are the clusters the baselines find on the maps
    (the same count in every map: the truth is taken before any rebinning, so rebinned maps do not qualify);
    ``None`` without truth or when they differ."""
    if data.truth is None:
        return None
    found = np.bincount(cluster_maps(data.maps).map_index, minlength=len(data))
    told = np.bincount(data.truth.map_index, minlength=len(data))
    return cluster_labels(data.truth) if np.array_equal(found, told) else None


def measure_truth(train: HitMapSet, test: HitMapSet, stamp_shape: tuple[int, int] | None = None) -> dict[str, Any]:
    """The truth ceiling learnt on ``train`` and measured on ``test`` (a classifier told every cluster's
    source but not its pT), and the label ambiguity over both sets.  Both sets must carry truth.

    Keys: ``ceiling`` — ``accuracy``, ``accuracy_error`` (binomial standard error), ``roc_auc``, ``n_train``,
    ``n_test``, ``n_patterns``, ``unseen_fraction``; for window maps ``ambiguity`` — ``one_track`` (how often a
    map holding exactly one in-time track cluster is a particle map), ``n_one_track``, ``no_track``,
    ``n_no_track``, ``by_track_count`` (P(particle | k in-time track clusters), k = 0…6); for cluster stamps
    (``stamp_shape`` = their rows, cols; the truth holds each stamp's central cluster) ``stamp_ambiguity`` —
    ``merged``, ``mixed``, ``contained``, ``n_stamps`` (:class:`~fpgaflow.baselines.ceiling.StampAmbiguity`).
    """
    if train.truth is None or test.truth is None:
        raise DataError("the truth ceiling needs per-cluster truth in the training and the test maps")
    truth = ClusterTruth.concatenate([train.truth, test.truth], [len(train), len(test)])
    labels = np.concatenate([train.labels, test.labels])
    n_train = len(train)
    ceiling = truth_ceiling(labels, truth, np.arange(n_train), np.arange(n_train, labels.size))
    if stamp_shape is not None:
        stamps = stamp_ambiguity(truth, stamp_shape)
        return {"ceiling": _json_safe(asdict(ceiling)), "stamp_ambiguity": _json_safe(asdict(stamps))}
    ambiguity = label_ambiguity(labels, truth)
    return {"ceiling": _json_safe(asdict(ceiling)), "ambiguity": _json_safe(asdict(ambiguity))}


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def truth_sentence(figures: dict[str, Any]) -> str:
    """The truth figures of :func:`measure_truth` in one Markdown paragraph (report.md,
    model_vs_baselines.md)."""
    c = figures["ceiling"]
    if "stamp_ambiguity" in figures:
        s = figures["stamp_ambiguity"]
        return (
            f"**Truth ceiling** (a filter told every stamp's true source, learnt on the {c['n_train']} training "
            f"stamps): {100 * c['accuracy']:.1f} ± {100 * c['accuracy_error']:.1f} % on the {c['n_test']} test "
            f"stamps, ROC AUC {c['roc_auc']:.3f}.  Label ambiguity left once the sources are known (over "
            f"{s['n_stamps']} stamps): {100 * s['merged']:.1f} % of the clusters merge ≥ 2 particles (≥ 5 % of the "
            f"charge each), in {100 * s['mixed']:.1f} % the particle the label names gives < 75 % of the charge; "
            f"{100 * s['contained']:.1f} % of the clusters fit the stamp whole."
        )
    a = figures["ambiguity"]
    one = (
        f"a map holding exactly one in-time track cluster is a particle map {100 * a['one_track']:.0f} % of "
        f"the time ({a['n_one_track']} maps)"
        if a["one_track"] is not None
        else "no map holds exactly one in-time track cluster"
    )
    return (
        f"**Truth ceiling** (a classifier told every cluster's true source but not its pT, learnt on the "
        f"{c['n_train']} training maps): {100 * c['accuracy']:.1f} ± {100 * c['accuracy_error']:.1f} % on the "
        f"{c['n_test']} test maps, ROC AUC {c['roc_auc']:.3f}.  Label ambiguity left once the sources are "
        f"known: {one}.  The ceiling is a yardstick, not a bound: charge and shape carry pT."
    )
