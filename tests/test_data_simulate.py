"""The simulator's contract: typed config, determinism, window shapes, physics labels, speed-independent
vectorisation (batching does not change the result)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.data.simulate import SimulatorConfig, WindowConfig, iter_batches, simulate
from fpgaflow.data.simulate.config import ElectronicsConfig
from fpgaflow.data.simulate.geometry import ModuleGeometry, big_cols, big_rows
from fpgaflow.data.simulate.simulator import _geometry, render
from fpgaflow.data.simulate.tracks import (
    PRIMARY,
    Tracks,
    min_pt_to_reach,
    primary_density_per_cm2,
    sample_landau_below,
    tsallis_fraction_above,
)
from fpgaflow.errors import ConfigError

SMALL = SimulatorConfig(window=WindowConfig(region="crop", crop_rows=32, crop_cols=32), batch_size=50)


def test_geometry_matches_the_phase1_module() -> None:
    # physics.md: 160 × 416 pixels, double-size at ROC edges → 16.2 mm × 64.8 mm of silicon.
    geom = ModuleGeometry.from_config(SMALL.geometry)
    assert geom.width_x == pytest.approx(16_200.0)
    assert geom.width_y == pytest.approx(64_800.0)
    assert list(big_rows()) == [79, 80]
    assert big_cols().size == 16
    assert big_cols()[:4].tolist() == [0, 51, 52, 103]
    # Row 79 spans 7900–8100 µm and row 80 8100–8300 µm (double size).
    assert geom.rows_of(np.array([0.0, 7_899.0, 8_050.0, 8_150.0, 16_199.0])).tolist() == [0, 78, 79, 80, 159]
    assert geom.cols_of(np.array([0.0, 299.0, 300.0, 64_799.0])).tolist() == [0, 0, 1, 415]


def test_track_physics_figures() -> None:
    # 16.5 MeV reaches r = 29 mm in 3.8 T (physics.md: loopers of 16.5–40 MeV reach layer 1).
    assert min_pt_to_reach(29.0, 3.8) == pytest.approx(0.0165, abs=0.0003)
    # 6.3 primaries /cm² at μ = 60 (physics.md, r = 2.9 cm).
    assert primary_density_per_cm2(SMALL.tracks, 29.0) == pytest.approx(6.3, rel=0.02)
    # The truncated Landau sampler follows scipy.stats.landau below its cut (quantiles to 2 %).
    from scipy import stats

    cut = 10.0
    x = sample_landau_below(np.random.default_rng(0), np.full(400_000, cut))
    assert x.max() <= cut
    for q in (0.1, 0.5, 0.9):
        expected = stats.landau.ppf(q * stats.landau.cdf(cut))
        assert np.quantile(x, q) == pytest.approx(expected, rel=0.02, abs=0.01)
    # A Tsallis spectrum with T = 0.145 GeV, n = 6.6 puts roughly 30–45 % of tracks above 0.5 GeV.
    assert 0.30 < tsallis_fraction_above(SMALL.tracks, 0.0165, 0.5) < 0.45


def test_same_seed_same_bytes_and_chunking_does_not_matter() -> None:
    a = simulate(SMALL, 120, seed=7)
    b = simulate(SMALL, 120, seed=7)
    assert a.maps.tobytes() == b.maps.tobytes()
    assert a.labels.tobytes() == b.labels.tobytes()
    assert a.soft_labels is not None
    assert b.soft_labels is not None
    assert a.soft_labels.tobytes() == b.soft_labels.tobytes()
    # Resuming at batch 1 gives the same maps as the full run (streams keyed by seed and batch index).
    tail = next(iter_batches(SMALL, 120, seed=7, first_batch=1))
    assert np.array_equal(tail.maps, a.maps[50:100])
    c = simulate(SMALL, 120, seed=8)
    assert not np.array_equal(a.maps, c.maps)


@pytest.mark.parametrize(
    ("window", "shape"),
    [
        (WindowConfig(region="module"), (160, 416)),
        (WindowConfig(region="roc"), (80, 52)),
        (WindowConfig(region="roc2x2"), (160, 104)),
        (WindowConfig(region="crop", crop_rows=128, crop_cols=128, rebin_rows=4, rebin_cols=4), (32, 32)),
        (WindowConfig(region="crop", crop_rows=64, crop_cols=96, placement="centre"), (64, 96)),
    ],
)
def test_window_shapes_and_adc_range(window: WindowConfig, shape: tuple[int, int]) -> None:
    data = simulate(replace(SMALL, window=window, batch_size=8), 8, seed=3)
    assert data.maps.shape == (8, *shape, 1)
    assert data.maps.dtype == np.float32
    assert data.maps.min() == 0.0
    assert data.maps.max() <= 255.0
    assert np.array_equal(data.maps, np.round(data.maps))  # whole ADC counts (sums of counts when rebinned)
    read = data.maps[data.maps > 0]
    if window.rebin_rows == 1:
        # A read-out pixel passed a threshold of 2000 ± 245 e⁻ (> 775 e⁻ at 5σ) at 135 e⁻/count: no pixel
        # shows 1–4 counts (a simulator without threshold would show many).
        assert read.min() >= 5.0


def test_rebin_conserves_charge_until_saturation() -> None:
    from fpgaflow.data.simulate.windows import rebin

    maps = np.zeros((1, 4, 4), np.float32)
    maps[0, 0, 0], maps[0, 0, 1], maps[0, 3, 3] = 100.0, 120.0, 7.0
    out = rebin(maps, 2, 2, 255.0)
    assert out.tolist() == [[[220.0, 0.0], [0.0, 7.0]]]
    maps[0, 1, 1] = 100.0
    assert rebin(maps, 2, 2, 255.0)[0, 0, 0] == 255.0  # saturates like the ADC


def _one_track(
    cfg: SimulatorConfig, x: float, y: float, reco: bool, pt: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = Tracks(
        map_index=np.array([0]),
        x=np.array([x]),
        y=np.array([y]),
        cot_alpha=np.array([0.0]),
        cot_beta=np.array([0.0]),
        depth0=np.array([0.0]),
        depth1=np.array([285.0]),
        charge=np.array([21_000.0]),
        reco=np.array([reco]),
        kind=np.array([PRIMARY], np.int8),
        pt=np.array([pt]),
    )
    maps, labels, soft, _ = render(cfg, t, np.array([10]), np.array([20]), rng=np.random.default_rng(0))
    return maps, labels, soft


def test_labels_follow_the_physics_not_random_flips() -> None:
    cfg = replace(
        SMALL,
        electronics=ElectronicsConfig(
            dead_pixel_fraction=0.0, dead_double_column_probability=0.0, dead_roc_probability=0.0
        ),
    )
    geom = _geometry(cfg.geometry)
    centre_x = geom.x_edges[10 + 16] + 20.0
    centre_y = geom.y_edges[20 + 16] + 75.0
    # A reconstructable track in the middle of the window: particle, all read-out charge from it.
    maps, labels, soft = _one_track(cfg, centre_x, centre_y, reco=True, pt=1.0)
    assert labels.tolist() == [1]
    assert soft[0] == pytest.approx(1.0)
    assert maps.sum() > 100
    # The same cluster from a track below the reconstruction pT cut: background (identical map).
    maps_low, labels_low, soft_low = _one_track(cfg, centre_x, centre_y, reco=False, pt=0.2)
    assert labels_low.tolist() == [0]
    assert soft_low[0] == 0.0
    assert np.array_equal(maps, maps_low)
    # A reconstructable track whose cluster lies mostly in the neighbouring window: an edge fragment.
    edge_x = geom.x_edges[10] - 90.0  # drift spreads it over x .. x + 114 µm: ~20 % lands in the window
    _, labels_edge, _ = _one_track(cfg, edge_x, centre_y, reco=True, pt=1.0)
    assert labels_edge.tolist() == [0]


def test_natural_particle_fraction_depends_on_window_and_pileup() -> None:
    low = simulate(replace(SMALL, tracks=replace(SMALL.tracks, pileup=20.0)), 400, seed=1).labels.mean()
    high = simulate(replace(SMALL, tracks=replace(SMALL.tracks, pileup=100.0)), 400, seed=1).labels.mean()
    assert low < 0.2 < high


def test_config_is_strict_and_checked() -> None:
    cfg = from_mapping(SimulatorConfig, {"tracks": {"pileup": 80}, "window": {"region": "roc"}})
    assert cfg.tracks.pileup == 80.0
    assert cfg.window.output_shape == (80, 52)
    with pytest.raises(ConfigError, match="did you mean 'pileup'"):
        from_mapping(SimulatorConfig, {"tracks": {"pilup": 80}})
    with pytest.raises(ConfigError, match="do not divide"):
        WindowConfig(region="crop", crop_rows=30, crop_cols=32, rebin_rows=4)
    with pytest.raises(ConfigError, match="threshold"):
        ElectronicsConfig(threshold_e=-1.0)
    with pytest.raises(ConfigError, match="region"):
        from_mapping(SimulatorConfig, {"window": {"region": "rock"}})


def test_pure_noise_hits_follow_the_gaussian_tail() -> None:
    from fpgaflow.data.simulate import BackgroundConfig, TrackConfig
    from fpgaflow.data.simulate.electronics import noise_hit_probability

    # No particles; threshold lowered to 600 e⁻ so pixel-cell noise (175 e⁻) fires Φ(−3.43) ≈ 3e-4 of pixels.
    electronics = ElectronicsConfig(
        threshold_e=600.0,
        noisy_pixel_fraction=0.0,
        dead_pixel_fraction=0.0,
        dead_double_column_probability=0.0,
        dead_roc_probability=0.0,
    )
    quiet = BackgroundConfig(looper_rate_per_cm2=0.0, delta_ray_rate_per_cm2=0.0, halo_rate_per_cm2=0.0)
    cfg = SimulatorConfig(
        window=WindowConfig(region="module"),
        electronics=electronics,
        backgrounds=quiet,
        tracks=TrackConfig(pileup=0.0),
    )
    p = noise_hit_probability(electronics)
    assert p == pytest.approx(3.0e-4, rel=0.05)
    data = simulate(cfg, 32, seed=2)
    occupancy = float((data.maps > 0).mean())
    assert occupancy == pytest.approx(p, rel=0.1)  # 32 × 66 560 pixels: ≈ 640 hits, Poisson error 4 %
    assert data.maps[data.maps > 0].min() >= 4.0  # ⌊600 e⁻ / 135⌋
    assert data.labels.sum() == 0  # noise never makes a particle
    # At the default 2000 e⁻ the same noise fires Φ(−11.4) ≈ 2e-30 of pixels: nothing.
    assert noise_hit_probability(ElectronicsConfig()) < 1e-29
