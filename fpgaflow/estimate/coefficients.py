"""The calibrated coefficients of the resource model, stored in ``coefficients.yaml`` beside this module.

``bench/calibrate_estimator.py`` regenerates the file from the real reports in ``shared/calibration/``;
``version`` increases when the model's features change, so an old file is refused instead of misread.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from fpgaflow.config.strict import check, load_yaml

#: Features of the linear LUT and FF models, in the order of :class:`LinearCoefficients`'s fields.
FEATURES: tuple[str, ...] = (
    "mult_lut_bits",
    "adder_bits",
    "mux_bits",
    "io_bits",
    "linebuffer_srls",
    "fifo_bits",
    "elementwise_bits",
    "pool_bits",
    "table_bits",
    "layer",
)

MODEL_VERSION = 3
COEFFICIENTS_PATH = Path(__file__).with_name("coefficients.yaml")


@dataclass(frozen=True)
class LinearCoefficients:
    """LUTs (or FFs) per unit of each feature; see :func:`fpgaflow.estimate.model.layer_features`.

    ``mult_lut_bits``: per weight-bit x input-bit of a multiplier built from LUTs; ``adder_bits``: per
    accumulator bit of each multiplier's adder; ``mux_bits``: per input bit of each weight when the reuse
    factor is > 1 (operand multiplexers); ``io_bits``: per bit of the layer's input and output words;
    ``linebuffer_srls``: per 32-deep shift-register lane of an ``io_stream`` line buffer;
    ``fifo_bits``: per bit of a FIFO between layers small enough for shift registers;
    ``elementwise_bits``: per output
    bit of an element-wise operator; ``pool_bits``: per bit compared/added in a pooling window;
    ``table_bits``: per address bit of a table lookup; ``layer``: fixed cost of each layer's control logic.
    """

    mult_lut_bits: float = 0.0
    adder_bits: float = 0.0
    mux_bits: float = 0.0
    io_bits: float = 0.0
    linebuffer_srls: float = 0.0
    fifo_bits: float = 0.0
    elementwise_bits: float = 0.0
    pool_bits: float = 0.0
    table_bits: float = 0.0
    layer: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            check(getattr(self, f.name) >= 0, f"coefficient {f.name} must be >= 0")

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(float(getattr(self, name)) for name in FEATURES)


@dataclass(frozen=True)
class HeldOutError:
    """Mean and worst relative error |estimate - report| / report on the held-out designs, per resource."""

    resource: str
    mean: float
    worst: float
    n_designs: int


@dataclass(frozen=True)
class Coefficients:
    """Everything the model fitted or measured, with where it came from.

    ``dsp_constant_fraction``: DSPs per wide (> 10 x 10 bit) constant-weight multiplier in the Latency
    strategy (below 1 because HLS turns weights that are zero or powers of two after quantisation into
    shifts); ``dsp_small_variable_fraction``: DSPs per narrow (both operands <= 10 bits) multiplier whose
    weight is read from memory (Resource strategy).  ``synth_*``: post-synthesis count / HLS estimate,
    measured on the one design that has both reports; applied when the target is ``synth``.
    """

    version: int
    calibrated_on: tuple[str, ...]
    held_out: tuple[str, ...]
    lut: LinearCoefficients
    ff: LinearCoefficients
    dsp_constant_fraction: float
    dsp_small_variable_fraction: float
    synth_lut: float
    synth_ff: float
    synth_dsp: float
    synth_bram18: float
    held_out_error: tuple[HeldOutError, ...] = ()

    def __post_init__(self) -> None:
        check(
            self.version == MODEL_VERSION,
            f"coefficients file has model version {self.version}, this fpgaflow needs {MODEL_VERSION}: "
            "rerun bench/calibrate_estimator.py",
        )

    def synth_ratio(self, resource: str) -> float:
        return float(getattr(self, f"synth_{resource}"))


def default_coefficients() -> Coefficients:
    """Starting values before calibration: 1 LUT per multiplier bit-product, measured ratios unknown (1)."""
    return Coefficients(
        version=MODEL_VERSION,
        calibrated_on=(),
        held_out=(),
        lut=LinearCoefficients(mult_lut_bits=1.0, adder_bits=1.0, layer=50.0),
        ff=LinearCoefficients(adder_bits=1.0, layer=50.0),
        dsp_constant_fraction=1.0,
        dsp_small_variable_fraction=0.5,
        synth_lut=1.0,
        synth_ff=1.0,
        synth_dsp=1.0,
        synth_bram18=1.0,
    )


def load_coefficients(path: Path | str = COEFFICIENTS_PATH) -> Coefficients:
    """Read the calibrated coefficients (``ConfigError`` on unknown keys or an outdated model version)."""
    return load_yaml(Coefficients, path)
