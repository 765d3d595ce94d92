"""The rounds of one active-learning run: train on the labelled pool maps, evaluate, acquire, repeat to the
budget.

:func:`run_rounds` works with any :class:`Learner` (the tests use a numpy one); :class:`KerasLearner` trains
the run's QKeras model with :func:`fpgaflow.train.trainer.train_classifier` — only the labelled pool maps are
ever its training set (and so ever augmented); validation maps only monitor training and test maps are only
scored.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from fpgaflow.active.acquire import UNCERTAINTY, acquire
from fpgaflow.active.pool import LabelPool
from fpgaflow.augment.config import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.data import HitMapSet
from fpgaflow.errors import DataError
from fpgaflow.metrics.roc import accuracy, roc_auc
from fpgaflow.train.config import ModelConfig, TrainConfig

log = logging.getLogger(__name__)


class Learner(Protocol):
    """What the rounds need of a model: train on a labelled set, score maps, embed maps."""

    def fit(self, train: HitMapSet, round_: int) -> None: ...

    def scores(self, maps: np.ndarray) -> np.ndarray: ...

    def embed(self, maps: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class RoundRecord:
    """One round: labelled maps during it, test accuracy (cut 0.5) and ROC AUC, validation accuracy, the
    seconds its training and acquisition took, and the pool positions it acquired (for the next round)."""

    round: int
    n_labelled: int
    test_accuracy: float
    test_roc_auc: float | None
    val_accuracy: float
    train_seconds: float
    acquire_seconds: float
    acquired: tuple[int, ...]


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC, ``None`` when the test maps hold one class only (it is undefined then)."""
    return roc_auc(labels, scores) if 0 < int(np.sum(labels)) < labels.size else None


def initial_labels(n_pool: int, n: int, seed: int) -> np.ndarray:
    """Round 0's ``n`` random pool positions (stream ``[seed, 1]``: the same for every method at one seed)."""
    return np.random.default_rng([seed, 1]).choice(n_pool, size=n, replace=False)


def run_rounds(
    pool: HitMapSet,
    val: HitMapSet,
    test: HitMapSet,
    learner: Learner,
    schedule: list[int],
    method: str,
    seed: int,
) -> tuple[LabelPool, list[RoundRecord]]:
    """Label ``schedule[0]`` random pool maps (stream ``[seed, 1]``: the same for every method at one seed),
    then per round: fit, evaluate on ``val``/``test``, and acquire up to the next ``schedule`` entry with
    ``method`` (its random draws: stream ``[seed, 2]``)."""
    if schedule != sorted(schedule) or len(set(schedule)) != len(schedule):
        raise DataError(f"the labelling schedule must increase strictly, got {schedule}")
    labels = LabelPool(len(pool), initial_labels(len(pool), schedule[0], seed), schedule[-1])
    rng = np.random.default_rng([seed, 2])
    records = []
    for r, target in enumerate(schedule):
        if labels.n_labelled != target:
            raise DataError(f"round {r}: {labels.n_labelled} maps labelled, the schedule says {target}")
        t0 = time.perf_counter()
        learner.fit(pool.subset(np.sort(labels.labelled)), r)
        t1 = time.perf_counter()
        test_scores = learner.scores(test.maps)
        picks: np.ndarray = np.empty(0, dtype=np.int64)
        if r + 1 < len(schedule):
            k = schedule[r + 1] - target
            mask = labels.labelled_mask
            scores = learner.scores(pool.maps) if method in UNCERTAINTY else None
            embeds = learner.embed(pool.maps) if method == "coreset" else None
            picks = acquire(method, k, mask, rng, scores=scores, embeddings=embeds)
        t2 = time.perf_counter()
        records.append(
            RoundRecord(
                r,
                labels.n_labelled,
                accuracy(test.labels, test_scores),
                _auc(test.labels, test_scores),
                accuracy(val.labels, learner.scores(val.maps)),
                t1 - t0,
                t2 - t1,
                tuple(int(i) for i in picks),
            )
        )
        log.info(
            "active %s seed %d round %d: %d labelled, test accuracy %.4f",
            method,
            seed,
            r,
            labels.n_labelled,
            records[-1].test_accuracy,
        )
        if picks.size:
            labels.acquire(picks)
    return labels, records


#: Validation maps Keras evaluates after every epoch (monitoring only; the rounds score the whole split).
MONITOR_MAPS = 256


def round_repeats(n_labelled: int, batch_size: int, epochs: int, min_steps: int) -> int:
    """How often a round's epoch passes over the labelled maps: 1, or more when ``epochs`` passes would take fewer
    than ``min_steps`` optimizer steps (a round on 10 labelled maps still gets ``min_steps`` updates, in
    ``epochs`` Keras epochs rather than hundreds of one-step ones; each repeat is augmented afresh)."""
    repeats = 1
    while epochs * math.ceil(repeats * n_labelled / batch_size) < min_steps:
        repeats += 1
    return repeats


class KerasLearner:
    """The run's (QKeras) model, trained each round by ``train_classifier``: from the previous round's weights
    when ``warm_start``, else from the same seeded initialisation (``train.seed``) every round; the labelled
    maps repeated per :func:`round_repeats`; augmentation seeded per (seed, round).  Keras monitors the first
    :data:`MONITOR_MAPS` validation maps."""

    def __init__(
        self,
        val: HitMapSet,
        model: ModelConfig,
        train: TrainConfig,
        prune: PruneConfig,
        augment: AugmentConfig,
        warm_start: bool,
        min_steps: int = 0,
    ) -> None:
        self.monitor = val.subset(np.arange(min(len(val), MONITOR_MAPS)))
        self.model_cfg = model
        self.train_cfg = train
        self.prune_cfg = prune
        self.augment_cfg = augment
        self.warm_start = warm_start
        self.min_steps = min_steps
        self.model: Any = None
        self.history: list[dict[str, list[float]]] = []

    def fit(self, train: HitMapSet, round_: int) -> None:
        from fpgaflow.train.trainer import train_classifier

        augment = dataclasses.replace(self.augment_cfg, seed=self.augment_cfg.seed * 1000 + round_)
        repeats = round_repeats(len(train), self.train_cfg.batch_size, self.train_cfg.epochs, self.min_steps)
        if repeats > 1:
            train = train.subset(np.tile(np.arange(len(train)), repeats))
        result = train_classifier(
            train,
            self.monitor,
            self.model_cfg,
            self.train_cfg,
            self.prune_cfg,
            augment,
            warm_start=self.model if self.warm_start else None,
        )
        self.model = result.model
        self.history.append(result.history)

    def scores(self, maps: np.ndarray) -> np.ndarray:
        from fpgaflow.train.trainer import predict_scores

        return predict_scores(self.model, maps, self.model_cfg.input_scale)

    def embed(self, maps: np.ndarray) -> np.ndarray:
        from fpgaflow.active.embed import embeddings

        return embeddings(self.model, maps, self.model_cfg.input_scale)
