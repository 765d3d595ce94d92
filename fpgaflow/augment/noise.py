"""Readout noise on hit pixels, and noise hits above threshold (salt-and-pepper).

The ROC zero-suppresses: a pixel is read out only if its charge passed the threshold (2000 e⁻ ≈ 15 ADC
at 135 e⁻ per count), so noise cannot appear as small values on empty pixels.  :class:`GaussianNoise`
perturbs the charge of *hit* pixels (σ in ADC counts; the pixel + readout noise of 175 e⁻ ⊕ 350 e⁻ is
≈ 2.9 ADC), rounds to whole ADC counts, re-applies the threshold and saturates at 255.
:class:`SaltAndPepper` adds isolated noise hits (a hot/noisy pixel firing: threshold plus an exponential
tail of mean 20 ADC) at a per-pixel rate — *salt* — and removes hit pixels at another rate — *pepper*.
Neither conserves charge.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import (
    DEFAULT_THRESHOLD_ADC,
    BatchTransform,
    check_level,
    check_probability,
    hit_pixels,
)
from fpgaflow.data.hitmaps import ADC_MAX, MapArray
from fpgaflow.errors import ConfigError


def add_readout_noise(
    charge: npt.NDArray[np.floating[Any]], noise: npt.NDArray[np.floating[Any]], threshold_adc: float
) -> npt.NDArray[np.floating[Any]]:
    """Charges of hit pixels plus ``noise`` (ADC): rounded, zero-suppressed below threshold, saturated."""
    noisy = np.rint(charge + noise)
    return np.where(noisy < threshold_adc, 0.0, np.minimum(noisy, ADC_MAX))


class GaussianNoise(BatchTransform):
    """Gaussian charge noise of ``sigma_adc`` ADC counts on every hit pixel of a chosen map."""

    def __init__(self, p: float = 0.5, sigma_adc: float = 3.0, threshold_adc: float = DEFAULT_THRESHOLD_ADC) -> None:
        super().__init__(p)
        if sigma_adc < 0 or threshold_adc < 0:
            raise ConfigError(
                f"GaussianNoise: sigma_adc and threshold_adc must be >= 0, got {sigma_adc}, {threshold_adc}"
            )
        self.sigma_adc = float(sigma_adc)
        self.threshold_adc = float(threshold_adc)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → σ 0..10 ADC (≈ 0..1350 e⁻)."""
        return cls(p, 10.0 * check_level(cls.__name__, level))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        return {"apply": rng.random(n) < self.p, "rng_state": rng.integers(0, 2**63 - 1)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        # Per-pixel noise is a pure function of the sampled seed and of which pixels are hit.
        idx = hit_pixels(maps, params["apply"])
        noise = np.random.default_rng(int(params["rng_state"])).normal(0.0, self.sigma_adc, size=idx[0].size)
        out = maps.copy()
        out[idx] = add_readout_noise(maps[idx], noise, self.threshold_adc)
        return out

    def __repr__(self) -> str:
        return f"GaussianNoise(p={self.p}, sigma_adc={self.sigma_adc}, threshold_adc={self.threshold_adc})"


class SaltAndPepper(BatchTransform):
    """Noise hits at ``salt_rate`` per pixel (threshold + Exp(20 ADC)); hits lost at ``pepper_rate``."""

    def __init__(
        self,
        p: float = 0.5,
        salt_rate: float = 0.002,
        pepper_rate: float = 0.0,
        threshold_adc: float = DEFAULT_THRESHOLD_ADC,
    ) -> None:
        super().__init__(p)
        self.salt_rate = check_probability("SaltAndPepper", "salt_rate", salt_rate)
        self.pepper_rate = check_probability("SaltAndPepper", "pepper_rate", pepper_rate)
        self.threshold_adc = float(threshold_adc)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → salt rate 0..1 % of pixels, pepper rate 0..5 % of hits."""
        lv = check_level(cls.__name__, level)
        return cls(p, 0.01 * lv, 0.05 * lv)

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        return {"apply": rng.random(n) < self.p, "rng_state": rng.integers(0, 2**63 - 1)}

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        n, rows, cols = maps.shape[:3]
        apply = params["apply"]
        g = np.random.default_rng(int(params["rng_state"]))
        # Salt: Binomial(pixels, rate) noise hits per map at uniform positions (a position drawn twice
        # gets both charges, which the ADC then saturates — negligible at realistic rates).
        counts = g.binomial(rows * cols, self.salt_rate, size=n) * apply
        which = np.repeat(np.arange(n), counts)
        pos = g.integers(0, rows * cols, size=which.size)
        charge = np.rint(self.threshold_adc + g.exponential(20.0, size=which.size))
        # Pepper: each originally hit pixel of a chosen map is lost with probability pepper_rate.
        idx = hit_pixels(maps, apply)
        lost = g.random(idx[0].size) < self.pepper_rate
        out = maps.copy()
        at = (which, pos // cols, pos % cols, np.zeros_like(which))
        np.add.at(out, at, charge.astype(maps.dtype))
        out[at] = np.minimum(out[at], ADC_MAX)
        out[tuple(i[lost] for i in idx)] = 0.0
        return out

    def __repr__(self) -> str:
        return f"SaltAndPepper(p={self.p}, salt_rate={self.salt_rate}, pepper_rate={self.pepper_rate})"
