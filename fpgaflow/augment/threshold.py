"""Threshold re-application: the same event read out with a higher ROC threshold.

Thresholds differ between runs (layer 1: 3000 e⁻ ≈ 22 ADC in 2017–18, 2000 e⁻ ≈ 15 ADC in Run 3) and
between pixels (σ ≈ 245 e⁻ ≈ 1.8 ADC).  Pixels below a per-map threshold drawn uniformly from
``[min_adc, max_adc]`` are emptied.  A threshold can only be *raised*: charge below the original one
was never read out.  Charge of the surviving pixels is untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import DEFAULT_THRESHOLD_ADC, BatchTransform, check_level
from fpgaflow.data.hitmaps import MapArray
from fpgaflow.errors import ConfigError


def apply_threshold(maps: MapArray, threshold_adc: npt.NDArray[np.floating[Any]]) -> MapArray:
    """Empty pixels of map ``i`` below ``threshold_adc[i]`` ADC counts."""
    t = np.asarray(threshold_adc, dtype=np.float64)[:, None, None, None]
    return np.where(maps < t, np.zeros((), dtype=maps.dtype), maps).astype(maps.dtype, copy=False)


class Threshold(BatchTransform):
    """Re-apply a threshold drawn per map from ``[min_adc, max_adc]`` (default 15–30 ADC ≈ 2000–4000 e⁻)."""

    def __init__(self, p: float = 0.5, min_adc: float = DEFAULT_THRESHOLD_ADC, max_adc: float = 30.0) -> None:
        super().__init__(p)
        if not 0.0 <= min_adc <= max_adc:
            raise ConfigError(f"Threshold: need 0 <= min_adc <= max_adc, got {min_adc}, {max_adc}")
        self.min_adc = float(min_adc)
        self.max_adc = float(max_adc)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → thresholds up to 15..45 ADC (2000..6000 e⁻)."""
        return cls(p, DEFAULT_THRESHOLD_ADC, DEFAULT_THRESHOLD_ADC + 30.0 * check_level(cls.__name__, level))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        apply = rng.random(n) < self.p
        t = rng.uniform(self.min_adc, self.max_adc, size=n)
        return {"threshold_adc": np.where(apply, t, 0.0)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        return apply_threshold(maps, params["threshold_adc"])

    def __repr__(self) -> str:
        return f"Threshold(p={self.p}, min_adc={self.min_adc}, max_adc={self.max_adc})"
