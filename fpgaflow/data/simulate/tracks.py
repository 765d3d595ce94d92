"""Charged particles crossing the module: species, multiplicity, pT, curvature, incidence angles, charge.

A :class:`Tracks` holds one row per particle crossing the sensor (struct of arrays, vectorised): where it
crosses the mid-plane of the sensor in module coordinates (µm), its local direction as
cot α = p_x / p_n and cot β = p_y / p_n (CMS convention: x = r-φ, y = z, n = sensor normal, particles
travel towards increasing depth), the depth range it ionises (0 = pixel implants, T = back plane) and the
total signal charge in electrons, from the energy loss of its species and momentum (:mod:`.ionisation`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.simulate.config import SensorConfig, TrackConfig
from fpgaflow.data.simulate.geometry import ModuleGeometry
from fpgaflow.data.simulate.ionisation import (
    DENSITY_G_CM3,
    MASS_GEV,
    bethe_mean,
    landau_parameters,
    mev_to_electrons,
    t_max,
)
from fpgaflow.data.truth import SP_KAON, SP_PION, SP_PROTON, SPECIES_NAMES

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


#: Mode of the standard Landau density (scipy.stats.landau convention).
LANDAU_MODE = -0.22278298

#: pT [GeV] = 0.299792458 · B [T] · R [m].
C_LIGHT = 0.299792458

#: Particle kinds (what made the particle; labels use :attr:`Tracks.reco`).
PRIMARY, LOOPER, DELTA_RAY, HALO, OUT_OF_TIME, NOISY_PIXEL = range(6)
KIND_NAMES = ("primary", "looper", "delta_ray", "halo", "out_of_time", "noisy_pixel")

#: Largest |cot α| / |cot β| simulated (a grazing track 25 × 285 µm ≈ 7 mm long along the module).
MAX_COT = 25.0

#: Mass (GeV) of each species code (index into :data:`fpgaflow.data.truth.SPECIES_NAMES`; 0 = none).
SPECIES_MASS_GEV = np.array([0.0] + [MASS_GEV[name] for name in SPECIES_NAMES[1:]])


@lru_cache(maxsize=1)
def _landau_table() -> tuple[Array, Array]:
    """(CDF, λ) of the standard Landau law (``scipy.stats.landau``) on a grid dense in the core and
    logarithmic in the 1/λ² tail, up to λ = 10⁶."""
    from scipy import stats

    lam = np.concatenate([np.linspace(-3.8, 20.0, 4000), np.geomspace(20.01, 1e6, 2000)])
    return stats.landau.cdf(lam), lam


def sample_landau_below(rng: np.random.Generator, lam_max: Array) -> Array:
    """Standard Landau variates truncated at ``lam_max`` (per variate): λ = F⁻¹(u F(λ_max)), one uniform
    each, by interpolation in a table of the Landau CDF (relative error < 1e-3 in λ)."""
    cdf, lam = _landau_table()
    u = rng.random(lam_max.size) * np.interp(lam_max, lam, cdf)
    return np.interp(u, cdf, lam)


def ionisation_charge(
    rng: np.random.Generator,
    beta_gamma: Array,
    mass_gev: Array,
    path_um: Array,
    sensor: SensorConfig,
) -> Array:
    """Signal charge (e⁻) of tracks crossing ``path_um`` of silicon, excluding knock-on electrons above
    ``sensor.delta_ray_cut_kev`` (those are made explicitly, :mod:`.delta_rays`).

    Thin-absorber (Landau) regime, κ = ξ/T_max < 1: Δ = Δp + ξ (λ − λ_mode), λ standard Landau truncated
    at min(T_cut, T_max)/ξ (a single collision of energy E sits near λ ≈ E/ξ); Δp and ξ from the PDG
    formulas for the track's βγ and path.  Thick regime, κ ≥ 1 (very slow heavy particles, T_max of a
    few keV): Gaussian around the Bethe mean with σ² = ξ T_max (1 − β²/2).  The deposit never exceeds the
    particle's kinetic energy (a stopping particle).
    """
    n = beta_gamma.size
    xi, mpv = landau_parameters(beta_gamma, path_um)
    tm = t_max(beta_gamma, mass_gev)
    cut = np.minimum(sensor.delta_ray_cut_kev * 1e-3, tm)
    lam = sample_landau_below(rng, cut / xi)
    gauss = rng.standard_normal(n)
    energy = mpv + xi * (lam - LANDAU_MODE)
    thick = np.flatnonzero(xi >= tm)
    if thick.size:
        bg = beta_gamma[thick]
        beta2 = bg**2 / (1 + bg**2)
        mean = bethe_mean(bg, np.asarray(mass_gev)[thick]) * path_um[thick] * 1e-4 * DENSITY_G_CM3
        energy[thick] = mean + np.sqrt(xi[thick] * tm[thick] * (1 - beta2 / 2)) * gauss[thick]
    kinetic = (np.sqrt(1 + beta_gamma**2) - 1) * np.asarray(mass_gev) * 1e3
    energy = np.clip(energy, 0.0, kinetic)
    return mev_to_electrons(energy) * sensor.charge_collection_efficiency


def min_pt_to_reach(radius_mm: float, b_field_t: float) -> float:
    """Smallest pT (GeV) whose helix reaches radius r: 2R ≥ r → pT ≥ 0.3 B r / 2
    (16.5 MeV at 29 mm, 3.8 T)."""
    return C_LIGHT * b_field_t * radius_mm * 1e-3 / 2


_PT_GRID = np.concatenate([[0.0], np.geomspace(1e-4, 50.0, 4096)])


def _tsallis_pdf(pt: Array, t_gev: float, n: float, mass_gev: float) -> Array:
    return np.asarray(pt * (1 + (np.sqrt(pt**2 + mass_gev**2) - mass_gev) / (n * t_gev)) ** (-n))


def _integral(values: Array) -> float:
    """Trapezoid integral over :data:`_PT_GRID`."""
    return float(np.sum(0.5 * (values[1:] + values[:-1]) * np.diff(_PT_GRID)))


@lru_cache(maxsize=32)
def tsallis_t_for_mean_pt(mean_pt_gev: float, n: float, mass_gev: float) -> float:
    """The Tsallis–Pareto T (GeV) whose spectrum of a particle of ``mass_gev`` has mean pT ``mean_pt_gev``."""
    from scipy.optimize import brentq

    def mean(t: float) -> float:
        pdf = _tsallis_pdf(_PT_GRID, t, n, mass_gev)
        return _integral(pdf * _PT_GRID) / _integral(pdf)

    return float(brentq(lambda t: mean(t) - mean_pt_gev, 0.01, 2.0, xtol=1e-6))


def species_temperatures(cfg: TrackConfig) -> tuple[float, float, float]:
    """(pion, kaon, proton) Tsallis–Pareto T (GeV): the pions' from the config, kaons' and protons' set by
    their mean pT."""
    return (
        cfg.tsallis_t_gev,
        tsallis_t_for_mean_pt(cfg.kaon_mean_pt_gev, cfg.tsallis_n, MASS_GEV["kaon"]),
        tsallis_t_for_mean_pt(cfg.proton_mean_pt_gev, cfg.tsallis_n, MASS_GEV["proton"]),
    )


@lru_cache(maxsize=32)
def _tsallis_table(t_gev: float, n: float, mass_gev: float, pt_min: float) -> tuple[Array, Array, float]:
    """(CDF, pT grid) of the Tsallis–Pareto spectrum pT (1 + (m_T − m)/(nT))^-n above ``pt_min``, and the
    fraction of the whole spectrum (from pT = 0) that lies above ``pt_min``."""
    pdf = _tsallis_pdf(_PT_GRID, t_gev, n, mass_gev)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(_PT_GRID))])
    cdf /= cdf[-1]
    below = float(np.interp(pt_min, _PT_GRID, cdf))
    keep = pt_min < _PT_GRID
    grid = np.concatenate([[pt_min], _PT_GRID[keep]])
    part = np.concatenate([[below], cdf[keep]])
    return (part - below) / (1.0 - below), grid, 1.0 - below


_SPECIES = ("pion", "kaon", "proton")


def species_fractions_above(cfg: TrackConfig, pt_min: float) -> Array:
    """(pion, kaon, proton) fractions of the tracks with pT ≥ ``pt_min`` (the configured fractions are
    over all pT)."""
    temps = species_temperatures(cfg)
    w = np.array(
        [
            f * _tsallis_table(t, cfg.tsallis_n, MASS_GEV[name], pt_min)[2]
            for f, t, name in zip(cfg.species_fractions, temps, _SPECIES, strict=True)
        ]
    )
    return np.asarray(w / w.sum())


def sample_species_pt(rng: np.random.Generator, n_tracks: int, cfg: TrackConfig, pt_min: float) -> tuple[Array, Array]:
    """Species codes (pion, kaon, proton) and pT (GeV) above ``pt_min``: species by their fractions, pT by
    inverse CDF of each species' Tsallis–Pareto spectrum (4097-point tables)."""
    frac = species_fractions_above(cfg, pt_min)
    codes = np.array([SP_PION, SP_KAON, SP_PROTON], np.int8)
    species = codes[np.searchsorted(np.cumsum(frac)[:-1], rng.random(n_tracks), side="right")]
    u = rng.random(n_tracks)
    pt = np.empty(n_tracks)
    for code, t, name in zip(codes, species_temperatures(cfg), _SPECIES, strict=True):
        sel = species == code
        cdf, grid, _ = _tsallis_table(t, cfg.tsallis_n, MASS_GEV[name], pt_min)
        pt[sel] = np.interp(u[sel], cdf, grid)
    return species, pt


def tsallis_fraction_above(cfg: TrackConfig, pt_min: float, pt_cut: float) -> float:
    """Fraction of charged hadrons above ``pt_min`` that also pass ``pt_cut`` (for documentation and
    tests)."""
    passing = total = 0.0
    for f, t, name in zip(cfg.species_fractions, species_temperatures(cfg), _SPECIES, strict=True):
        total += f * _tsallis_table(t, cfg.tsallis_n, MASS_GEV[name], pt_min)[2]
        passing += f * _tsallis_table(t, cfg.tsallis_n, MASS_GEV[name], max(pt_cut, pt_min))[2]
    return passing / total


def primary_density_per_cm2(cfg: TrackConfig, radius_mm: float) -> float:
    """In-time primary tracks per cm² per crossing at the layer: μ · dN/dη / (2π r²) at η ≈ 0
    (dN/dz = dN/dη / (r cosh η); cosh 0.2 = 1.02 is neglected).  6.2 /cm² at μ = 60, r = 29 mm."""
    r_cm = radius_mm / 10.0
    return cfg.pileup * cfg.dndeta / (2 * np.pi * r_cm**2)


@dataclass
class Tracks:
    """Particles crossing the sensor (one entry each).

    ``x``, ``y``: mid-plane crossing point in module coordinates (µm); ``cot_alpha``, ``cot_beta``: local
    direction; ``depth0``/``depth1``: ionised depth range (µm, 0 = pixel side); ``charge``: total signal
    charge (e⁻) over that range; ``reco``: an in-time primary above the reconstruction pT cut;
    ``kind``: see :data:`KIND_NAMES`; ``pt``: transverse momentum (GeV, 0 where meaningless).
    Optional (defaults filled in): ``species`` (code of :data:`~fpgaflow.data.truth.SPECIES_NAMES`,
    pion by default), ``beta_gamma`` (βγ = p/m; 3.5 by default), ``parent`` (index of the particle that
    made this knock-on electron in the same :class:`Tracks`, −1 for none), and for stopping electrons
    ``csda_um`` (CSDA range of the electron at its start, µm; 0 = uniform ionisation along the track),
    ``range_fraction`` (the part of its straight reach that lies inside the sensor) and ``starts_deep``
    (it starts at ``depth1`` and ends at ``depth0``): the charge then follows the electron's energy
    loss along its range, densest where it stops.
    """

    map_index: Array
    x: Array
    y: Array
    cot_alpha: Array
    cot_beta: Array
    depth0: Array
    depth1: Array
    charge: Array
    reco: Array
    kind: Array
    pt: Array
    species: Array = None  # type: ignore[assignment]
    beta_gamma: Array = None  # type: ignore[assignment]
    parent: Array = None  # type: ignore[assignment]
    csda_um: Array = None  # type: ignore[assignment]
    range_fraction: Array = None  # type: ignore[assignment]
    starts_deep: Array = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = self.map_index.size
        defaults: dict[str, tuple[float, type]] = {
            "species": (SP_PION, np.int8),
            "beta_gamma": (3.5, np.float64),
            "parent": (-1, np.int64),
            "csda_um": (0.0, np.float64),
            "range_fraction": (1.0, np.float64),
            "starts_deep": (False, np.bool_),
        }
        for name, (value, dtype) in defaults.items():
            if getattr(self, name) is None:
                setattr(self, name, np.full(n, value, dtype))

    def __len__(self) -> int:
        return int(self.map_index.size)

    @property
    def owner(self) -> Array:
        """The particle each entry's charge is attributed to: its parent for knock-on electrons."""
        return np.where(self.parent >= 0, self.parent, np.arange(len(self)))

    @staticmethod
    def concatenate(parts: list[Tracks]) -> Tracks:
        """One :class:`Tracks` holding ``parts`` in order.  ``parent`` indices are kept as they are: they
        index the final list (knock-on electrons are made from, and appended after, their parents)."""
        return Tracks(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Tracks)})


def uniform_positions(rng: np.random.Generator, counts: Array, regions: Array) -> tuple[Array, Array, Array]:
    """Map index and uniform (x, y) for ``counts[i]`` particles in rectangle ``regions[i]``
    = (x0, x1, y0, y1) µm."""
    map_index = np.repeat(np.arange(counts.size), counts)
    r = regions[map_index]
    x = r[:, 0] + rng.random(map_index.size) * (r[:, 1] - r[:, 0])
    y = r[:, 2] + rng.random(map_index.size) * (r[:, 3] - r[:, 2])
    return map_index, x, y


def helix_angles(
    x: Array,
    pt: Array,
    charge_sign: Array,
    eta: Array,
    *,
    geom: ModuleGeometry,
    radius_mm: float,
    b_field_t: float,
) -> tuple[Array, Array]:
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
    regions: Array,
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
    """Poisson(density × area) tracks per map in each generation rectangle, with species, pT, charge
    sign, η, incidence angles, path length and the energy loss of that species at that momentum.
    ``reco`` marks in-time primaries above the cut."""
    area_cm2 = (regions[:, 1] - regions[:, 0]) * (regions[:, 3] - regions[:, 2]) * 1e-8
    counts = rng.poisson(density_per_cm2 * area_cm2)
    map_index, x, y = uniform_positions(rng, counts, regions)
    n = map_index.size
    species, pt = sample_species_pt(rng, n, cfg, min_pt_to_reach(radius_mm, b_field_t))
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    eta = rng.uniform(-cfg.eta_max, cfg.eta_max, n)
    cot_a, cot_b = helix_angles(x, pt, sign, eta, geom=geom, radius_mm=radius_mm, b_field_t=b_field_t)
    path_um = geom.thickness * np.sqrt(1 + cot_a**2 + cot_b**2)
    mass = SPECIES_MASS_GEV[species]
    beta_gamma = pt * np.cosh(eta) / mass
    q = ionisation_charge(rng, beta_gamma, mass, path_um, sensor) * charge_scale
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
        species=species,
        beta_gamma=beta_gamma,
    )
