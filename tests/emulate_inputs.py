"""Inputs for bit-identity tests: random maps plus values at and around the input type's limits and half-LSB ties."""

from __future__ import annotations

import numpy as np


def edge_maps(
    rng: np.random.Generator, n: int, shape: tuple[int, ...], span: tuple[float, float], lsb: float
) -> np.ndarray:
    """Random maps in ``span`` plus values at and around its limits and half-LSB ties."""
    lo, hi = span
    x = rng.uniform(lo, hi, size=(n, *shape))
    ties = (rng.integers(int(lo / lsb) - 4, int(hi / lsb) + 4, size=(n // 4, *shape)) + 0.5) * lsb
    x[: n // 4] = ties
    for k, value in enumerate((hi, lo, hi - lsb / 4)):
        x[n // 4 + k] = value
    sparse = rng.random((n // 4, *shape)) < 0.9  # hit-map-like: mostly empty
    x[-(n // 4) :][sparse] = 0.0
    return x.astype(np.float32)
