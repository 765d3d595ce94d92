"""Typed parameters of the CMS Phase-1 BPix layer-1 hit-map simulator, with documented defaults.

Sources (see ``shared/physics.md``): [SP] CMSSW ``SiPixelSimParameters_cfi.py``; [DA] CMSSW
``SiPixelDigitizerAlgorithm.cc``; [GL] CMSSW Phase-1 ``pixbarladder*.xml``; [P1] JINST 16 (2021) P02027;
[DN] CMS, PLB 751 (2015) 143 (dN/dη = 5.49 at 13 TeV).  Values marked *assumption* have no such source and
are parameters precisely so a user can change them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.config.strict import check

#: Pixels of one module: 2 × 8 ROCs of 80 rows × 52 columns [DA].
MODULE_ROWS = 160
MODULE_COLS = 416
ROC_ROWS = 80
ROC_COLS = 52


@dataclass(frozen=True)
class GeometryConfig:
    """Layer-1 module geometry.

    ``radius_mm``: layer-1 sensor radius, 29–30 mm (*assumption* within that range [GL]).
    ``thickness_um``: 285 µm sensor [GL].  Pitch 100 µm along rows (local x, r-φ) and 150 µm along
    columns (local y, z); the pixels at ROC edges are double size [DA].  ``b_field_t``: 3.8 T solenoid.
    """

    radius_mm: float = 29.0
    thickness_um: float = 285.0
    pitch_x_um: float = 100.0
    pitch_y_um: float = 150.0
    b_field_t: float = 3.8

    def __post_init__(self) -> None:
        check(20.0 <= self.radius_mm <= 40.0, f"geometry.radius_mm must be in [20, 40], got {self.radius_mm}")
        check(
            50.0 <= self.thickness_um <= 1000.0,
            f"geometry.thickness_um must be in [50, 1000], got {self.thickness_um}",
        )
        check(self.pitch_x_um > 0 and self.pitch_y_um > 0, "geometry pitches must be > 0")
        check(0.0 <= self.b_field_t <= 5.0, f"geometry.b_field_t must be in [0, 5], got {self.b_field_t}")


@dataclass(frozen=True)
class SensorConfig:
    """Charge generation and drift in the silicon.

    Energy loss per track follows the PDG formulas (:mod:`.ionisation`): Landau–Vavilov most probable
    value and width ξ for the track's βγ and path length (20.6 ke⁻ most probable for a minimum-ionising
    particle crossing 285 µm at normal incidence, ξ ≈ 1.5 ke⁻), 3.61 eV per electron-hole pair [DA].
    Collisions giving an electron more than ``delta_ray_cut_kev`` (50 keV: CSDA range ≈ 24 µm, a quarter
    pitch) are made explicitly as knock-on electrons (1/T² spectrum up to T_max, emitted at the kinematic
    angle, straight tracks ``delta_ray_detour_factor`` × their CSDA range long: multiple-scattering detours
    shorten the reach, Tabata et al., NIM B 119 (1996) 463; 0.7 is an *assumption*), softer ones fluctuate
    the track's own charge (Landau truncated at the cut).  ``charge_collection_efficiency``: fraction of
    the generated charge collected (1 for an unirradiated sensor; *assumption*, a parameter for irradiated
    ones).  ``lorentz_tan_per_t``: tan θ_L per tesla, 0.106 /T → 0.40 at 3.8 T, ≈ 115 µm shift across
    285 µm [SP, DA].  ``diffusion_sigma_um`` at ``diffusion_ref_um`` drift: σ = 3.7 µm·√(d / 300 µm) [DA].
    ``segment_um``: length of the track segments drifted independently (~10 µm [DA]).
    ``segment_fluctuation``: charge of each segment is exponentially fluctuated around the track mean
    (ionisation is clustered; *assumption*), the track total keeps its Landau distribution.
    """

    charge_collection_efficiency: float = 1.0
    delta_ray_cut_kev: float = 50.0
    delta_ray_detour_factor: float = 0.7
    lorentz_tan_per_t: float = 0.106
    diffusion_sigma_um: float = 3.7
    diffusion_ref_um: float = 300.0
    segment_um: float = 10.0
    segment_fluctuation: bool = True
    max_segments: int = 512

    def __post_init__(self) -> None:
        check(
            0.0 < self.charge_collection_efficiency <= 1.0,
            f"sensor.charge_collection_efficiency must be in (0, 1], got {self.charge_collection_efficiency}",
        )
        check(
            5.0 <= self.delta_ray_cut_kev <= 10_000.0,
            f"sensor.delta_ray_cut_kev must be in [5, 10000], got {self.delta_ray_cut_kev}",
        )
        check(
            0.1 <= self.delta_ray_detour_factor <= 1.0,
            f"sensor.delta_ray_detour_factor must be in [0.1, 1], got {self.delta_ray_detour_factor}",
        )
        check(
            0.0 <= self.lorentz_tan_per_t <= 0.3,
            f"sensor.lorentz_tan_per_t must be in [0, 0.3], got {self.lorentz_tan_per_t}",
        )
        check(
            self.diffusion_sigma_um >= 0 and self.diffusion_ref_um > 0,
            "sensor diffusion parameters must be >= 0",
        )
        check(1.0 <= self.segment_um <= 100.0, f"sensor.segment_um must be in [1, 100], got {self.segment_um}")
        check(
            8 <= self.max_segments <= 4096,
            f"sensor.max_segments must be in [8, 4096], got {self.max_segments}",
        )


@dataclass(frozen=True)
class ElectronicsConfig:
    """Readout chip response (PROC600 / PSI46dig).

    Noise [SP]: ``readout_noise_e`` 350 e⁻ (whole readout chain) smears every pixel with signal;
    ``pixel_noise_e`` 175 e⁻ (pixel cell) makes empty pixels fire, Φ(−threshold / 175 e⁻) per pixel.
    Threshold 2000 e⁻ (Run 3 layer 1; 3000 e⁻ in 2017–18) with pixel-to-pixel spread σ = 245 e⁻ [SP].
    ADC gain 135 e⁻ per count, saturating at 255 [SP].  Inefficiencies (*assumptions*): random dead pixels,
    dead double columns and dead ROCs, drawn per map.  Noisy pixels: a mask of ``noisy_pixel_fraction``
    of the module (~1e-4, *assumption*) whose pixels fire with ``noisy_fire_probability`` per event.  Every
    map is simulated on its own module (its own mask), so no two maps share a module's defects and maps
    may be split into training and test sets freely.
    """

    pixel_noise_e: float = 175.0
    readout_noise_e: float = 350.0
    threshold_e: float = 2000.0
    threshold_spread_e: float = 245.0
    electrons_per_adc: float = 135.0
    adc_max: int = 255
    dead_pixel_fraction: float = 1e-3
    dead_double_column_probability: float = 2e-3
    dead_roc_probability: float = 2e-3
    noisy_pixel_fraction: float = 1e-4
    noisy_fire_probability: float = 0.5

    def __post_init__(self) -> None:
        check(self.pixel_noise_e >= 0 and self.readout_noise_e >= 0, "electronics noise must be >= 0")
        check(
            self.threshold_e > 0 and self.threshold_spread_e >= 0,
            "electronics threshold must be > 0, spread >= 0",
        )
        check(
            self.electrons_per_adc > 0,
            f"electronics.electrons_per_adc must be > 0, got {self.electrons_per_adc}",
        )
        check(
            1 <= self.adc_max <= 255,
            f"electronics.adc_max must be in [1, 255] (8-bit ADC), got {self.adc_max}",
        )
        for name in (
            "dead_pixel_fraction",
            "dead_double_column_probability",
            "dead_roc_probability",
            "noisy_pixel_fraction",
            "noisy_fire_probability",
        ):
            value = getattr(self, name)
            check(0.0 <= value <= 1.0, f"electronics.{name} must be in [0, 1], got {value}")


@dataclass(frozen=True)
class TrackConfig:
    """Primary tracks from the interaction region.

    ``pileup`` μ interactions per crossing, each with ``dndeta`` charged particles per unit η
    (5.49 at 13 TeV [DN]); at μ = 60 and r = 29 mm that is ≈ 6.2 tracks/cm² (physics.md).  ``eta_max``:
    the studied |η| range (< 0.2).  Species: ``kaon_fraction`` and ``proton_fraction`` of the charged
    hadrons (p and p̄ together), the rest pions: 0.105 and 0.05 from the pT-integrated ratios
    K/π ≈ 0.125 and p/π ≈ 0.06 measured at mid-rapidity in 13 TeV pp collisions [ALICE, EPJC 80 (2020)
    693; CMS, PRD 96 (2017) 112003]; leptons and hyperons (a few %) are counted as pions.  pT follows
    the Tsallis–Pareto form used by those measurements, dN/dpT ∝ pT (1 + (m_T − m)/(n T))^-n, with
    ``tsallis_n`` for all species, T = ``tsallis_t_gev`` for pions (*assumption*: T = 0.145 GeV, n = 6.6,
    typical of CMS charged-hadron fits; mean pT 0.51 GeV) and the kaon and proton T set so their mean pT
    is ``kaon_mean_pt_gev`` / ``proton_mean_pt_gev`` (0.75 / 0.87 GeV, ≈ ALICE's inelastic 13 TeV values).
    K/π and p/π then rise with pT (0.09 / 0.03 at 0.3 GeV, 0.22 / 0.14 at 1 GeV), as measured.  Tracks
    below the pT needed to reach the layer (r·0.3·B/2 ≈ 16.5 MeV) never hit it.  Each track's charge
    follows the Bethe/Landau energy loss of its species and momentum: slow kaons and protons are heavily
    ionising.
    """

    pileup: float = 60.0
    dndeta: float = 5.49
    eta_max: float = 0.2
    tsallis_t_gev: float = 0.145
    tsallis_n: float = 6.6
    kaon_fraction: float = 0.105
    proton_fraction: float = 0.05
    kaon_mean_pt_gev: float = 0.75
    proton_mean_pt_gev: float = 0.87

    def __post_init__(self) -> None:
        check(0.0 <= self.pileup <= 400.0, f"tracks.pileup must be in [0, 400], got {self.pileup}")
        check(0.0 <= self.dndeta <= 50.0, f"tracks.dndeta must be in [0, 50], got {self.dndeta}")
        check(0.0 < self.eta_max <= 1.0, f"tracks.eta_max must be in (0, 1], got {self.eta_max}")
        check(
            self.tsallis_t_gev > 0 and self.tsallis_n > 3.0,
            "tracks.tsallis_t_gev must be > 0 and tsallis_n > 3",
        )
        check(
            self.kaon_fraction >= 0 and self.proton_fraction >= 0 and self.kaon_fraction + self.proton_fraction <= 1,
            f"tracks.kaon_fraction + tracks.proton_fraction must be in [0, 1], got "
            f"{self.kaon_fraction} + {self.proton_fraction}",
        )
        check(
            0.3 <= self.kaon_mean_pt_gev <= 3.0 and 0.3 <= self.proton_mean_pt_gev <= 3.0,
            "tracks.kaon_mean_pt_gev and tracks.proton_mean_pt_gev must be in [0.3, 3] GeV",
        )

    @property
    def species_fractions(self) -> tuple[float, float, float]:
        """(pion, kaon, proton) fractions of the charged hadrons."""
        return (1.0 - self.kaon_fraction - self.proton_fraction, self.kaon_fraction, self.proton_fraction)


@dataclass(frozen=True)
class BackgroundConfig:
    """Background sources besides low-pT primaries (all rates are *assumptions*; set 0 to switch off).

    ``looper_rate_per_cm2``: extra low-pT e± (16.5–40 MeV) from conversions, curling at grazing angles.
    ``delta_ray_rate_per_cm2``: isolated secondary electrons (Compton electrons and knock-ons from nearby
    material) starting inside the sensor in a random direction, 1/T² spectrum from the δ-ray cut to
    1 MeV, stopping or leaving along their range: short, dense, not pointing to the vertex.  (Knock-on
    electrons of the particles crossing the sensor are made from their energy loss, see ``sensor``.)
    Both rates are quoted at μ = 60 and scale with ``tracks.pileup`` (they come from the collisions).
    ``halo_rate_per_cm2``: beam-halo muons almost parallel to the beam, long along the columns.
    ``out_of_time_fraction``: hits of the previous crossing, as a fraction of the in-time track density,
    with charge scaled by ``out_of_time_charge_scale`` (faint).  ``margin_um``: tracks are generated this far
    outside the window too, so clusters of particles in the adjacent chip spill over the edge.
    """

    looper_rate_per_cm2: float = 0.2
    delta_ray_rate_per_cm2: float = 0.3
    halo_rate_per_cm2: float = 0.002
    out_of_time_fraction: float = 0.1
    out_of_time_charge_scale: float = 0.25
    margin_um: float = 600.0

    def __post_init__(self) -> None:
        for name in (
            "looper_rate_per_cm2",
            "delta_ray_rate_per_cm2",
            "halo_rate_per_cm2",
            "out_of_time_fraction",
        ):
            value = getattr(self, name)
            check(0.0 <= value <= 100.0, f"backgrounds.{name} must be in [0, 100], got {value}")
        check(
            0.0 < self.out_of_time_charge_scale <= 1.0,
            "backgrounds.out_of_time_charge_scale must be in (0, 1]",
        )
        check(
            0.0 <= self.margin_um <= 5000.0,
            f"backgrounds.margin_um must be in [0, 5000], got {self.margin_um}",
        )


@dataclass(frozen=True)
class WindowConfig:
    """Which part of the module a map shows, and how it is rebinned to the model input.

    ``region``: ``module`` (160 × 416), ``roc`` (80 × 52), ``roc2x2`` (160 × 104: 2 × 2 ROCs) or ``crop``
    (``crop_rows`` × ``crop_cols`` pixels).  ``placement``: ``random`` puts each window at a random
    position on the module (aligned to ROCs for roc/roc2x2), ``centre`` at the module centre.
    ``rebin_rows`` × ``rebin_cols`` pixels are summed into one output pixel (ADC saturating at 255).
    """

    region: Literal["module", "roc", "roc2x2", "crop"] = "crop"
    crop_rows: int = 32
    crop_cols: int = 32
    placement: Literal["random", "centre"] = "random"
    rebin_rows: int = 1
    rebin_cols: int = 1

    def __post_init__(self) -> None:
        check(
            1 <= self.crop_rows <= MODULE_ROWS,
            f"window.crop_rows must be in [1, {MODULE_ROWS}], got {self.crop_rows}",
        )
        check(
            1 <= self.crop_cols <= MODULE_COLS,
            f"window.crop_cols must be in [1, {MODULE_COLS}], got {self.crop_cols}",
        )
        check(self.rebin_rows >= 1 and self.rebin_cols >= 1, "window.rebin_rows/rebin_cols must be >= 1")
        rows, cols = self.pixel_shape
        check(
            rows % self.rebin_rows == 0 and cols % self.rebin_cols == 0,
            f"window: {rows} × {cols} pixels do not divide by rebin {self.rebin_rows} × {self.rebin_cols}",
        )

    @property
    def pixel_shape(self) -> tuple[int, int]:
        """Window size in module pixels (rows, cols)."""
        return {
            "module": (MODULE_ROWS, MODULE_COLS),
            "roc": (ROC_ROWS, ROC_COLS),
            "roc2x2": (2 * ROC_ROWS, 2 * ROC_COLS),
            "crop": (self.crop_rows, self.crop_cols),
        }[self.region]

    @property
    def output_shape(self) -> tuple[int, int]:
        """Map size after rebinning (rows, cols)."""
        rows, cols = self.pixel_shape
        return rows // self.rebin_rows, cols // self.rebin_cols


@dataclass(frozen=True)
class LabelConfig:
    """How a map is labelled *particle*.

    A map is *particle* when it holds read-out hits of an in-time primary track with pT ≥
    ``reco_pt_cut_gev`` (the reconstruction threshold, 0.3–0.5 GeV *assumption*) and at least
    ``min_charge_fraction`` of that track's charge lies inside the window (clusters mostly in the adjacent
    window are edge fragments, i.e. background).  The soft label is the fraction of the read-out signal
    charge that comes from such tracks.
    """

    reco_pt_cut_gev: float = 0.5
    min_charge_fraction: float = 0.5

    def __post_init__(self) -> None:
        check(
            0.0 <= self.reco_pt_cut_gev <= 100.0,
            f"labels.reco_pt_cut_gev must be in [0, 100], got {self.reco_pt_cut_gev}",
        )
        check(0.0 < self.min_charge_fraction <= 1.0, "labels.min_charge_fraction must be in (0, 1]")


#: Automatic batches hold about this many window pixels (64 module maps, 256 maps of 128 × 128, at most 1024
#: maps): large enough to amortise numpy's per-call overhead over the batch (bench/results_data.md), small
#: enough that a batch's arrays stay at a few tens of MB.
AUTO_BATCH_PIXELS = 1 << 22


@dataclass(frozen=True)
class SimulatorConfig:
    """Every parameter of the simulator.

    ``batch_size`` maps share one random stream keyed by (seed, batch index), so the same seed gives
    byte-identical maps however the set is chunked or sharded (but a different ``batch_size`` gives a
    different, equally valid set).  0 = automatic: about 2^22 window pixels per batch rounded to a power of
    two, between 16 and 1024 maps (64 module maps, 256 for 2 × 2 ROCs or 128 × 128, 1024 for 32 × 32).
    """

    geometry: GeometryConfig = field(default_factory=GeometryConfig)
    sensor: SensorConfig = field(default_factory=SensorConfig)
    electronics: ElectronicsConfig = field(default_factory=ElectronicsConfig)
    tracks: TrackConfig = field(default_factory=TrackConfig)
    backgrounds: BackgroundConfig = field(default_factory=BackgroundConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    labels: LabelConfig = field(default_factory=LabelConfig)
    batch_size: int = 0

    def __post_init__(self) -> None:
        check(
            0 <= self.batch_size <= 65536,
            f"simulate.batch_size must be in [0, 65536] (0 = automatic), got {self.batch_size}",
        )

    @property
    def effective_batch_size(self) -> int:
        """Maps per batch (``batch_size``, or the automatic choice when it is 0)."""
        if self.batch_size:
            return self.batch_size
        rows, cols = self.window.pixel_shape
        fit = max(1.0, AUTO_BATCH_PIXELS / (rows * cols))
        return int(min(1024, max(16, 1 << round(math.log2(fit)))))  # the nearest power of two
