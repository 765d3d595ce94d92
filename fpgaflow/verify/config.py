"""Typed verification config."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check


@dataclass(frozen=True)
class VerifyConfig:
    """What the verification runs and its pass threshold.

    ``max_csim_maps``: test maps run through the C simulation (``0`` = all).  ``min_agreement``: minimum
    fraction of identical class decisions between QKeras and the hardware path, below which verification
    fails.  ``backend``: which bit-accurate model gives the hardware numbers for the large set: ``csim``
    (hls4ml's C simulation, in a process pool of ``workers`` processes), ``emulator`` (fpgaflow.emulate,
    numpy, with the C-sim confirming the first ``emulator_check_maps`` maps bit for bit), or ``auto``
    (the emulator from ``auto_emulator_above`` maps on, the C-sim below).  ``trace_maps``:
    maps traced layer by layer through a tracing build of the C simulation (``0`` = no trace).
    ``float_twin``: also run the model with its quantisers removed (float weights and activations).
    """

    max_csim_maps: int = 0
    min_agreement: float = 0.99
    backend: Literal["auto", "csim", "emulator"] = "auto"
    emulator_check_maps: int = 500
    auto_emulator_above: int = 5000
    trace_maps: int = 200
    workers: int = 2
    float_twin: bool = True

    def __post_init__(self) -> None:
        check(self.max_csim_maps >= 0, f"verify.max_csim_maps must be >= 0, got {self.max_csim_maps}")
        check(0.0 <= self.min_agreement <= 1.0, f"verify.min_agreement must be in [0, 1], got {self.min_agreement}")
        check(self.emulator_check_maps >= 1, "verify.emulator_check_maps must be >= 1")
        check(self.auto_emulator_above >= 0, "verify.auto_emulator_above must be >= 0")
        check(self.trace_maps >= 0, f"verify.trace_maps must be >= 0, got {self.trace_maps}")
        check(1 <= self.workers <= 64, f"verify.workers must be in [1, 64], got {self.workers}")


@dataclass(frozen=True)
class CheckConfig:
    """The verdict of ``fpgaflow check`` (board results against the bundle's expected outputs).

    ``tolerance``: the largest |board − C-sim| of a raw output (the IP's logit) allowed; ``0`` = bit-exact.
    ``min_agreement``: minimum fraction of identical board/C-sim class decisions.  ``min_keras_agreement``:
    if set, also the minimum board/QKeras agreement.  ``show``: how many disagreeing maps the report lists.
    """

    tolerance: float = 0.0
    min_agreement: float = 1.0
    min_keras_agreement: float | None = None
    show: int = 10

    def __post_init__(self) -> None:
        check(
            math.isfinite(self.tolerance) and self.tolerance >= 0.0,
            f"check.tolerance must be a finite number >= 0, got {self.tolerance}",
        )
        check(0.0 <= self.min_agreement <= 1.0, f"check.min_agreement must be in [0, 1], got {self.min_agreement}")
        check(
            self.min_keras_agreement is None or 0.0 <= self.min_keras_agreement <= 1.0,
            f"check.min_keras_agreement must be in [0, 1], got {self.min_keras_agreement}",
        )
        check(self.show >= 0, f"check.show must be >= 0, got {self.show}")
