"""Soft training targets from a cluster-tree teacher (knowledge distillation, ``train.distill_weight``).

The two-stage cluster tree (:class:`fpgaflow.baselines.two_stage.TwoStage`: a boosted tree scores every cluster
from its 14 features — charge, size along r-φ and z, shape — then a second tree combines the scores per map)
reads each cluster's pT signature that the map label alone teaches a small CNN slowly.  Distillation hands the
CNN that knowledge through its targets: each training map's target becomes ``(1 − w) · label + w · p``, with
``p`` the teacher's particle probability for that map **out of fold** (the teacher never scores a map it was
fitted on, so ``p`` carries no memorised label), ``w`` = ``train.distill_weight``.  With ``w < ½`` the rounded
target is the label itself, so the training accuracy still counts the true labels.  Validation and test maps keep
their labels; the deployed network is unchanged (the teacher only shapes its training).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.baselines.sample import prepare
from fpgaflow.baselines.two_stage import ClusterStage, TwoStage
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.errors import DataError
from fpgaflow.train.config import TrainConfig

log = logging.getLogger(__name__)

#: Folds of the teacher's cross-fitting, ``train.distill_folds``' default (one owner: the config): each map is
#: scored by a teacher fitted on the other folds, 80 % of the maps at 5.
TEACHER_FOLDS = TrainConfig.distill_folds


def teacher_scores(train_set: HitMapSet, folds: int = TEACHER_FOLDS, seed: int = 0) -> npt.NDArray[np.float32]:
    """Out-of-fold particle probability of every training map from the two-stage cluster tree (stage-1 labels
    inherited from the maps, learned stage-2 combiner), fitted on the other ``folds − 1`` folds of the maps."""
    if folds < 2:
        raise DataError(f"distillation's teacher needs at least 2 folds, got {folds}")
    if len(train_set) < 2 * folds:
        raise DataError(f"distillation's teacher needs at least {2 * folds} training maps, got {len(train_set)}")
    sample = prepare(train_set.maps, train_set.labels, positions=train_set.positions)
    fold = np.random.default_rng([seed, 7]).permutation(sample.n_maps) % folds
    out = np.zeros(sample.n_maps, np.float32)
    for k in range(folds):
        fit_on, score_on = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        if len(np.unique(sample.labels[fit_on])) < 2:
            raise DataError(f"distillation's teacher: fold {k} leaves one class only to fit on")
        teacher = TwoStage(ClusterStage("inherited", seed=seed + k), "learned", seed=seed + k)
        teacher.fit(sample.subset(fit_on))
        out[score_on] = teacher.score(sample.subset(score_on))
    correct = float(np.mean((out > 0.5) == (sample.labels == 1)))
    log.info("distillation: two-stage teacher, out-of-fold accuracy %.4f on %d training maps", correct, len(out))
    return out


def soft_targets(labels: npt.NDArray[Any], teacher: npt.NDArray[Any], weight: float) -> npt.NDArray[np.float32]:
    """``(1 − weight) · labels + weight · teacher`` as float32 (``weight`` in [0, ½): the rounded target is the
    label)."""
    if not 0.0 <= weight < 0.5:
        raise DataError(f"distillation weight must be in [0, 0.5), got {weight}")
    y = np.asarray(labels, np.float32)
    p = np.asarray(teacher, np.float32)
    if p.shape != y.shape:
        raise DataError(f"{p.size} teacher scores for {y.size} labels")
    return ((1.0 - weight) * y + weight * p).astype(np.float32)
