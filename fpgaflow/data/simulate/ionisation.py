"""Energy loss of charged particles in silicon: Bethe mean, Landau–Vavilov most probable value, knock-on
electron kinematics and the range of slow electrons.

Formulas from the Review of Particle Physics, "Passage of particles through matter" [PDG]: the Bethe
mean rate (eq. 34.5), the maximum energy transfer T_max (34.4), the Landau–Vavilov most probable energy
loss Δp = ξ [ln(2mc²β²γ²/I) + ln(ξ/I) + j − β² − δ(βγ)] with ξ = (K/2)(Z/A) z² ρx / β² and j = 0.200
(34.12), the knock-on (δ-ray) spectrum d²N/dT dx = ½ K z² (Z/A) / β² · F(T) / T² with F ≈ 1 for T ≪ T_max
(34.6) and the emission angle cos θ = (T/p_e)(p_max/T_max) (34.7).  Silicon: Z/A = 14/28.0855, ρ =
2.329 g/cm³, I = 173 eV, Sternheimer density-effect parameters C̄ = 4.4355, x0 = 0.2015, x1 = 2.8716,
a = 0.14921, k = 3.2546, δ0 = 0.14 (Sternheimer, Berger & Seltzer, At. Data Nucl. Data Tables 30 (1984)
261, as tabulated by the PDG for Si).  Electrons: the collision stopping power of Rohrlich & Carlson as
used by ICRU Report 37 and NIST ESTAR; the CSDA range is its integral (radiative loss is < 1 % of the
total below 1 MeV in silicon and is neglected).

Energies are in MeV, lengths in µm, unless a name says otherwise.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

#: Any numpy array (dtypes as documented where each is made).
Array = npt.NDArray[Any]


#: K = 4π N_A r_e² m_e c² (MeV mol⁻¹ cm²) [PDG table 34.1].
K_BETHE = 0.307075
#: Electron mass (MeV).
M_E = 0.51099895
#: Silicon [PDG atomic and nuclear properties].
Z_OVER_A = 14.0 / 28.0855
DENSITY_G_CM3 = 2.329
I_MEAN_MEV = 173.0e-6
#: Sternheimer density-effect parameters of silicon (C̄, x0, x1, a, k, δ0).
STERNHEIMER = (4.4355, 0.2015, 2.8716, 0.14921, 3.2546, 0.14)
#: Mean energy to make one electron-hole pair in silicon (eV) [DA].
PAIR_ENERGY_EV = 3.61
#: Landau–Vavilov constant j [PDG eq. 34.12].
LANDAU_J = 0.200

#: Particle masses (GeV): the species a track can be (index = species code of :mod:`fpgaflow.data.truth`).
MASS_GEV = {"pion": 0.13957, "kaon": 0.493677, "proton": 0.938272, "electron": 0.000511, "muon": 0.105658}


def density_effect(beta_gamma: Array) -> Array:
    """Sternheimer's density-effect correction δ(βγ) for silicon (x = log10 βγ)."""
    c_bar, x0, x1, a, k, delta0 = STERNHEIMER
    x = np.log10(np.maximum(beta_gamma, 1e-6))
    two_ln10 = 2.0 * np.log(10.0)
    mid = two_ln10 * x - c_bar + a * np.clip(x1 - x, 0.0, None) ** k
    low = delta0 * 10.0 ** (2.0 * (x - x0))
    return np.where(x >= x1, two_ln10 * x - c_bar, np.where(x >= x0, mid, low))


def t_max(beta_gamma: Array, mass_gev: Array | float) -> Array:
    """Largest kinetic energy (MeV) a particle of mass M can give a free electron in one collision.

    Heavy particles: 2mc²β²γ² / (1 + 2γ m/M + (m/M)²) [PDG 34.4]; electrons (identical particles, Møller):
    half their kinetic energy.
    """
    bg = np.asarray(beta_gamma, dtype=np.float64)
    mass_mev = np.broadcast_to(np.asarray(mass_gev, dtype=np.float64) * 1e3, bg.shape)
    gamma = np.sqrt(1.0 + bg**2)
    ratio = M_E / mass_mev
    heavy = 2 * M_E * bg**2 / (1 + 2 * gamma * ratio + ratio**2)
    electron = 0.5 * (gamma - 1.0) * mass_mev
    return np.where(mass_mev < 1.0, electron, heavy)


def bethe_mean(beta_gamma: Array, mass_gev: Array | float) -> Array:
    """Mean rate of energy loss −⟨dE/dx⟩ (MeV cm²/g) of a singly charged particle in silicon [PDG 34.5]."""
    bg = np.asarray(beta_gamma, dtype=np.float64)
    beta2 = bg**2 / (1 + bg**2)
    tm = t_max(bg, mass_gev)
    log_term = 0.5 * np.log(2 * M_E * bg**2 * tm / I_MEAN_MEV**2)
    return np.asarray(K_BETHE * Z_OVER_A / beta2 * (log_term - beta2 - 0.5 * density_effect(bg)))


def landau_xi(beta_gamma: Array, thickness_um: Array | float) -> Array:
    """Landau width ξ = (K/2)(Z/A) ρx / β² (MeV) for a path of ``thickness_um`` of silicon."""
    bg = np.asarray(beta_gamma, dtype=np.float64)
    beta2 = bg**2 / (1 + bg**2)
    grams = np.asarray(thickness_um, dtype=np.float64) * 1e-4 * DENSITY_G_CM3
    return 0.5 * K_BETHE * Z_OVER_A * grams / beta2


def landau_parameters(beta_gamma: Array, thickness_um: Array | float) -> tuple[Array, Array]:
    """(ξ, Δp) in MeV for ``thickness_um`` of silicon: the Landau width and the most probable energy loss
    Δp = ξ [ln(2mc²β²γ²/I) + ln(ξ/I) + j − β² − δ(βγ)] [PDG 34.12]."""
    bg = np.asarray(beta_gamma, dtype=np.float64)
    beta2 = bg**2 / (1 + bg**2)
    grams = np.asarray(thickness_um, dtype=np.float64) * 1e-4 * DENSITY_G_CM3
    xi = 0.5 * K_BETHE * Z_OVER_A * grams / beta2
    bracket = np.log(2 * M_E * bg**2 * np.maximum(xi, 1e-12) / I_MEAN_MEV**2) + LANDAU_J - beta2 - density_effect(bg)
    return xi, xi * bracket


def landau_mpv(beta_gamma: Array, thickness_um: Array | float) -> Array:
    """Most probable energy loss Δp (MeV) in ``thickness_um`` of silicon [PDG 34.12].

    ≈ 0.074 MeV (20.6 k electron-hole pairs) for a minimum-ionising particle (βγ ≈ 3.5) in 285 µm; Δp/x
    grows with x (the ln ξ term), unlike the mean.
    """
    return landau_parameters(beta_gamma, thickness_um)[1]


def knock_on_cos_theta(t_kin: Array, t_max_mev: Array) -> Array:
    """Emission angle of a knock-on electron of kinetic energy T relative to the primary's direction:
    cos θ = (T / p_e)(p_max / T_max) [PDG 34.7] (≈ 0.3 at 100 keV: almost perpendicular)."""
    p_e = np.sqrt(t_kin * (t_kin + 2 * M_E))
    p_max = np.sqrt(t_max_mev * (t_max_mev + 2 * M_E))
    return np.asarray(np.clip(t_kin / p_e * p_max / np.maximum(t_max_mev, 1e-12), -1.0, 1.0))


def sample_knock_on_energy(
    rng: np.random.Generator, t_low: Array | float, t_high: Array, n: int | None = None
) -> Array:
    """Kinetic energies (MeV) from the 1/T² knock-on spectrum between ``t_low`` and ``t_high``, by
    inverse CDF: 1/T = 1/T_low − u (1/T_low − 1/T_high)."""
    t_high = np.asarray(t_high, dtype=np.float64)
    u = rng.random(t_high.size if n is None else n)
    inv_low = 1.0 / np.asarray(t_low, dtype=np.float64)
    return 1.0 / (inv_low - u * (inv_low - 1.0 / t_high))


def electron_stopping_power(t_kin: Array) -> Array:
    """Collision stopping power of electrons in silicon (MeV cm²/g), Rohrlich–Carlson (ICRU 37):
    S/ρ = (K/2)(Z/A)/β² [ln(τ²(τ+2) / (2 (I/mc²)²)) + F(τ) − δ], F = 1 − β² + (τ²/8 − (2τ+1) ln 2)/(τ+1)²,
    τ = T/mc².  ≈ 3.3 MeV cm²/g at 100 keV."""
    tau = np.asarray(t_kin, dtype=np.float64) / M_E
    gamma = tau + 1.0
    beta2 = 1.0 - 1.0 / gamma**2
    bg = np.sqrt(np.maximum(gamma**2 - 1.0, 1e-12))
    f_minus = 1 - beta2 + (tau**2 / 8 - (2 * tau + 1) * np.log(2.0)) / gamma**2
    log_term = np.log(tau**2 * (tau + 2) / (2 * (I_MEAN_MEV / M_E) ** 2))
    return np.asarray(0.5 * K_BETHE * Z_OVER_A / beta2 * (log_term + f_minus - density_effect(bg)))


#: The electron range table starts here: below ~1 keV the Bethe formula fails, and the range (< 0.1 µm)
#: is far below anything a 100 × 150 µm pixel resolves.
_RANGE_T_MIN_MEV = 1e-3


@lru_cache(maxsize=1)
def _range_table() -> tuple[Array, Array]:
    """(T grid in MeV, CSDA range in µm) for electrons in silicon, 1 keV – 20 MeV."""
    t = np.geomspace(_RANGE_T_MIN_MEV, 20.0, 2000)
    inv_s = 1.0 / electron_stopping_power(t)  # cm²·g⁻¹ per MeV → g/cm² per MeV
    grams = np.concatenate([[0.0], np.cumsum(0.5 * (inv_s[1:] + inv_s[:-1]) * np.diff(t))])
    # Below the table: the range of a 1 keV electron, approximated by T / S (a fraction of a µm).
    grams += t[0] * inv_s[0]
    return t, grams / DENSITY_G_CM3 * 1e4


def electron_csda_range_um(t_kin: Array | float) -> Array:
    """CSDA range (µm) of electrons of kinetic energy ``t_kin`` (MeV) in silicon (path length along the
    track, multiple-scattering detours included): ≈ 76 µm at 100 keV."""
    t, r = _range_table()
    return np.interp(np.log(np.maximum(t_kin, t[0])), np.log(t), r)


def electron_energy_at_range_um(residual_um: Array) -> Array:
    """Kinetic energy (MeV) of an electron with ``residual_um`` of CSDA range left (inverse of
    :func:`electron_csda_range_um`; 0 at 0)."""
    t, r = _range_table()
    res = np.asarray(residual_um, dtype=np.float64)
    energy = np.exp(np.interp(res, r, np.log(t)))
    return np.where(res <= 0.0, 0.0, np.where(res < r[0], t[0] * res / r[0], energy))


def mev_to_electrons(energy_mev: Array | float) -> Array:
    """Electron-hole pairs made by ``energy_mev`` deposited in silicon (3.61 eV per pair)."""
    return np.asarray(energy_mev, dtype=np.float64) * 1e6 / PAIR_ENERGY_EV
