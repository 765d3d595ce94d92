"""Classifier figures of merit as physicists quote them (label 1 = particle = "signal", 0 = noise = "background").

* accuracy at a score cut of 0.5;
* ROC AUC — the probability that a random particle map scores above a random noise map (ties count ½),
  computed exactly from ranks (Mann–Whitney U);
* background rejection ``1/FPR`` at a fixed signal efficiency ε: the cut keeps the top ``ceil(ε·n_signal)``
  particle maps and the rejection is one over the fraction of noise maps that pass the same cut.  When no
  noise map passes, the rejection is unbounded; it is reported as ``None`` with the lower bound
  ``n_background`` ("> N" in Markdown).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.errors import DataError

#: Any numpy array (labels, scores, decisions) in this module's signatures.
Array = npt.NDArray[Any]

DEFAULT_EFFICIENCIES: tuple[float, ...] = (0.90, 0.95)


def _check(labels: Array, scores: Array) -> tuple[Array, Array]:
    y = np.asarray(labels).reshape(-1)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if y.shape != s.shape:
        raise DataError(f"{y.size} labels but {s.size} scores")
    if not np.all(np.isfinite(s)):
        raise DataError(f"scores contain {int(np.sum(~np.isfinite(s)))} non-finite values")
    return y.astype(bool), s


def accuracy(labels: Array, scores: Array, cut: float = 0.5) -> float:
    """Fraction of maps whose class (score > ``cut``) matches the label."""
    y, s = _check(labels, scores)
    return float(np.mean((s > cut) == y))


def roc_auc(labels: Array, scores: Array) -> float:
    """Area under the ROC curve (exact, ties counted ½); NaN when one class is absent."""
    y, s = _check(labels, scores)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    from scipy.stats import rankdata  # scipy on first use: importing the metrics needs numpy only

    ranks = rankdata(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def roc_curve(labels: Array, scores: Array) -> tuple[Array, Array]:
    """(false-positive rate, true-positive rate) at every distinct score cut, from (0, 0) to (1, 1)."""
    y, s = _check(labels, scores)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    last_of_value = np.r_[np.flatnonzero(np.diff(s_sorted)), s_sorted.size - 1]
    tp = np.cumsum(y_sorted)[last_of_value]
    fp = np.cumsum(~y_sorted)[last_of_value]
    tpr = np.r_[0.0, tp / max(1, int(y.sum()))]
    fpr = np.r_[0.0, fp / max(1, int((~y).sum()))]
    return fpr, tpr


def background_rejection(labels: Array, scores: Array, signal_efficiency: float) -> float:
    """``1/FPR`` at the cut that keeps ``signal_efficiency`` of the particle maps (``inf`` if FPR is 0)."""
    if not 0.0 < signal_efficiency <= 1.0:
        raise DataError(f"signal efficiency must be in (0, 1], got {signal_efficiency}")
    y, s = _check(labels, scores)
    sig = np.sort(s[y])[::-1]
    bkg = s[~y]
    if sig.size == 0 or bkg.size == 0:
        raise DataError(f"need both classes for a rejection, got {sig.size} particle and {bkg.size} noise maps")
    cut = _cut_at(sig, signal_efficiency)
    fpr = float(np.mean(bkg >= cut))
    return math.inf if fpr == 0 else 1.0 / fpr


def _cut_at(sig_descending: Array, signal_efficiency: float) -> float:
    """The score cut (``score >= cut`` kept) that keeps the top ``ceil(ε·n_signal)`` particle scores."""
    k = min(sig_descending.size, math.ceil(signal_efficiency * sig_descending.size - 1e-9))
    return float(sig_descending[k - 1])


def data_reduction(labels: Array, scores: Array, signal_efficiency: float) -> float:
    """The fraction of all items (maps, clusters) dropped by the cut of :func:`background_rejection` at
    ``signal_efficiency``: what an on-detector filter saves in readout bandwidth while keeping that share of
    the signal.  With signal fraction f it is ``1 − ε·f − (1 − f)/rejection`` (ties at the cut are kept)."""
    if not 0.0 < signal_efficiency <= 1.0:
        raise DataError(f"signal efficiency must be in (0, 1], got {signal_efficiency}")
    y, s = _check(labels, scores)
    sig = np.sort(s[y])[::-1]
    if sig.size == 0:
        raise DataError("need particle items for a data reduction, got none")
    return float(np.mean(s < _cut_at(sig, signal_efficiency)))


@dataclass(frozen=True)
class ClassifierMetrics:
    """Accuracy, ROC AUC and background rejection at fixed signal efficiencies on one labelled set."""

    accuracy: float
    roc_auc: float
    rejection: dict[float, float] = field(default_factory=dict)
    n_signal: int = 0
    n_background: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: an unbounded rejection becomes ``None`` (see ``n_background`` for the bound)."""
        return {
            "accuracy": self.accuracy,
            "roc_auc": None if math.isnan(self.roc_auc) else self.roc_auc,
            "background_rejection": {f"{eff:.2f}": (None if math.isinf(r) else r) for eff, r in self.rejection.items()},
            "n_signal": self.n_signal,
            "n_background": self.n_background,
        }

    def rejection_text(self, eff: float) -> str:
        r = self.rejection[eff]
        return f"> {self.n_background}" if math.isinf(r) else f"{r:.3g}"


def evaluate(labels: Array, scores: Array, efficiencies: tuple[float, ...] = DEFAULT_EFFICIENCIES) -> ClassifierMetrics:
    """All figures of merit for particle scores ``scores`` against ``labels``."""
    y, s = _check(labels, scores)
    both = bool(y.any() and (~y).any())
    return ClassifierMetrics(
        accuracy=accuracy(y, s),
        roc_auc=roc_auc(y, s),
        rejection={eff: background_rejection(y, s, eff) for eff in efficiencies} if both else {},
        n_signal=int(y.sum()),
        n_background=int((~y).sum()),
    )
