"""PNG curves of a training run (matplotlib, Agg backend, written atomically)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.metrics.roc import roc_curve
from fpgaflow_board.atomic import atomic_file


def _figure(ncols: int) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(1, ncols, figsize=(5 * ncols, 4))


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    try:
        with atomic_file(path) as tmp:
            fig.savefig(tmp, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def plot_history(history: dict[str, list[float]], path: Path) -> Path:
    """Loss and accuracy per epoch, training vs validation."""
    fig, axes = _figure(2)
    for ax, key in zip(axes, ("loss", "accuracy"), strict=True):
        for name, style in ((key, "-o"), (f"val_{key}", "--s")):
            if name in history:
                ax.plot(np.arange(1, len(history[name]) + 1), history[name], style, label=name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(fig, path)


def plot_roc(labels: np.ndarray, scores: np.ndarray, path: Path, title: str = "") -> Path:
    """ROC (noise efficiency vs particle efficiency) and background rejection vs signal efficiency."""
    fpr, tpr = roc_curve(labels, scores)
    fig, axes = _figure(2)
    ax1, ax2 = axes
    ax1.plot(fpr, tpr)
    ax1.plot([0, 1], [0, 1], ":", color="grey")
    ax1.set_xlabel("false-positive rate (noise maps accepted)")
    ax1.set_ylabel("signal efficiency (particle maps accepted)")
    ax1.set_title(title or "ROC")
    keep = fpr > 0
    ax2.semilogy(tpr[keep], 1.0 / fpr[keep])
    ax2.set_xlabel("signal efficiency")
    ax2.set_ylabel("background rejection 1/FPR")
    ax2.grid(alpha=0.3, which="both")
    return _save(fig, path)
