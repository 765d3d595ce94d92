"""Figures of merit: accuracy, exact ROC AUC, background rejection at fixed signal efficiency."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fpgaflow.errors import DataError
from fpgaflow.metrics.roc import accuracy, background_rejection, evaluate, roc_auc, roc_curve


def test_accuracy_uses_a_cut_at_one_half() -> None:
    assert accuracy(np.array([1, 0, 1, 0]), np.array([0.9, 0.6, 0.5, 0.1])) == 0.5


def test_auc_counts_pairs_with_ties_as_half() -> None:
    y = np.array([1, 1, 0, 0])
    assert roc_auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 1.0
    assert roc_auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 0.0
    # pairs (sig, bkg): (0.5,0.5) tie → ½, (0.5,0.1) → 1, (0.9,0.5) → 1, (0.9,0.1) → 1 ⇒ 3.5/4
    assert roc_auc(y, np.array([0.5, 0.9, 0.5, 0.1])) == 0.875
    assert math.isnan(roc_auc(np.array([1, 1]), np.array([0.2, 0.3])))


def test_auc_matches_the_trapezoid_under_the_roc_curve() -> None:
    rng = np.random.default_rng(5)
    y = rng.random(500) < 0.4
    s = np.round(rng.random(500) + 0.3 * y, 2)  # rounded: many ties
    fpr, tpr = roc_curve(y, s)
    assert fpr[0] == tpr[0] == 0.0
    assert fpr[-1] == tpr[-1] == 1.0
    area = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # trapezoid rule
    assert roc_auc(y, s) == pytest.approx(area, abs=1e-12)


def test_background_rejection_at_fixed_signal_efficiency() -> None:
    sig = np.arange(1, 11) / 10.0  # 0.1 .. 1.0
    bkg = np.array([0.05, 0.15, 0.25, 0.35, 0.95])
    y = np.r_[np.ones(10), np.zeros(5)]
    s = np.r_[sig, bkg]
    # 90 % of 10 signal maps = 9 → cut at the 9th highest, 0.2; background ≥ 0.2: 0.25, 0.35, 0.95 → FPR 3/5
    assert background_rejection(y, s, 0.9) == pytest.approx(5 / 3)
    # 50 %: cut 0.6 → only 0.95 passes → FPR 1/5
    assert background_rejection(y, s, 0.5) == pytest.approx(5.0)
    assert background_rejection(y, np.r_[sig + 1.0, bkg], 0.9) == math.inf
    with pytest.raises(DataError, match=r"signal efficiency must be in \(0, 1\]"):
        background_rejection(y, s, 0.0)


def test_evaluate_reports_unbounded_rejection_as_null_with_bound() -> None:
    y = np.array([1, 1, 0, 0, 0])
    m = evaluate(y, np.array([0.9, 0.8, 0.1, 0.2, 0.3]))
    d = m.to_dict()
    assert d["accuracy"] == 1.0
    assert d["roc_auc"] == 1.0
    assert d["background_rejection"] == {"0.90": None, "0.95": None}
    assert m.rejection_text(0.9) == "> 3"


def test_mismatched_or_non_finite_scores_are_rejected() -> None:
    with pytest.raises(DataError, match="3 labels but 2 scores"):
        accuracy(np.array([1, 0, 1]), np.array([0.1, 0.2]))
    with pytest.raises(DataError, match="1 non-finite"):
        roc_auc(np.array([1, 0]), np.array([np.nan, 0.2]))


def test_data_reduction_is_what_the_rejection_cut_drops() -> None:
    """At the cut keeping ε of the signal, the share of all items dropped: 1 − ε·f − (1 − f)/rejection."""
    from fpgaflow.metrics.roc import data_reduction

    y = np.array([1] * 8 + [0] * 2)
    s = np.r_[np.linspace(1.0, 0.3, 8), [0.5, 0.1]]
    # ε = 0.9 keeps ceil(7.2) = 8 signal items (cut 0.3): one background item (0.1) is dropped.
    assert data_reduction(y, s, 0.9) == pytest.approx(0.1)
    assert background_rejection(y, s, 0.9) == pytest.approx(2.0)
    # ε = 0.5 keeps 4 signal items (cut 0.7): 4 signal and 2 background dropped.
    assert data_reduction(y, s, 0.5) == pytest.approx(0.6)
    rng = np.random.default_rng(3)
    y = rng.random(2000) < 0.8
    s = rng.normal(y.astype(float), 1.0)
    for eff in (0.9, 0.95):
        k = math.ceil(eff * y.sum())
        f = y.mean()
        assert data_reduction(y, s, eff) == pytest.approx(1 - k / y.size - (1 - f) / background_rejection(y, s, eff))
    with pytest.raises(DataError, match="signal efficiency"):
        data_reduction(y, s, 0.0)
