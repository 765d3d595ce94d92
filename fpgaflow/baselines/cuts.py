"""The rules a physicist tries first: "particle if any pixel is read out", and the best single cut on one
per-map quantity (total ADC, highest pixel, read-out pixels, clusters)."""

from __future__ import annotations

import numpy as np

from fpgaflow.baselines.base import Baseline, LearnedCut, learn_cut
from fpgaflow.baselines.features import Array
from fpgaflow.baselines.sample import MapSample

#: The per-map quantities the single-cut family tries (names of :data:`~fpgaflow.baselines.features.MAP_FEATURES`).
CUT_VARIABLES: tuple[str, ...] = ("total_adc", "max_adc", "n_pixels", "n_clusters")


class AnyPixel(Baseline):
    """Particle if any pixel of the map is read out (ADC > 0).  Nothing to learn; its score is 0 or 1, so
    its ROC is the single point (background efficiency, signal efficiency) of the rule."""

    family = "any_pixel"

    def __init__(self) -> None:
        super().__init__("any_pixel")

    def fit(self, train: MapSample) -> AnyPixel:
        return self

    def score(self, sample: MapSample) -> Array:
        return (sample.feature("n_pixels") > 0).astype(np.float64)

    def working_point(self) -> str:
        return "n_pixels > 0"


class SingleCut(Baseline):
    """The single threshold on ``variable`` (and its direction) with the highest accuracy on the training
    maps; the score is the variable itself, signed so that particle maps score high."""

    family = "single_cut"

    def __init__(self, variable: str) -> None:
        super().__init__(f"cut:{variable}")
        self.variable = variable
        self.learned: LearnedCut | None = None

    def fit(self, train: MapSample) -> SingleCut:
        self.learned = learn_cut(train.feature(self.variable), train.labels)
        self.cut = self.learned.direction * self.learned.threshold
        return self

    def score(self, sample: MapSample) -> Array:
        direction = 1 if self.learned is None else self.learned.direction
        return direction * sample.feature(self.variable)

    def working_point(self) -> str:
        return self.learned.describe(self.variable) if self.learned else f"{self.variable} (not fitted)"
