"""``fpgaflow active``: the driver.

1. The maps: the data config's split, made as ``fpgaflow run`` makes it; the pool is the training split (or
   ``pool_size`` maps of it), saved with the validation and test splits under ``OUT/data-<digest>/``.
2. One job per (augmentation, acquisition, seed) on the study's executors, cached in ``OUT/jobs/`` (a rerun
   resumes); each saves its last model in ``OUT/runs/<job id>/model.h5``.
3. The curves, the per-method tables and the labels-to-reach (:mod:`fpgaflow.active.report`).
4. The chosen model — the method with the best mean *validation* accuracy at the full budget, its seed with the
   best validation accuracy — converted with ``convert`` and estimated on its board (``OUT/chosen/``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.active.config import ActiveConfig
from fpgaflow.active.curves import curve_points, summarise
from fpgaflow.active.jobs import ActiveJob, run_active_job
from fpgaflow.active.report import write_report
from fpgaflow.config.strict import to_mapping
from fpgaflow.data import load_npz
from fpgaflow.errors import DataError
from fpgaflow.outdir import locked_output_dir
from fpgaflow.study.executors import run_cached
from fpgaflow.study.save_splits import save_splits
from fpgaflow_board import atomic
from fpgaflow_board.manifest import sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveResult:
    """The jobs' results, the target accuracy, the chosen run and (when estimated) its estimate lines."""

    results: list[dict[str, Any]]
    target: float
    chosen: str
    estimate: list[str]
    out_dir: Path


def write_active_data(cfg: ActiveConfig, out_dir: Path) -> Path:
    """Save the pool (training split, or ``pool_size`` maps of it), validation and test maps."""
    files = {"train": "pool", "val": "val", "test": "test"}
    data_dir = save_splits(cfg.data, out_dir, files, cfg.pool_size, 13, "active.pool_size")
    n_pool = len(load_npz(data_dir / "pool.npz"))
    if cfg.budget > n_pool:
        raise DataError(f"active.budget is {cfg.budget} but the pool holds only {n_pool} maps")
    return data_dir


def active_data_digest(data_dir: Path) -> str:
    """SHA-256 of the pool, validation and test maps (part of every job's digest)."""
    h = hashlib.sha256()
    for name in ("pool", "val", "test"):
        h.update(sha256(data_dir / f"{name}.npz").encode())
    return h.hexdigest()


def expand_jobs(cfg: ActiveConfig, data_dir: Path, runs_dir: Path) -> list[ActiveJob]:
    """Every (augmentation, acquisition, seed)."""
    schedule = tuple(cfg.schedule())
    data_digest = active_data_digest(data_dir)
    return [
        ActiveJob(
            a.label,
            a.augment,
            acq,
            seed,
            cfg.model,
            cfg.train,
            cfg.prune,
            schedule,
            cfg.warm_start,
            cfg.min_steps,
            str(data_dir),
            str(runs_dir),
            data_digest,
        )
        for a in cfg.augments
        for acq in cfg.acquisitions
        for seed in cfg.seeds
    ]


def choose(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run to deploy: best mean validation accuracy at the full budget over the method's seeds, then the
    method's seed with the best validation accuracy (test figures play no part in the choice)."""
    by_method: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for res in results:
        by_method.setdefault((res["augment"], res["acquisition"]), []).append(res)
    best = max(by_method.values(), key=lambda runs: float(np.mean([r["rounds"][-1]["val_accuracy"] for r in runs])))
    return max(best, key=lambda r: r["rounds"][-1]["val_accuracy"])


def estimate_chosen(cfg: ActiveConfig, chosen: dict[str, Any], data_dir: Path, out_dir: Path) -> list[str]:
    """Convert the chosen model (``cfg.convert``; C simulation not compiled) into ``OUT/chosen/hls`` and estimate
    its resources on the board into ``OUT/chosen/estimate``; the estimate's lines."""
    from fpgaflow.convert.convert_saved_model import convert_saved_model
    from fpgaflow.estimate.config import EstimateConfig
    from fpgaflow.estimate.write_estimate import write_estimate

    hls = out_dir / "chosen" / "hls"
    convert_saved_model(
        Path(chosen["model_file"]),
        cfg.convert,
        hls,
        calibration=data_dir / "pool.npz",
        csim=False,
    )
    est = write_estimate(hls, EstimateConfig(board=cfg.convert.board), out_dir / "chosen" / "estimate")
    return est.lines()


def run_active(
    cfg: ActiveConfig, out_dir: Path, progress: Callable[[dict[str, Any]], None] | None = None
) -> ActiveResult:
    """Run (or resume) every active-learning run into ``out_dir``; write curves, tables and the estimate
    (``out_dir`` is locked meanwhile: a second run into it refuses)."""
    with locked_output_dir(Path(out_dir), "active") as locked:
        return _run_active(cfg, locked, progress)


def _run_active(cfg: ActiveConfig, out_dir: Path, progress: Callable[[dict[str, Any]], None] | None) -> ActiveResult:
    t0 = time.perf_counter()
    atomic.write_json(out_dir / "active_config.json", to_mapping(cfg), allow_nan=False)
    data_dir = write_active_data(cfg, out_dir)
    jobs = expand_jobs(cfg, data_dir, out_dir / "runs")
    results = run_cached(
        run_active_job, jobs, cfg.executor, out_dir / "jobs", prefix="fpgaflow-active", progress=progress
    )
    control = (cfg.control_label, "random")
    target, summary = summarise(results, control)
    target_std = next(s.accuracy_std for s in summary if (s.augment, s.acquisition) == control)
    points = curve_points(results)
    chosen = choose(results)
    estimate: list[str] = []
    t_est = time.perf_counter()
    if cfg.estimate_chosen:
        estimate = estimate_chosen(cfg, chosen, data_dir, out_dir)
    t_est = time.perf_counter() - t_est
    cpu_hours = sum(r["cpu_seconds"] for r in results) / 3600
    n_pool, n_val, n_test = (len(load_npz(data_dir / f"{n}.npz")) for n in ("pool", "val", "test"))
    header = [
        f"Pool: {n_pool} unlabelled training maps; validation {n_val} and test {n_test} maps, never acquired or "
        f"augmented (data source {cfg.data.source}, {cfg.data.n_maps} maps, seed {cfg.data.seed}).",
        f"Rounds: {cfg.initial_labels} random maps, then {cfg.batch} per round up to {cfg.budget} "
        f"({len(cfg.schedule())} rounds); model {cfg.model.name} {list(cfg.model.conv_filters)} "
        f"({'QKeras' if cfg.model.quantized else 'float'}), {cfg.train.epochs} epochs per round (at least "
        f"{cfg.min_steps} steps of batch {cfg.train.batch_size} in all), "
        f"{'warm start' if cfg.warm_start else 'fresh start'} each round, pruning "
        f"{cfg.prune.target_sparsity if cfg.prune.enabled else 'off'}; seeds {list(cfg.seeds)}.",
    ]
    footer = [
        f"Chosen model (best mean validation accuracy at the full budget): {chosen['job_id']} "
        f"({chosen['model_file']}).",
        *(
            [f"Resource estimate of the chosen model ({cfg.convert.board}; final model only, {t_est:.0f} s):"]
            if estimate
            else []
        ),
        *(f"    {line}" for line in estimate),
        f"Cost: {cpu_hours:.3f} CPU-hours (process CPU time of the runs); this invocation "
        f"{time.perf_counter() - t0:.0f} s wall.",
    ]
    write_report(out_dir, results, points, (target, target_std), control, summary, header, footer)
    atomic.write_json(
        out_dir / "summary.json",
        {
            "target_accuracy": target,
            "target_std": target_std,
            "control": list(control),
            "chosen": chosen["job_id"],
            "chosen_model": chosen["model_file"],
            "estimate": estimate,
            "cpu_hours": cpu_hours,
            "methods": [to_mapping(s) for s in summary],
        },
        allow_nan=False,
    )
    return ActiveResult(results, target, chosen["job_id"], estimate, out_dir)
