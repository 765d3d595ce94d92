"""Typed verification config."""

from __future__ import annotations

from dataclasses import dataclass

from fpgaflow.config.strict import check


@dataclass(frozen=True)
class VerifyConfig:
    """How many test maps go through the C simulation (``0`` = all) and the pass thresholds.

    ``min_agreement`` is the minimum fraction of identical class decisions between QKeras and C-sim
    below which the verify step fails.
    """

    max_csim_maps: int = 0
    min_agreement: float = 0.99

    def __post_init__(self) -> None:
        check(self.max_csim_maps >= 0, f"verify.max_csim_maps must be >= 0, got {self.max_csim_maps}")
        check(0.0 <= self.min_agreement <= 1.0, f"verify.min_agreement must be in [0, 1], got {self.min_agreement}")
