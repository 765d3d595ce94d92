"""``fpgaflow study``: run a grid of training jobs and tabulate final training/validation accuracy.

The driver (1) writes the study's data set once into ``OUT/data/`` (training/validation split of
``data``; the test split is not used by a study), (2) expands the grid into :class:`StudyJob` objects,
(3) runs the jobs that have no result yet in ``OUT/jobs/`` — in this process, on a local process pool,
or through dask.distributed — saving each result atomically as it arrives (an interrupted study resumes
where it stopped), (4) averages the ensembles' member scores and (5) writes the results table
(:mod:`fpgaflow.study.report`).  No scheduling of its own: dask or ``concurrent.futures`` do that.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.config.strict import to_mapping
from fpgaflow.data import HitMapSet, load_npz
from fpgaflow.data.config import DataConfig
from fpgaflow.data.source import source_digest
from fpgaflow.errors import ConfigError
from fpgaflow.metrics.roc import accuracy, evaluate
from fpgaflow.outdir import locked_output_dir
from fpgaflow.study.config import ImbalanceVariant, ModelVariant, StrategyVariant, StudyConfig
from fpgaflow.study.executors import run_cached
from fpgaflow.study.jobs import StudyJob, run_job
from fpgaflow.train.cost import ModelCost, ensemble_cost
from fpgaflow.train.datasets import make_splits
from fpgaflow_board import atomic
from fpgaflow_board.manifest import sha256

log = logging.getLogger(__name__)


@dataclass
class StudyResult:
    """Per-job results (ensemble members included) and per-ensemble rows, plus where the table was written."""

    jobs: list[dict[str, Any]]
    ensembles: list[dict[str, Any]]
    out_dir: Path


#: Beside the study's maps: the data config and input-file digest they were made from.
DATA_SOURCE = "source.json"


def write_study_data(cfg: DataConfig, out_dir: Path) -> Path:
    """Make the maps and split them as ``fpgaflow run`` does; save train/val to ``out_dir/data``.

    Maps made earlier are reused only when ``data/source.json`` records the same data config and the same
    input-file content (:func:`~fpgaflow.data.source.source_digest`); otherwise they are made again.
    """
    data_dir = out_dir / "data"
    record = json.dumps({"data": to_mapping(cfg), "inputs": source_digest(cfg)}, sort_keys=True)
    stamp = data_dir / DATA_SOURCE
    have = (data_dir / "train.npz").is_file() and (data_dir / "val.npz").is_file()
    if have and stamp.is_file() and stamp.read_text(encoding="utf-8") == record:
        return data_dir
    if have:
        log.info(
            "study: the data config or its input file changed since %s was written; making the maps again", data_dir
        )
    train, val, _test = make_splits(cfg)
    train.save_npz(data_dir / "train.npz")
    val.save_npz(data_dir / "val.npz")
    atomic.write_text(stamp, record)
    return data_dir


def study_data_digest(data_dir: Path) -> str:
    """SHA-256 of the study's train and validation maps (part of every job's digest)."""
    h = hashlib.sha256()
    for name in ("train.npz", "val.npz"):
        h.update(sha256(data_dir / name).encode())
    return h.hexdigest()


def study_baselines(cfg: StudyConfig, data_dir: Path, out_dir: Path) -> list[dict[str, Any]]:
    """The reference rows of the study's table: each baseline family's best, fitted on the study's training
    maps (the best member chosen on a held-out part of them) and measured on its validation maps, the maps
    of the table's validation column.  Written to ``OUT/baselines/`` (as ``fpgaflow baselines`` writes) and
    reused while the study's maps (:func:`study_data_digest`) and the baselines config are unchanged."""
    from fpgaflow.baselines import evaluate_baselines
    from fpgaflow.baselines.write_baselines import WrittenBaselines, write_table

    where = out_dir / "baselines"
    cache = where / "reference.json"
    digest = hashlib.sha256(
        json.dumps([study_data_digest(data_dir), to_mapping(cfg.baselines)], sort_keys=True).encode()
    ).hexdigest()[:16]
    if cache.is_file():
        cached: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("digest") == digest:
            return list(cached["rows"])
    train, val = load_npz(data_dir / "train.npz"), load_npz(data_dir / "val.npz")
    table = evaluate_baselines(train.maps, train.labels, val.maps, val.labels, cfg=cfg.baselines)
    where.mkdir(parents=True, exist_ok=True)
    write_table(WrittenBaselines(table, f"{data_dir}/train.npz → {data_dir}/val.npz", where), where)
    rows = [
        {
            "family": fam,
            "name": r.name,
            "working_point": r.working_point,
            "val_accuracy": r.accuracy,
            "val_accuracy_error": r.accuracy_error,
            "val_roc_auc": r.auc.auc,
        }
        for fam, r in table.best().items()
    ]
    atomic.write_json(cache, {"digest": digest, "rows": rows}, allow_nan=False)
    return rows


def expand_grid(cfg: StudyConfig, data_dir: Path, data_digest: str = "") -> list[StudyJob]:
    """Every (strategy, model, batch size, seed, imbalance) job, then the bagging members (``data_digest``:
    :func:`study_data_digest` of ``data_dir``)."""
    jobs: list[StudyJob] = []

    def job(
        s: StrategyVariant, m: ModelVariant, b: int, seed: int, imb: ImbalanceVariant, ens: str = "", bag: int = -1
    ) -> StudyJob:
        return StudyJob(
            s.label,
            m.label,
            b,
            seed,
            imb,
            s.augment,
            m.model,
            cfg.train,
            cfg.prune,
            str(data_dir),
            ens,
            bag,
            data_digest,
        )

    for s in cfg.strategies:
        for m in cfg.models:
            for b in cfg.batch_sizes:
                for seed in cfg.seeds:
                    jobs += [job(s, m, b, seed, imb) for imb in cfg.imbalance]
    strategies = {s.label: s for s in cfg.strategies}
    models = {m.label: m for m in cfg.models}
    for e in cfg.ensembles:
        if e.kind != "bagging":
            continue
        s = strategies[e.strategy or cfg.strategies[0].label]
        m = models[e.members[0]]
        for b in cfg.batch_sizes:
            for seed in cfg.seeds:
                for imb in cfg.imbalance:
                    jobs += [job(s, m, b, seed, imb, e.label, bag) for bag in range(e.n_bags)]
    ids = [j.job_id for j in jobs]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ConfigError(f"study labels collide after making them file-name safe: {dupes}")
    return jobs


def combine_ensembles(
    cfg: StudyConfig, results: list[dict[str, Any]], train: HitMapSet, val: HitMapSet
) -> list[dict[str, Any]]:
    """Average member scores per ensemble (per batch size, seed, imbalance); cost = sum of the members."""
    rows: list[dict[str, Any]] = []
    for ens in cfg.ensembles:
        strategy = ens.strategy or cfg.strategies[0].label
        for b in cfg.batch_sizes:
            for seed in cfg.seeds:
                for imb in cfg.imbalance:
                    members = [
                        r
                        for r in results
                        if r["strategy"] == strategy
                        and r["batch_size"] == b
                        and r["seed"] == seed
                        and r["imbalance"] == imb.label
                        and (
                            (r["ensemble"] == ens.label)
                            if ens.kind == "bagging"
                            else (r["ensemble"] == "" and r["model"] in ens.members)
                        )
                    ]
                    if not members:
                        continue
                    val_scores = np.mean([r["val_scores"] for r in members], axis=0)
                    train_scores = np.mean([r["train_scores"] for r in members], axis=0)
                    m = evaluate(val.labels, val_scores).to_dict()
                    cost = ensemble_cost(ModelCost(**r["cost"]) for r in members)
                    rows.append(
                        {
                            "ensemble": ens.label,
                            "kind": ens.kind,
                            "strategy": strategy,
                            "model": "+".join(r["model"] for r in members),
                            "batch_size": b,
                            "seed": seed,
                            "imbalance": imb.label,
                            "n_members": len(members),
                            "train_accuracy": accuracy(train.labels, train_scores),
                            "val_accuracy": m["accuracy"],
                            "val_roc_auc": m["roc_auc"],
                            "val_rejection": m["background_rejection"],
                            "cost": cost.to_dict(),
                        }
                    )
    return rows


def _job_note(result: dict[str, Any]) -> str:
    return (
        f"{result['job_id']}: train {result['train_accuracy']:.4f} val {result['val_accuracy']:.4f} "
        f"({result['seconds']:.0f} s)"
    )


def run_study(cfg: StudyConfig, out_dir: Path, progress: Callable[[dict[str, Any]], None] | None = None) -> StudyResult:
    """Run (or resume) the study into ``out_dir`` and write its results table (``out_dir`` is locked
    meanwhile: a second study into it refuses)."""
    with locked_output_dir(Path(out_dir), "study") as locked:
        return _run_study(cfg, locked, progress)


def _run_study(cfg: StudyConfig, out_dir: Path, progress: Callable[[dict[str, Any]], None] | None) -> StudyResult:
    from fpgaflow.study.report import write_report

    atomic.write_json(out_dir / "study_config.json", to_mapping(cfg), allow_nan=False)
    data_dir = write_study_data(cfg.data, out_dir)
    jobs = expand_grid(cfg, data_dir, study_data_digest(data_dir))
    results = run_cached(
        run_job, jobs, cfg.executor, out_dir / "jobs", prefix="fpgaflow-study", progress=progress, note=_job_note
    )
    ensembles = combine_ensembles(cfg, results, load_npz(data_dir / "train.npz"), load_npz(data_dir / "val.npz"))
    write_report(out_dir, cfg, results, ensembles, study_baselines(cfg, data_dir, out_dir))
    return StudyResult(results, ensembles, out_dir)
