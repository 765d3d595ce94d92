"""Artificial balancing and the INS / ISNS / ENS class weights."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow.augment.imbalance import balanced_indices, balancing_rates, class_weights
from fpgaflow.errors import ConfigError, DataError

LABELS = np.r_[np.zeros(90, np.int8), np.ones(10, np.int8)]


def test_rates_are_threshold_over_count() -> None:
    assert balancing_rates(LABELS, 30) == {0: 30 / 90, 1: 3.0}


def test_balanced_epoch_up_and_down_samples() -> None:
    idx, aug = balanced_indices(LABELS, 30, np.random.default_rng(0))
    np.testing.assert_array_equal(np.bincount(LABELS[idx]), [30, 30])
    maj = idx[LABELS[idx] == 0]
    assert np.unique(maj).size == 30  # down-sampled without replacement
    assert not aug[LABELS[idx] == 0].any()  # originals are not forced to augmentation
    mino = LABELS[idx] == 1
    np.testing.assert_array_equal(np.sort(idx[mino & ~aug]), np.arange(90, 100))  # every minority map once
    assert aug[mino].sum() == 20  # the 20 extra draws are augmented
    idx2, aug2 = balanced_indices(LABELS, 30, np.random.default_rng(0))
    np.testing.assert_array_equal(idx, idx2)
    np.testing.assert_array_equal(aug, aug2)


def test_balancing_bad_args() -> None:
    with pytest.raises(ConfigError, match="threshold must be >= 1"):
        balancing_rates(LABELS, 0)
    with pytest.raises(DataError, match="empty"):
        balanced_indices(np.zeros(0, np.int8), 5, np.random.default_rng(0))


def test_ins_isns_ens_formulas() -> None:
    ins = class_weights(LABELS, "ins")
    np.testing.assert_allclose([ins[0], ins[1]], np.array([1 / 90, 1 / 10]) * 2 / (1 / 90 + 1 / 10))
    assert ins[0] * 90 == pytest.approx(ins[1] * 10)  # each class carries the same total weight
    isns = class_weights(LABELS, "isns")
    assert isns[1] / isns[0] == pytest.approx(3.0)  # sqrt(90 / 10)
    beta = 0.9
    ens = class_weights(LABELS, "ens", beta)
    e0, e1 = (1 - beta**90) / (1 - beta), (1 - beta**10) / (1 - beta)
    assert ens[1] / ens[0] == pytest.approx(e0 / e1)
    for w in (ins, isns, ens):
        assert sum(w.values()) == pytest.approx(2.0)


def test_ens_limits() -> None:
    eq = class_weights(LABELS, "ens", 0.0)
    assert eq[0] == pytest.approx(eq[1])  # β = 0: every class has effective number 1
    near = class_weights(LABELS, "ens", 0.999999)
    ins = class_weights(LABELS, "ins")
    assert near[1] == pytest.approx(ins[1], rel=1e-3)  # β → 1 approaches INS


def test_class_weight_bad_args() -> None:
    with pytest.raises(ConfigError, match="beta in \\[0, 1\\)"):
        class_weights(LABELS, "ens", 1.0)
    with pytest.raises(ConfigError, match="unknown class weighting"):
        class_weights(LABELS, "inverse")  # type: ignore[arg-type]
