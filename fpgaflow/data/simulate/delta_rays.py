"""Electrons knocked out in the silicon (δ rays): short, dense, not pointing to the vertex.

Two sources.  (1) Knock-on electrons of every particle crossing the sensor: a particle of βγ gives
N = ξ (1/T_cut − 1/T_max) electrons above the cut T_cut (``sensor.delta_ray_cut_kev``), ξ its Landau width
(:func:`~.ionisation.landau_xi`), energies from the 1/T² spectrum [PDG 34.6], emitted at
cos θ = (T/p_e)(p_max/T_max) to the particle's direction [PDG 34.7] (≈ 73° at 100 keV: almost in the
sensor plane for a track at normal incidence), from a point uniform along its path; their charge counts
as the parent's (``Tracks.parent``).  (2) Isolated secondary electrons (``backgrounds.delta_ray_rate_per_cm2``)
starting at a random point inside the sensor in a random direction.

Each electron is a straight track of ``sensor.delta_ray_detour_factor`` × its CSDA range (78 µm at
100 keV, 24 µm at 50 keV, 2.3 mm at 1 MeV in silicon, :func:`~.ionisation.electron_csda_range_um`),
cut where it leaves the sensor.  It deposits its kinetic energy minus what it carries out, distributed
along its path as its continuous-slowing-down energy loss (densest at the end: a Bragg-like rise).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.data.simulate.config import SensorConfig, SimulatorConfig
from fpgaflow.data.simulate.geometry import ModuleGeometry
from fpgaflow.data.simulate.ionisation import (
    M_E,
    electron_csda_range_um,
    electron_energy_at_range_um,
    knock_on_cos_theta,
    landau_xi,
    mev_to_electrons,
    sample_knock_on_energy,
    t_max,
)
from fpgaflow.data.simulate.tracks import (
    DELTA_RAY,
    MAX_COT,
    OUT_OF_TIME,
    SPECIES_MASS_GEV,
    Tracks,
    uniform_positions,
)
from fpgaflow.data.truth import SP_ELECTRON, SP_NONE

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]

#: Isolated secondary electrons: 1/T² spectrum from the δ-ray cut up to this energy (MeV, *assumption*).
SECONDARY_T_MAX_MEV = 1.0


def electron_tracks(
    map_index: Array,
    start: Array,
    direction: Array,
    t_kin: Array,
    *,
    sensor: SensorConfig,
    geom: ModuleGeometry,
    parent: Array,
    charge_scale: Array | float = 1.0,
) -> Tracks:
    """Straight stopping electrons from ``start`` (n, 3: x, y µm in module coordinates, depth µm) along
    unit ``direction`` (n, 3: x, y, depth) with kinetic energy ``t_kin`` (MeV)."""
    n = map_index.size
    csda = electron_csda_range_um(t_kin)
    reach = sensor.delta_ray_detour_factor * csda
    x0, y0, z0 = start[:, 0], start[:, 1], start[:, 2]
    dn = direction[:, 2]
    dn_safe = np.where(np.abs(dn) < 1e-9, np.where(dn < 0, -1e-9, 1e-9), dn)
    # Path length to the surface the electron is heading for; the part of its reach inside the sensor.
    to_surface = np.where(dn_safe > 0, (geom.thickness - z0) / dn_safe, -z0 / dn_safe)
    inside = np.minimum(reach, to_surface)
    fraction = np.where(reach > 0, inside / np.maximum(reach, 1e-12), 1.0)
    deposited = t_kin - electron_energy_at_range_um(csda * (1.0 - fraction))
    cot_a = np.clip(direction[:, 0] / dn_safe, -MAX_COT, MAX_COT)
    cot_b = np.clip(direction[:, 1] / dn_safe, -MAX_COT, MAX_COT)
    depth_extent = inside / np.sqrt(1 + cot_a**2 + cot_b**2)
    deep = dn_safe < 0
    d0 = np.where(deep, np.maximum(z0 - depth_extent, 0.0), z0)
    d1 = np.where(deep, z0, np.minimum(z0 + depth_extent, geom.thickness))
    mid = 0.5 * geom.thickness - z0
    charge = mev_to_electrons(np.maximum(deposited, 0.0)) * sensor.charge_collection_efficiency * charge_scale
    return Tracks(
        map_index=map_index,
        x=x0 + mid * cot_a,
        y=y0 + mid * cot_b,
        cot_alpha=cot_a,
        cot_beta=cot_b,
        depth0=d0,
        depth1=d1,
        charge=charge,
        reco=np.zeros(n, bool),
        kind=np.full(n, DELTA_RAY, np.int8),
        pt=np.zeros(n),
        species=np.full(n, SP_ELECTRON, np.int8),
        beta_gamma=np.sqrt(t_kin * (t_kin + 2 * M_E)) / M_E,
        parent=parent,
        csda_um=csda,
        range_fraction=fraction,
        starts_deep=deep,
    )


def _rotate(axis: Array, cos_theta: Array, phi: Array) -> Array:
    """Unit vectors at polar angle θ and azimuth φ around the unit vectors ``axis`` (n, 3)."""
    helper = np.where(np.abs(axis[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    e1 = helper - np.sum(helper * axis, axis=1, keepdims=True) * axis
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(axis, e1)
    sin_theta = np.sqrt(np.maximum(1.0 - cos_theta**2, 0.0))
    return np.asarray(
        cos_theta[:, None] * axis + (sin_theta * np.cos(phi))[:, None] * e1 + (sin_theta * np.sin(phi))[:, None] * e2
    )


def knock_on_electrons(rng: np.random.Generator, tracks: Tracks, cfg: SimulatorConfig, geom: ModuleGeometry) -> Tracks:
    """The knock-on electrons above the δ-ray cut of every charged particle in ``tracks`` (not of
    electrons that are themselves δ rays); ``parent`` indexes ``tracks``."""
    sensor = cfg.sensor
    t_cut = sensor.delta_ray_cut_kev * 1e-3
    source = (tracks.kind != DELTA_RAY) & (tracks.species != SP_NONE) & (tracks.depth1 > tracks.depth0)
    path = (tracks.depth1 - tracks.depth0) * np.sqrt(1 + tracks.cot_alpha**2 + tracks.cot_beta**2)
    tm = t_max(tracks.beta_gamma, SPECIES_MASS_GEV[tracks.species])
    xi = landau_xi(tracks.beta_gamma, path)
    expected = np.where(source & (tm > t_cut), xi * (1 / t_cut - 1 / np.maximum(tm, t_cut)), 0.0)
    counts = rng.poisson(expected)
    parent = np.repeat(np.arange(len(tracks)), counts)
    n = parent.size
    t_kin = sample_knock_on_energy(rng, t_cut, tm[parent])
    depth = tracks.depth0[parent] + rng.random(n) * (tracks.depth1[parent] - tracks.depth0[parent])
    dz = depth - 0.5 * geom.thickness
    start = np.stack(
        [tracks.x[parent] + dz * tracks.cot_alpha[parent], tracks.y[parent] + dz * tracks.cot_beta[parent], depth],
        axis=1,
    )
    axis = np.stack([tracks.cot_alpha[parent], tracks.cot_beta[parent], np.ones(n)], axis=1)
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    direction = _rotate(axis, knock_on_cos_theta(t_kin, tm[parent]), rng.uniform(0, 2 * np.pi, n))
    scale = np.where(tracks.kind[parent] == OUT_OF_TIME, cfg.backgrounds.out_of_time_charge_scale, 1.0)
    return electron_tracks(
        tracks.map_index[parent],
        start,
        direction,
        t_kin,
        sensor=sensor,
        geom=geom,
        parent=parent.astype(np.int64),
        charge_scale=scale,
    )


def isolated_electrons(
    rng: np.random.Generator, regions: Array, cfg: SimulatorConfig, geom: ModuleGeometry, rate_per_cm2: float
) -> Tracks:
    """Secondary electrons born inside the sensor (uniform in the generation rectangles and in depth),
    isotropic, 1/T² from the δ-ray cut to :data:`SECONDARY_T_MAX_MEV`."""
    area_cm2 = (regions[:, 1] - regions[:, 0]) * (regions[:, 3] - regions[:, 2]) * 1e-8
    map_index, x, y = uniform_positions(rng, rng.poisson(rate_per_cm2 * area_cm2), regions)
    n = map_index.size
    depth = rng.random(n) * geom.thickness
    cos_t = rng.uniform(-1.0, 1.0, n)
    phi = rng.uniform(0, 2 * np.pi, n)
    sin_t = np.sqrt(1 - cos_t**2)
    direction = np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=1)
    t_kin = sample_knock_on_energy(rng, cfg.sensor.delta_ray_cut_kev * 1e-3, np.full(n, SECONDARY_T_MAX_MEV))
    return electron_tracks(
        map_index,
        np.stack([x, y, depth], axis=1),
        direction,
        t_kin,
        sensor=cfg.sensor,
        geom=geom,
        parent=np.full(n, -1, np.int64),
    )
