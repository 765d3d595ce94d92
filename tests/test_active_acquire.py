"""Acquisition functions on hand-made scores and embeddings: entropy and margin pick the most uncertain maps
(and differ only with three or more classes), core-set covers the farthest points, random is seeded, and no
method ever returns a labelled map."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow.active.acquire import (
    ACQUISITIONS,
    acquire,
    class_probabilities,
    kcenter_greedy,
    most_uncertain,
    random_pick,
    uncertainty,
)
from fpgaflow.errors import DataError

pytest.importorskip("skactiveml")


def test_entropy_picks_the_scores_closest_to_one_half() -> None:
    scores = np.array([0.9, 0.5, 0.1, 0.45, 0.99, 0.7])
    values = uncertainty(scores, "entropy")
    assert values[1] == pytest.approx(np.log(2.0))  # p = ½: ln 2 nats, the maximum
    assert values[0] == pytest.approx(-(0.9 * np.log(0.9) + 0.1 * np.log(0.1)))
    assert most_uncertain(values, 2).tolist() == [1, 3]
    assert most_uncertain(values, 3).tolist() == [1, 3, 5]


def test_margin_uncertainty_is_one_minus_the_gap_between_the_top_two_classes() -> None:
    scores = np.array([0.9, 0.5, 0.2])
    assert uncertainty(scores, "margin") == pytest.approx([0.2, 1.0, 0.4])  # 1 − |2p − 1|


def test_entropy_and_margin_pick_the_same_maps_for_a_binary_classifier() -> None:
    scores = np.random.default_rng(4).random(500)
    for k in (1, 10, 100):
        entropy = set(most_uncertain(uncertainty(scores, "entropy"), k).tolist())
        margin = set(most_uncertain(uncertainty(scores, "margin"), k).tolist())
        assert entropy == margin


def test_entropy_and_margin_differ_with_three_classes() -> None:
    # A: two classes tied (margin 0) but low entropy; B: spread over three classes (higher entropy, margin 0.1).
    probas = np.array([[0.5, 0.5, 0.0], [0.4, 0.3, 0.3], [0.9, 0.05, 0.05]])
    assert most_uncertain(uncertainty(probas, "margin"), 1).tolist() == [0]
    assert most_uncertain(uncertainty(probas, "entropy"), 1).tolist() == [1]
    assert uncertainty(probas, "entropy")[1] == pytest.approx(-(0.4 * np.log(0.4) + 0.6 * np.log(0.3)))


def test_ties_go_to_the_lower_pool_position() -> None:
    assert most_uncertain(np.array([1.0, 3.0, 3.0, 2.0, 3.0]), 2).tolist() == [1, 2]


def test_coreset_picks_the_point_farthest_from_the_labelled_ones_then_the_next_farthest() -> None:
    # 1-D embeddings; position 0 is labelled.  Farthest from {0}: 11; then farthest from {0, 11}: 5.
    x = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [5.0]])
    labelled = np.array([True, False, False, False, False, False])
    assert kcenter_greedy(x, labelled, 1).tolist() == [4]
    picks = kcenter_greedy(x, labelled, 2)
    assert picks.tolist() == [4, 5]
    centres = x[labelled | np.isin(np.arange(6), picks)]
    radius = np.max(np.min(np.abs(x - centres.T), axis=1))
    assert radius == pytest.approx(2.0)  # the cover's radius: map 2 is 2 from centre 0 (3 from 5)


def test_coreset_covers_two_far_clusters_before_filling_in_one() -> None:
    rng = np.random.default_rng(0)
    near = rng.normal(0.0, 0.1, (50, 2))
    far = rng.normal(20.0, 0.1, (5, 2))
    x = np.vstack([near, far])
    labelled = np.zeros(55, dtype=bool)
    labelled[0] = True
    picks = kcenter_greedy(x, labelled, 1)
    assert picks[0] >= 50  # the far cluster first


def test_random_pick_is_seeded_and_distinct() -> None:
    a = random_pick(100, 10, np.random.default_rng(3))
    b = random_pick(100, 10, np.random.default_rng(3))
    c = random_pick(100, 10, np.random.default_rng(4))
    assert a.tolist() == b.tolist()
    assert a.tolist() != c.tolist()
    assert np.unique(a).size == 10


@pytest.mark.parametrize("method", ACQUISITIONS)
def test_no_method_returns_a_labelled_map(method: str) -> None:
    rng = np.random.default_rng(1)
    n = 60
    labelled = np.zeros(n, dtype=bool)
    labelled[rng.choice(n, 20, replace=False)] = True
    scores = rng.random(n)
    scores[labelled] = 0.5  # labelled maps are the most uncertain: they must still not be picked
    embed = rng.normal(size=(n, 3))
    embed[labelled] *= 100  # and the farthest
    picks = acquire(method, 15, labelled, np.random.default_rng(2), scores=scores, embeddings=embed)
    assert picks.size == 15
    assert np.unique(picks).size == 15
    assert not labelled[picks].any()


def test_acquire_refuses_more_maps_than_are_left_and_missing_inputs() -> None:
    labelled = np.array([True, False, False])
    with pytest.raises(DataError, match="cannot acquire 3 maps from 2"):
        acquire("random", 3, labelled, np.random.default_rng(0))
    with pytest.raises(DataError, match="needs the model's scores"):
        acquire("entropy", 1, labelled, np.random.default_rng(0))
    with pytest.raises(DataError, match="needs the pool's embeddings"):
        acquire("coreset", 1, labelled, np.random.default_rng(0))
    with pytest.raises(DataError, match="unknown acquisition 'badge'"):
        acquire("badge", 1, labelled, np.random.default_rng(0))
    with pytest.raises(DataError, match=r"must lie in \[0, 1\]"):
        class_probabilities(np.array([0.2, 1.5]))
