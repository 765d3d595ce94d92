"""A training study's result: final training and validation accuracy per variant (mean ± standard deviation
over seeds), with the no-augmentation variant's validation accuracy as a line to beat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fpgaflow.figures.canvas import new_figure


@dataclass(frozen=True)
class StudyBar:
    """One variant: its label, the number of seeds and final accuracies (fractions) with their spread."""

    label: str
    n_seeds: int
    train_mean: float
    train_std: float
    val_mean: float
    val_std: float


def study_figure(bars: Sequence[StudyBar], baseline: StudyBar | None, title: str) -> Any:
    """Horizontal bars (training, validation) per variant; ``baseline``: the no-augmentation variant, whose
    validation mean is drawn as a vertical line with its ± std band."""
    fig, ax = new_figure(9.0, 0.45 * len(bars) + 1.9)
    y = np.arange(len(bars))
    ax.barh(
        y - 0.2,
        [100 * b.train_mean for b in bars],
        0.4,
        xerr=[100 * b.train_std for b in bars],
        label="final training accuracy (augmented maps)",
    )
    ax.barh(
        y + 0.2,
        [100 * b.val_mean for b in bars],
        0.4,
        xerr=[100 * b.val_std for b in bars],
        label="final validation accuracy",
    )
    ax.set_yticks(y, [b.label for b in bars], fontsize=8)
    ax.invert_yaxis()
    if baseline is not None:
        v, s = 100 * baseline.val_mean, 100 * baseline.val_std
        ax.axvline(v, color="black", ls="--", lw=1.2, label=f"no augmentation, validation: {v:.2f} %")
        if s > 0:
            ax.axvspan(v - s, v + s, color="black", alpha=0.08)
    lows = [min(b.train_mean - b.train_std, b.val_mean - b.val_std) for b in bars]
    ax.set_xlim(max(0.0, 100 * min(lows, default=0.5) - 5), 100)
    seeds = sorted({b.n_seeds for b in bars})
    ax.set_xlabel(f"final accuracy (%); error bars: standard deviation over {'/'.join(map(str, seeds))} seeds")
    ax.legend(loc="lower right", fontsize=7)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title)
    return fig
