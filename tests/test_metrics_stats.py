"""Uncertainties and paired tests against scipy / sklearn references and closed-form variances."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from fpgaflow.errors import DataError
from fpgaflow.metrics import ONE_SIGMA, auc_interval, binomial_interval, mcnemar, paired_comparison
from fpgaflow.metrics.stats import p_text


@pytest.mark.parametrize(("k", "n"), [(0, 20), (3, 20), (10, 20), (20, 20), (830, 900), (1, 4000)])
@pytest.mark.parametrize("confidence", [ONE_SIGMA, 0.95])
def test_binomial_intervals_match_scipy(k: int, n: int, confidence: float) -> None:
    ref = stats.binomtest(k, n)
    wilson = ref.proportion_ci(confidence, method="wilson")
    exact = ref.proportion_ci(confidence, method="exact")
    assert binomial_interval(k, n, confidence, "wilson") == pytest.approx((wilson.low, wilson.high), abs=1e-12)
    assert binomial_interval(k, n, confidence, "clopper-pearson") == pytest.approx((exact.low, exact.high), abs=1e-9)


def test_one_sigma_wilson_is_close_to_the_normal_error_at_large_n() -> None:
    lo, hi = binomial_interval(830, 900)
    assert pytest.approx(0.682689, abs=1e-6) == ONE_SIGMA
    assert (hi - lo) / 2 == pytest.approx(math.sqrt(0.92222 * 0.07778 / 900), rel=0.01)
    with pytest.raises(DataError, match="0 <= k <= n"):
        binomial_interval(5, 4)


def _separated(n: int, shift: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.r_[np.ones(n // 2, int), np.zeros(n - n // 2, int)]
    return y, rng.normal(size=n) + shift * y


def test_auc_bootstrap_error_matches_hanley_mcneil() -> None:
    y, s = _separated(4000, 1.0, 1)
    r = auc_interval(y, s, n_boot=1000, seed=3)
    assert r.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    # Hanley & McNeil (1982) variance of the AUC for n1 particle and n2 noise maps.
    a, n1, n2 = r.auc, 2000, 2000
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a)) / (n1 * n2))
    assert r.error == pytest.approx(se, rel=0.12)
    assert r.low < r.auc < r.high
    assert (r.high - r.low) / 2 == pytest.approx(se, rel=0.15)  # one-sigma percentile interval
    assert auc_interval(y, s, n_boot=200, seed=3) == auc_interval(y, s, n_boot=200, seed=3)


def test_auc_bootstrap_handles_ties_like_the_exact_auc() -> None:
    y, s = _separated(600, 0.8, 2)
    s = np.round(s)  # heavy ties
    assert auc_interval(y, s, n_boot=50).auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_mcnemar_matches_the_exact_binomial_test() -> None:
    rng = np.random.default_rng(4)
    a = rng.random(500) < 0.80
    b = rng.random(500) < 0.86
    r = mcnemar(a, b)
    assert (r.only_a, r.only_b) == (int(np.sum(a & ~b)), int(np.sum(~a & b)))
    n, m = r.only_a + r.only_b, min(r.only_a, r.only_b)
    assert r.p_exact == pytest.approx(stats.binomtest(r.only_a, n, 0.5).pvalue, rel=1e-9)
    assert r.p_mid == pytest.approx(r.p_exact - stats.binom.pmf(m, n, 0.5), rel=1e-9)
    assert mcnemar(a, a).p_exact == mcnemar(a, a).p_mid == 1.0


def test_mcnemar_exact_keeps_its_size_under_the_null() -> None:
    # Two equally good classifiers: discordant maps split ½/½; the 5 % test rejects at most 5 % of the time.
    rng = np.random.default_rng(5)
    p = []
    for _ in range(2000):
        only_a = rng.binomial(60, 0.5)
        p.append(mcnemar(np.r_[np.ones(only_a), np.zeros(60 - only_a)], np.r_[np.zeros(only_a), np.ones(60 - only_a)]))
    exact = np.array([r.p_exact for r in p])
    mid = np.array([r.p_mid for r in p])
    assert np.mean(exact < 0.05) <= 0.05
    assert 0.02 <= np.mean(mid < 0.05) <= 0.065  # mid-p: closer to nominal


def test_identical_classifiers_give_p_one() -> None:
    y, s = _separated(1000, 1.0, 6)
    c = paired_comparison(y, s, s.copy(), 0.5, 0.5, n_boot=200)
    assert c.accuracy_diff == c.auc_diff == 0.0
    assert c.accuracy_error == c.auc_error == 0.0
    assert c.accuracy_p == c.accuracy_p_bootstrap == c.auc_p_bootstrap == 1.0


def test_a_clearly_better_classifier_gets_a_small_p() -> None:
    y, weak = _separated(2000, 0.5, 7)
    strong = weak + 1.5 * y  # the same noise, more separation
    c = paired_comparison(y, weak, strong, 0.25, 1.0, n_boot=500, seed=1)
    assert c.accuracy_diff > 0.15
    assert c.auc_diff > 0.15
    assert c.accuracy_p < 1e-20
    assert c.accuracy_p_bootstrap == c.auc_p_bootstrap == pytest.approx(2 / 501)
    # The paired bootstrap error of the accuracy difference against its closed form (McNemar variance).
    b, cc, n = c.mcnemar.only_a, c.mcnemar.only_b, y.size
    assert c.accuracy_error == pytest.approx(math.sqrt((b + cc) / n**2 - (b - cc) ** 2 / n**3), rel=0.15)
    assert "accuracy +" in c.summary("weak", "strong")


def test_paired_comparison_of_two_independent_equals_is_not_significant() -> None:
    rng = np.random.default_rng(8)
    y = np.r_[np.ones(1500, int), np.zeros(1500, int)]
    a, b = rng.normal(size=3000) + y, rng.normal(size=3000) + y
    c = paired_comparison(y, a, b, 0.5, 0.5, n_boot=300)
    assert c.accuracy_p > 0.01 and c.auc_p_bootstrap > 0.01
    assert abs(c.auc_diff) < 3 * c.auc_error


def test_bad_inputs_are_one_line_errors() -> None:
    with pytest.raises(DataError, match="need both classes"):
        auc_interval(np.ones(10), np.arange(10.0))
    with pytest.raises(DataError, match="3 labels but 2 scores"):
        paired_comparison(np.array([1, 0, 1]), np.zeros(3), np.zeros(2))


def test_p_values_below_the_smallest_double_print_as_a_bound() -> None:
    assert p_text(0.0) == "< 1e-300"
    assert p_text(0.01234) == "0.012"
