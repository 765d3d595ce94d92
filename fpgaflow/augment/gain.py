"""Gain / charge-scale jitter — the hit-map analogue of colour jitter.

Collected charge varies between modules and over time (radiation damage lowers the charge collection
efficiency; ADC gain calibration spreads by a few percent per pixel).  The map's charge is multiplied
by a per-map factor ``g`` (and optionally a per-pixel factor ``1 + N(0, pixel_sigma)``), rounded to
whole ADC counts, zero-suppressed below the threshold in ADC (a smaller signal can fall below it) and
saturated at 255.  Charge scales by ``g`` (up to rounding) while no pixel saturates or falls below
threshold: it is *not* conserved, by design.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import DEFAULT_THRESHOLD_ADC, BatchTransform, check_level, hit_pixels
from fpgaflow.data.hitmaps import ADC_MAX, MapArray
from fpgaflow.errors import ConfigError


def scale_charge(maps: MapArray, gain: npt.NDArray[np.floating[Any]], threshold_adc: float) -> MapArray:
    """Multiply charge by ``gain`` (broadcastable), round to ADC counts, zero-suppress, saturate at 255."""
    scaled = np.rint(maps * gain)
    scaled = np.where((scaled < threshold_adc) | (maps <= 0), 0.0, np.minimum(scaled, ADC_MAX))
    return scaled.astype(maps.dtype)


def scale_hits(
    charge: npt.NDArray[np.floating[Any]], gain: npt.NDArray[np.floating[Any]], threshold_adc: float
) -> npt.NDArray[np.floating[Any]]:
    """Like :func:`scale_charge` for a flat array of hit-pixel charges and their gains."""
    scaled = np.rint(charge * gain)
    return np.where(scaled < threshold_adc, 0.0, np.minimum(scaled, ADC_MAX))


class GainJitter(BatchTransform):
    """Per-map gain uniform in ``[1 - max_change, 1 + max_change]``; per-pixel spread ``pixel_sigma``."""

    def __init__(
        self,
        p: float = 0.5,
        max_change: float = 0.15,
        pixel_sigma: float = 0.0,
        threshold_adc: float = DEFAULT_THRESHOLD_ADC,
    ) -> None:
        super().__init__(p)
        if not 0.0 <= max_change < 1.0 or pixel_sigma < 0:
            raise ConfigError(
                f"GainJitter: need 0 <= max_change < 1 and pixel_sigma >= 0, got {max_change}, {pixel_sigma}"
            )
        self.max_change = float(max_change)
        self.pixel_sigma = float(pixel_sigma)
        self.threshold_adc = float(threshold_adc)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → gain change up to ±0..40 %, pixel spread 0..5 %."""
        lv = check_level(cls.__name__, level)
        return cls(p, 0.4 * lv, 0.05 * lv)

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        apply = rng.random(n) < self.p
        gain = rng.uniform(1.0 - self.max_change, 1.0 + self.max_change, size=n)
        return {"gain": np.where(apply, gain, 1.0), "apply": apply, "rng_state": rng.integers(0, 2**63 - 1)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        # Hit pixels of the chosen maps only (maps are sparse); empty pixels stay empty at any gain.
        idx = hit_pixels(maps, params["apply"])
        gain = params["gain"][idx[0]]
        if self.pixel_sigma > 0:
            rng = np.random.default_rng(int(params["rng_state"]))
            gain = gain * rng.normal(1.0, self.pixel_sigma, size=idx[0].size)
        out = maps.copy()
        out[idx] = scale_hits(maps[idx], gain, self.threshold_adc)
        return out

    def __repr__(self) -> str:
        return f"GainJitter(p={self.p}, max_change={self.max_change}, pixel_sigma={self.pixel_sigma})"
