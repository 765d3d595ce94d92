"""The calibrated coefficients of the resource model and its measured error, in ``coefficients.yaml``.

``bench/calibrate_estimator.py --write`` regenerates the file from the real reports (shared/calibration)
and the public designs rebuilt as hls4ml graphs; ``version`` increases when the model's features change,
so an old file is refused instead of misread.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

from fpgaflow.config.strict import check, load_yaml
from fpgaflow.estimate.timing import Delays

MODEL_VERSION = 4
COEFFICIENTS_PATH = Path(__file__).with_name("coefficients.yaml")
#: The three levels an estimate predicts: Vivado HLS's C-synthesis report, Vivado post-synthesis
#: utilisation, and post-implementation utilisation (of the whole block design on a board).
Level = Literal["hls", "synth", "impl"]
LEVELS: tuple[Level, ...] = ("hls", "synth", "impl")


@dataclass(frozen=True)
class LinearCoefficients:
    """LUTs (or FFs) per unit of each design feature (see :mod:`fpgaflow.estimate.design_cost`).

    Bit-count features: ``shift_add_bits`` (constant multipliers from LUTs), ``adder_bits`` (fabric adder
    trees), ``dsp_adder_bits`` (adder trees over DSP48 products), ``var_mult_bits`` (LUT-built variable
    multipliers), ``mux_bits`` (operand multiplexers), ``logic_bits`` (activations, comparators),
    ``register_bits`` (held values), ``cut_bits`` (one pipeline cut, per layer), ``pipeline_bits`` (cuts x
    stages), ``staged_bits`` (datapath bits x delay / clock), ``overflow_bits`` (products moved out of
    DSP48s, 32 each), ``word_bits`` (bits of each layer's input and output word).  Counts: ``memory_luts``
    (LUTs of SRL/LUT-ROM memories), ``fifos``/``bram_fifos`` (stream FIFOs in SRLs / in BRAM), ``control``
    (functions), ``dsp`` (DSP48 slices)."""

    shift_add_bits: float = 0.0
    adder_bits: float = 0.0
    dsp_adder_bits: float = 0.0
    var_mult_bits: float = 0.0
    mux_bits: float = 0.0
    logic_bits: float = 0.0
    register_bits: float = 0.0
    cut_bits: float = 0.0
    control: float = 0.0
    memory_luts: float = 0.0
    fifos: float = 0.0
    bram_fifos: float = 0.0
    pipeline_bits: float = 0.0
    staged_bits: float = 0.0
    overflow_bits: float = 0.0
    word_bits: float = 0.0
    dsp: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            check(getattr(self, f.name) >= 0, f"coefficient {f.name} must be >= 0")

    def apply(self, features: dict[str, float]) -> float:
        """Sum of coefficient x feature over the features this model has."""
        return float(sum(float(getattr(self, name)) * value for name, value in features.items() if hasattr(self, name)))

    def nonzero(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}


@dataclass(frozen=True)
class LevelCoefficients:
    """LUT and FF models of one level (``hls`` or ``synth``)."""

    lut: LinearCoefficients
    ff: LinearCoefficients


#: Percentiles of report / estimate over the held-out designs that bound an estimate's expected range.
BAND_QUANTILES = (0.1, 0.9)
#: How many held-out designs of ten fall inside the range, in words ("8 of 10").
BAND_SHARE = f"{round(10 * (BAND_QUANTILES[1] - BAND_QUANTILES[0]))} of 10"
#: What an estimate's range means, in the words every report uses.
RANGE_MEANING = f"where the real figure fell for {BAND_SHARE} designs held out of the estimator's calibration"


@dataclass(frozen=True)
class ErrorBand:
    """Leave-one-design-out error of one resource at one level, over ``n`` whole networks.

    ``mean``/``worst``: mean and largest |estimate - report| / report; ``ratio_low``/``ratio_high``: the
    :data:`BAND_QUANTILES` percentiles of report / estimate, so ``estimate x [ratio_low, ratio_high]`` is the
    range the real figure fell in for :data:`BAND_SHARE` designs it was not fitted on."""

    level: str
    resource: str
    mean: float
    worst: float
    ratio_low: float
    ratio_high: float
    n: int


@dataclass(frozen=True)
class Coefficients:
    """Everything the model fitted or measured, with the designs it came from.

    ``hls``/``synth``: LUT and FF models of each level; ``impl_lut``/``impl_ff``: post-implementation /
    post-synthesis ratio of the network core (Vivado's ``opt_design`` and placement trim logic);
    ``delays``: datapath delays for pipeline depth and latency (and the cycles hls4ml's recurrent cell adds
    to each time step); ``calibrated_on``: designs of the fit; ``errors``:
    leave-one-design-out error bands, shown beside every estimate."""

    version: int
    calibrated_on: tuple[str, ...]
    hls: LevelCoefficients
    synth: LevelCoefficients
    impl_lut: float = 1.0
    impl_ff: float = 1.0
    delays: Delays = field(default_factory=Delays)
    errors: tuple[ErrorBand, ...] = ()

    def __post_init__(self) -> None:
        check(
            self.version == MODEL_VERSION,
            f"coefficients file has model version {self.version}, this fpgaflow needs {MODEL_VERSION}: "
            "rerun bench/calibrate_estimator.py --write",
        )

    def level(self, level: Level) -> LevelCoefficients:
        """The LUT/FF model of ``level`` (``impl`` uses the synthesis model, then the impl ratios)."""
        return self.hls if level == "hls" else self.synth

    def error(self, level: str, resource: str) -> ErrorBand | None:
        """The measured error band of ``resource`` at ``level`` (``None`` if not measured)."""
        return next((e for e in self.errors if e.level == level and e.resource == resource), None)


#: Physical starting values (and the prior of the regularised fit): 1 LUT per adder bit, a 4:1 multiplexer
#: per LUT6, an SRL FIFO's pointers ~8 LUTs, a BRAM FIFO's ~20, one register bit per held bit.
PRIOR_LUT = LinearCoefficients(
    shift_add_bits=1.0,
    adder_bits=1.0,
    dsp_adder_bits=0.5,
    var_mult_bits=0.5,
    mux_bits=0.33,
    logic_bits=1.0,
    memory_luts=1.0,
    fifos=8.0,
    bram_fifos=20.0,
    control=50.0,
)
PRIOR_FF = LinearCoefficients(
    register_bits=1.0,
    word_bits=1.0,
    pipeline_bits=1.0,
    staged_bits=0.05,
    overflow_bits=0.5,
    fifos=5.0,
    bram_fifos=40.0,
    control=30.0,
)


def default_coefficients() -> Coefficients:
    """The physical priors at every level, no measured error (before calibration)."""
    prior = LevelCoefficients(lut=PRIOR_LUT, ff=PRIOR_FF)
    return Coefficients(version=MODEL_VERSION, calibrated_on=(), hls=prior, synth=prior)


def load_coefficients(path: Path | str = COEFFICIENTS_PATH) -> Coefficients:
    """Read the calibrated coefficients (``ConfigError`` on unknown keys or an outdated model version)."""
    return load_yaml(Coefficients, path)
