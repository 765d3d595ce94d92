"""Figures of merit and their uncertainties, pure numpy/scipy (no TensorFlow): the ground floor that the
training stage and the baselines both import.

* :mod:`fpgaflow.metrics.roc` — accuracy, exact ROC AUC, ROC curve, background rejection at fixed signal
  efficiency, data reduction (share of items a filter drops) at fixed signal efficiency;
* :mod:`fpgaflow.metrics.stats` — binomial intervals for an accuracy, a bootstrap interval for an AUC, and
  the paired comparison of two classifiers on the same maps (McNemar, paired bootstrap).
"""

from fpgaflow.metrics.roc import (
    DEFAULT_EFFICIENCIES,
    ClassifierMetrics,
    accuracy,
    background_rejection,
    data_reduction,
    evaluate,
    roc_auc,
    roc_curve,
)
from fpgaflow.metrics.stats import (
    ONE_SIGMA,
    AucInterval,
    McNemarResult,
    PairedComparison,
    auc_interval,
    binomial_interval,
    mcnemar,
    paired_comparison,
    sample_std,
)

__all__ = [
    "DEFAULT_EFFICIENCIES",
    "ONE_SIGMA",
    "AucInterval",
    "ClassifierMetrics",
    "McNemarResult",
    "PairedComparison",
    "accuracy",
    "auc_interval",
    "background_rejection",
    "binomial_interval",
    "data_reduction",
    "evaluate",
    "mcnemar",
    "paired_comparison",
    "roc_auc",
    "roc_curve",
    "sample_std",
]
