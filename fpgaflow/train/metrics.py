"""Moved to :mod:`fpgaflow.metrics.roc` (pure numpy, importable by the baselines without the train stage).

Kept as a re-export so that code written against the old path keeps working; new code imports
:mod:`fpgaflow.metrics`.
"""

from fpgaflow.metrics.roc import (
    DEFAULT_EFFICIENCIES,
    ClassifierMetrics,
    accuracy,
    background_rejection,
    evaluate,
    roc_auc,
    roc_curve,
)

__all__ = [
    "DEFAULT_EFFICIENCIES",
    "ClassifierMetrics",
    "accuracy",
    "background_rejection",
    "evaluate",
    "roc_auc",
    "roc_curve",
]
