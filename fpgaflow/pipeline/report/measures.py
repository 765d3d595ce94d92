"""The figures of merit the report quotes, each with its uncertainty (from :mod:`fpgaflow.metrics`).

* accuracy: k correct of n maps, with the Wilson score interval at one Gaussian sigma (68.3 %) — at 900 maps
  and 90 % accuracy that is ± 1.0 pp, so a 1 pp difference between two classifiers is not a result;
* ROC AUC with its stratified-bootstrap error;
* background rejection 1/ε_B at 90 % and 95 % signal efficiency, with the Wilson interval of the background
  count that passes (a rejection of 20 from 6 background maps of 120 is 20 (+10 −6), not 20.0);
* the confusion matrix at the deployed cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fpgaflow.metrics import (
    DEFAULT_EFFICIENCIES,
    ONE_SIGMA,
    AucInterval,
    auc_interval,
    background_rejection,
    binomial_interval,
    roc_curve,
)

#: The deployed decision: particle when the score is ≥ 0.5 (the board driver's and ``fpgaflow verify``'s).
CUT = 0.5


@dataclass(frozen=True)
class Rejection:
    """1/ε_B at ``efficiency``: ``value`` (``inf`` when no background map passes), its 68.3 % interval from
    the passing background count ``passed`` of ``n_background``."""

    efficiency: float
    value: float
    low: float
    high: float
    passed: int
    n_background: int


@dataclass(frozen=True)
class Figures:
    """One classifier on the test maps (see module docstring)."""

    name: str
    n: int
    correct: int
    accuracy_low: float
    accuracy_high: float
    auc: AucInterval
    rejections: tuple[Rejection, ...]
    confusion: npt.NDArray[np.int64]
    fpr: npt.NDArray[np.float64]
    tpr: npt.NDArray[np.float64]

    @property
    def accuracy(self) -> float:
        return self.correct / self.n

    @property
    def accuracy_error(self) -> float:
        """Half the width of the 68.3 % Wilson interval."""
        return (self.accuracy_high - self.accuracy_low) / 2.0


def rejection(labels: npt.NDArray[np.int64], scores: npt.NDArray[np.float64], efficiency: float) -> Rejection:
    """:func:`fpgaflow.metrics.background_rejection` with the Wilson interval of its background count."""
    n_bkg = int(np.sum(labels == 0))
    value = background_rejection(labels, scores, efficiency)
    passed = 0 if math.isinf(value) else round(n_bkg / value)
    lo, hi = binomial_interval(passed, n_bkg, ONE_SIGMA)
    return Rejection(efficiency, value, 1.0 / hi, math.inf if lo == 0 else 1.0 / lo, passed, n_bkg)


def figures_of(
    name: str,
    labels: npt.NDArray[np.int64],
    scores: npt.NDArray[np.float64],
    decisions: npt.NDArray[np.bool_] | None = None,
    n_boot: int = 1000,
) -> Figures:
    """Every figure of ``scores`` against ``labels``; ``decisions``: the classifier's calls (default: score
    ≥ :data:`CUT`)."""
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    called = (s >= CUT) if decisions is None else np.asarray(decisions, dtype=bool).reshape(-1)
    correct = int(np.sum(called == (y == 1)))
    lo, hi = binomial_interval(correct, y.size, ONE_SIGMA)
    both = bool((y == 1).any() and (y == 0).any())
    confusion = np.zeros((2, 2), dtype=np.int64)
    np.add.at(confusion, (y, called.astype(np.int64)), 1)
    fpr, tpr = roc_curve(y, s)
    return Figures(
        name=name,
        n=int(y.size),
        correct=correct,
        accuracy_low=lo,
        accuracy_high=hi,
        auc=auc_interval(y, s, n_boot=n_boot)
        if both
        else AucInterval(math.nan, math.nan, math.nan, math.nan, ONE_SIGMA, 0),
        rejections=tuple(rejection(y, s, e) for e in DEFAULT_EFFICIENCIES) if both else (),
        confusion=confusion,
        fpr=np.asarray(fpr, dtype=np.float64),
        tpr=np.asarray(tpr, dtype=np.float64),
    )


def working_point(labels: npt.NDArray[np.int64], decisions: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """(signal efficiency, background efficiency) of ``decisions``."""
    y = np.asarray(labels).reshape(-1) == 1
    d = np.asarray(decisions, dtype=bool).reshape(-1)
    return float(d[y].mean()) if y.any() else math.nan, float(d[~y].mean()) if (~y).any() else math.nan
