"""One active-learning run (augmentation × acquisition × seed) as a picklable job for the study's executors.

The job reads the pool, validation and test maps the driver saved, runs the rounds with the run's QKeras
model, saves the last round's model (``OUT/runs/<job id>/model.h5``) and returns plain numbers: every round's
labelled count, test accuracy and ROC AUC, validation accuracy, and the order in which pool maps were labelled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow.active.loop import KerasLearner, run_rounds
from fpgaflow.augment.config import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import to_mapping
from fpgaflow.data import load_npz
from fpgaflow.modelio import save_model
from fpgaflow.train.config import ModelConfig, TrainConfig


@dataclass(frozen=True)
class ActiveJob:
    """Everything one run depends on; ``data_dir`` holds ``pool.npz``, ``val.npz`` and ``test.npz``, whose
    SHA-256 is ``data_digest`` (so a cached result is never reused for other maps)."""

    augment_label: str
    augment: AugmentConfig
    acquisition: str
    seed: int
    model: ModelConfig
    train: TrainConfig
    prune: PruneConfig
    schedule: tuple[int, ...]
    warm_start: bool
    min_steps: int
    data_dir: str
    runs_dir: str
    data_digest: str = ""

    @property
    def job_id(self) -> str:
        raw = f"{self.augment_label}__{self.acquisition}__s{self.seed}"
        return "".join(c if c.isalnum() or c in "-_." else "-" for c in raw)

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(to_mapping(self), sort_keys=True).encode()).hexdigest()[:16]


def run_active_job(job: ActiveJob) -> dict[str, Any]:
    """Run the rounds of ``job``; return its per-round figures (JSON-safe) and where its model is."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    data_dir = Path(job.data_dir)
    pool, val, test = (load_npz(data_dir / f"{name}.npz") for name in ("pool", "val", "test"))
    learner = KerasLearner(
        val,
        job.model,
        dataclasses.replace(job.train, seed=job.seed),
        job.prune,
        dataclasses.replace(job.augment, seed=job.seed),
        job.warm_start,
        job.min_steps,
    )
    labels, records = run_rounds(pool, val, test, learner, list(job.schedule), job.acquisition, job.seed)
    model_file = save_model(learner.model, Path(job.runs_dir) / job.job_id / "model.h5", job.model.input_scale)
    return {
        "job_id": job.job_id,
        "augment": job.augment_label,
        "acquisition": job.acquisition,
        "seed": job.seed,
        "rounds": [dataclasses.asdict(r) for r in records],
        "labelled": labels.labelled.tolist(),
        "model_file": str(model_file),
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - cpu0,
    }
