"""Spill-over: charge from a particle that crossed the *adjacent* chip, entering at a map edge.

A track hitting the neighbouring ROC (or the next window) just outside the edge shares charge into the
first one or two pixel rows/columns through diffusion, Lorentz drift (≈ 115 µm across 285 µm at 3.8 T)
and its incidence angle.  We place a cluster of ``length`` pixels along the edge and ``depth`` (1–2)
pixels into the map at a random edge and position, carrying a random fraction (20–60 %) of a MIP's
charge (Landau-like: ``mip_adc`` × lognormal(0, 0.25)), split evenly, rounded to ADC counts, kept only
above the threshold and saturated at 255.  It adds an edge fragment — a real background source and a
label ambiguity for *particle* maps.  Charge is not conserved (it is added).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import DEFAULT_THRESHOLD_ADC, BatchTransform, check_level
from fpgaflow.data.hitmaps import ADC_MAX, MapArray
from fpgaflow.errors import ConfigError

#: Most probable MIP charge at normal incidence in ADC counts (≈ 21 ke⁻ / 135 e⁻, clipped by saturation).
MIP_ADC = 150.0
_MAX_LEN = 4
_MAX_DEPTH = 2


def add_spillover(
    maps: MapArray,
    which: npt.NDArray[np.bool_],
    *,
    edge: npt.NDArray[np.integer[Any]],
    position: npt.NDArray[np.integer[Any]],
    length: npt.NDArray[np.integer[Any]],
    depth: npt.NDArray[np.integer[Any]],
    charge_adc: npt.NDArray[np.floating[Any]],
    threshold_adc: float,
) -> MapArray:
    """Add an edge cluster to the maps selected by ``which``.

    ``edge`` 0/1/2/3 = top row / bottom row / left column / right column; ``position`` the first pixel along
    the edge; ``length`` (1–4) pixels along it, ``depth`` (1–2) into the map; ``charge_adc`` the total
    in-map charge, split evenly.
    """
    rows, cols = maps.shape[1:3]
    idx = np.flatnonzero(which)
    if idx.size == 0:
        return maps.copy()
    k = np.arange(_MAX_LEN)[None, :, None]  # along the edge
    d = np.arange(_MAX_DEPTH)[None, None, :]  # into the map
    e = edge[idx][:, None, None]
    pos = position[idx][:, None, None]
    along = pos + k
    r = np.where(e == 0, d, np.where(e == 1, rows - 1 - d, along))
    c = np.where(e == 2, d, np.where(e == 3, cols - 1 - d, along))
    on = (k < length[idx][:, None, None]) & (d < depth[idx][:, None, None])
    on &= (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
    per_pixel = charge_adc[idx] / (length[idx] * depth[idx])
    q = np.broadcast_to(per_pixel[:, None, None], on.shape)
    m = np.broadcast_to(np.arange(idx.size)[:, None, None], on.shape)
    added = np.zeros((idx.size, rows, cols), dtype=np.float64)
    np.add.at(added, (m[on], r[on], c[on]), q[on])
    added = np.rint(added)
    added = np.where(added < threshold_adc, 0.0, added)
    out = maps.copy()
    out[idx] = np.minimum(maps[idx] + added[..., None], ADC_MAX)
    return out


class Spillover(BatchTransform):
    """Add one edge cluster from a particle in the adjacent chip (fraction 20–``max_fraction`` of a MIP)."""

    def __init__(
        self,
        p: float = 0.5,
        max_fraction: float = 0.6,
        mip_adc: float = MIP_ADC,
        threshold_adc: float = DEFAULT_THRESHOLD_ADC,
    ) -> None:
        super().__init__(p)
        if not 0.2 <= max_fraction <= 1.0 or mip_adc <= 0:
            raise ConfigError(
                f"Spillover: need 0.2 <= max_fraction <= 1 and mip_adc > 0, got {max_fraction}, {mip_adc}"
            )
        self.max_fraction = float(max_fraction)
        self.mip_adc = float(mip_adc)
        self.threshold_adc = float(threshold_adc)

    @classmethod
    def from_magnitude(cls, level: float, p: float = 1.0) -> BatchTransform:
        """Level 0..1 → up to 20..100 % of a MIP's charge spills in."""
        return cls(p, 0.2 + 0.8 * check_level(cls.__name__, level))

    def sample_params(self, n: int, rng: np.random.Generator) -> dict[str, Any]:
        frac = rng.uniform(0.2, self.max_fraction, size=n)
        return {
            "which": rng.random(n) < self.p,
            "edge": rng.integers(0, 4, size=n),
            "position_fraction": rng.random(n),
            "length": rng.integers(1, _MAX_LEN + 1, size=n),
            "depth": rng.integers(1, _MAX_DEPTH + 1, size=n),
            "charge_adc": frac * self.mip_adc * rng.lognormal(0.0, 0.25, size=n),
        }

    def apply(self, maps: MapArray, **params: Any) -> MapArray:
        rows, cols = maps.shape[1:3]
        edge = params["edge"]
        extent = np.where(edge < 2, cols, rows)
        position = np.floor(params["position_fraction"] * extent).astype(np.int64)
        return add_spillover(
            maps,
            params["which"],
            edge=edge,
            position=position,
            length=params["length"],
            depth=params["depth"],
            charge_adc=params["charge_adc"],
            threshold_adc=self.threshold_adc,
        )

    def __repr__(self) -> str:
        return f"Spillover(p={self.p}, max_fraction={self.max_fraction}, mip_adc={self.mip_adc})"
