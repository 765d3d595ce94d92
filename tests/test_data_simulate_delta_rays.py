"""Physics checks of the δ-ray model: knock-on rate, spectrum and angle [PDG eqs. 34.6–34.7], electron
range and the Bragg-like rise of its charge, and what δ rays look like in the maps."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from fpgaflow.data.clusters import find_clusters
from fpgaflow.data.simulate import BackgroundConfig, ElectronicsConfig, SimulatorConfig, WindowConfig, simulate
from fpgaflow.data.simulate.charge import range_profile
from fpgaflow.data.simulate.delta_rays import electron_tracks, knock_on_electrons
from fpgaflow.data.simulate.ionisation import M_E, MASS_GEV, electron_csda_range_um, knock_on_cos_theta, t_max
from fpgaflow.data.simulate.simulator import _geometry, render
from fpgaflow.data.simulate.tracks import PRIMARY, Tracks
from fpgaflow.data.truth import SP_PION, SRC_BELOW_PT_CUT, SRC_DELTA_RAY, SRC_PRIMARY

NO_DEFECTS = ElectronicsConfig(
    dead_pixel_fraction=0.0, dead_double_column_probability=0.0, dead_roc_probability=0.0, noisy_pixel_fraction=0.0
)
CFG = SimulatorConfig(window=WindowConfig(region="module"), electronics=NO_DEFECTS)


def _mips(n: int) -> Tracks:
    """``n`` minimum-ionising pions (βγ = 3.5) crossing the full sensor at normal incidence."""
    rng = np.random.default_rng(0)
    return Tracks(
        map_index=np.zeros(n, np.int64),
        x=rng.uniform(1000, 15000, n),
        y=rng.uniform(1000, 60000, n),
        cot_alpha=np.zeros(n),
        cot_beta=np.zeros(n),
        depth0=np.zeros(n),
        depth1=np.full(n, 285.0),
        charge=np.full(n, 21_000.0),
        reco=np.ones(n, bool),
        kind=np.full(n, PRIMARY, np.int8),
        pt=np.ones(n),
    )


def test_knock_on_rate_spectrum_and_angle() -> None:
    # [PDG 34.6] N(T > T_cut) = ξ (1/T_cut − 1/T_max) per track: ξ = 5.49 keV for a MIP in 285 µm, so
    # 0.11 electrons above 50 keV; half of them above 100 keV (1/T² spectrum).
    n = 100_000
    delta = knock_on_electrons(np.random.default_rng(1), _mips(n), CFG, _geometry(CFG.geometry))
    tm = t_max(np.array([3.5]), MASS_GEV["pion"])[0]
    expected = 5.49e-3 * (1 / 0.05 - 1 / tm)
    assert len(delta) / n == pytest.approx(expected, rel=0.03)  # Poisson error 1 %
    t_kin = (np.sqrt(1 + delta.beta_gamma**2) - 1) * M_E
    assert t_kin.min() >= 0.05
    assert np.mean(t_kin > 0.1) == pytest.approx((1 / 0.1 - 1 / tm) / (1 / 0.05 - 1 / tm), abs=0.015)
    assert np.all(delta.parent >= 0)
    # [PDG 34.7] cos θ = (T/p_e)(p_max/T_max): a 100 keV electron leaves a MIP at ≈ 72° (cos θ ≈ 0.31),
    # almost in the sensor plane for a track at normal incidence.
    assert knock_on_cos_theta(np.array([0.1]), np.array([tm]))[0] == pytest.approx(0.31, abs=0.01)
    band = (t_kin > 0.09) & (t_kin < 0.11)
    cos_theta = 1 / np.sqrt(1 + delta.cot_alpha[band] ** 2 + delta.cot_beta[band] ** 2)
    assert np.median(cos_theta) == pytest.approx(0.31, abs=0.02)


def test_electron_charge_rises_towards_the_end_of_its_range() -> None:
    # Continuous slowing down: dE/ds grows as the electron slows, so the last fifth of a 300 keV electron's
    # path gets more than twice the energy of the first fifth; a contained electron deposits all of T.
    geom = _geometry(CFG.geometry)
    one = electron_tracks(
        np.zeros(1, np.int64),
        np.array([[8000.0, 30000.0, 140.0]]),
        np.array([[0.999, 0.0, np.sqrt(1 - 0.999**2)]]),
        np.array([0.3]),
        sensor=CFG.sensor,
        geom=geom,
        parent=np.array([-1]),
    )
    assert one.range_fraction[0] == pytest.approx(1.0)  # 318 µm reach, 7 µm of depth: contained
    assert one.charge[0] == pytest.approx(0.3e6 / 3.61, rel=1e-3)
    segments = np.arange(5)
    energy = range_profile(one, np.zeros(5, np.int64), segments, np.full(5, 5))
    assert energy.sum() == pytest.approx(0.3, rel=1e-3)
    assert energy[-1] > 2 * energy[0]
    assert np.all(np.diff(energy) > 0)


def test_in_plane_electron_clusters_are_as_long_as_their_reach() -> None:
    # A 300 keV electron travelling along r-φ reaches 0.7 × 454 µm ≈ 320 µm: a cluster 3–5 rows long
    # (100 µm pitch), 1–2 columns wide.
    n = 200
    rng = np.random.default_rng(5)
    geom = _geometry(CFG.geometry)
    start = np.stack([rng.uniform(2000, 6000, n), rng.uniform(2000, 60000, n), np.full(n, 142.0)], axis=1)
    direction = np.tile([0.999, 0.0, np.sqrt(1 - 0.999**2)], (n, 1))
    electrons = electron_tracks(
        np.arange(n), start, direction, np.full(n, 0.3), sensor=CFG.sensor, geom=geom, parent=np.full(n, -1)
    )
    assert 0.7 * electron_csda_range_um(0.3) == pytest.approx(320.0, rel=0.05)
    cfg = replace(CFG, window=WindowConfig(region="crop", crop_rows=24, crop_cols=24))
    origin_row = geom.rows_of(start[:, 0]) - 8
    origin_col = geom.cols_of(start[:, 1]) - 12
    maps, labels, _, _ = render(cfg, electrons, origin_row, origin_col, rng=rng)
    cl = find_clusters(maps)
    longest = np.zeros(n, np.int64)
    np.maximum.at(longest, cl.map_index, cl.size_x)
    assert 3 <= np.median(longest) <= 5
    assert np.median(cl.size_y) <= 2
    assert labels.sum() == 0  # a stray electron is never a particle


def test_delta_rays_in_the_simulated_maps() -> None:
    # Isolated secondary electrons make short, dense clusters: mostly one pixel, with ≈ 1.5× the charge per
    # pixel of a fast pion's cluster (a 100 keV electron stops within a pixel: 28 ke⁻ in it, a MIP's 21 ke⁻
    # spread over ≈ 2).  Knock-ons attached to tracks are counted with their track and widen its cluster.
    cfg = replace(CFG, backgrounds=BackgroundConfig(delta_ray_rate_per_cm2=2.0))
    data = simulate(cfg, 32, seed=6, truth=True)
    truth = data.truth
    assert truth is not None
    per_pixel = truth.adc / truth.n_pixels
    iso = truth.source == SRC_DELTA_RAY
    track = np.isin(truth.source, (SRC_PRIMARY, SRC_BELOW_PT_CUT))
    fast_pion = track & (truth.species == SP_PION) & (truth.pt > 1.0)
    assert iso.sum() > 100
    assert np.median(per_pixel[iso]) / np.median(per_pixel[fast_pion]) == pytest.approx(1.5, abs=0.25)
    assert np.mean(truth.n_pixels[iso] == 1) > 0.5
    with_delta = track & (truth.delta_fraction > 0.2)
    assert 0.02 < np.mean(truth.delta_fraction[track] > 0) < 0.3
    assert truth.n_pixels[with_delta].mean() > 1.2 * truth.n_pixels[track & (truth.delta_fraction == 0)].mean()
