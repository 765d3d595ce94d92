"""``fpgaflow study``: grid expansion, imbalance sub-sampling and bagging samples, ensembles (scores averaged,
cost = sum of members), and a tiny in-process study through the CLI (table layout, resume)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
import yaml

from fpgaflow.config.strict import from_mapping
from fpgaflow.data import HitMapSet
from fpgaflow.study.config import StudyConfig
from fpgaflow.study.jobs import balanced_bootstrap, subsample_to_fraction
from fpgaflow.study.runner import combine_ensembles, expand_grid

TINY_STUDY = """\
data: {n_maps: 200, toy: {rows: 16, cols: 16}, val_fraction: 0.3, test_fraction: 0.1, seed: 5}
train: {epochs: 1, learning_rate: 0.01}
models:
  - {label: small, model: {conv_filters: [2]}}
batch_sizes: [16]
seeds: [3]
strategies:
  - {label: original, augment: {strategy: none}}
  - {label: doubling same-batch, augment: {strategy: doubling_same_batch}}
executor: {kind: inprocess}
"""

GRID = {
    "strategies": [{"label": "a", "augment": {"strategy": "none"}}, {"label": "b"}],
    "models": [{"label": "m1"}, {"label": "m2", "model": {"quantized": False}}],
    "batch_sizes": [16, 32],
    "seeds": [0, 1, 2],
    "imbalance": [{"label": "as generated"}, {"label": "10 %", "particle_fraction": 0.1, "class_weighting": "ins"}],
    "ensembles": [
        {"label": "bags", "kind": "bagging", "members": ["m1"], "n_bags": 3, "strategy": "b"},
        {"label": "avg", "kind": "stacking", "members": ["m1", "m2"]},
    ],
}


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_subsample_to_fraction_and_balanced_bootstrap() -> None:
    labels = np.array([1] * 30 + [0] * 70)
    data = HitMapSet(np.zeros((100, 4, 4, 1), np.float32), labels)
    sub = subsample_to_fraction(data, 0.125, np.random.default_rng(0))
    assert (int(sub.labels.sum()), len(sub)) == (10, 80)  # 70 noise kept, 10 particles
    sub = subsample_to_fraction(data, 0.6, np.random.default_rng(0))
    assert (int(sub.labels.sum()), len(sub)) == (30, 50)  # 30 particles kept, 20 noise
    bag = balanced_bootstrap(data, np.random.default_rng(1))
    assert (int(bag.labels.sum()), len(bag)) == (30, 60)


def test_grid_expands_every_axis_and_adds_bagging_members(tmp_path: Path) -> None:
    jobs = expand_grid(from_mapping(StudyConfig, GRID), tmp_path)
    grid = 2 * 2 * 2 * 3 * 2  # strategies × models × batch sizes × seeds × imbalance
    bags = 3 * 2 * 3 * 2  # n_bags × batch sizes × seeds × imbalance
    assert len(jobs) == grid + bags
    assert len({j.job_id for j in jobs}) == len(jobs)
    bag_jobs = [j for j in jobs if j.bag >= 0]
    assert {(j.strategy, j.model_label, j.ensemble) for j in bag_jobs} == {("b", "m1", "bags")}


def test_study_maps_are_made_again_when_the_data_config_changes(tmp_path: Path) -> None:
    from dataclasses import replace

    from fpgaflow.study.runner import study_data_digest, write_study_data

    cfg = from_mapping(StudyConfig, yaml.safe_load(TINY_STUDY))
    data_dir = write_study_data(cfg.data, tmp_path)
    first, written = study_data_digest(data_dir), (data_dir / "train.npz").stat().st_mtime_ns
    assert write_study_data(cfg.data, tmp_path) == data_dir  # same config: the maps are reused as they are
    assert (data_dir / "train.npz").stat().st_mtime_ns == written
    write_study_data(replace(cfg.data, seed=6), tmp_path)  # same count and shape, other maps
    second = study_data_digest(data_dir)
    assert second != first
    old_jobs, new_jobs = expand_grid(cfg, data_dir, first), expand_grid(cfg, data_dir, second)
    assert [j.job_id for j in old_jobs] == [j.job_id for j in new_jobs]
    assert not {j.digest for j in old_jobs} & {j.digest for j in new_jobs}  # no cached result is reused


def _fake(model: str, scores: list[float], params: int, ensemble: str = "", bag: int = -1) -> dict[str, object]:
    return {
        "strategy": "a",
        "model": model,
        "batch_size": 16,
        "seed": 0,
        "imbalance": "as generated",
        "ensemble": ensemble,
        "bag": bag,
        "train_accuracy": 0.5,
        "val_accuracy": 0.5,
        "val_roc_auc": 0.5,
        "val_scores": scores,
        "train_scores": scores,
        "cost": {"n_parameters": params, "nonzero_weights": params, "macs": 10 * params, "weight_bits": 8 * params},
    }


def test_ensembles_average_member_scores_and_cost_the_sum() -> None:
    cfg = from_mapping(StudyConfig, {**GRID, "batch_sizes": [16], "seeds": [0], "imbalance": [{}]})
    labels = np.array([1, 1, 0, 0])
    data = HitMapSet(np.zeros((4, 4, 4, 1), np.float32), labels)
    results = [
        _fake("m1", [0.9, 0.4, 0.2, 0.7], 100),  # alone: 2/4 right
        _fake("m2", [0.5, 0.8, 0.1, 0.1], 40),  # alone: 3/4 right (0.5 is not > 0.5)
        _fake("m1", [0.8, 0.8, 0.4, 0.4], 100, "bags", 0),
        _fake("m1", [0.6, 0.4, 0.2, 0.8], 100, "bags", 1),
    ]
    for r in results[2:]:
        r["strategy"] = "b"
    rows = {r["ensemble"]: r for r in combine_ensembles(cfg, results, data, data)}
    # stacking: averages [0.7, 0.6, 0.15, 0.4] → all four right
    assert rows["avg"]["val_accuracy"] == 1.0
    assert rows["avg"]["cost"] == {"n_parameters": 140, "nonzero_weights": 140, "macs": 1400, "weight_bits": 1120}
    # bagging: averages [0.7, 0.6, 0.3, 0.6] → 3/4
    assert rows["bags"]["val_accuracy"] == 0.75
    assert rows["bags"]["n_members"] == 2
    assert rows["bags"]["cost"]["n_parameters"] == 200


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from fpgaflow.cli import main

    root = tmp_path_factory.mktemp("study")
    (root / "study.yaml").write_text(TINY_STUDY)
    assert main(["study", str(root / "study.yaml"), "--out", str(root / "out")]) == 0
    return root


def test_cli_writes_the_table_in_the_studys_layout(study_dir: Path) -> None:
    out = study_dir / "out"
    rows = _csv(out / "results.csv")
    assert [r["variant"] for r in rows] == ["original", "doubling same-batch"]
    jobs = {r["strategy"]: r for r in _csv(out / "jobs.csv")}
    for r in rows:
        assert float(r["train_mean"]) == pytest.approx(float(jobs[r["variant"]]["train_accuracy"]))
        assert float(r["val_mean"]) == pytest.approx(float(jobs[r["variant"]]["val_accuracy"]))
    # the paired difference to no augmentation (one seed: the plain difference, no standard error)
    delta = float(jobs["doubling same-batch"]["val_accuracy"]) - float(jobs["original"]["val_accuracy"])
    assert (rows[0]["delta_mean"], float(rows[1]["delta_mean"])) == ("", pytest.approx(delta))
    md = (out / "results.md").read_text()
    assert (
        "| Variant | Model | Batch | Imbalance | Seeds | Final train accuracy (%) | Final validation accuracy (%) "
        "| Δ val vs original (pp, paired) |" in md
    )
    assert f"| {100 * delta:+.2f} | " in md
    assert (out / "results.png").read_bytes()[:4] == b"\x89PNG"
    assert yaml.safe_load((out / "study_config.json").read_text())["seeds"] == [3]
    # The baselines as reference rows, measured on the very validation maps of the validation column.
    from fpgaflow.data import load_npz

    val = load_npz(out / "data" / "val.npz")
    any_pixel = float(np.mean((val.maps.reshape(len(val), -1).max(axis=1) > 0) == (val.labels == 1)))
    assert f"| *reference: any_pixel* `n_pixels > 0` | any_pixel | - | - | - | - | {100 * any_pixel:.2f} ± " in md
    for family in ("single_cut", "shape_table", "tree", "two_stage"):
        assert f"| *reference: {family}* " in md
    assert (out / "baselines" / "baselines.md").is_file()


def test_rerun_resumes_without_training(study_dir: Path) -> None:
    from fpgaflow.config.strict import load_yaml
    from fpgaflow.study.runner import run_study

    seen: list[str] = []
    cfg = load_yaml(StudyConfig, study_dir / "study.yaml")
    cached = study_dir / "out" / "baselines" / "reference.json"
    before = cached.stat().st_mtime_ns
    result = run_study(cfg, study_dir / "out", progress=lambda r: seen.append(r["job_id"]))
    assert seen == []
    assert len(result.jobs) == 2
    assert cached.stat().st_mtime_ns == before  # the baselines are not refitted either


def test_imbalance_variant_trains_on_the_subsampled_set_with_class_weights(study_dir: Path) -> None:
    from fpgaflow.data import load_npz
    from fpgaflow.study.jobs import job_training_set, run_job

    cfg = from_mapping(
        StudyConfig,
        {
            **yaml.safe_load(TINY_STUDY),
            "strategies": [{"label": "original", "augment": {"strategy": "none"}}],
            "imbalance": [{"label": "20 % INS", "particle_fraction": 0.2, "class_weighting": "ins"}],
        },
    )
    (job,) = expand_grid(cfg, study_dir / "out" / "data")
    expected = job_training_set(job, load_npz(study_dir / "out" / "data" / "train.npz"))
    assert np.mean(expected.labels) == pytest.approx(0.2, abs=0.01)
    result = run_job(job)
    assert result["n_train"] == len(expected)
    assert result["imbalance"] == "20 % INS"


def test_the_tables_footnote_names_the_task_the_map_size_and_the_training_recipe() -> None:
    from fpgaflow.study.report import to_markdown

    toy = from_mapping(StudyConfig, yaml.safe_load(TINY_STUDY))
    assert (
        "Data: toy, 200 maps of 16×16, particle fraction 0.5, seed 5; training: 1 epochs, lr 0.01 (constant); "
        "seeds [3]" in to_markdown([], toy)
    )
    flagship_like = from_mapping(
        StudyConfig,
        {
            "data": {"task": "window-128", "n_maps": 6000},
            "train": {"epochs": 8, "float_pretrain_epochs": 4, "lr_schedule": "cosine", "learning_rate": 0.003},
            "prune": {"enabled": True, "target_sparsity": 0.5},
            "strategies": [{"label": "original", "augment": {"strategy": "none"}}],
        },
    )
    assert (
        "Data: simulate (task window-128), 6000 maps of 128×128, particle fraction 0.5, seed 1; training: 8 epochs "
        "after 4 of float pre-training, lr 0.003 (cosine), pruned to 50 %; seeds [0]" in to_markdown([], flagship_like)
    )


def test_the_paired_difference_to_no_augmentation_is_taken_seed_by_seed() -> None:
    from fpgaflow.study.report import aggregate

    def job(strategy: str, seed: int, val: float) -> dict[str, object]:
        cost = {"n_parameters": 10, "macs": 100}
        return {
            "strategy": strategy,
            "model": "m",
            "batch_size": 32,
            "imbalance": "as generated",
            "seed": seed,
            "ensemble": "",
            "train_accuracy": 0.9,
            "val_accuracy": val,
            "val_roc_auc": 0.8,
            "cost": cost,
        }

    # seed-to-seed spread of 4 pp, but the augmented model is 1, 2 and 3 pp above the original on each seed
    results = [job("none", s, v) for s, v in enumerate([0.70, 0.74, 0.72])]
    results += [job("aug", s, v) for s, v in enumerate([0.71, 0.76, 0.75])]
    rows = {r.variant: r for r in aggregate(results, [], "none")}
    assert (rows["none"].delta_mean, rows["none"].delta_sem) == (None, None)
    assert rows["aug"].delta_mean == pytest.approx(0.02)
    assert rows["aug"].delta_sem == pytest.approx(0.01 / np.sqrt(3))  # sample std of (1, 2, 3) pp = 1 pp
    assert rows["aug"].val_std == pytest.approx(np.std([0.71, 0.76, 0.75], ddof=1))
    assert aggregate(results, [], None)[1].delta_mean is None  # no no-augmentation strategy: no column values
