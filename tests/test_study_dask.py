"""The study's dask.distributed path on an in-process LocalCluster gives the same result as running the job here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.study.config import ExecutorConfig, StudyConfig
from fpgaflow.study.jobs import run_job
from fpgaflow.study.runner import expand_grid, run_study

pytest.importorskip("dask.distributed")

STUDY = {
    "data": {"n_maps": 160, "toy": {"rows": 16, "cols": 16}, "val_fraction": 0.3, "test_fraction": 0.1, "seed": 2},
    "train": {"epochs": 1, "learning_rate": 0.01},
    "models": [{"label": "small", "model": {"conv_filters": [2]}}],
    "batch_sizes": [16],
    "seeds": [4],
    "strategies": [{"label": "exclusive", "augment": {"strategy": "exclusive"}}],
    "executor": {"kind": "dask", "workers": 1, "processes": False},
}


def test_dask_local_cluster_runs_the_grid_like_in_process(tmp_path: Path) -> None:
    cfg = from_mapping(StudyConfig, STUDY)
    result = run_study(cfg, tmp_path / "dask")
    assert len(result.jobs) == 1
    on_dask = result.jobs[0]
    here = run_job(expand_grid(cfg, tmp_path / "dask" / "data")[0])
    # same seeds, op determinism on: bit-identical on the same machine
    assert on_dask["val_scores"] == here["val_scores"]
    assert on_dask["train_accuracy"] == here["train_accuracy"]
    assert (tmp_path / "dask" / "results.md").is_file()


def test_scheduler_address_from_the_cli_selects_dask() -> None:
    cfg = from_mapping(StudyConfig, STUDY)
    ex = dataclasses.replace(cfg.executor, kind="dask", scheduler_address="tcp://127.0.0.1:8786")
    assert ex == ExecutorConfig(kind="dask", workers=1, processes=False, scheduler_address="tcp://127.0.0.1:8786")
