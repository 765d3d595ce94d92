"""Cluster stamps (the ``cluster-bib`` task) in the baselines: the module position is a feature of the trees and
an axis of the shape table, and a run keeps the stamps' truth and reports their ceiling and label ambiguity."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.baselines import BaselineConfig, evaluate_baselines, prepare
from fpgaflow.baselines.ceiling import stamp_ambiguity
from fpgaflow.baselines.features import CLUSTER_FEATURES, MAP_FEATURES, POSITION_FEATURES
from fpgaflow.baselines.shape_table import ClusterShapeTable
from fpgaflow.config.strict import from_mapping
from fpgaflow.data import load_npz
from fpgaflow.data.truth import ClusterTruth, load_truth
from fpgaflow.errors import DataError
from fpgaflow.pipeline.artefacts import Artefacts
from fpgaflow.pipeline.config import RunConfig
from fpgaflow.pipeline.steps import keeps_truth, step_baselines, step_data

FAST = BaselineConfig(families=("any_pixel", "single_cut", "shape_table", "tree"), n_bootstrap=50)


def _position_only(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stamps that differ only by where they sit: every stamp holds one 2-pixel cluster of the same charge,
    and it is signal exactly when its module column is above 200 (of 416)."""
    rng = np.random.default_rng(seed)
    maps = np.zeros((n, 8, 8, 1), np.float32)
    maps[:, 4, 4:6, 0] = 40.0
    positions = np.column_stack([rng.uniform(0, 160, n), rng.uniform(0, 416, n)]).astype(np.float32)
    labels = (positions[:, 1] > 200).astype(np.int64)
    return maps, labels, positions


def test_module_position_is_a_tree_feature_and_a_table_axis() -> None:
    (xtr, ytr, ptr), (xva, yva, pva), (xte, yte, pte) = (
        _position_only(n, s) for n, s in ((600, 1), (200, 2), (400, 3))
    )
    sample = prepare(xte, yte, positions=pte)
    assert sample.features.shape == (400, len(MAP_FEATURES) + len(POSITION_FEATURES))
    assert np.array_equal(sample.features[:, -2:], pte.astype(np.float64))
    assert sample.cluster_features.shape == (400, len(CLUSTER_FEATURES) + 2)
    sub = sample.subset(np.arange(10, 20))
    assert sub.positions is not None and np.array_equal(sub.positions, pte[10:20].astype(np.float64))

    blind = evaluate_baselines(xtr, ytr, xte, yte, xva, yva, cfg=FAST).best()
    told = evaluate_baselines(xtr, ytr, xte, yte, xva, yva, cfg=FAST, positions=(ptr, pva, pte)).best()
    # Without the position every stamp looks the same: nothing beats the majority class (≈ 52 %).
    for family in ("shape_table", "tree"):
        assert blind[family].accuracy < 0.6, family
    # With it the tree learns the column cut and the table's z-axis (4 bins of equal population: the
    # boundary at column 200 lies near the median, 208) separates all but the stamps in the bin around it.
    assert told["tree"].accuracy > 0.98
    assert told["shape_table"].name.endswith(":z4")
    assert told["shape_table"].accuracy > 0.7


def test_bad_module_positions_are_refused() -> None:
    maps, labels, positions = _position_only(50, 4)
    with pytest.raises(DataError, match=r"positions of shape \(50, 2\)"):
        prepare(maps, labels, positions=positions[:, :1])
    with pytest.raises(DataError, match="validation maps' positions"):
        evaluate_baselines(maps, labels, maps, labels, maps, labels, cfg=FAST, positions=(positions, None, positions))
    with pytest.raises(DataError, match="carry no module positions"):
        ClusterShapeTable(4, "max", position_bins=4).fit(prepare(maps, labels))


def test_stamp_ambiguity_counts_merged_mixed_and_clipped_clusters() -> None:
    columns = ClusterTruth.empty().columns()
    n = 8
    truth = ClusterTruth(
        **{k: np.zeros(n, v.dtype) for k, v in columns.items()}
        | {
            "map_index": np.arange(n),
            "n_particles": np.array([1, 1, 2, 3, 1, 1, 1, 1]),
            "charge_fraction": np.array([1.0, 0.9, 0.6, 0.5, 1.0, 0.8, 1.0, 1.0], np.float32),
            "size_rows": np.array([2, 2, 3, 20, 1, 1, 2, 2]),
            "size_cols": np.array([1, 1, 2, 2, 1, 17, 1, 16]),
        }
    )
    a = stamp_ambiguity(truth, (16, 16))
    assert (a.merged, a.mixed, a.contained, a.n_stamps) == (2 / 8, 2 / 8, 6 / 8, 8)


def _step(run: Path, name: str) -> Artefacts:
    art = Artefacts(run)
    art.step_dir, art.step_final = run / name, name
    art.step_dir.mkdir(parents=True)
    return art


def test_a_cluster_bib_run_keeps_its_truth_and_reports_ceiling_ambiguity_and_positions(tmp_path: Path) -> None:
    """The data step of a cluster-bib run keeps every stamp's central-cluster truth and its module position;
    the baselines step measures the truth ceiling (a filter told the source is right on every stamp) and the
    stamp ambiguity on the run's own maps, and its shape table gets the module-position members."""
    cfg = from_mapping(
        RunConfig,
        {
            "data": {"task": "cluster-bib", "n_maps": 1200},
            "baselines": {"families": ["any_pixel", "single_cut", "shape_table"], "n_bootstrap": 50},
        },
    )
    assert keeps_truth(cfg.data)
    art = step_data(_step(tmp_path, "data"), cfg)
    train, test = load_npz(art.path("train_maps")), load_npz(art.path("test_maps"))
    train_truth, test_truth = load_truth(art.path("train_maps")), load_truth(art.path("test_maps"))
    assert len(train_truth) == len(train) and len(test_truth) == len(test)
    assert train.positions is not None and test.positions is not None
    # A made-up deployed model: right on 90 % of the test stamps.
    right = np.random.default_rng(0).random(len(test)) < 0.9
    scores = np.where(right == (test.labels == 1), 0.8, 0.2).astype(np.float32)
    verify = tmp_path / "verify"
    verify.mkdir()
    np.savez(verify / "scores.npz", csim=scores, keras=scores, labels=test.labels)
    art.files["scores"] = "verify/scores.npz"
    art.step_dir, art.step_final = tmp_path / "baselines", "baselines"
    art.step_dir.mkdir()
    art = step_baselines(art, cfg)

    truth = art.metrics["baselines"]["truth"]
    assert truth["ceiling"]["accuracy"] == 1.0 and truth["ceiling"]["roc_auc"] == 1.0
    assert truth["ceiling"]["n_test"] == len(test)
    both = ClusterTruth.concatenate([train_truth, test_truth], [len(train), len(test)])
    s = truth["stamp_ambiguity"]
    assert s["n_stamps"] == len(train) + len(test)
    assert s["merged"] == pytest.approx(float(np.mean(both.n_particles > 1)))
    assert 0.0 < s["merged"] < 0.05 and s["contained"] > 0.99
    assert "ambiguity" not in truth
    report = (tmp_path / "baselines" / "model_vs_baselines.md").read_text(encoding="utf-8")
    assert f"on the {len(test)} test stamps" in report and "merge ≥ 2 particles" in report
    members = json.loads((tmp_path / "baselines" / "baselines.json").read_text(encoding="utf-8"))["members"]
    names = {m["name"] for m in members}
    assert {"shape_table:q8:max:z4", "shape_table:q8:max:r4", "shape_table:q8:max"} <= names
    assert not any(n.startswith("two_stage:truth") for n in names)
