"""The density-matching search (after Fast AutoAugment): train once per fold, score sub-policies by the trained
model's loss on the augmented held-out fold, keep the lowest-loss ones (see
:class:`~fpgaflow.study.search.config.DensitySearch` for the method and what differs from the paper).

The scoring itself is pure numpy around a ``predict(maps) -> particle scores`` callable, so it is tested
without TensorFlow; :func:`run_fold_job` is the job the executors run (it trains the fold's model).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.config import AugmentConfig
from fpgaflow.augment.policies import PolicyFile, PolicyOp, SubPolicyAugment
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import to_mapping
from fpgaflow.data import load_npz
from fpgaflow.data.hitmaps import IndexArray, MapArray
from fpgaflow.errors import DataError
from fpgaflow.train.config import ModelConfig, TrainConfig

log = logging.getLogger(__name__)

SubPolicy = tuple[PolicyOp, ...]
Predict = Callable[[MapArray], npt.NDArray[np.floating[Any]]]

#: Scores are clipped to [EPS, 1 - EPS] before the logarithm (a saturated sigmoid gives exactly 0 or 1).
EPS = 1e-7


def sample_sub_policies(
    n: int,
    ops: Sequence[str],
    depth: int,
    probability_range: tuple[float, float],
    magnitude_range: tuple[int, int],
    rng: np.random.Generator,
) -> list[SubPolicy]:
    """``n`` distinct random sub-policies of ``depth`` ops each (ops drawn with repetition, probabilities on
    the 0.1 grid inside ``probability_range``, integer magnitudes inside ``magnitude_range``).  Fewer than
    ``n`` come back only when the space holds fewer distinct sub-policies."""
    lo, hi = probability_range
    levels = [round(p / 10, 1) for p in range(11) if lo - 1e-9 <= p / 10 <= hi + 1e-9] or [round(hi, 1)]
    mlo, mhi = magnitude_range
    seen: dict[SubPolicy, None] = {}
    for _ in range(50 * n):
        if len(seen) == n:
            break
        sub = tuple(
            PolicyOp(
                ops[int(rng.integers(len(ops)))],
                levels[int(rng.integers(len(levels)))],
                int(rng.integers(mlo, mhi + 1)),
            )
            for _ in range(depth)
        )
        seen.setdefault(sub)
    return list(seen)


def assign_folds(labels: npt.NDArray[np.integer[Any]], folds: int, rng: np.random.Generator) -> IndexArray:
    """The fold (0..K-1) of every map: each class shuffled and dealt round-robin (each class continuing where
    the previous one stopped), so folds are stratified and differ in size by at most one map."""
    if labels.size < folds:
        raise DataError(f"{labels.size} maps cannot be split into {folds} folds")
    out = np.empty(labels.size, dtype=np.int64)
    start = 0
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        out[idx] = (start + np.arange(idx.size)) % folds
        start += idx.size
    return out


def cross_entropy(labels: npt.NDArray[Any], scores: npt.NDArray[np.floating[Any]]) -> float:
    """Mean binary cross-entropy (nats per map) of particle ``scores`` against 0/1 ``labels``."""
    p = np.clip(np.asarray(scores, dtype=np.float64).reshape(-1), EPS, 1.0 - EPS)
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def score_sub_policies(
    predict: Predict,
    maps: MapArray,
    labels: npt.NDArray[Any],
    candidates: Sequence[SubPolicy],
    repeats: int,
    seed: int,
) -> npt.NDArray[np.float64]:
    """Loss of ``predict`` on the maps augmented by each candidate (every map gets the sub-policy, each op
    firing with its probability), averaged over ``repeats`` draws seeded by ``(seed, candidate, repeat)``."""
    losses = np.empty(len(candidates), dtype=np.float64)
    for i, sub in enumerate(candidates):
        augment = SubPolicyAugment(PolicyFile((sub,)))
        draws = [
            cross_entropy(labels, predict(augment(maps, np.random.default_rng([seed, i, r])))) for r in range(repeats)
        ]
        losses[i] = float(np.mean(draws))
    return losses


@dataclass(frozen=True)
class Selected:
    """A kept sub-policy: its mean loss over the folds and the folds whose top ``keep`` it was in."""

    sub_policy: SubPolicy
    mean_loss: float
    folds: tuple[int, ...]


def select_sub_policies(
    candidates: Sequence[SubPolicy], fold_losses: Sequence[npt.NDArray[np.float64]], keep: int
) -> list[Selected]:
    """The union of every fold's ``keep`` lowest-loss candidates, ordered by their mean loss over the folds."""
    table = np.vstack(fold_losses)
    mean = table.mean(axis=0)
    picked: dict[int, list[int]] = {}
    for k, losses in enumerate(table):
        for i in np.argsort(losses, kind="stable")[:keep]:
            picked.setdefault(int(i), []).append(k)
    order = sorted(picked, key=lambda i: (mean[i], i))
    return [Selected(candidates[i], float(mean[i]), tuple(picked[i])) for i in order]


@dataclass(frozen=True)
class FoldJob:
    """Train on every fold but ``fold`` (no augmentation), score ``candidates`` on fold ``fold``."""

    fold: int
    folds: int
    data_dir: str
    model: ModelConfig
    train: TrainConfig
    prune: PruneConfig
    candidates: tuple[SubPolicy, ...]
    repeats: int
    seed: int

    @property
    def job_id(self) -> str:
        return f"fold{self.fold}"

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(to_mapping(self), sort_keys=True).encode()).hexdigest()[:16]


def run_fold_job(job: FoldJob) -> dict[str, Any]:
    """Train the fold's model once and return every candidate's loss on the augmented held-out fold."""
    from fpgaflow.train.trainer import predict_scores, train_classifier

    t0, cpu0 = time.perf_counter(), time.process_time()
    maps = load_npz(Path(job.data_dir) / "train.npz")
    fold_of = assign_folds(maps.labels, job.folds, np.random.default_rng([job.seed, 7]))
    d_m, d_a = maps.subset(np.flatnonzero(fold_of != job.fold)), maps.subset(np.flatnonzero(fold_of == job.fold))
    # D_A doubles as Keras' validation data: it is only evaluated, never augmented by the trainer.
    result = train_classifier(d_m, d_a, job.model, job.train, job.prune, AugmentConfig(strategy="none"))

    def predict(x: MapArray) -> npt.NDArray[np.float64]:
        return predict_scores(result.model, x, job.model.input_scale)

    clean = cross_entropy(d_a.labels, predict(d_a.maps))
    losses = score_sub_policies(predict, d_a.maps, d_a.labels, job.candidates, job.repeats, job.seed)
    log.info("density fold %d: clean loss %.4f, candidates %.4f .. %.4f", job.fold, clean, losses.min(), losses.max())
    return {
        "job_id": job.job_id,
        "fold": job.fold,
        "n_model_maps": len(d_m),
        "n_held_out_maps": len(d_a),
        "clean_loss": clean,
        "losses": losses.tolist(),
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - cpu0,
    }
