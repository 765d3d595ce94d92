"""The simulator's physics figures quoted in docs/data.md, each measured the way its test checks it
(tests/test_data_simulate_physics.py, test_data_simulate_ionisation.py, test_data_simulate_delta_rays.py).

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_physics.py
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from fpgaflow.data.clusters import find_clusters
from fpgaflow.data.simulate import BackgroundConfig, ElectronicsConfig, SimulatorConfig, TrackConfig, WindowConfig
from fpgaflow.data.simulate.delta_rays import knock_on_electrons
from fpgaflow.data.simulate.ionisation import (
    M_E,
    MASS_GEV,
    bethe_mean,
    electron_csda_range_um,
    landau_mpv,
    mev_to_electrons,
)
from fpgaflow.data.simulate.simulator import _geometry, render, simulate_batch
from fpgaflow.data.simulate.tracks import PRIMARY, Tracks, ionisation_charge, sample_species_pt
from fpgaflow.data.truth import SP_KAON, SP_PION, SP_PROTON

NO_DEFECTS = ElectronicsConfig(
    dead_pixel_fraction=0.0, dead_double_column_probability=0.0, dead_roc_probability=0.0, noisy_pixel_fraction=0.0
)
MODULE = SimulatorConfig(window=WindowConfig(region="module"), electronics=NO_DEFECTS)
QUIET = BackgroundConfig(
    looper_rate_per_cm2=0.0, delta_ray_rate_per_cm2=0.0, halo_rate_per_cm2=0.0, out_of_time_fraction=0.0
)


def mip_shots(
    n: int, seed: int, cfg: SimulatorConfig = MODULE, cot_alpha: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Maps of single MIPs at normal incidence, each read out in a 24 × 24 window around it, and each
    track's x in window coordinates (µm)."""
    rng = np.random.default_rng(seed)
    cfg = replace(cfg, window=WindowConfig(region="crop", crop_rows=24, crop_cols=24))
    x, y = rng.uniform(2000.0, 6500.0, n), rng.uniform(2000.0, 60000.0, n)
    path = np.full(n, 285.0 * np.sqrt(1 + cot_alpha**2))
    charge = ionisation_charge(rng, np.full(n, 3.5), np.full(n, MASS_GEV["pion"]), path, cfg.sensor)
    tracks = Tracks(
        np.arange(n),
        x,
        y,
        np.full(n, cot_alpha),
        np.zeros(n),
        np.zeros(n),
        np.full(n, 285.0),
        charge,
        np.ones(n, bool),
        np.full(n, PRIMARY, np.int8),
        np.ones(n),
    )
    geom = _geometry(cfg.geometry)
    origin_row = geom.rows_of(x) - 12
    maps, _, _, _ = render(cfg, tracks, origin_row, geom.cols_of(y) - 12, rng=rng)
    return maps, x - geom.x_edges[origin_row]


def background_signatures() -> str:
    """Halo and looper cluster sizes, out-of-time over in-time cluster charge (16 modules, rates raised)."""
    from fpgaflow.data.simulate.backgrounds import halo, loopers, out_of_time
    from fpgaflow.data.simulate.tracks import primary_density_per_cm2, primary_tracks
    from fpgaflow.data.simulate.windows import generation_regions

    busy = replace(
        MODULE,
        backgrounds=BackgroundConfig(halo_rate_per_cm2=3.0, looper_rate_per_cm2=3.0, out_of_time_fraction=1.0),
    )
    geom = _geometry(busy.geometry)

    def clusters(make, n_maps: int, seed: int):  # type: ignore[no-untyped-def]
        rng = np.random.default_rng(seed)
        zeros = np.zeros(n_maps, np.int64)
        regions = generation_regions(geom, zeros, zeros, rows=160, cols=416, margin_um=0.0)
        maps, _, _, _ = render(busy, make(rng, regions, busy, geom), zeros, zeros, rng=rng)
        return find_clusters(maps)

    def in_time(rng, regions, cfg, geom):  # type: ignore[no-untyped-def]
        g = cfg.geometry
        density = primary_density_per_cm2(cfg.tracks, g.radius_mm)
        return primary_tracks(
            rng,
            regions,
            density,
            cfg=cfg.tracks,
            sensor=cfg.sensor,
            geom=geom,
            radius_mm=g.radius_mm,
            b_field_t=g.b_field_t,
            reco_pt_cut=0.5,
        )

    h = clusters(halo, 8, 21)
    lo = clusters(loopers, 8, 22)
    late, prompt = clusters(out_of_time, 16, 23), clusters(in_time, 16, 24)
    ratio = np.median(late.charge_e()) / np.median(prompt.charge_e())
    return (
        f"halo {np.median(h.size_y):.0f} × {np.median(h.size_x):.0f} (z × r-φ); "
        f"loopers {np.median(lo.size_x):.0f} rows × {np.median(lo.size_y):.0f} columns; "
        f"out-of-time / in-time charge {ratio:.2f}"
    )


def main() -> None:
    rows: list[tuple[str, str]] = []
    charge = find_clusters(mip_shots(3000, 11)[0]).charge_e()
    hist, edges = np.histogram(charge, bins=np.arange(10_000, 40_000, 1000))
    rows.append(
        (
            "MIP cluster charge MPV (1 ke bins) / median",
            f"{edges[np.argmax(hist)] + 500:.0f} / {np.median(charge):.0f} e",
        )
    )

    bg = np.geomspace(0.3, 1000.0, 20_001)
    mean = bethe_mean(bg, MASS_GEV["pion"])
    rows.append(("Bethe minimum in Si", f"{mean.min():.4f} MeV cm²/g at βγ = {bg[np.argmin(mean)]:.2f}"))
    mpv = landau_mpv(np.array([3.5]), 285.0)[0]
    rows.append(
        (
            "Landau MPV, MIP in 285 µm",
            f"{mev_to_electrons(mpv):.0f} e (MPV/mean {mpv / (mean.min() * 285e-4 * 2.329):.3f})",
        )
    )
    proton = landau_mpv(np.array([0.5 / MASS_GEV["proton"]]), 285.0)[0] / mpv
    kaon = landau_mpv(np.array([0.5 / MASS_GEV["kaon"]]), 285.0)[0] / mpv
    p_mean = bethe_mean(np.array([0.5 / MASS_GEV["proton"]]), MASS_GEV["proton"])[0] / mean.min()
    rows.append(
        ("p = 0.5 GeV: proton / kaon MPV over MIP MPV; proton mean", f"{proton:.2f} / {kaon:.2f}; {p_mean:.2f}")
    )

    species, pt = sample_species_pt(np.random.default_rng(4), 1_000_000, TrackConfig(), 1e-4)
    frac = [np.mean(species == s) for s in (SP_PION, SP_KAON, SP_PROTON)]
    means = [pt[species == s].mean() for s in (SP_PION, SP_KAON, SP_PROTON)]

    def ratio(sp: int, lo: float, hi: float) -> float:
        sel = (pt > lo) & (pt < hi)
        return float(np.sum(species[sel] == sp) / np.sum(species[sel] == SP_PION))

    rows.append(
        (
            "π / K / p fractions; mean pT (GeV)",
            " / ".join(f"{f:.3f}" for f in frac) + "; " + " / ".join(f"{m:.2f}" for m in means),
        )
    )
    rows.append(
        (
            "K/π, p/π at 0.3 and 1 GeV",
            f"{ratio(SP_KAON, 0.25, 0.35):.3f}, {ratio(SP_PROTON, 0.25, 0.35):.3f}; "
            f"{ratio(SP_KAON, 0.9, 1.1):.3f}, {ratio(SP_PROTON, 0.9, 1.1):.3f}",
        )
    )
    rows.append(
        (
            "electron CSDA range 50 keV / 100 keV / 1 MeV",
            " / ".join(f"{electron_csda_range_um(t):.1f}" for t in (0.05, 0.1, 1.0)) + " µm",
        )
    )
    n = 100_000
    shots = Tracks(
        np.zeros(n, np.int64),
        np.full(n, 8000.0),
        np.full(n, 30000.0),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.full(n, 285.0),
        np.zeros(n),
        np.ones(n, bool),
        np.full(n, PRIMARY, np.int8),
        np.ones(n),
    )
    delta = knock_on_electrons(np.random.default_rng(1), shots, MODULE, _geometry(MODULE.geometry))
    t_kin = (np.sqrt(1 + delta.beta_gamma**2) - 1) * M_E
    rows.append(("knock-ons > 50 keV per MIP; share > 100 keV", f"{len(delta) / n:.4f}; {np.mean(t_kin > 0.1):.3f}"))

    cfg = replace(MODULE, backgrounds=QUIET, tracks=TrackConfig(pileup=20.0))
    maps, _, _, _ = simulate_batch(cfg, 64, np.random.default_rng(14))
    cl = find_clusters(maps)
    mip = cl.charge_e() > 12_000
    rows.append(
        ("cluster size at |η| < 0.2 (columns × rows)", f"{cl.size_y[mip].mean():.2f} × {cl.size_x[mip].mean():.2f}")
    )
    counts = {}
    for name, window, k in (
        ("module", WindowConfig(region="module"), 64),
        ("128²", WindowConfig(region="crop", crop_rows=128, crop_cols=128), 256),
        ("32²", WindowConfig(region="crop", crop_rows=32, crop_cols=32), 4000),
    ):
        _, _, _, truth = simulate_batch(replace(MODULE, window=window, backgrounds=QUIET), k, np.random.default_rng(15))
        counts[name] = truth.n_primary_in_window.mean()
    rows.append(("primaries per module / 128² / 32² at μ = 60", " / ".join(f"{v:.2f}" for v in counts.values())))
    occ = {}
    for mu in (30.0, 60.0, 120.0):
        c = replace(
            MODULE,
            backgrounds=replace(QUIET, looper_rate_per_cm2=0.2, delta_ray_rate_per_cm2=0.3),
            tracks=TrackConfig(pileup=mu),
        )
        m, _, _, _ = simulate_batch(c, 48, np.random.default_rng(16))
        occ[mu] = float((m > 0).mean())
    rows.append(("occupancy at pileup 30 / 60 / 120", " / ".join(f"{100 * v:.3f} %" for v in occ.values())))
    shifts = []
    for field in (3.8, 0.0):
        maps, x = mip_shots(2000, 12, replace(MODULE, geometry=replace(MODULE.geometry, b_field_t=field)))
        cl = find_clusters(maps)
        shifts.append(float(np.median(cl.centroid_x * 100.0 - x[cl.map_index])))
    rows.append(("cluster centroid shift at 3.8 T / 0 T", f"{shifts[0]:.1f} / {shifts[1]:.1f} µm"))
    widths = {c: find_clusters(mip_shots(800, 13, cot_alpha=c)[0]).size_x.mean() for c in (-0.8, -0.4, 0.0, 0.4)}
    rows.append(("r-φ cluster size at cot α = −0.8 / −0.4 / 0 / 0.4", " / ".join(f"{v:.2f}" for v in widths.values())))
    rows.append(("background signatures", background_signatures()))
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
