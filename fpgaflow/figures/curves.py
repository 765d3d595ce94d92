"""Training curves: loss and accuracy per epoch, on the training maps (augmented, as the optimiser saw them)
and on the validation maps (never augmented)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fpgaflow.figures.canvas import new_figure, plain_log_ticks

LOSS_LABEL = "loss (binary cross-entropy)"
ACCURACY_LABEL = "accuracy (%)"
EPOCH_LABEL = "epoch"


def history_figure(history: Mapping[str, Sequence[float]], title: str = "") -> Any:
    """Two panels (loss, accuracy in %) against the epoch, training and validation; a constant learning rate
    is said in the title, a changing one drawn on the loss panel's right axis."""
    fig, (loss_ax, acc_ax) = new_figure(9.0, 3.6, 1, 2)
    for ax, key, scale, label in ((loss_ax, "loss", 1.0, LOSS_LABEL), (acc_ax, "accuracy", 100.0, ACCURACY_LABEL)):
        for name, style, what in ((key, "-o", "training (augmented maps)"), (f"val_{key}", "--s", "validation")):
            values = history.get(name)
            if values:
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, scale * np.asarray(values, dtype=np.float64), style, markersize=3, label=what)
        ax.set_xlabel(EPOCH_LABEL)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    lr = history.get("lr") or history.get("learning_rate")
    if lr and len(set(lr)) > 1:
        twin = loss_ax.twinx()
        twin.plot(np.arange(1, len(lr) + 1), lr, ":", color="grey")
        twin.set_ylabel("learning rate (dotted)", color="grey")
        twin.set_yscale("log")
        plain_log_ticks(twin.yaxis)
    elif lr:
        title = f"{title} (learning rate {lr[0]:.3g})" if title else f"learning rate {lr[0]:.3g}"
    if title:
        fig.suptitle(title)
    return fig
