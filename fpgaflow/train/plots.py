"""PNG curves of a training run (:mod:`fpgaflow.figures`, written atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fpgaflow.figures.canvas import save_png
from fpgaflow.figures.curves import history_figure
from fpgaflow.figures.roc import RocCurve, roc_figure
from fpgaflow.metrics import DEFAULT_EFFICIENCIES, background_rejection, roc_auc, roc_curve


def plot_history(history: dict[str, list[float]], path: Path) -> Path:
    """Loss and accuracy per epoch, training vs validation."""
    return save_png(history_figure(history), path)


def plot_roc(labels: np.ndarray, scores: np.ndarray, path: Path, title: str = "") -> Path:
    """ROC (signal vs background efficiency, with the AUC) and background rejection vs signal efficiency."""
    fpr, tpr = roc_curve(labels, scores)
    curve = RocCurve(
        "model", np.asarray(fpr, dtype=np.float64), np.asarray(tpr, dtype=np.float64), roc_auc(labels, scores)
    )
    rejections = {e: background_rejection(labels, scores, e) for e in DEFAULT_EFFICIENCIES}
    n_background = int(np.sum(np.asarray(labels) == 0))
    return save_png(roc_figure([curve], (), rejections, n_background, title), path)
