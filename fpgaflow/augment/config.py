"""Typed augmentation config used by the training stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check


@dataclass(frozen=True)
class AugmentConfig:
    """Which transforms (and probabilities) augment the *training* data, and how.

    ``strategy``: ``none`` trains on original maps only; ``exclusive`` augments every training batch.
    """

    strategy: Literal["none", "exclusive"] = "exclusive"
    horizontal_flip: float = 0.5
    vertical_flip: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("horizontal_flip", "vertical_flip"):
            v = getattr(self, name)
            check(0.0 <= v <= 1.0, f"augment.{name} is a probability and must be in [0, 1], got {v}")
