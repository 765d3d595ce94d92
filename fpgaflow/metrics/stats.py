"""Uncertainties a physicist trusts, and the paired comparison of two classifiers on the same maps.

* :func:`binomial_interval` — an accuracy k/n as a binomial proportion: Wilson score or Clopper–Pearson
  (exact) interval.  The default confidence is one Gaussian sigma (68.27 %), so "accuracy ± error" reads
  like any other measurement; pass 0.95 for the usual 95 % interval.
* :func:`auc_interval` — the ROC AUC with a stratified bootstrap: the particle and the noise maps are
  resampled separately (the test set's class counts are fixed by design), the AUC is recomputed exactly
  (ties ½) on every replica; the interval is the percentile interval, the error the replicas' standard
  deviation.
* :func:`mcnemar` — do two classifiers differ in accuracy on the same maps?  Only the maps where exactly one
  of them is right count (b: only A right, c: only B right); under "no difference" b ~ Binomial(b + c, ½).
  Exact two-sided p = min(1, 2·P(X ≤ min(b, c))); mid-p = exact p − P(X = min(b, c)) (Fagerland, Lydersen,
  Laake, BMC Med. Res. Methodol. 13 (2013) 91: mid-p keeps the size of the test closer to nominal).
* :func:`sample_std` — the spread of a figure over seeds (sample standard deviation).
* :func:`paired_comparison` — difference in accuracy and in AUC of B minus A with a paired stratified
  bootstrap (the *same* resampled maps for both), its standard error and two-sided p-value
  p = min(1, 2·min(#{Δ* ≤ 0} + 1, #{Δ* ≥ 0} + 1) / (B + 1)); the smallest p it can give is 2/(B + 1).

Every random draw comes from a ``numpy.random.Generator`` built from the ``seed`` argument.  scipy is imported
on first use, so importing this module (and the CLI that lists it) needs numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from fpgaflow.errors import DataError
from fpgaflow.metrics.roc import Array, roc_auc

#: One Gaussian standard deviation as a two-sided confidence level.
ONE_SIGMA = math.erf(1.0 / math.sqrt(2.0))


def sample_std(values: Sequence[float]) -> float:
    """Sample standard deviation (``ddof=1``) of figures over seeds; 0 for a single value."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


BinomialMethod = Literal["wilson", "clopper-pearson"]


def binomial_interval(
    k: int, n: int, confidence: float = ONE_SIGMA, method: BinomialMethod = "wilson"
) -> tuple[float, float]:
    """Interval for a proportion of ``k`` successes in ``n`` trials at two-sided ``confidence``."""
    if n <= 0 or not 0 <= k <= n:
        raise DataError(f"binomial interval needs 0 <= k <= n and n > 0, got k={k}, n={n}")
    if not 0.0 < confidence < 1.0:
        raise DataError(f"confidence must be in (0, 1), got {confidence}")
    from scipy import stats

    alpha = 1.0 - confidence
    if method == "wilson":
        z = float(stats.norm.ppf(1.0 - alpha / 2.0))
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
        return max(0.0, centre - half), min(1.0, centre + half)
    if method == "clopper-pearson":
        lo = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2.0, k, n - k + 1))
        hi = 1.0 if k == n else float(stats.beta.ppf(1.0 - alpha / 2.0, k + 1, n - k))
        return lo, hi
    raise DataError(f"unknown binomial interval method {method!r}; expected 'wilson' or 'clopper-pearson'")


def _labels_scores(labels: Array, *scores: Array) -> tuple[Array, list[Array]]:
    y = np.asarray(labels).reshape(-1).astype(bool)
    out = []
    for s in scores:
        arr = np.asarray(s, dtype=np.float64).reshape(-1)
        if arr.shape != y.shape:
            raise DataError(f"{y.size} labels but {arr.size} scores")
        if not np.all(np.isfinite(arr)):
            raise DataError(f"scores contain {int(np.sum(~np.isfinite(arr)))} non-finite values")
        out.append(arr)
    if not (y.any() and (~y).any()):
        raise DataError(f"need both classes, got {int(y.sum())} particle and {int((~y).sum())} noise maps")
    return y, out


class _StratifiedBootstrap:
    """Replicas of a labelled set: particle and noise maps resampled separately, with replacement.

    A replica is given as the multiplicity of every particle map and of every noise map, so that the exact
    AUC of a replica is a weighted count over the score groups of the original set (no re-sorting).
    """

    def __init__(self, y: Array, n_boot: int, seed: int) -> None:
        if n_boot < 10:
            raise DataError(f"a bootstrap needs at least 10 replicas, got {n_boot}")
        self.pos = np.flatnonzero(y)
        self.neg = np.flatnonzero(~y)
        self.n_boot = n_boot
        self.rng = np.random.default_rng(seed)

    def replicas(self) -> Iterator[tuple[Array, Array]]:
        n_pos, n_neg = self.pos.size, self.neg.size
        for _ in range(self.n_boot):
            w_pos = np.bincount(self.rng.integers(0, n_pos, n_pos), minlength=n_pos).astype(np.float64)
            w_neg = np.bincount(self.rng.integers(0, n_neg, n_neg), minlength=n_neg).astype(np.float64)
            yield w_pos, w_neg


class _WeightedAuc:
    """Exact AUC (ties ½) of one score vector under per-map weights of a bootstrap replica."""

    def __init__(self, scores: Array, pos: Array, neg: Array) -> None:
        values, group = np.unique(scores, return_inverse=True)
        self.n_groups = values.size
        self.g_pos = group[pos]
        self.g_neg = group[neg]

    def __call__(self, w_pos: Array, w_neg: Array) -> float:
        cp = np.bincount(self.g_pos, weights=w_pos, minlength=self.n_groups)
        cn = np.bincount(self.g_neg, weights=w_neg, minlength=self.n_groups)
        below = np.cumsum(cn) - cn  # noise weight strictly below each score group
        return float(np.dot(cp, below + 0.5 * cn) / (cp.sum() * cn.sum()))


@dataclass(frozen=True)
class AucInterval:
    """ROC AUC with its bootstrap standard error and percentile interval at ``confidence``."""

    auc: float
    error: float
    low: float
    high: float
    confidence: float
    n_boot: int

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def auc_interval(
    labels: Array, scores: Array, confidence: float = ONE_SIGMA, n_boot: int = 1000, seed: int = 0
) -> AucInterval:
    """ROC AUC of ``scores`` with a stratified-bootstrap error and percentile interval."""
    y, (s,) = _labels_scores(labels, scores)
    boot = _StratifiedBootstrap(y, n_boot, seed)
    auc_of = _WeightedAuc(s, boot.pos, boot.neg)
    reps = np.array([auc_of(wp, wn) for wp, wn in boot.replicas()])
    alpha = 1.0 - confidence
    lo, hi = np.quantile(reps, [alpha / 2.0, 1.0 - alpha / 2.0])
    return AucInterval(roc_auc(y, s), float(reps.std(ddof=1)), float(lo), float(hi), confidence, n_boot)


@dataclass(frozen=True)
class McNemarResult:
    """Discordant maps (``only_a``: A right and B wrong; ``only_b``: the reverse) and the two-sided
    exact and mid-p values of McNemar's test."""

    only_a: int
    only_b: int
    p_exact: float
    p_mid: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def mcnemar(correct_a: Array, correct_b: Array) -> McNemarResult:
    """McNemar's exact and mid-p test on two per-map correctness vectors of the same maps."""
    a = np.asarray(correct_a, dtype=bool).reshape(-1)
    b = np.asarray(correct_b, dtype=bool).reshape(-1)
    if a.shape != b.shape:
        raise DataError(f"McNemar needs the same maps: {a.size} and {b.size} decisions")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    n = only_a + only_b
    if n == 0:
        return McNemarResult(only_a, only_b, 1.0, 1.0)
    from scipy import stats

    m = min(only_a, only_b)
    exact = min(1.0, 2.0 * float(stats.binom.cdf(m, n, 0.5)))
    mid = min(1.0, 2.0 * float(stats.binom.cdf(m, n, 0.5)) - float(stats.binom.pmf(m, n, 0.5)))
    return McNemarResult(only_a, only_b, exact, mid)


def p_text(p: float) -> str:
    """A p-value for a table: two significant digits; one below the smallest double is "< 1e-300"."""
    return f"{p:.2g}" if p > 0.0 else "< 1e-300"


def _bootstrap_p(deltas: Array) -> float:
    n = deltas.size
    low = (int(np.sum(deltas <= 0.0)) + 1) / (n + 1)
    high = (int(np.sum(deltas >= 0.0)) + 1) / (n + 1)
    return min(1.0, 2.0 * min(low, high))


@dataclass(frozen=True)
class PairedComparison:
    """Classifier B against classifier A on the same ``n_maps`` maps; every difference is B − A.

    ``accuracy_p`` is McNemar's mid-p (``mcnemar`` holds the exact p too); ``*_error`` and ``*_p_bootstrap``
    come from the paired stratified bootstrap of ``n_boot`` replicas.
    """

    n_maps: int
    accuracy_a: float
    accuracy_b: float
    accuracy_diff: float
    accuracy_error: float
    accuracy_p: float
    accuracy_p_bootstrap: float
    mcnemar: McNemarResult
    auc_a: float
    auc_b: float
    auc_diff: float
    auc_error: float
    auc_p_bootstrap: float
    n_boot: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self, name_a: str = "A", name_b: str = "B") -> str:
        """One line: ``B − A: accuracy +1.2 ± 0.4 pp (McNemar mid-p 0.003), AUC +0.010 ± 0.004 (p 0.01)``."""
        return (
            f"{name_b} − {name_a}: accuracy {100 * self.accuracy_diff:+.1f} ± {100 * self.accuracy_error:.1f} pp "
            f"(McNemar mid-p {p_text(self.accuracy_p)}), AUC {self.auc_diff:+.3f} ± {self.auc_error:.3f} "
            f"(bootstrap p {p_text(self.auc_p_bootstrap)})"
        )


def paired_comparison(
    labels: Array,
    scores_a: Array,
    scores_b: Array,
    cut_a: float = 0.5,
    cut_b: float = 0.5,
    n_boot: int = 1000,
    seed: int = 0,
) -> PairedComparison:
    """Compare classifier B with classifier A on the same maps.

    ``scores_*`` are per-map particle scores; a map is called *particle* when its score is above ``cut_*``
    (0.5 for a softmax output; a learned threshold for a cut-based baseline).
    """
    y, (sa, sb) = _labels_scores(labels, scores_a, scores_b)
    correct_a = (sa > cut_a) == y
    correct_b = (sb > cut_b) == y
    boot = _StratifiedBootstrap(y, n_boot, seed)
    auc_a_of = _WeightedAuc(sa, boot.pos, boot.neg)
    auc_b_of = _WeightedAuc(sb, boot.pos, boot.neg)
    diff_pos = (correct_b.astype(np.float64) - correct_a)[boot.pos]
    diff_neg = (correct_b.astype(np.float64) - correct_a)[boot.neg]
    d_acc = np.empty(n_boot)
    d_auc = np.empty(n_boot)
    for i, (wp, wn) in enumerate(boot.replicas()):
        d_acc[i] = (np.dot(wp, diff_pos) + np.dot(wn, diff_neg)) / y.size
        d_auc[i] = auc_b_of(wp, wn) - auc_a_of(wp, wn)
    test = mcnemar(correct_a, correct_b)
    auc_a, auc_b = roc_auc(y, sa), roc_auc(y, sb)
    return PairedComparison(
        n_maps=int(y.size),
        accuracy_a=float(correct_a.mean()),
        accuracy_b=float(correct_b.mean()),
        accuracy_diff=float(correct_b.mean() - correct_a.mean()),
        accuracy_error=float(d_acc.std(ddof=1)),
        accuracy_p=test.p_mid,
        accuracy_p_bootstrap=_bootstrap_p(d_acc),
        mcnemar=test,
        auc_a=auc_a,
        auc_b=auc_b,
        auc_diff=auc_b - auc_a,
        auc_error=float(d_auc.std(ddof=1)),
        auc_p_bootstrap=_bootstrap_p(d_auc),
        n_boot=n_boot,
    )
