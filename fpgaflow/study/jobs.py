"""The jobs of a study: one training run each, a pure function of its (picklable) description.

A job loads the study's training/validation maps from the study directory (written once by the driver),
applies its class-imbalance treatment or bagging sample, trains, and returns plain numbers — final
training and validation accuracy, validation AUC/rejection, the cost proxy — plus the validation (and
un-augmented training) scores the ensembles average.  Jobs run the same in this process, in a process
pool, or on a dask worker.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.augment.config import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.data import HitMapSet, load_npz
from fpgaflow.study.config import ImbalanceVariant
from fpgaflow.train.config import ModelConfig, TrainConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudyJob:
    """One training run of the grid.  ``bag`` ≥ 0 marks a bagging member (trained on bootstrap sample
    ``bag``) of ensemble ``ensemble``.  ``data_digest``: SHA-256 of the study's train/val maps, so a cached
    result is never reused for other maps."""

    strategy: str
    model_label: str
    batch_size: int
    seed: int
    imbalance: ImbalanceVariant
    augment: AugmentConfig
    model: ModelConfig
    train: TrainConfig
    prune: PruneConfig
    data_dir: str
    ensemble: str = ""
    bag: int = -1
    data_digest: str = ""

    @property
    def job_id(self) -> str:
        """File-name-safe, unique within a study."""
        parts = [self.strategy, self.model_label, f"b{self.batch_size}", f"s{self.seed}", self.imbalance.label]
        if self.bag >= 0:
            parts += [self.ensemble, f"bag{self.bag}"]
        raw = "__".join(parts)
        return "".join(c if c.isalnum() or c in "-_." else "-" for c in raw)

    @property
    def digest(self) -> str:
        """Hash of everything that determines the job's result (a cached result must match it)."""
        import hashlib
        import json

        from fpgaflow.config.strict import to_mapping

        payload = json.dumps(to_mapping(self), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def subsample_to_fraction(data: HitMapSet, fraction: float, rng: np.random.Generator) -> HitMapSet:
    """Drop maps of the over-represented class so that ``fraction`` of the result are particle maps."""
    sig = np.flatnonzero(data.labels == 1)
    bkg = np.flatnonzero(data.labels == 0)
    want_sig = round(fraction / (1 - fraction) * bkg.size)
    if want_sig <= sig.size:
        keep_sig, keep_bkg = rng.choice(sig, size=max(1, want_sig), replace=False), bkg
    else:
        want_bkg = max(1, round((1 - fraction) / fraction * sig.size))
        keep_sig, keep_bkg = sig, rng.choice(bkg, size=min(bkg.size, want_bkg), replace=False)
    return data.subset(np.sort(np.concatenate([keep_sig, keep_bkg])))


def balanced_bootstrap(data: HitMapSet, rng: np.random.Generator) -> HitMapSet:
    """A bagging sample: every class drawn with replacement to the size of the smallest class."""
    classes = np.unique(data.labels)
    n = min(int(np.sum(data.labels == c)) for c in classes)
    parts = [rng.choice(np.flatnonzero(data.labels == c), size=n, replace=True) for c in classes]
    return data.subset(np.sort(np.concatenate(parts)))


def job_training_set(job: StudyJob, train: HitMapSet) -> HitMapSet:
    """The training maps this job sees (imbalance sub-sampling, then the bagging sample)."""
    if job.imbalance.particle_fraction > 0:
        train = subsample_to_fraction(train, job.imbalance.particle_fraction, np.random.default_rng([job.seed, 101]))
    if job.bag >= 0:
        train = balanced_bootstrap(train, np.random.default_rng([job.seed, 202, job.bag]))
    return train


def run_job(job: StudyJob) -> dict[str, Any]:
    """Train one variant; return its figures (JSON-safe) and its scores (lists of floats)."""
    from fpgaflow.metrics.roc import evaluate
    from fpgaflow.train.cost import model_cost
    from fpgaflow.train.trainer import predict_scores, train_classifier

    t0, cpu0 = time.perf_counter(), time.process_time()
    data_dir = Path(job.data_dir)
    full_train, val = load_npz(data_dir / "train.npz"), load_npz(data_dir / "val.npz")
    train = job_training_set(job, full_train)
    augment = dataclasses.replace(
        job.augment,
        seed=job.seed,
        class_weighting=job.imbalance.class_weighting,
        balance_threshold=job.imbalance.balance_threshold,
    )
    train_cfg = dataclasses.replace(job.train, batch_size=job.batch_size, seed=job.seed)
    result = train_classifier(train, val, job.model, train_cfg, job.prune, augment)
    val_scores = predict_scores(result.model, val.maps, job.model.input_scale)
    train_scores = predict_scores(result.model, full_train.maps, job.model.input_scale)
    metrics = evaluate(val.labels, val_scores).to_dict()
    log.info("study job %s: val acc %.4f", job.job_id, metrics["accuracy"])
    return {
        "job_id": job.job_id,
        "digest": job.digest,
        "strategy": job.strategy,
        "model": job.model_label,
        "batch_size": job.batch_size,
        "seed": job.seed,
        "imbalance": job.imbalance.label,
        "ensemble": job.ensemble,
        "bag": job.bag,
        "n_train": len(train),
        "epochs_run": result.epochs_run,
        "train_accuracy": result.history["accuracy"][-1],
        "val_accuracy": result.history["val_accuracy"][-1],
        "val_roc_auc": metrics["roc_auc"],
        "val_rejection": metrics["background_rejection"],
        "sparsity": result.sparsity,
        "cost": model_cost(result.model).to_dict(),
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - cpu0,
        "val_scores": val_scores.tolist(),
        "train_scores": train_scores.tolist(),
    }
