"""Background particles: low-pT loopers, isolated secondary electrons, beam halo, out-of-time hits.

Noisy pixels live in :mod:`~fpgaflow.data.simulate.electronics`; low-pT primaries below the
reconstruction cut, edge fragments and spill-over from the adjacent chip come out of the primary tracks
(:mod:`~fpgaflow.data.simulate.tracks`) generated over the window plus a margin.  Every rate here is an
*assumption* (physics.md gives none) and a parameter of :class:`BackgroundConfig`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.simulate.config import BackgroundConfig, SimulatorConfig
from fpgaflow.data.simulate.delta_rays import isolated_electrons
from fpgaflow.data.simulate.geometry import ModuleGeometry
from fpgaflow.data.simulate.ionisation import MASS_GEV
from fpgaflow.data.simulate.tracks import (
    HALO,
    LOOPER,
    MAX_COT,
    OUT_OF_TIME,
    Tracks,
    helix_angles,
    ionisation_charge,
    min_pt_to_reach,
    primary_density_per_cm2,
    primary_tracks,
    uniform_positions,
)
from fpgaflow.data.truth import SP_ELECTRON, SP_MUON

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


#: Loopers: e± between the pT that just reaches the layer and 40 MeV (physics.md), |η| < 1.
LOOPER_PT_MAX_GEV = 0.040
LOOPER_ETA_MAX = 1.0
#: Beam halo: nearly parallel to the beam, |cot β| in [5, 25], small cot α spread (*assumption*); muons of
#: 50 GeV (*assumption*; halo muons carry tens to hundreds of GeV, all on the ionisation plateau).
HALO_COT_BETA_MIN = 5.0
HALO_COT_ALPHA_SIGMA = 0.05
HALO_MOMENTUM_GEV = 50.0


#: Loopers and delta rays are made by the collisions' particles: their rates are quoted at μ = 60 and
#: scale with pileup.  Halo and noisy pixels do not.
REFERENCE_PILEUP = 60.0


def _per_collision(rate_at_reference: float, cfg: SimulatorConfig) -> float:
    return rate_at_reference * cfg.tracks.pileup / REFERENCE_PILEUP


def _counts(rng: np.random.Generator, regions: Array, rate_per_cm2: float) -> Array:
    area_cm2 = (regions[:, 1] - regions[:, 0]) * (regions[:, 3] - regions[:, 2]) * 1e-8
    return np.asarray(rng.poisson(rate_per_cm2 * area_cm2))


def _full_depth(n: int, geom: ModuleGeometry) -> tuple[Array, Array]:
    return np.zeros(n), np.full(n, geom.thickness)


def loopers(rng: np.random.Generator, regions: Array, cfg: SimulatorConfig, geom: ModuleGeometry) -> Tracks:
    """Low-pT e± (16.5–40 MeV) that curl in the field and meet the module at grazing r-φ angles."""
    g = cfg.geometry
    map_index, x, y = uniform_positions(
        rng, _counts(rng, regions, _per_collision(cfg.backgrounds.looper_rate_per_cm2, cfg)), regions
    )
    n = map_index.size
    pt = rng.uniform(min_pt_to_reach(g.radius_mm, g.b_field_t), LOOPER_PT_MAX_GEV, n)
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    eta = rng.uniform(-LOOPER_ETA_MAX, LOOPER_ETA_MAX, n)
    cot_a, cot_b = helix_angles(x, pt, sign, eta, geom=geom, radius_mm=g.radius_mm, b_field_t=g.b_field_t)
    mass = np.full(n, MASS_GEV["electron"])
    beta_gamma = pt * np.cosh(eta) / mass
    path_um = geom.thickness * np.sqrt(1 + cot_a**2 + cot_b**2)
    q = ionisation_charge(rng, beta_gamma, mass, path_um, cfg.sensor)
    d0, d1 = _full_depth(n, geom)
    return Tracks(
        map_index,
        x,
        y,
        cot_a,
        cot_b,
        d0,
        d1,
        q,
        np.zeros(n, bool),
        np.full(n, LOOPER, np.int8),
        pt,
        species=np.full(n, SP_ELECTRON, np.int8),
        beta_gamma=beta_gamma,
    )


def delta_rays(rng: np.random.Generator, regions: Array, cfg: SimulatorConfig, geom: ModuleGeometry) -> Tracks:
    """Isolated secondary electrons (:func:`~.delta_rays.isolated_electrons`) at the configured rate."""
    rate = _per_collision(cfg.backgrounds.delta_ray_rate_per_cm2, cfg)
    return isolated_electrons(rng, regions, cfg, geom, rate)


def halo(rng: np.random.Generator, regions: Array, cfg: SimulatorConfig, geom: ModuleGeometry) -> Tracks:
    """Beam-halo muons almost parallel to the beam: long, thin clusters along the columns (z)."""
    map_index, x, y = uniform_positions(rng, _counts(rng, regions, cfg.backgrounds.halo_rate_per_cm2), regions)
    n = map_index.size
    cot_b = rng.uniform(HALO_COT_BETA_MIN, MAX_COT, n) * np.where(rng.random(n) < 0.5, -1.0, 1.0)
    cot_a = rng.normal(0.0, HALO_COT_ALPHA_SIGMA, n)
    mass = np.full(n, MASS_GEV["muon"])
    beta_gamma = np.full(n, HALO_MOMENTUM_GEV / MASS_GEV["muon"])
    q = ionisation_charge(rng, beta_gamma, mass, geom.thickness * np.sqrt(1 + cot_a**2 + cot_b**2), cfg.sensor)
    d0, d1 = _full_depth(n, geom)
    return Tracks(
        map_index,
        x,
        y,
        cot_a,
        cot_b,
        d0,
        d1,
        q,
        np.zeros(n, bool),
        np.full(n, HALO, np.int8),
        np.zeros(n),
        species=np.full(n, SP_MUON, np.int8),
        beta_gamma=beta_gamma,
    )


def out_of_time(rng: np.random.Generator, regions: Array, cfg: SimulatorConfig, geom: ModuleGeometry) -> Tracks:
    """Tracks of the previous bunch crossing seen with reduced (time-walked) charge; never *particle*."""
    b: BackgroundConfig = cfg.backgrounds
    density = primary_density_per_cm2(cfg.tracks, cfg.geometry.radius_mm) * b.out_of_time_fraction
    return primary_tracks(
        rng,
        regions,
        density,
        cfg=cfg.tracks,
        sensor=cfg.sensor,
        geom=geom,
        radius_mm=cfg.geometry.radius_mm,
        b_field_t=cfg.geometry.b_field_t,
        reco_pt_cut=np.inf,
        kind=OUT_OF_TIME,
        charge_scale=b.out_of_time_charge_scale,
    )


def background_tracks(
    rng: np.random.Generator, regions: Array, cfg: SimulatorConfig, geom: ModuleGeometry
) -> list[Tracks]:
    """All background particles of a batch, in a fixed order (so a seed reproduces them)."""
    return [f(rng, regions, cfg, geom) for f in (loopers, delta_rays, halo, out_of_time)]
