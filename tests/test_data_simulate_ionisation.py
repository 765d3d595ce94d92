"""Physics checks of the energy loss in silicon and of the particle mix, against published figures.

Sources: [PDG] Review of Particle Physics, "Passage of particles through matter" and the PDG atomic and
nuclear properties table for silicon; [CMS-PID] CMS, PRD 96 (2017) 112003 (π/K/p identified by their
energy loss in the CMS silicon tracker); [ALICE] EPJC 80 (2020) 693 (π, K, p spectra in 13 TeV pp);
[KO] Kanaya & Okayama, J. Phys. D 5 (1972) 43 (electron range in solids).
"""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow.data.simulate import SimulatorConfig, TrackConfig
from fpgaflow.data.simulate.ionisation import (
    MASS_GEV,
    bethe_mean,
    electron_csda_range_um,
    landau_mpv,
    landau_xi,
    mev_to_electrons,
)
from fpgaflow.data.simulate.tracks import ionisation_charge, sample_species_pt
from fpgaflow.data.truth import SP_KAON, SP_PION, SP_PROTON

#: Mass thickness of the 285 µm sensor (g/cm²).
GRAMS = 285e-4 * 2.329


def test_bethe_mean_has_the_pdg_minimum_for_silicon() -> None:
    # [PDG] silicon: minimum ionisation <-dE/dx> = 1.664 MeV cm²/g, reached near βγ ≈ 3–4.
    bg = np.geomspace(0.3, 1000.0, 20_001)
    mean = bethe_mean(bg, MASS_GEV["pion"])
    assert mean.min() == pytest.approx(1.664, abs=0.005)
    assert 3.0 <= bg[np.argmin(mean)] <= 4.0
    # [PDG] The density effect stops the relativistic rise of the most probable loss (the Fermi plateau,
    # ≈ 7 % above its minimum in silicon); the mean keeps rising with ln T_max.
    assert bethe_mean(np.array([1000.0]), MASS_GEV["pion"])[0] / mean.min() > 1.3
    assert landau_mpv(np.array([1000.0]), 285.0)[0] / landau_mpv(np.array([3.5]), 285.0)[0] < 1.10


def test_landau_most_probable_charge_of_a_mip() -> None:
    # physics.md: most-probable MIP charge ≈ 19–22 ke at normal incidence in 285 µm, Landau width ≈ 1.4 ke.
    mpv_e = mev_to_electrons(landau_mpv(np.array([3.5]), 285.0))[0]
    xi_e = mev_to_electrons(landau_xi(np.array([3.5]), 285.0))[0]
    assert 19_000 <= mpv_e <= 22_000
    assert xi_e == pytest.approx(1_400, rel=0.1)
    # [PDG] in thin silicon the most probable loss lies well below the mean: ≈ 0.7 × the mean for ~300 µm,
    # and the most probable loss per unit length grows with thickness (ln ξ term), the mean does not.
    ratio = landau_mpv(np.array([3.5]), 285.0)[0] / (bethe_mean(np.array([3.5]), MASS_GEV["pion"])[0] * GRAMS)
    assert 0.62 <= ratio <= 0.75
    per_um_thin = landau_mpv(np.array([3.5]), 285.0)[0] / 285.0
    per_um_thick = landau_mpv(np.array([3.5]), 570.0)[0] / 570.0
    assert 1.03 < per_um_thick / per_um_thin < 1.08


def test_slow_protons_and_kaons_are_heavily_ionising() -> None:
    # [CMS-PID]: at p = 0.5 GeV protons leave about 4× and kaons about 1.7× the charge of a minimum-ionising
    # pion in the CMS silicon (the dE/dx ∝ m²/p² bands; a truncated/harmonic estimator tracks the most
    # probable value).  Most probable values from the PDG formula:
    mip = landau_mpv(np.array([3.5]), 285.0)[0]
    proton = landau_mpv(np.array([0.5 / MASS_GEV["proton"]]), 285.0)[0]
    kaon = landau_mpv(np.array([0.5 / MASS_GEV["kaon"]]), 285.0)[0]
    assert 3.5 <= proton / mip <= 4.3
    assert 1.5 <= kaon / mip <= 1.9
    # The mean rises less (≈ 3.0×): a slow proton's T_max (0.29 MeV) cuts the high-energy tail that
    # dominates a fast particle's mean.
    mean_ratio = bethe_mean(np.array([0.5 / MASS_GEV["proton"]]), MASS_GEV["proton"])[0] / 1.664
    assert mean_ratio == pytest.approx(3.0, abs=0.1)
    # Sampled charges (truncated Landau + Bethe where thick): the modes keep that ratio.
    rng = np.random.default_rng(3)
    sensor = SimulatorConfig().sensor
    n = 40_000
    path = np.full(n, 285.0)
    q_mip = ionisation_charge(rng, np.full(n, 3.5), np.full(n, MASS_GEV["pion"]), path, sensor)
    bg_p = np.full(n, 0.5 / MASS_GEV["proton"])
    q_p = ionisation_charge(rng, bg_p, np.full(n, MASS_GEV["proton"]), path, sensor)

    def mode(q: np.ndarray, width: float) -> float:
        hist, edges = np.histogram(q, bins=np.arange(0.0, 200_000.0, width))
        return float(edges[np.argmax(hist)] + width / 2)

    assert mode(q_mip, 500.0) == pytest.approx(20_600, abs=600)
    assert mode(q_p, 1000.0) / mode(q_mip, 500.0) == pytest.approx(3.84, abs=0.2)


def test_species_mix_and_spectra() -> None:
    # [ALICE, CMS]: K/π ≈ 0.125 and p/π ≈ 0.06 integrated over pT at mid-rapidity → fractions 0.845 /
    # 0.105 / 0.05; mean pT ≈ 0.75 GeV (K) and 0.87 GeV (p); the ratios rise with pT (K/π ≈ 0.2 and p/π
    # ≈ 0.1–0.15 near 1 GeV, well below 0.1 and 0.05 at 0.3 GeV).
    cfg = TrackConfig()
    species, pt = sample_species_pt(np.random.default_rng(4), 1_000_000, cfg, 1e-4)
    fractions = [float(np.mean(species == s)) for s in (SP_PION, SP_KAON, SP_PROTON)]
    assert fractions == pytest.approx([0.845, 0.105, 0.05], abs=0.003)
    assert pt[species == SP_KAON].mean() == pytest.approx(0.75, rel=0.02)
    assert pt[species == SP_PROTON].mean() == pytest.approx(0.87, rel=0.02)
    assert pt[species == SP_PION].mean() == pytest.approx(0.51, rel=0.03)

    def ratio(sp: int, lo: float, hi: float) -> float:
        sel = (pt > lo) & (pt < hi)
        return float(np.sum(species[sel] == sp) / np.sum(species[sel] == SP_PION))

    assert ratio(SP_KAON, 0.25, 0.35) < 0.12
    assert 0.18 < ratio(SP_KAON, 0.9, 1.1) < 0.30
    assert ratio(SP_PROTON, 0.25, 0.35) < 0.05
    assert 0.10 < ratio(SP_PROTON, 0.9, 1.1) < 0.20


def test_electron_range_in_silicon() -> None:
    # Knock-on electrons of 100 keV travel 70–100 µm of path in silicon (CSDA range; NIST ESTAR-type
    # Rohrlich–Carlson stopping power with I = 173 eV); [KO]'s empirical range
    # R = 0.0276 A E^1.67 / (Z^0.89 ρ) µm (E in keV) agrees within 15 % from 20 to 300 keV.
    assert 70.0 <= electron_csda_range_um(0.1) <= 100.0
    for kev in (20.0, 50.0, 100.0, 300.0):
        kanaya = 0.0276 * 28.0855 * kev**1.67 / (14**0.89 * 2.329)
        assert electron_csda_range_um(kev * 1e-3) == pytest.approx(kanaya, rel=0.15), kev
    # Below ~10 keV an electron stays within ~1.5 µm: well inside one pixel (why 50 keV is a sensible cut).
    assert electron_csda_range_um(0.01) < 2.0
