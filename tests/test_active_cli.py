"""``fpgaflow active`` end to end on a tiny toy pool (real TensorFlow, real hls4ml conversion of the chosen
model): the files it writes, the label accounting in the job files, the chosen model being the run's QKeras
model, the estimate, and a rerun that trains nothing.  Also the curve arithmetic on hand-made results."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fpgaflow.active.config import ActiveConfig
from fpgaflow.active.curves import crossing, summarise
from fpgaflow.active.runner import choose
from fpgaflow.config.strict import load_yaml

pytest.importorskip("skactiveml")

TINY_ACTIVE = """\
data: {n_maps: 300, toy: {rows: 16, cols: 16}, val_fraction: 0.2, test_fraction: 0.2, seed: 5}
model: {conv_filters: [2]}
train: {epochs: 1, learning_rate: 0.01, batch_size: 32}
augments:
  - {label: none, augment: {strategy: none}}
acquisitions: [random, margin, coreset]
initial_labels: 20
batch: 15
budget: 50
seeds: [0]
executor: {kind: inprocess}  # the default process pool would spawn a TensorFlow per core
"""


def _run(rounds: list[tuple[int, float]], aug: str, acq: str, seed: int, val: float = 0.5) -> dict[str, Any]:
    return {
        "augment": aug,
        "acquisition": acq,
        "seed": seed,
        "cpu_seconds": 1.0,
        "job_id": f"{aug}-{acq}-{seed}",
        "rounds": [{"n_labelled": n, "test_accuracy": a, "test_roc_auc": 0.9, "val_accuracy": val} for n, a in rounds],
    }


def test_crossing_interpolates_between_rounds() -> None:
    assert crossing([100, 200, 300], [0.80, 0.84, 0.88], 0.86) == pytest.approx(250.0)
    assert crossing([100, 200, 300], [0.87, 0.84, 0.88], 0.86) == 100.0  # above from the start
    assert crossing([100, 200, 300], [0.80, 0.84, 0.85], 0.86) is None
    assert crossing([100, 200], [0.80, 0.86], 0.86) == pytest.approx(200.0)


def test_summary_target_deltas_and_labels_to_reach() -> None:
    results = [
        _run([(100, 0.80), (200, 0.84), (300, 0.86)], "none", "random", 0),
        _run([(100, 0.80), (200, 0.86), (300, 0.88)], "none", "random", 1),
        _run([(100, 0.80), (200, 0.87), (300, 0.89)], "none", "entropy", 0),
        _run([(100, 0.80), (200, 0.85), (300, 0.89)], "none", "entropy", 1),
    ]
    target, rows = summarise(results, ("none", "random"))
    assert target == pytest.approx(0.87)
    control, entropy = rows
    assert control.labels_to_reach == pytest.approx(300.0)
    assert control.delta_mean == 0.0
    # entropy's mean curve: 0.80, 0.86, 0.89 → reaches 0.87 at 200 + (0.01 / 0.03) · 100
    assert entropy.labels_to_reach == pytest.approx(233.33, abs=0.01)
    assert entropy.labels_to_reach_per_seed == (pytest.approx(200.0), pytest.approx(250.0))
    assert entropy.delta_mean == pytest.approx(0.02)  # (0.03 + 0.01) / 2, paired by seed
    assert entropy.delta_sem == pytest.approx(0.01)
    assert entropy.accuracy_mean == pytest.approx(0.89)


def test_the_chosen_run_is_picked_by_validation_not_test_accuracy() -> None:
    results = [
        _run([(100, 0.95)], "none", "random", 0, val=0.80),
        _run([(100, 0.95)], "none", "random", 1, val=0.82),
        _run([(100, 0.70)], "ra", "entropy", 0, val=0.85),
        _run([(100, 0.70)], "ra", "entropy", 1, val=0.84),
    ]
    assert choose(results)["job_id"] == "ra-entropy-0"


@pytest.fixture(scope="module")
def active_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from fpgaflow.cli import main

    root = tmp_path_factory.mktemp("active")
    (root / "active.yaml").write_text(TINY_ACTIVE)
    assert main(["active", str(root / "active.yaml"), "--out", str(root / "out")]) == 0
    return root


@pytest.mark.slow  # the fixture trains 3 runs × 3 rounds and converts the chosen model (~25 s idle)
def test_cli_writes_curves_tables_and_the_estimate(active_dir: Path) -> None:
    out = active_dir / "out"
    summary = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text())))
    assert [(r["augment"], r["acquisition"]) for r in summary] == [
        ("none", "random"),
        ("none", "margin"),
        ("none", "coreset"),
    ]
    assert all(int(r["budget"]) == 50 for r in summary)
    rounds = list(csv.DictReader(io.StringIO((out / "curves.csv").read_text())))
    assert len(rounds) == 3 * 3  # 3 methods × rounds at 20, 35, 50
    assert sorted({int(r["n_labelled"]) for r in rounds}) == [20, 35, 50]
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    md = (out / "results.md").read_text()
    assert "Labels to reach target" in md
    assert "### margin acquisition, augmentation none" in md
    estimate = json.loads((out / "chosen" / "estimate" / "estimate.json").read_text())
    assert estimate["fits"] is True
    assert "Resource estimate of the chosen model" in md


@pytest.mark.slow  # the fixture trains 3 runs × 3 rounds and converts the chosen model (~25 s idle)
def test_job_files_respect_the_label_accounting(active_dir: Path) -> None:
    cfg = load_yaml(ActiveConfig, active_dir / "active.yaml")
    data_dir = next((active_dir / "out").glob("data-*"))
    pool_size = int(np.load(data_dir / "pool.npz")["labels"].size)
    starts = set()
    for path in sorted((active_dir / "out" / "jobs").glob("*.json")):
        job = json.loads(path.read_text())
        labelled = job["labelled"]
        assert len(labelled) == len(set(labelled)) == cfg.budget
        assert all(0 <= i < pool_size for i in labelled)
        acquired = [i for r in job["rounds"] for i in r["acquired"]]
        assert acquired == labelled[cfg.initial_labels :]
        starts.add(tuple(sorted(labelled[: cfg.initial_labels])))
    assert len(starts) == 1  # one seed: every method started from the same maps


@pytest.mark.slow  # the fixture trains 3 runs × 3 rounds and converts the chosen model (~25 s idle)
def test_the_chosen_model_is_the_runs_qkeras_model(active_dir: Path) -> None:
    from fpgaflow.modelio import load_model, stored_input_scale
    from fpgaflow.train.models import build_model

    cfg = load_yaml(ActiveConfig, active_dir / "active.yaml")
    chosen = json.loads((active_dir / "out" / "summary.json").read_text())["chosen_model"]
    model = load_model(chosen)
    assert [type(layer).__name__ for layer in model.layers if layer.get_weights()] == ["QConv2D", "QDense"]
    assert model.count_params() == build_model(cfg.model, (16, 16, 1)).count_params()
    assert stored_input_scale(chosen) == cfg.model.input_scale  # converts like a run's model


@pytest.mark.slow  # the fixture trains 3 runs × 3 rounds and converts the chosen model (~25 s idle)
def test_rerun_trains_nothing(active_dir: Path) -> None:
    from fpgaflow.active.runner import run_active

    seen: list[str] = []
    cfg = load_yaml(ActiveConfig, active_dir / "active.yaml")
    result = run_active(cfg, active_dir / "out", progress=lambda r: seen.append(r["job_id"]))
    assert seen == []
    assert len(result.results) == 3


@pytest.mark.slow  # trains 2 runs × 3 rounds twice and starts a dask cluster (~40 s)
def test_runs_on_dask_like_in_process(tmp_path: Path) -> None:
    """The study's executors run the active-learning jobs: on a dask LocalCluster (in-process workers) every
    round's figures and acquisitions equal those of the same job run here."""
    pytest.importorskip("dask.distributed")
    from fpgaflow.active.jobs import run_active_job
    from fpgaflow.active.runner import expand_jobs, run_active
    from fpgaflow.config.strict import from_mapping

    cfg = from_mapping(
        ActiveConfig,
        {
            "data": {"n_maps": 200, "toy": {"rows": 16, "cols": 16}, "val_fraction": 0.2, "test_fraction": 0.2},
            "model": {"conv_filters": [2]},
            "train": {"epochs": 1, "learning_rate": 0.01, "batch_size": 32},
            "acquisitions": ["random", "entropy"],
            "initial_labels": 10,
            "batch": 10,
            "budget": 30,
            "seeds": [3],
            "estimate_chosen": False,
            "executor": {"kind": "dask", "workers": 1, "processes": False},
        },
    )
    on_dask = {r["job_id"]: r for r in run_active(cfg, tmp_path / "dask").results}
    assert sorted(on_dask) == ["none__entropy__s3", "none__random__s3"]
    data_dir = next((tmp_path / "dask").glob("data-*"))
    for job in expand_jobs(cfg, data_dir, tmp_path / "here"):
        here = run_active_job(job)
        assert [r["n_labelled"] for r in here["rounds"]] == [10, 20, 30]
        assert here["labelled"] == on_dask[job.job_id]["labelled"]
        figures = ("n_labelled", "test_accuracy", "test_roc_auc", "val_accuracy", "acquired")
        for mine, theirs in zip(here["rounds"], on_dask[job.job_id]["rounds"], strict=True):
            assert [mine[k] for k in figures] == [theirs[k] for k in figures]  # timings aside
