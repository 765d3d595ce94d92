"""Charged particles crossing the module: multiplicity, pT, curvature, incidence angles, Landau charge.

A :class:`Tracks` holds one row per particle crossing the sensor (struct of arrays, vectorised): where it
crosses the mid-plane of the sensor in module coordinates (µm), its local direction as
cot α = p_x / p_n and cot β = p_y / p_n (CMS convention: x = r-φ, y = z, n = sensor normal), the depth range
it ionises (0 = pixel implants, T = back plane) and the total signal charge in electrons.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from fpgaflow.data.simulate.config import SensorConfig, TrackConfig
from fpgaflow.data.simulate.geometry import ModuleGeometry

#: Mode of the standard Landau density (scipy.stats.landau convention).
LANDAU_MODE = -0.22278298

#: pT [GeV] = 0.299792458 · B [T] · R [m].
C_LIGHT = 0.299792458

#: Particle kinds (for statistics; labels use :attr:`Tracks.reco`).
PRIMARY, LOOPER, DELTA_RAY, HALO, OUT_OF_TIME, NOISY_PIXEL = range(6)
KIND_NAMES = ("primary", "looper", "delta_ray", "halo", "out_of_time", "noisy_pixel")

#: Largest |cot α| / |cot β| simulated (a grazing track 25 × 285 µm ≈ 7 mm long along the module).
MAX_COT = 25.0


def sample_landau(rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    """Standard Landau variates (the stable law α = 1, β = 1; same law as ``scipy.stats.landau``),
    by the Chambers–Mallows–Stuck transform: exact and vectorised."""
    v = rng.uniform(-np.pi / 2, np.pi / 2, n)
    w = rng.exponential(1.0, n)
    h = np.pi / 2 + v
    out: npt.NDArray[np.float64] = (2 / np.pi) * (h * np.tan(v) - np.log((np.pi / 2) * w * np.cos(v) / h))
    return out


def landau_charge(
    rng: np.random.Generator, path_fraction: npt.NDArray[np.float64], cfg: SensorConfig
) -> npt.NDArray[np.float64]:
    """Signal charge (e⁻) for tracks whose path length is ``path_fraction`` × the sensor thickness.

    Q = f · (MPV + ξ (λ − λ_mode)), λ standard Landau capped at ``landau_lambda_max``: the most probable
    value is ``mip_mpv_e`` at f = 1 (normal incidence, 21 ke in 285 µm) and scales with path length.
    """
    lam = np.minimum(sample_landau(rng, path_fraction.size), cfg.landau_lambda_max)
    per_thickness = np.maximum(cfg.mip_mpv_e + cfg.landau_xi_e * (lam - LANDAU_MODE), 0.0)
    charge: npt.NDArray[np.float64] = path_fraction * per_thickness
    return charge


def min_pt_to_reach(radius_mm: float, b_field_t: float) -> float:
    """Smallest pT (GeV) whose helix reaches radius r: 2R ≥ r → pT ≥ 0.3 B r / 2
    (16.5 MeV at 29 mm, 3.8 T)."""
    return C_LIGHT * b_field_t * radius_mm * 1e-3 / 2


@lru_cache(maxsize=16)
def _tsallis_table(t_gev: float, n: float, pt_min: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    pt = np.geomspace(pt_min, 50.0, 4096)
    pdf = pt * (1 + pt / (n * t_gev)) ** (-n)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(pt))])
    return cdf / cdf[-1], pt


def sample_pt(rng: np.random.Generator, n_tracks: int, cfg: TrackConfig, pt_min: float) -> npt.NDArray[np.float64]:
    """pT (GeV) from the Tsallis spectrum above ``pt_min``, by inverse CDF on a 4096-point table."""
    cdf, pt = _tsallis_table(cfg.tsallis_t_gev, cfg.tsallis_n, pt_min)
    return np.interp(rng.random(n_tracks), cdf, pt)


def tsallis_fraction_above(cfg: TrackConfig, pt_min: float, pt_cut: float) -> float:
    """Fraction of tracks above ``pt_min`` that also pass ``pt_cut`` (for documentation and tests)."""
    cdf, pt = _tsallis_table(cfg.tsallis_t_gev, cfg.tsallis_n, pt_min)
    return float(1.0 - np.interp(pt_cut, pt, cdf))


def primary_density_per_cm2(cfg: TrackConfig, radius_mm: float) -> float:
    """In-time primary tracks per cm² per crossing at the layer: μ · dN/dη / (2π r²) at η ≈ 0
    (dN/dz = dN/dη / (r cosh η); cosh 0.2 = 1.02 is neglected).  6.2 /cm² at μ = 60, r = 29 mm."""
    r_cm = radius_mm / 10.0
    return cfg.pileup * cfg.dndeta / (2 * np.pi * r_cm**2)


def ionisation_scale(p_gev: npt.NDArray[np.float64], mass_gev: float, cap: float) -> npt.NDArray[np.float64]:
    """dE/dx relative to a minimum-ionising particle, ∝ 1/β² below the minimum (βγ ≈ 3.5)."""
    if mass_gev == 0:
        return np.ones_like(p_gev)
    bg2 = (p_gev / mass_gev) ** 2
    scale = (1 + 1 / bg2) / (1 + 1 / 3.5**2)
    return np.clip(scale, 1.0, cap)


@dataclass
class Tracks:
    """Particles crossing the sensor (one entry each).

    ``x``, ``y``: mid-plane crossing point in module coordinates (µm); ``cot_alpha``, ``cot_beta``: local
    direction; ``depth0``/``depth1``: ionised depth range (µm, 0 = pixel side); ``charge``: total signal
    charge (e⁻) over that range; ``reco``: an in-time primary above the reconstruction pT cut;
    ``kind``: see :data:`KIND_NAMES`; ``pt``: transverse momentum (GeV, 0 where meaningless).
    """

    map_index: npt.NDArray[np.int64]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    cot_alpha: npt.NDArray[np.float64]
    cot_beta: npt.NDArray[np.float64]
    depth0: npt.NDArray[np.float64]
    depth1: npt.NDArray[np.float64]
    charge: npt.NDArray[np.float64]
    reco: npt.NDArray[np.bool_]
    kind: npt.NDArray[np.int64]
    pt: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.map_index.size)

    @staticmethod
    def concatenate(parts: list[Tracks]) -> Tracks:
        names = Tracks.__dataclass_fields__
        return Tracks(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})


def uniform_positions(
    rng: np.random.Generator, counts: npt.NDArray[np.int64], regions: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Map index and uniform (x, y) for ``counts[i]`` particles in rectangle ``regions[i]``
    = (x0, x1, y0, y1) µm."""
    map_index = np.repeat(np.arange(counts.size), counts)
    r = regions[map_index]
    x = r[:, 0] + rng.random(map_index.size) * (r[:, 1] - r[:, 0])
    y = r[:, 2] + rng.random(map_index.size) * (r[:, 3] - r[:, 2])
    return map_index, x, y


def helix_angles(
    x: npt.NDArray[np.float64],
    pt: npt.NDArray[np.float64],
    charge_sign: npt.NDArray[np.float64],
    eta: npt.NDArray[np.float64],
    *,
    geom: ModuleGeometry,
    radius_mm: float,
    b_field_t: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Local cot α, cot β of a track from the beam line crossing the module at local x (µm).

    The flat module is tangent to the layer at its centre, so a straight radial track meets it at
    φ_loc = atan((x − W/2) / r) (up to ±15.6° across 16.2 mm at 29 mm); the helix adds
    ψ = asin(r / 2R), R = pT / (0.3 B), with the sign of the charge.  cot α = tan(φ_loc + qψ),
    cot β = sinh η / cos(φ_loc + qψ).
    """
    r_um = radius_mm * 1e3
    phi_loc = np.arctan((x - geom.width_x / 2) / r_um)
    radius_curv_um = pt / (C_LIGHT * b_field_t) * 1e6 if b_field_t > 0 else np.full_like(pt, np.inf)
    psi = np.arcsin(np.minimum(r_um / (2 * radius_curv_um), 0.999))
    total = phi_loc + charge_sign * psi
    cot_alpha = np.clip(np.tan(total), -MAX_COT, MAX_COT)
    cot_beta = np.clip(np.sinh(eta) / np.cos(total), -MAX_COT, MAX_COT)
    return cot_alpha, cot_beta


def primary_tracks(
    rng: np.random.Generator,
    regions: npt.NDArray[np.float64],
    density_per_cm2: float,
    *,
    cfg: TrackConfig,
    sensor: SensorConfig,
    geom: ModuleGeometry,
    radius_mm: float,
    b_field_t: float,
    reco_pt_cut: float,
    kind: int = PRIMARY,
    charge_scale: float = 1.0,
) -> Tracks:
    """Poisson(density × area) tracks per map in each generation rectangle, with pT, charge sign, η,
    incidence angles, path length and Landau charge.  ``reco`` marks in-time primaries above the cut."""
    area_cm2 = (regions[:, 1] - regions[:, 0]) * (regions[:, 3] - regions[:, 2]) * 1e-8
    counts = rng.poisson(density_per_cm2 * area_cm2)
    map_index, x, y = uniform_positions(rng, counts, regions)
    n = map_index.size
    pt = sample_pt(rng, n, cfg, min_pt_to_reach(radius_mm, b_field_t))
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    eta = rng.uniform(-cfg.eta_max, cfg.eta_max, n)
    cot_a, cot_b = helix_angles(x, pt, sign, eta, geom=geom, radius_mm=radius_mm, b_field_t=b_field_t)
    path = np.sqrt(1 + cot_a**2 + cot_b**2)
    scale = ionisation_scale(pt * np.cosh(eta), cfg.particle_mass_gev, cfg.max_ionisation_scale)
    q = landau_charge(rng, path, sensor) * scale * charge_scale
    reco = (pt >= reco_pt_cut) & (kind == PRIMARY)
    return Tracks(
        map_index=map_index,
        x=x,
        y=y,
        cot_alpha=cot_a,
        cot_beta=cot_b,
        depth0=np.zeros(n),
        depth1=np.full(n, geom.thickness),
        charge=q,
        reco=reco,
        kind=np.full(n, kind, dtype=np.int8),
        pt=pt,
    )
