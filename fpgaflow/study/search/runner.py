"""``fpgaflow augment search``: the driver.

1. The maps: the data config's training split (``train_maps`` of it, drawn with a seed) and validation split,
   saved once under ``OUT/data-<digest>/`` (the digest of the data settings: changed settings get new files).
2. The density search: one job per fold (train once, score every candidate sub-policy on the augmented
   held-out fold); the kept sub-policies are the searched policy (``OUT/searched_policy.yaml``).
3. The evaluation: every candidate × seed is a study job (:func:`fpgaflow.study.jobs.run_job`: train on the
   search's maps, score on the never-augmented validation split).
4. The ranked table (``OUT/ranking.{md,csv}``), the best augmenting policy as a policy file
   (``OUT/best_policy.yaml``, loadable with ``augment.policy: file``) and the cost (``OUT/summary.json``).

Jobs run on the study's executors and are cached in ``OUT/density/jobs`` and ``OUT/evaluate/jobs``: a rerun
resumes where an interrupted search stopped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.augment.policies import PolicyFile, PolicyOp
from fpgaflow.augment.registry import DEFAULT_POLICY_OPS
from fpgaflow.augment.write_policy import policy_yaml, write_policy
from fpgaflow.config.strict import to_mapping
from fpgaflow.data import load_npz
from fpgaflow.outdir import locked_output_dir
from fpgaflow.study.config import ModelVariant, StudyConfig
from fpgaflow.study.executors import run_cached
from fpgaflow.study.jobs import run_job
from fpgaflow.study.runner import expand_grid, study_data_digest
from fpgaflow.study.save_splits import save_splits
from fpgaflow.study.search.candidates import Candidate, make_candidates
from fpgaflow.study.search.config import SearchConfig
from fpgaflow.study.search.density import FoldJob, Selected, run_fold_job, sample_sub_policies, select_sub_policies
from fpgaflow.study.search.rank import RankRow, rank_candidates, ranking_csv, ranking_markdown
from fpgaflow_board import atomic

log = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class SearchResult:
    """The ranked rows, the best augmenting candidate and its policy file, and the search's cost."""

    rows: list[RankRow]
    best: str
    best_policy: Path | None
    cpu_hours: float
    out_dir: Path


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(to_mapping(payload), sort_keys=True).encode()).hexdigest()[:12]


def write_search_data(cfg: SearchConfig, out_dir: Path) -> Path:
    """Save the search's training maps (``train_maps`` of the training split) and the validation split."""
    return save_splits(cfg.data, out_dir, {"train": "train", "val": "val"}, cfg.train_maps, 11, "search.train_maps")


def _sub_policy_text(sub: tuple[PolicyOp, ...]) -> str:
    return " → ".join(f"{s.op}(p={s.probability:.1f}, M={s.magnitude})" for s in sub)


def _density_csv(
    candidates: list[tuple[PolicyOp, ...]], fold_results: list[dict[str, Any]], kept: list[Selected]
) -> str:
    kept_rank = {s.sub_policy: k + 1 for k, s in enumerate(kept)}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["sub_policy", *[f"loss_fold{r['fold']}" for r in fold_results], "mean_loss", "kept_rank"])
    for i, sub in enumerate(candidates):
        losses = [r["losses"][i] for r in fold_results]
        writer.writerow([_sub_policy_text(sub), *losses, float(np.mean(losses)), kept_rank.get(sub, "")])
    return buf.getvalue()


def run_density_search(
    cfg: SearchConfig, ops: tuple[str, ...], data_dir: Path, out_dir: Path, progress: Progress | None
) -> tuple[PolicyFile, list[dict[str, Any]]]:
    """Phase 2: the fold jobs and the searched policy (also written to ``OUT/searched_policy.yaml``)."""
    d = cfg.density
    rng = np.random.default_rng([d.seed, 3])
    candidates = sample_sub_policies(
        d.candidates, ops, d.ops_per_sub_policy, d.probability_range, d.magnitude_range, rng
    )
    jobs = [
        FoldJob(k, d.folds, str(data_dir), cfg.model, cfg.train, cfg.prune, tuple(candidates), d.repeats, d.seed)
        for k in range(d.folds)
    ]
    results = run_cached(
        run_fold_job, jobs, cfg.executor, out_dir / "density" / "jobs", prefix="fpgaflow-search-fold", progress=progress
    )
    kept = select_sub_policies(candidates, [np.asarray(r["losses"]) for r in results], d.keep)
    atomic.write_text(out_dir / "density" / "candidates.csv", _density_csv(candidates, results, kept))
    policy = PolicyFile(tuple(s.sub_policy for s in kept))
    clean = ", ".join(f"fold {r['fold']}: {r['clean_loss']:.4f}" for r in results)
    header = (
        f"Searched by fpgaflow augment search (density matching, K={d.folds} folds, B={len(candidates)} "
        f"candidates, top {d.keep} per fold).\nLoss of the fold models on their un-augmented held-out fold: {clean}."
    )
    write_policy(out_dir / "searched_policy.yaml", policy, header)
    return policy, results


def search_policies(cfg: SearchConfig, out_dir: Path, progress: Progress | None = None) -> SearchResult:
    """Run (or resume) the search into ``out_dir``; write the ranking, the best policy file and the cost
    (``out_dir`` is locked meanwhile: a second search into it refuses)."""
    with locked_output_dir(Path(out_dir), "search") as locked:
        return _search_policies(cfg, locked, progress)


def _search_policies(cfg: SearchConfig, out_dir: Path, progress: Progress | None) -> SearchResult:
    t0 = time.perf_counter()
    atomic.write_json(out_dir / "search_config.json", to_mapping(cfg), allow_nan=False)
    ops = cfg.ops or DEFAULT_POLICY_OPS
    data_dir = write_search_data(cfg, out_dir)
    fold_results: list[dict[str, Any]] = []
    searched = None
    if cfg.density.enabled:
        policy, fold_results = run_density_search(cfg, ops, data_dir, out_dir, progress)
        text = policy_yaml(policy)
        # The jobs load the policy from a file named by its content: a different policy is a different job.
        path = atomic.write_text(out_dir / "density" / f"searched-{_digest(text)}.yaml", text)
        searched = (policy, str(path.resolve()))
    candidates = make_candidates(cfg, ops, searched)
    study = StudyConfig(
        strategies=tuple(c.variant() for c in candidates),
        data=cfg.data,
        models=(ModelVariant("model", cfg.model),),
        batch_sizes=(cfg.train.batch_size,),
        seeds=cfg.seeds,
        train=cfg.train,
        prune=cfg.prune,
        executor=cfg.executor,
    )
    jobs = expand_grid(study, data_dir, study_data_digest(data_dir))
    results = run_cached(
        run_job, jobs, cfg.executor, out_dir / "evaluate" / "jobs", prefix="fpgaflow-search", progress=progress
    )
    n_val = len(load_npz(data_dir / "val.npz"))
    rows = rank_candidates(candidates, results, n_val)
    cpu_fold = sum(r["cpu_seconds"] for r in fold_results)
    cpu_eval = sum(r["cpu_seconds"] for r in results)
    cpu_hours = (cpu_fold + cpu_eval) / 3600.0
    best, best_path = _write_best(rows, candidates, ops, out_dir)
    n_train = len(load_npz(data_dir / "train.npz"))
    lines = [
        f"Training maps: {n_train} of the training split of the data config (source {cfg.data.source}, "
        f"{cfg.data.n_maps} maps, seed {cfg.data.seed}); validation: {n_val} never-augmented maps. "
        f"Model {cfg.model.name} {list(cfg.model.conv_filters)}, {cfg.train.epochs} epochs, batch "
        f"{cfg.train.batch_size}, lr {cfg.train.learning_rate} ({cfg.train.lr_schedule}); seeds {list(cfg.seeds)}.",
        f"Best augmenting policy: {best} (written to best_policy.yaml)."
        + (" No augmentation ranked first." if rows and rows[0].label == "none" else ""),
        f"Search cost: {cpu_hours:.3f} CPU-hours (process CPU time of the jobs: density folds "
        f"{cpu_fold / 3600:.3f} h, candidate training {cpu_eval / 3600:.3f} h).",
    ]
    atomic.write_text(out_dir / "ranking.md", ranking_markdown(rows, lines))
    atomic.write_text(out_dir / "ranking.csv", ranking_csv(rows))
    summary = {
        "best": best,
        "best_policy": str(best_path) if best_path else None,
        "cpu_hours": cpu_hours,
        "cpu_hours_density": cpu_fold / 3600,
        "cpu_hours_candidates": cpu_eval / 3600,
        "wall_seconds_this_invocation": time.perf_counter() - t0,
        "n_train": n_train,
        "n_val": n_val,
        "ranking": [r.label for r in rows],
    }
    atomic.write_json(out_dir / "summary.json", summary, allow_nan=False)
    return SearchResult(rows, best, best_path, cpu_hours, out_dir)


def _write_best(
    rows: list[RankRow], candidates: list[Candidate], ops: tuple[str, ...], out_dir: Path
) -> tuple[str, Path | None]:
    """Write the best-ranked augmenting candidate as ``OUT/best_policy.yaml``."""
    by_label = {c.label: c for c in candidates}
    for row in rows:
        policy = by_label[row.label].policy_file(ops)
        if policy is None:
            continue
        header = (
            f"Best augmenting policy of fpgaflow augment search: {row.label} ({row.description}); validation "
            f"accuracy {100 * row.val_mean:.2f} ± {100 * row.val_std:.2f} % over {row.n_seeds} seeds."
        )
        return row.label, write_policy(out_dir / "best_policy.yaml", policy, header)
    return "none", None
