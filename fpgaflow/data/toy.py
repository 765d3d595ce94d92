"""A first, simple hit-map generator (the walking skeleton's data source).

Not the physics simulator (see :mod:`fpgaflow.data.simulate` once available): each *particle* map holds
one short straight cluster track near normal incidence with Landau-like charge, shared over 1–3 pixels;
each *background* map holds only noise hits above threshold and, with some probability, an isolated
high-charge blob (a delta-ray-like fragment).  Both classes carry the same noise, so the classifier must
learn cluster shape, not occupancy alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fpgaflow.config.strict import check
from fpgaflow.data.hitmaps import ADC_MAX, HitMapSet


@dataclass(frozen=True)
class ToyConfig:
    """Parameters of the toy generator.

    ``noise_hit_rate`` is the per-pixel probability of a noise hit above threshold per map;
    ``mip_adc`` the most probable charge of a normal-incidence MIP in ADC counts (≈ 21 ke / 135 e).
    """

    rows: int = 32
    cols: int = 32
    noise_hit_rate: float = 0.004
    mip_adc: float = 150.0
    blob_probability: float = 0.5

    def __post_init__(self) -> None:
        check(self.rows >= 4 and self.cols >= 4, f"toy: map must be at least 4×4, got {self.rows}×{self.cols}")
        check(0 <= self.noise_hit_rate < 0.5, f"toy.noise_hit_rate must be in [0, 0.5), got {self.noise_hit_rate}")
        check(self.mip_adc > 0, f"toy.mip_adc must be > 0, got {self.mip_adc}")
        check(0 <= self.blob_probability <= 1, "toy.blob_probability must be in [0, 1]")


def generate_toy(cfg: ToyConfig, n: int, particle_fraction: float, rng: np.random.Generator) -> HitMapSet:
    """Generate ``n`` labelled maps; a seeded ``rng`` reproduces them byte for byte."""
    rows, cols = cfg.rows, cfg.cols
    labels = (rng.random(n) < particle_fraction).astype(np.int8)
    maps = np.zeros((n, rows, cols), dtype=np.float64)

    # Noise hits: uniform positions, exponential charge just above threshold (ADC 15 ≈ 2000 e).
    noise = rng.random((n, rows, cols)) < cfg.noise_hit_rate
    maps += noise * (15.0 + rng.exponential(20.0, size=(n, rows, cols)))

    # Particle: a track crossing the sensor leaves a cluster elongated along rows (Lorentz drift + local
    # angle): length 1–4 pixels along r-φ, 1–2 along z; charge ~ Landau (approximated by a lognormal).
    idx = np.flatnonzero(labels == 1)
    m = idx.size
    r0 = rng.integers(1, rows - 5, size=m)
    c0 = rng.integers(1, cols - 2, size=m)
    length = rng.integers(1, 5, size=m)
    width = rng.integers(1, 3, size=m)
    total = cfg.mip_adc * rng.lognormal(0.0, 0.25, size=m) * (1.0 + 0.15 * (length - 1))
    for k in range(4):
        for w in range(2):
            on = (k < length) & (w < width)
            share = total / (length * width) * rng.uniform(0.7, 1.3, size=m)
            maps[idx[on], r0[on] + k, c0[on] + w] += share[on]

    # Background: a compact high-charge blob (delta ray / secondary), not elongated, some of the time.
    bidx = np.flatnonzero((labels == 0) & (rng.random(n) < cfg.blob_probability))
    b = bidx.size
    br = rng.integers(0, rows - 1, size=b)
    bc = rng.integers(0, cols - 1, size=b)
    maps[bidx, br, bc] += cfg.mip_adc * rng.uniform(1.5, 3.0, size=b)

    out = np.minimum(np.round(maps), ADC_MAX).astype(np.float32)[..., np.newaxis]
    return HitMapSet(out, labels, metadata={"generator": "toy", "rows": rows, "cols": cols})
