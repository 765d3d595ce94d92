"""The truth ceiling and the label ambiguity, on hand-made truth and on simulated Run-3 windows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fpgaflow.baselines.ceiling import PATTERN_GROUPS, label_ambiguity, truth_ceiling, truth_patterns
from fpgaflow.data.simulate import SimulatorConfig, TrackConfig, WindowConfig, simulate
from fpgaflow.data.simulate.tracks import min_pt_to_reach, tsallis_fraction_above
from fpgaflow.data.split import split_indices
from fpgaflow.data.truth import SRC_BELOW_PT_CUT, SRC_NOISE, SRC_PRIMARY, ClusterTruth
from fpgaflow.errors import DataError


def _truth(map_index: list[int], source: list[int]) -> ClusterTruth:
    empty = ClusterTruth.empty()
    n = len(map_index)
    cols = {k: np.zeros(n, v.dtype) for k, v in empty.columns().items()}
    cols["map_index"] = np.array(map_index, np.int64)
    cols["source"] = np.array(source, np.int8)
    return ClusterTruth(**cols)


def test_the_ceiling_cannot_tell_tracks_apart_by_pt() -> None:
    # 400 maps with one cluster each: 100 primaries (particle), 100 tracks below the cut, 200 noise hits.
    # Told the source but not the pT, the best rule calls every track map the majority of its pattern
    # (here a tie broken to background) and every noise map background: 300 / 400 right.
    source = [SRC_PRIMARY] * 100 + [SRC_BELOW_PT_CUT] * 100 + [SRC_NOISE] * 200
    labels = np.array([1] * 100 + [0] * 300)
    truth = _truth(list(range(400)), source)
    patterns = truth_patterns(truth, 400)
    assert patterns.shape == (400, len(PATTERN_GROUPS))
    assert np.array_equal(patterns[:200, 0], np.ones(200))  # primary and below-cut share the "track" group
    rng = np.random.default_rng(0)
    train, _, test = split_indices(labels, 0.1, 0.4, rng)
    ceiling = truth_ceiling(labels, truth, train, test)
    assert ceiling.accuracy == pytest.approx(0.75, abs=0.06)
    assert ceiling.roc_auc == pytest.approx(0.833, abs=0.05)  # tracks score 0.5, noise 0
    amb = label_ambiguity(labels, truth)
    assert amb.one_track == pytest.approx(0.5)
    assert amb.n_one_track == 200
    assert amb.no_track == 0.0
    with pytest.raises(DataError, match="truth refers to map"):
        truth_ceiling(labels[:10], truth, np.arange(5), np.arange(5, 10))


def test_ceiling_and_ambiguity_on_run3_windows() -> None:
    # Natural 32 × 32 windows at pileup 60 (no class selection).  A window whose only cluster is an in-time
    # track is particle exactly when that track passes pT ≥ 0.5 GeV: ≈ the spectrum's fraction above the
    # cut, 0.40 for the π/K/p mix.  The ceiling is then the Bayes accuracy of counting tracks:
    # Σ_k P(k) max(q_k, 1 − q_k) with q_k = 1 − (1 − p)^k.
    cfg = SimulatorConfig(window=WindowConfig(region="crop", crop_rows=32, crop_cols=32), tracks=TrackConfig())
    data = simulate(cfg, 6000, seed=9, truth=True)
    assert data.truth is not None
    p = tsallis_fraction_above(cfg.tracks, min_pt_to_reach(29.0, 3.8), 0.5)
    assert p == pytest.approx(0.40, abs=0.01)
    amb = label_ambiguity(data.labels, data.truth)
    assert amb.one_track == pytest.approx(p, abs=0.03)  # ≈ 2 000 such windows: binomial error 0.011
    assert amb.no_track < 0.01
    train, _, test = split_indices(data.labels, 0.15, 0.35, np.random.default_rng(1))
    ceiling = truth_ceiling(data.labels, data.truth, train, test)
    k = truth_patterns(data.truth, len(data))[test, 0]
    q = 1 - (1 - p) ** k
    expected = float(np.mean(np.maximum(q, 1 - q)))
    assert ceiling.accuracy == pytest.approx(expected, abs=0.02)
    assert ceiling.accuracy_error == pytest.approx(math.sqrt(expected * (1 - expected) / test.size), rel=0.05)
    assert ceiling.accuracy > 1 - data.labels[test].mean()  # beats "always background"
    assert 0.8 < ceiling.roc_auc < 0.95


def test_measure_truth_gives_the_run_the_ceiling_of_its_own_split() -> None:
    """measure_truth learns on the training set and measures on the test set (the ceiling of the two sets
    joined, indices train then test), says the ambiguity over both, writes NaN as None (JSON), and labels
    clusters 1 only for tracks the map label counts; maps without truth are refused in one line."""
    from fpgaflow.baselines.measure_truth import cluster_labels, measure_truth, truth_sentence
    from fpgaflow.data.hitmaps import HitMapSet

    source = [SRC_PRIMARY] * 100 + [SRC_BELOW_PT_CUT] * 100 + [SRC_NOISE] * 200
    labels = np.array([1] * 100 + [0] * 300)
    order = np.random.default_rng(1).permutation(400)
    truth = _truth(list(range(400)), [source[i] for i in order])
    y = labels[order]
    maps = np.zeros((400, 4, 4, 1), np.float32)
    whole = HitMapSet(maps, y, truth=truth)
    train, test = whole.subset(np.arange(300)), whole.subset(np.arange(300, 400))
    got = measure_truth(train, test)
    expected = truth_ceiling(y, truth, np.arange(300), np.arange(300, 400))
    assert got["ceiling"]["accuracy"] == expected.accuracy and got["ceiling"]["n_test"] == 100
    assert got["ambiguity"]["one_track"] == pytest.approx(0.5) and got["ambiguity"]["n_one_track"] == 200
    assert got["ambiguity"]["by_track_count"][2] is None  # no map holds two tracks: NaN → null
    assert f"{100 * expected.accuracy:.1f} ± " in truth_sentence(
        got
    ) and "50 % of the time (200 maps)" in truth_sentence(got)
    assert cluster_labels(truth).tolist() == [int(source[i] == SRC_PRIMARY) for i in order]
    with pytest.raises(DataError, match="needs per-cluster truth"):
        measure_truth(HitMapSet(maps[:10], y[:10]), test)
