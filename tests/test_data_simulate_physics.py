"""Physics checks of the hit-map simulator against the figures in shared/physics.md.

Each test shoots chosen particles (or runs the full simulator) and asserts a measured quantity against
the physics.md figure with a stated tolerance.  Statistics are chosen so the statistical error is well
inside the tolerance (seeded, so the numbers are also reproducible).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from fpgaflow.data.clusters import find_clusters
from fpgaflow.data.simulate import (
    BackgroundConfig,
    ElectronicsConfig,
    GeometryConfig,
    SimulatorConfig,
    TrackConfig,
    WindowConfig,
)
from fpgaflow.data.simulate.charge import lorentz_shift
from fpgaflow.data.simulate.simulator import _geometry, render, simulate_batch
from fpgaflow.data.simulate.tracks import PRIMARY, Tracks, ionisation_charge

NO_DEFECTS = ElectronicsConfig(
    dead_pixel_fraction=0.0,
    dead_double_column_probability=0.0,
    dead_roc_probability=0.0,
    noisy_pixel_fraction=0.0,
)
MODULE = SimulatorConfig(window=WindowConfig(region="module"), electronics=NO_DEFECTS)
QUIET = BackgroundConfig(
    looper_rate_per_cm2=0.0, delta_ray_rate_per_cm2=0.0, halo_rate_per_cm2=0.0, out_of_time_fraction=0.0
)


#: Single-track shots are read out in a 24 × 24-pixel window around the track (the cluster is ≤ 4 pixels).
SHOT_WINDOW = 24


def shoot(cfg: SimulatorConfig, n: int, cot_alpha: float, cot_beta: float, seed: int) -> tuple[np.ndarray, Tracks]:
    """One full-depth MIP per map with the given incidence, read out in a window centred on it.  Returns the
    window maps and the tracks with ``x``/``y`` in window coordinates (µm from the window corner).  Tracks
    stay in the lower ROC row, away from the module edges and the double-size rows 79/80."""
    rng = np.random.default_rng(seed)
    cfg = replace(cfg, window=WindowConfig(region="crop", crop_rows=SHOT_WINDOW, crop_cols=SHOT_WINDOW))
    x = rng.uniform(2000.0, 6500.0, n)
    y = rng.uniform(2000.0, 60000.0, n)
    path_um = np.full(n, cfg.geometry.thickness_um * np.sqrt(1 + cot_alpha**2 + cot_beta**2))
    beta_gamma = np.full(n, 3.5)  # minimum ionising
    tracks = Tracks(
        map_index=np.arange(n),
        x=x,
        y=y,
        cot_alpha=np.full(n, cot_alpha),
        cot_beta=np.full(n, cot_beta),
        depth0=np.zeros(n),
        depth1=np.full(n, cfg.geometry.thickness_um),
        charge=ionisation_charge(rng, beta_gamma, np.full(n, 0.13957), path_um, cfg.sensor),
        reco=np.ones(n, bool),
        kind=np.full(n, PRIMARY, np.int8),
        pt=np.ones(n),
    )
    geom = _geometry(cfg.geometry)
    origin_row = geom.rows_of(x) - SHOT_WINDOW // 2
    origin_col = geom.cols_of(y) - SHOT_WINDOW // 2
    maps, _, _, _ = render(cfg, tracks, origin_row, origin_col, rng=rng)
    tracks.x = x - geom.x_edges[origin_row]
    tracks.y = y - geom.y_edges[origin_col]
    return maps, tracks


def test_mip_cluster_charge_mpv_at_normal_incidence() -> None:
    # physics.md: most-probable MIP charge ≈ 19–22 ke at normal incidence in 285 µm (after threshold/ADC).
    maps, _ = shoot(MODULE, 3000, 0.0, 0.0, seed=11)
    charge = find_clusters(maps).charge_e()
    hist, edges = np.histogram(charge, bins=np.arange(10_000, 40_000, 1000))
    mpv = edges[np.argmax(hist)] + 500
    assert 19_000 <= mpv <= 22_000, mpv
    # The Landau tail: the median sits above the MPV (a Gaussian would put them together).
    assert np.median(charge) > mpv


def test_lorentz_shift_across_the_sensor() -> None:
    # physics.md: tan θ_L = 0.106/T → 0.40 at 3.8 T → ≈ 115 µm across 285 µm.
    tan_l = MODULE.sensor.lorentz_tan_per_t * MODULE.geometry.b_field_t
    assert lorentz_shift(285.0, tan_l) == pytest.approx(115.0, abs=1.5)
    # Measured on clusters: the charge centroid moves by half the full shift (≈ 57 µm) from the crossing
    # point; with B = 0 it does not move.  The median offset is used (pixel-centre centroids of 1- and
    # 2-pixel clusters are quantised, a few tracks near the double-size rows give far outliers); tolerance
    # 5 µm for the ADC floor and threshold losses.
    geom = _geometry(MODULE.geometry)
    for field, expected in ((3.8, 57.4), (0.0, 0.0)):
        cfg = replace(MODULE, geometry=GeometryConfig(b_field_t=field))
        maps, tracks = shoot(cfg, 2000, 0.0, 0.0, seed=12)
        cl = find_clusters(maps)
        x_um = cl.centroid_x * geom.pitch_x  # window coordinates; x avoids the double-size rows below
        shift = float(np.median(x_um - tracks.x[cl.map_index]))
        assert shift == pytest.approx(expected, abs=5.0), (field, shift)


def test_cluster_width_is_smallest_at_minus_lorentz_angle() -> None:
    # Tracks inclined by cot α = −tan θ_L (−0.40) drift back onto one pixel column: the r-φ cluster size
    # has its minimum there (the classic Lorentz-angle measurement).
    sizes = {}
    for cot_a in (-0.8, -0.4, 0.0, 0.4):
        maps, _ = shoot(MODULE, 800, cot_a, 0.0, seed=13)
        sizes[cot_a] = find_clusters(maps).size_x.mean()
    assert min(sizes, key=sizes.__getitem__) == -0.4
    assert sizes[-0.4] < 1.25
    assert sizes[0.0] > 1.6


def test_cluster_sizes_at_small_eta() -> None:
    # physics.md at |η| < 0.2: 1–2 columns along z, ≈ 2 rows along r-φ (Lorentz shift + local angle).
    cfg = replace(MODULE, backgrounds=QUIET, tracks=TrackConfig(pileup=20.0))
    maps, _, _, _ = simulate_batch(cfg, 64, np.random.default_rng(14))
    cl = find_clusters(maps)
    mip = cl.charge_e() > 12_000  # MIP-like clusters (drop split fragments)
    size_x, size_y = cl.size_x[mip], cl.size_y[mip]
    assert 1.0 <= size_y.mean() <= 1.6, size_y.mean()
    assert np.mean(size_y <= 2) > 0.95
    assert 1.7 <= size_x.mean() <= 2.6, size_x.mean()


def test_track_density_and_occupancy_scale_with_pileup() -> None:
    # physics.md: ≈ 6.3 primaries /cm² at μ = 60, r = 2.9 cm → ≈ 66 per module, ≈ 15 per 128×128 window,
    # ≈ 1 per 32×32.  Tolerance 10 % (r = 29 mm and η ≈ 0 approximations; Poisson error < 2 %).
    expected = {"module": 66.0, "crop128": 15.0, "crop32": 1.0}
    windows = {
        "module": (WindowConfig(region="module"), 64),
        "crop128": (WindowConfig(region="crop", crop_rows=128, crop_cols=128), 256),
        "crop32": (WindowConfig(region="crop", crop_rows=32, crop_cols=32), 4000),
    }
    for name, (window, n) in windows.items():
        cfg = replace(MODULE, window=window, backgrounds=QUIET)
        _, _, _, truth = simulate_batch(cfg, n, np.random.default_rng(15))
        assert truth.n_primary_in_window.mean() == pytest.approx(expected[name], rel=0.10), name
    # Pixel occupancy grows linearly with pileup (sources that do not scale with μ switched off).
    occ = {}
    for mu in (30.0, 60.0, 120.0):
        cfg = replace(
            MODULE,
            backgrounds=replace(QUIET, looper_rate_per_cm2=0.2, delta_ray_rate_per_cm2=0.3),
            tracks=TrackConfig(pileup=mu),
        )
        maps, _, _, _ = simulate_batch(cfg, 48, np.random.default_rng(16))
        occ[mu] = float((maps > 0).mean())
    assert occ[120.0] / occ[60.0] == pytest.approx(2.0, rel=0.1)
    assert occ[30.0] / occ[60.0] == pytest.approx(0.5, rel=0.1)
    assert 1e-3 < occ[60.0] < 5e-3  # ≈ 66 clusters × ≈ 2.5 pixels / 66 560 pixels


def _render_kind(make, cfg: SimulatorConfig, n_maps: int, seed: int):  # type: ignore[no-untyped-def]
    """Clusters of one particle source alone, on whole modules."""
    from fpgaflow.data.simulate.windows import generation_regions

    rng = np.random.default_rng(seed)
    geom = _geometry(cfg.geometry)
    zeros = np.zeros(n_maps, np.int64)
    regions = generation_regions(geom, zeros, zeros, rows=160, cols=416, margin_um=0.0)
    tracks = make(rng, regions, cfg, geom)
    maps, labels, _, _ = render(cfg, tracks, zeros, zeros, rng=rng)
    return find_clusters(maps), labels


def test_background_sources_have_their_physical_signatures() -> None:
    from fpgaflow.data.simulate.backgrounds import halo, loopers, out_of_time
    from fpgaflow.data.simulate.tracks import primary_density_per_cm2, primary_tracks

    busy = replace(
        MODULE,
        backgrounds=BackgroundConfig(halo_rate_per_cm2=3.0, looper_rate_per_cm2=3.0, out_of_time_fraction=1.0),
    )
    # Beam halo runs along the beam: long along z (columns), one or two rows wide.
    cl, labels = _render_kind(halo, busy, 8, seed=21)
    assert np.median(cl.size_y) >= 10
    assert np.median(cl.size_x) <= 2
    assert labels.sum() == 0
    # Loopers (16.5–40 MeV) meet the module at grazing r-φ angles: longer along rows than along z.
    cl, labels = _render_kind(loopers, busy, 8, seed=22)
    assert np.median(cl.size_x) >= 3
    assert np.median(cl.size_x) > np.median(cl.size_y)
    assert labels.sum() == 0

    # Out-of-time hits carry a quarter of the charge of in-time tracks: fainter clusters, never particle.
    def in_time(rng, regions, cfg, geom):  # type: ignore[no-untyped-def]
        g = cfg.geometry
        return primary_tracks(
            rng,
            regions,
            primary_density_per_cm2(cfg.tracks, g.radius_mm),
            cfg=cfg.tracks,
            sensor=cfg.sensor,
            geom=geom,
            radius_mm=g.radius_mm,
            b_field_t=g.b_field_t,
            reco_pt_cut=0.5,
        )

    late, late_labels = _render_kind(out_of_time, busy, 16, seed=23)
    prompt, _ = _render_kind(in_time, busy, 16, seed=24)
    ratio = np.median(late.charge_e()) / np.median(prompt.charge_e())
    assert ratio == pytest.approx(0.25, abs=0.08)  # threshold losses bias faint clusters slightly
    assert late_labels.sum() == 0
