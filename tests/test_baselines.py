"""Baselines: features by hand, learnt cuts, no test-label leak, each family above chance on simulated maps."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.baselines import (
    CLUSTER_FEATURES,
    MAP_FEATURES,
    BaselineConfig,
    BaselineTable,
    evaluate_baselines,
    learn_cut,
    map_features,
    prepare,
)
from fpgaflow.baselines.cuts import SingleCut
from fpgaflow.baselines.features import POSITION_FEATURES, cluster_maps, feature_table_markdown
from fpgaflow.baselines.shape_table import ClusterShapeTable
from fpgaflow.baselines.two_stage import ClusterStage, TwoStage
from fpgaflow.data import split
from fpgaflow.data.clusters import find_clusters
from fpgaflow.data.config import DataConfig
from fpgaflow.data.simulate import SimulatorConfig, TrackConfig, WindowConfig
from fpgaflow.data.simulate.config import LabelConfig
from fpgaflow.data.source import load_dataset
from fpgaflow.errors import DataError

REPO = Path(__file__).resolve().parents[1]

#: models/quick.yaml's physics (32 × 32, pileup 20, pT cut 0.3 GeV, 50/50), 3000 maps.
DATA = DataConfig(
    source="simulate",
    n_maps=3000,
    select_particle_fraction=True,
    seed=21,
    simulate=SimulatorConfig(
        tracks=TrackConfig(pileup=20.0),
        labels=LabelConfig(reco_pt_cut_gev=0.3),
        window=WindowConfig(crop_rows=32, crop_cols=32),
    ),
)
FAST = BaselineConfig(n_bootstrap=100)


@pytest.fixture(scope="module")
def maps() -> dict[str, np.ndarray]:
    tr, va, te = split(load_dataset(DATA), 0.15, 0.15, np.random.default_rng([DATA.seed, 1]))
    return {"xtr": tr.maps, "ytr": tr.labels, "xva": va.maps, "yva": va.labels, "xte": te.maps, "yte": te.labels}


@pytest.fixture(scope="module")
def table(maps: dict[str, np.ndarray]) -> BaselineTable:
    return evaluate_baselines(maps["xtr"], maps["ytr"], maps["xte"], maps["yte"], maps["xva"], maps["yva"], cfg=FAST)


# ---------------------------------------------------------------- clusters and features, by hand


def _hand_maps() -> np.ndarray:
    m = np.zeros((3, 8, 8), np.float32)
    m[0, 2, 3], m[0, 3, 3], m[0, 3, 4] = 100, 50, 10  # an L of 3 pixels (2 rows × 2 columns)
    m[0, 7, 0] = 20  # a single pixel in the corner (touches the border)
    m[1, 4, 1:6] = 30  # a 1 × 5 streak along the columns
    return m  # map 2 is empty


def test_find_clusters_keeps_shape_and_peak() -> None:
    cl = find_clusters(_hand_maps())
    assert cl.map_index.tolist() == [0, 0, 1]
    assert cl.adc_max.tolist() == [100, 20, 30]
    assert cl.row_min.tolist() == [2, 7, 4] and cl.col_min.tolist() == [3, 0, 1]
    # L cluster: centroid (r, c) = (2.5·100 + 3.5·60) / 160, (3.5·150 + 4.5·10) / 160
    cx, cy = (2.5 * 100 + 3.5 * 60) / 160, (3.5 * 150 + 4.5 * 10) / 160
    var_x = (100 * (2.5 - cx) ** 2 + 60 * (3.5 - cx) ** 2) / 160
    cov = (100 * (2.5 - cx) * (3.5 - cy) + 50 * (3.5 - cx) * (3.5 - cy) + 10 * (3.5 - cx) * (4.5 - cy)) / 160
    assert cl.var_x[0] == pytest.approx(var_x)
    assert cl.cov_xy[0] == pytest.approx(cov)
    assert cl.var_x[2] == 0.0 and cl.var_y[2] == pytest.approx(2.0)  # 5 equal pixels: variance 2 columns²


def test_map_features_by_hand() -> None:
    f = map_features(_hand_maps())
    col = {feat.name: f[:, i] for i, feat in enumerate(MAP_FEATURES)}
    assert col["n_pixels"].tolist() == [4, 5, 0]
    assert col["total_adc"].tolist() == [180, 150, 0]
    assert col["n_clusters"].tolist() == [2, 1, 0]
    assert col["n_single"].tolist() == [1, 0, 0]
    assert col["n_edge"].tolist() == [1, 0, 0]
    assert col["lead_charge"][0] == pytest.approx((160 + 1.5) * 0.135)  # ke
    assert col["second_charge"][0] == pytest.approx(20.5 * 0.135)
    assert col["max_size_y"].tolist() == [2, 5, 0]
    assert col["lead_aspect"].tolist() == [1.0, 5.0, 0.0]
    assert col["lead_fill"][0] == pytest.approx(3 / 4)
    assert col["lead_fraction"][0] == pytest.approx(161.5 / 182.0)
    assert col["n_mip_like"].tolist() == [1, 1, 0]  # 21.8 ke and 20.6 ke (≥ 10 ke); the corner pixel is 2.8 ke


def test_chunked_clustering_matches_one_pass(maps: dict[str, np.ndarray], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = find_clusters(maps["xte"])
    monkeypatch.setattr("fpgaflow.baselines.features.CLUSTER_CHUNK_PIXELS", 32 * 32 * 7)  # 7 maps per chunk
    chunked = cluster_maps(maps["xte"])
    for name in ("map_index", "n_pixels", "adc", "cov_xy"):
        assert np.array_equal(getattr(whole, name), getattr(chunked, name))


def test_docs_list_every_feature() -> None:
    doc = (REPO / "docs" / "baselines.md").read_text(encoding="utf-8")
    assert feature_table_markdown(MAP_FEATURES) in doc
    assert feature_table_markdown(CLUSTER_FEATURES) in doc
    assert feature_table_markdown(POSITION_FEATURES) in doc


def test_subset_keeps_clusters_with_their_maps(maps: dict[str, np.ndarray]) -> None:
    full = prepare(maps["xte"][:50], maps["yte"][:50], np.arange(len(find_clusters(maps["xte"][:50]))))
    idx = np.array([3, 10, 11, 40])
    part = full.subset(idx)
    direct = prepare(maps["xte"][idx], maps["yte"][idx])
    assert np.array_equal(part.features, direct.features)
    assert np.array_equal(part.clusters.features, direct.clusters.features)
    assert part.cluster_labels is not None
    assert np.array_equal(part.cluster_labels, np.flatnonzero(np.isin(full.clusters.map_index, idx)))
    with pytest.raises(DataError, match="strictly increasing"):
        full.subset(np.array([5, 2]))


# ---------------------------------------------------------------- the learnt cut


def test_learn_cut_finds_the_best_threshold_and_direction() -> None:
    v = np.array([0, 0, 1, 2, 3, 5, 8, 9])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    c = learn_cut(v, y)
    assert (c.threshold, c.direction, c.accuracy) == (1.5, 1, 7 / 8)
    # Mirrored: "below" wins; of the two equally good thresholds (−4, −1.5) the lowest is kept.
    inverted = learn_cut(-v, y)
    assert (inverted.threshold, inverted.direction, inverted.accuracy) == (-4.0, -1, 7 / 8)
    assert learn_cut(np.zeros(4), np.array([1, 1, 1, 0])).accuracy == 0.75  # one value: "all particle"


def test_learn_cut_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        v = rng.integers(0, 12, 200).astype(float)
        y = (rng.random(200) < 0.2 + 0.05 * v).astype(int)
        best = max(np.mean((d * v > d * t) == y) for t in np.r_[np.unique(v) + 0.5, v.min() - 1] for d in (1, -1))
        assert learn_cut(v, y).accuracy == pytest.approx(best)


def test_cut_threshold_is_learnt_on_training_maps_only(maps: dict[str, np.ndarray]) -> None:
    # Shuffling the test labels changes nothing that was learnt (cuts, tables, trees) and leaves
    # chance accuracy: no baseline peeks at the test labels.
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(maps["yte"])
    args = (maps["xtr"], maps["ytr"], maps["xte"])
    cfg = replace(FAST, families=("any_pixel", "single_cut", "shape_table", "tree"))
    real = evaluate_baselines(*args, maps["yte"], maps["xva"], maps["yva"], cfg=cfg)
    fake = evaluate_baselines(*args, shuffled, maps["xva"], maps["yva"], cfg=cfg)
    n = shuffled.size
    for r, f in zip(real.results, fake.results, strict=True):
        assert (r.name, r.cut, r.working_point) == (f.name, f.cut, f.working_point)
        assert np.array_equal(r.test_scores, f.test_scores)
        assert abs(f.accuracy - 0.5) < 4 * 0.5 / np.sqrt(n), f.name  # chance within 4 sigma
        assert r.accuracy > 0.8, r.name


def test_single_cut_applies_the_training_threshold(maps: dict[str, np.ndarray]) -> None:
    train, test = prepare(maps["xtr"], maps["ytr"]), prepare(maps["xte"], maps["yte"])
    cut = SingleCut("n_clusters").fit(train)
    assert cut.learned is not None
    expected = cut.learned.direction * test.feature("n_clusters") > cut.learned.direction * cut.learned.threshold
    assert np.array_equal(cut.score(test) > cut.cut, expected)
    assert cut.working_point() == "n_clusters > 0.5"


# ---------------------------------------------------------------- every family above chance

#: Minimum test accuracy and ROC AUC per family on 450 test maps of default physics (chance: 0.5).  The
#: statistical error of an accuracy here is ≈ 1.4 pp; the thresholds sit ≥ 3 sigma below what they reach.
MARGINS = {
    "any_pixel": (0.85, 0.85),
    "single_cut": (0.87, 0.85),
    "shape_table": (0.86, 0.95),
    "tree": (0.88, 0.96),
    "two_stage": (0.88, 0.96),
}


def test_every_family_beats_chance_by_a_margin(table: BaselineTable) -> None:
    best = table.best()
    assert set(best) == set(MARGINS)
    for fam, (acc, auc) in MARGINS.items():
        r = best[fam]
        assert r.accuracy >= acc, (fam, r.accuracy)
        assert r.auc.auc >= auc, (fam, r.auc.auc)
        assert r.accuracy_low < r.accuracy < r.accuracy_high
    # The boosted families rank maps better than the one-variable rules.
    assert best["tree"].auc.auc > best["single_cut"].auc.auc + 0.03


def test_table_outputs_are_complete_and_json_safe(table: BaselineTable) -> None:
    d = json.loads(json.dumps(table.to_dict(), allow_nan=False))
    assert d["n_test"] == 450 and d["n_val"] == 450 and d["validation"] == "given"
    assert set(d["best"]) == set(MARGINS)
    assert len(d["members"]) == 1 + 4 + 8 + 2 + 2
    assert set(d["against_strongest"]) == set(MARGINS) - {next(k for k, v in d["best"].items() if v == d["strongest"])}
    md = table.to_markdown()
    for fam, r in table.best().items():
        assert f"| {fam} | `{r.name}` |" in md
    arrays = table.score_arrays()
    assert np.array_equal(arrays["labels"], table.test_labels)
    assert float(arrays["tree_cut"]) == 0.5


def test_compare_a_perfect_model_with_the_baselines(table: BaselineTable) -> None:
    perfect = table.test_labels.astype(float)
    for fam, c in table.compare(perfect).items():
        assert c.accuracy_b == 1.0, fam
        assert c.accuracy_diff > 0 and c.accuracy_p < 1e-3, fam
    chance = np.full(table.test_labels.size, 0.4)  # calls every map background
    assert all(c.accuracy_diff < -0.3 for c in table.compare(chance).values())


def test_holdout_when_no_validation_maps_and_determinism(maps: dict[str, np.ndarray]) -> None:
    cfg = replace(FAST, families=("single_cut", "tree"))
    a = evaluate_baselines(maps["xtr"], maps["ytr"], maps["xte"], maps["yte"], cfg=cfg)
    b = evaluate_baselines(maps["xtr"], maps["ytr"], maps["xte"], maps["yte"], cfg=cfg)
    assert a.n_val == round(0.2 * np.sum(maps["ytr"] == 0)) + round(0.2 * np.sum(maps["ytr"] == 1))
    assert a.n_train + a.n_val == maps["ytr"].size
    for ra, rb in zip(a.results, b.results, strict=True):
        assert np.array_equal(ra.test_scores, rb.test_scores)


# ---------------------------------------------------------------- shape table and two-stage with truth


def _toy_clusters(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """16 × 16 maps: particle maps hold one 2 × 1 cluster of 12 ke per pixel in rows 2–6; every map holds up
    to two single faint pixels (noise) in rows 9 or 12, never touching the track nor forming a 2 × 1 pair.
    Truth: 1 for the particle cluster, 0 for noise."""
    rng = np.random.default_rng(seed)
    m = np.zeros((n, 16, 16), np.float32)
    y = (rng.random(n) < 0.5).astype(int)
    for i in range(n):
        for _ in range(rng.integers(0, 3)):
            m[i, rng.choice([9, 12]), rng.integers(1, 15)] = rng.uniform(15, 40)
        if y[i]:
            r, c = rng.integers(2, 5), rng.integers(2, 13)
            m[i, r : r + 2, c] = 90.0
    truth = (find_clusters(m).adc >= 150).astype(int)
    return m, y, truth


def test_shape_table_learns_cell_probabilities() -> None:
    m, y, truth = _toy_clusters(600, 1)
    train = prepare(m[:400], y[:400], truth[: len(find_clusters(m[:400]))])
    test = prepare(m[400:], y[400:])
    lut = ClusterShapeTable(charge_bins=2, combiner="max").fit(train)
    p = lut.cluster_probability(test)
    is_track = find_clusters(m[400:]).adc >= 150
    # Sparse cells (a rare 1 × 2 noise pair) are pulled towards the overall fraction by the prior.
    assert p[is_track].min() > 0.9 and p[~is_track].max() < 0.2 and p[~is_track].mean() < 0.05
    assert np.mean((lut.score(test) > lut.cut) == y[400:]) > 0.97


def test_two_stage_trains_on_truth_when_the_data_carry_it() -> None:
    m, y, truth = _toy_clusters(600, 2)
    n_train_clusters = len(find_clusters(m[:400]))
    train = prepare(m[:400], y[:400], truth[:n_train_clusters])
    test = prepare(m[400:], y[400:])
    stage = ClusterStage("truth", folds=2)
    model = TwoStage(stage, "max").fit(train)
    s = stage.scores(test)
    is_track = find_clusters(m[400:]).adc >= 150
    assert s[is_track].min() > 0.9 and s[~is_track].max() < 0.1
    assert np.mean((model.score(test) > model.cut) == y[400:]) > 0.97
    with pytest.raises(DataError, match="per-cluster truth"):
        ClusterStage("truth").fit(prepare(m[:400], y[:400]))
    tab = evaluate_baselines(
        m[:400], y[:400], m[400:], y[400:], train_cluster_labels=truth[:n_train_clusters], cfg=FAST
    )
    assert {"two_stage:truth:max", "two_stage:truth:learned"} <= {r.name for r in tab.results}


def test_bad_inputs_are_one_line_errors() -> None:
    with pytest.raises(DataError, match="expected maps"):
        prepare(np.zeros((3, 8, 8), np.float32), np.zeros(4, int))
    with pytest.raises(DataError, match="labels must be 0"):
        prepare(np.zeros((2, 8, 8), np.float32), np.array([0, 2]))
    with pytest.raises(DataError, match="cluster labels for"):
        prepare(_hand_maps(), np.zeros(3, int), np.zeros(7, int))
    with pytest.raises(DataError, match="pass both or neither"):
        evaluate_baselines(_hand_maps(), np.array([1, 0, 0]), _hand_maps(), np.array([1, 0, 0]), _hand_maps())


def test_baselines_and_metrics_stay_below_training() -> None:
    # Layering: the baselines and the metrics import neither TensorFlow nor a stage above the data.
    code = (
        "import sys, fpgaflow.baselines, fpgaflow.baselines.inputs, fpgaflow.metrics\n"
        "above = ('tensorflow', 'keras', 'qkeras', 'hls4ml', 'fpgaflow.train', 'fpgaflow.pipeline', 'fpgaflow.cli')\n"
        "print(sorted(m for m in sys.modules if m.startswith(above)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
