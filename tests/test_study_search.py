"""The policy search: candidate sub-policies, stratified folds, the density-matching score on a tiny case
(a charge-preserving flip scores the clean loss exactly, a heavy pixel dropout worse), the per-fold top-N
merge, the ranked table's numbers, and a tiny search through the CLI (ranking, best policy file, cost)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from fpgaflow.augment.policies import PolicyOp, load_policy
from fpgaflow.augment.registry import DEFAULT_POLICY_OPS
from fpgaflow.config.strict import from_mapping
from fpgaflow.data.toy import ToyConfig, generate_toy
from fpgaflow.errors import ConfigError
from fpgaflow.study.search.candidates import make_candidates
from fpgaflow.study.search.config import SearchConfig
from fpgaflow.study.search.density import (
    assign_folds,
    cross_entropy,
    sample_sub_policies,
    score_sub_policies,
    select_sub_policies,
)
from fpgaflow.study.search.rank import rank_candidates


def test_sampled_sub_policies_are_distinct_seeded_and_inside_the_ranges() -> None:
    subs = sample_sub_policies(40, DEFAULT_POLICY_OPS, 2, (0.2, 0.6), (3, 7), np.random.default_rng(0))
    assert len(subs) == 40 == len(set(subs))
    steps = [s for sub in subs for s in sub]
    assert {s.probability for s in steps} <= {0.2, 0.3, 0.4, 0.5, 0.6}
    assert {s.magnitude for s in steps} <= set(range(3, 8))
    assert {s.op for s in steps} <= set(DEFAULT_POLICY_OPS)
    assert subs == sample_sub_policies(40, DEFAULT_POLICY_OPS, 2, (0.2, 0.6), (3, 7), np.random.default_rng(0))
    # a space of 2 ops × 1 probability × 1 magnitude holds only 2 one-op sub-policies
    assert len(sample_sub_policies(5, ("shift", "gain"), 1, (0.5, 0.5), (4, 4), np.random.default_rng(1))) == 2


def test_folds_are_stratified() -> None:
    labels = np.array([1] * 31 + [0] * 49)
    folds = assign_folds(labels, 3, np.random.default_rng(2))
    for c in (0, 1):
        counts = np.bincount(folds[labels == c], minlength=3)
        assert counts.max() - counts.min() <= 1
    assert sorted(np.bincount(folds).tolist()) == [26, 27, 27]  # classes dealt on from where the last stopped


def test_cross_entropy_numbers() -> None:
    assert cross_entropy(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(np.log(2.0))
    assert cross_entropy(np.array([1, 0]), np.array([0.9, 0.2])) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    assert cross_entropy(np.array([1]), np.array([0.0])) == pytest.approx(-np.log(1e-7))  # clipped, finite


def test_density_score_ranks_a_hit_preserving_flip_above_added_noise_hits() -> None:
    data = generate_toy(ToyConfig(rows=16, cols=16), 200, 0.5, np.random.default_rng(5))

    def predict(maps: np.ndarray) -> np.ndarray:  # a "model": toy particles hit more pixels than noise
        return 1.0 / (1.0 + np.exp(-2.0 * ((maps > 0).sum(axis=(1, 2, 3)) - 2.5)))

    flip = (PolicyOp("horizontal_flip", 1.0, 5),)
    threshold = (PolicyOp("threshold", 1.0, 10),)  # 45 ADC: low pixels vanish, particles look like noise
    noise = (PolicyOp("salt_and_pepper", 1.0, 10),)  # noise hits: noise maps look like particles
    losses = score_sub_policies(predict, data.maps, data.labels, [noise, flip, threshold], repeats=2, seed=0)
    clean = cross_entropy(data.labels, predict(data.maps))
    assert clean == pytest.approx(0.4923, abs=1e-4)
    assert losses[1] == pytest.approx(clean, abs=1e-12)  # hit count unchanged by a flip
    assert losses[2] == pytest.approx(0.6075, abs=1e-4)
    assert losses[0] == pytest.approx(1.9222, abs=1e-4)
    np.testing.assert_array_equal(
        losses, score_sub_policies(predict, data.maps, data.labels, [noise, flip, threshold], repeats=2, seed=0)
    )
    kept = select_sub_policies([noise, flip, threshold], [losses, losses + 0.01], keep=2)
    assert [k.sub_policy for k in kept] == [flip, threshold]
    assert kept[0].folds == (0, 1)
    assert kept[0].mean_loss == pytest.approx(clean + 0.005)


def test_top_n_per_fold_are_merged_by_mean_loss() -> None:
    subs = [(PolicyOp("shift", 0.5, m),) for m in range(1, 6)]
    fold0 = np.array([0.1, 0.2, 0.9, 0.9, 0.3])
    fold1 = np.array([0.9, 0.9, 0.15, 0.25, 0.3])
    kept = select_sub_policies(subs, [fold0, fold1], keep=2)
    # fold 0 keeps 0, 1; fold 1 keeps 2, 3; means 0.5, 0.55, 0.525, 0.575
    assert [k.sub_policy[0].magnitude for k in kept] == [1, 3, 2, 4]
    assert [k.folds for k in kept] == [(0,), (1,), (0,), (1,)]


def _result(label: str, seed: int, acc: float, cpu: float = 10.0) -> dict[str, object]:
    return {"strategy": label, "seed": seed, "val_accuracy": acc, "val_roc_auc": 0.9, "cpu_seconds": cpu}


def test_ranking_numbers() -> None:
    cfg = from_mapping(SearchConfig, {"randaugment": {"n_ops": [2], "magnitudes": [5]}, "density": {"enabled": False}})
    candidates = make_candidates(cfg, DEFAULT_POLICY_OPS, None)
    assert [c.label for c in candidates] == ["none", "randaugment-n2-m5", "trivialaugment"]
    results = [
        _result("none", 0, 0.80),
        _result("none", 1, 0.82),
        _result("randaugment-n2-m5", 0, 0.83),
        _result("randaugment-n2-m5", 1, 0.83),
        _result("trivialaugment", 0, 0.79),
        _result("trivialaugment", 1, 0.80),
    ]
    rows = rank_candidates(candidates, results, n_val=900)
    assert [r.label for r in rows] == ["randaugment-n2-m5", "none", "trivialaugment"]
    assert [r.rank for r in rows] == [1, 2, 3]
    ra = rows[0]
    assert ra.val_mean == pytest.approx(0.83)
    assert ra.val_std == pytest.approx(0.0)
    assert ra.delta_mean == pytest.approx(0.02)  # (+0.03 + 0.01) / 2, paired by seed
    assert ra.delta_sem == pytest.approx(0.01)  # std of (0.03, 0.01) / √2
    # Wilson 68 % half-width of 747/900: ≈ √(0.83·0.17/900) = 1.25 pp
    assert ra.val_stat == pytest.approx(np.sqrt(0.83 * 0.17 / 900), rel=0.02)
    assert ra.cpu_seconds == 20.0
    assert rows[1].val_std == pytest.approx(np.std([0.80, 0.82], ddof=1))


def test_search_config_checks() -> None:
    with pytest.raises(ConfigError, match="keep"):
        from_mapping(SearchConfig, {"density": {"candidates": 3, "keep": 4}})
    with pytest.raises(ConfigError, match="probability_range"):
        from_mapping(SearchConfig, {"density": {"probability_range": [0.8, 0.2]}})
    with pytest.raises(ConfigError, match="nothing to rank"):
        from_mapping(
            SearchConfig,
            {
                "no_augmentation": False,
                "randaugment": {"n_ops": []},
                "trivialaugment": False,
                "density": {"enabled": False},
            },
        )
    with pytest.raises(ConfigError, match="unknown augmentation op 'shfit'"):
        from_mapping(SearchConfig, {"ops": ["shfit"]})


TINY_SEARCH = """\
data: {n_maps: 240, toy: {rows: 16, cols: 16}, val_fraction: 0.3, test_fraction: 0.1, seed: 5}
train_maps: 100
model: {conv_filters: [2]}
train: {epochs: 1, learning_rate: 0.01, batch_size: 32}
randaugment: {n_ops: [1], magnitudes: [5]}
trivialaugment: false
density: {folds: 2, candidates: 6, keep: 2, repeats: 1}
seeds: [0]
executor: {kind: inprocess}
"""


def test_tiny_search_through_the_cli(tmp_path: Path) -> None:
    from fpgaflow.cli import main

    (tmp_path / "search.yaml").write_text(TINY_SEARCH)
    out = tmp_path / "out"
    assert main(["augment", "search", str(tmp_path / "search.yaml"), "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "ranking.csv").read_text())))
    assert sorted(r["label"] for r in rows) == ["none", "randaugment-n1-m5", "searched"]
    assert [int(r["rank"]) for r in rows] == [1, 2, 3]
    vals = [float(r["val_mean"]) for r in rows]
    assert vals == sorted(vals, reverse=True)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_train"] == 100
    assert summary["cpu_hours"] > 0
    assert "CPU-hours" in (out / "ranking.md").read_text()
    # the best augmenting candidate, as a file augment.policy loads
    best = next(r["label"] for r in rows if r["label"] != "none")
    assert summary["best"] == best
    policy = load_policy(out / "best_policy.yaml").policy
    expected = len(DEFAULT_POLICY_OPS) if best.startswith("randaugment") else 2 * 2
    assert len(policy.sub_policies) <= expected
    searched = load_policy(out / "searched_policy.yaml").policy
    assert 2 <= len(searched.sub_policies) <= 4  # top 2 of each of 2 folds, merged
    candidates = list(csv.DictReader(io.StringIO((out / "density" / "candidates.csv").read_text())))
    assert len(candidates) == 6
    assert sum(1 for c in candidates if c["kept_rank"]) == len(searched.sub_policies)
    # a rerun trains nothing
    seen: list[str] = []
    from fpgaflow.config.strict import load_yaml
    from fpgaflow.study.search.runner import search_policies

    again = search_policies(
        load_yaml(SearchConfig, tmp_path / "search.yaml"), out, progress=lambda r: seen.append(r["job_id"])
    )
    assert seen == []
    assert [r.label for r in again.rows] == [r["label"] for r in rows]
    assert yaml.safe_load((out / "search_config.json").read_text())["train_maps"] == 100


def test_a_second_search_into_a_held_directory_is_refused(tmp_path: Path) -> None:
    from fpgaflow.errors import OutputDirError
    from fpgaflow.outdir import hold_lock
    from fpgaflow.study.search.runner import search_policies

    out = tmp_path / "search"
    out.mkdir()
    with hold_lock(out), pytest.raises(OutputDirError, match="in use by fpgaflow pid"):
        search_policies(from_mapping(SearchConfig, yaml.safe_load(TINY_SEARCH)), out)
    assert not any(out.glob("data-*"))  # refused before any map was written


def test_search_maps_are_saved_once_per_setting(tmp_path: Path) -> None:
    from fpgaflow.study.runner import study_data_digest
    from fpgaflow.study.search.runner import write_search_data

    cfg = from_mapping(SearchConfig, yaml.safe_load(TINY_SEARCH))
    data_dir = write_search_data(cfg, tmp_path)
    first = study_data_digest(data_dir)
    assert write_search_data(cfg, tmp_path) == data_dir and study_data_digest(data_dir) == first
    other = write_search_data(from_mapping(SearchConfig, {**yaml.safe_load(TINY_SEARCH), "train_maps": 90}), tmp_path)
    assert other != data_dir and study_data_digest(other) != first


@pytest.mark.slow  # two fold models and two candidate runs on dask, one fold model here (~11 s)
def test_search_runs_on_dask_like_in_process(tmp_path: Path) -> None:
    """The search's fold and candidate jobs run on the study's executors: on a dask LocalCluster (in-process
    workers) a fold's candidate losses equal those of the same fold job run here (the candidate training jobs
    are the study's, whose dask path tests/test_study_dask.py checks)."""
    pytest.importorskip("dask.distributed")
    from fpgaflow.study.search.density import FoldJob, run_fold_job
    from fpgaflow.study.search.runner import search_policies

    mapping = {
        **yaml.safe_load(TINY_SEARCH),
        "randaugment": {"n_ops": []},
        "density": {"folds": 2, "candidates": 4, "keep": 1, "repeats": 1},
        "executor": {"kind": "dask", "workers": 1, "processes": False},
    }
    cfg = from_mapping(SearchConfig, mapping)
    result = search_policies(cfg, tmp_path / "dask")
    assert sorted(r.label for r in result.rows) == ["none", "searched"]
    on_dask = json.loads((tmp_path / "dask" / "density" / "jobs" / "fold0.json").read_text())
    d = cfg.density
    candidates = sample_sub_policies(
        d.candidates,
        DEFAULT_POLICY_OPS,
        d.ops_per_sub_policy,
        d.probability_range,
        d.magnitude_range,
        np.random.default_rng([d.seed, 3]),
    )
    data_dir = next((tmp_path / "dask").glob("data-*"))
    here = run_fold_job(
        FoldJob(0, d.folds, str(data_dir), cfg.model, cfg.train, cfg.prune, tuple(candidates), d.repeats, d.seed)
    )
    assert len(here["losses"]) == 4
    assert here["losses"] == on_dask["losses"]
    assert here["clean_loss"] == on_dask["clean_loss"]
