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

from fpgaflow.augment.base import DEFAULT_THRESHOLD_ADC, BatchTransform, check_level, check_probability
from fpgaflow.data.hitmaps import ADC_MAX
from fpgaflow.errors import ConfigError


def add_readout_noise(maps: np.ndarray, noise: np.ndarray, threshold_adc: float) -> np.ndarray:
    """Add ``noise`` (same shape, ADC) to hit pixels only; round, zero-suppress below threshold, saturate."""
    hit = maps > 0
    noisy = np.rint(maps + np.where(hit, noise, 0.0))
    noisy = np.where(noisy < threshold_adc, 0.0, np.minimum(noisy, ADC_MAX))
    return noisy.astype(maps.dtype)


def add_noise_hits(maps: np.ndarray, salt: np.ndarray, pepper: np.ndarray) -> np.ndarray:
    """Add ``salt`` charge (saturating at 255); empty the pixels where ``pepper`` is true."""
    out = np.minimum(maps + salt, ADC_MAX)
    return np.where(pepper, 0.0, out).astype(maps.dtype)


class GaussianNoise(BatchTransform):
    """Gaussian charge noise of ``sigma_adc`` ADC counts on every hit pixel of a chosen map."""

    def __init__(
        self, p: float = 0.5, sigma_adc: float = 3.0, threshold_adc: float = DEFAULT_THRESHOLD_ADC
    ) -> None:
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

    def apply(self, maps: np.ndarray, **params: Any) -> np.ndarray:
        apply = params["apply"]
        # The per-pixel noise field is a pure function of the sampled seed (shape known only here).
        noise = np.random.default_rng(int(params["rng_state"])).normal(0.0, self.sigma_adc, size=maps.shape)
        noisy = add_readout_noise(maps, noise, self.threshold_adc)
        return np.where(apply[:, None, None, None], noisy, maps)

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

    def apply(self, maps: np.ndarray, **params: Any) -> np.ndarray:
        apply = params["apply"][:, None, None, None]
        g = np.random.default_rng(int(params["rng_state"]))
        salt_on = (g.random(maps.shape) < self.salt_rate) & apply
        charge = np.rint(self.threshold_adc + g.exponential(20.0, size=maps.shape))
        pepper = (g.random(maps.shape) < self.pepper_rate) & apply & (maps > 0)
        return add_noise_hits(maps, np.where(salt_on, charge, 0.0), pepper)

    def __repr__(self) -> str:
        return f"SaltAndPepper(p={self.p}, salt_rate={self.salt_rate}, pepper_rate={self.pepper_rate})"
