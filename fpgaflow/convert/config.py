"""Typed conversion config: everything hls4ml needs, before any hls4ml dict exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.config.strict import check, known_board
from fpgaflow.convert.registry import rule
from fpgaflow.errors import ConfigError
from fpgaflow_board.boards import DEFAULT_BOARD, DEFAULT_BUDGET, get_board
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import FixedType, parse_fixed
from fpgaflow_board.wire_format import WireFormat

Strategy = Literal["Latency", "Resource"]


@dataclass(frozen=True)
class LayerOverride:
    """Per-layer choices that replace the planned ones (any field left ``None`` keeps the plan).

    ``weight``/``bias``/``accum``/``result``: fixed-point types (a weight/bias/result type narrower than the
    layer's QKeras quantiser is rejected); ``reuse_factor``: must be one of the layer's valid factors;
    ``strategy``: hls4ml's Latency (multipliers unrolled, weights in registers) or Resource (weights in
    BRAM, one multiplier reused ``reuse_factor`` times).
    """

    weight: FixedType | None = None
    bias: FixedType | None = None
    accum: FixedType | None = None
    result: FixedType | None = None
    reuse_factor: int | None = None
    strategy: Strategy | None = None

    def __post_init__(self) -> None:
        check(
            self.reuse_factor is None or self.reuse_factor >= 1,
            f"reuse_factor must be >= 1, got {self.reuse_factor}",
        )


@dataclass(frozen=True)
class ConvertConfig:
    """hls4ml conversion settings.

    ``backend``: ``VivadoAccelerator`` wraps the network in hls4ml's AXI-Stream IP for the board's DMA
    (built with Vivado HLS 2019.2/2020.1); ``Vitis`` writes hls4ml's Vitis HLS network and fpgaflow's own
    AXI-Stream top function with the same wire contract (built with Vitis HLS 2023.2 or later, see
    :mod:`fpgaflow.convert.write_axis_wrapper`); ``Vivado`` writes a bare HLS project for synthesis-only studies.
    ``wire``: what the AXI-Stream words carry on the Vitis route (:class:`~fpgaflow_board.wire_format.WireFormat`;
    default one float32 per 32-bit word, as hls4ml's VivadoAccelerator wrapper;
    ``{element: adc8, inputs_per_word: 4}`` sends four raw 8-bit ADC counts per 32-bit word, 8 per 64-bit
    word, issue 20).  ``clock_period_ns`` defaults to
    the board's fabric clock (10 ns = 100 MHz FCLK0 on the PYNQ-Z2; hls4ml's own default is 5 ns).
    ``reuse_factor``: how many times each multiplier is reused per output pixel (1 = fully parallel,
    more = fewer multipliers, proportionally more cycles); ``"auto"`` picks, per layer, the smallest valid
    factors whose multipliers fit ``dsp_budget`` × the board's DSP48 count.  ``default_precision`` is the
    type of every tensor neither a quantiser nor the plan determines.  ``result_margin_bits``: integer
    bits added above the calibration maximum when a result type is sized from profiling.
    ``max_result_bits``: the widest result (stream) type a layer gets unless it feeds a QKeras quantizer: wider
    planned results lose fractional bits (float layers chained with float batch-norms add fractional bits at
    every layer).  ``calibration_maps``: how many training maps are profiled.  ``fifo_depth``: ``geometry`` sizes each
    inter-layer stream from the layer shapes and reuse factors (see :mod:`fpgaflow.convert.fifo`);
    ``hls4ml`` keeps hls4ml's default (one entry per pixel of the tensor).  ``layers``: per-layer overrides.
    """

    board: str = DEFAULT_BOARD
    backend: Literal["VivadoAccelerator", "Vitis", "Vivado"] = "VivadoAccelerator"
    io_type: Literal["io_stream", "io_parallel"] = "io_stream"
    clock_period_ns: float | None = None
    reuse_factor: int | Literal["auto"] = 1
    strategy: Strategy = "Latency"
    dsp_budget: float = DEFAULT_BUDGET
    default_precision: str = "ap_fixed<16,6>"
    result_margin_bits: int = 1
    max_result_bits: int = 32
    calibration_maps: int = 2000
    fifo_depth: Literal["geometry", "hls4ml"] = "geometry"
    project_name: str = "myproject"
    wire: WireFormat = field(default_factory=WireFormat)
    layers: dict[str, LayerOverride] = field(default_factory=dict)

    def __post_init__(self) -> None:
        board = known_board(self.board)
        check(
            self.backend != "VivadoAccelerator" or board.hls4ml_board is not None,
            f"convert.board {self.board!r} has no hls4ml VivadoAccelerator board: use convert.backend Vivado (the "
            "network alone) or Vitis (fpgaflow's AXI-Stream top)",
        )
        check(
            self.backend != "Vitis" or self.io_type == "io_stream",
            f"convert.backend Vitis: {rule('backend.Vitis.io_parallel').refused}",
        )
        check(
            self.backend == "Vitis" or self.wire == WireFormat(),
            f"convert.wire applies to the Vitis route only ({self.backend} uses hls4ml's float32 wrapper)",
        )
        check(
            self.reuse_factor == "auto" or (isinstance(self.reuse_factor, int) and self.reuse_factor >= 1),
            f"convert.reuse_factor must be >= 1 or 'auto', got {self.reuse_factor!r}",
        )
        check(0.0 < self.dsp_budget <= 1.0, f"convert.dsp_budget must be in (0, 1], got {self.dsp_budget}")
        check(
            0 <= self.result_margin_bits <= 8,
            f"convert.result_margin_bits must be in [0, 8], got {self.result_margin_bits}",
        )
        check(
            8 <= self.max_result_bits <= 62, f"convert.max_result_bits must be in [8, 62], got {self.max_result_bits}"
        )
        check(self.calibration_maps >= 1, f"convert.calibration_maps must be >= 1, got {self.calibration_maps}")
        check(
            self.clock_period_ns is None or 1.0 <= self.clock_period_ns <= 100.0,
            f"convert.clock_period_ns must be in [1, 100] ns, got {self.clock_period_ns}",
        )
        check(
            self.project_name.isidentifier(), f"convert.project_name must be a C identifier, got {self.project_name!r}"
        )
        self.default_type  # noqa: B018 - parses (or refuses) default_precision

    @property
    def clock_ns(self) -> float:
        """The HLS clock period in ns (the board's fabric clock unless overridden)."""
        return self.clock_period_ns if self.clock_period_ns is not None else get_board(self.board).clock_period_ns

    @property
    def default_type(self) -> FixedType:
        """``default_precision`` as a type."""
        try:
            return parse_fixed(self.default_precision)
        except FixedPointError as exc:
            raise ConfigError(f"convert.default_precision: {exc}") from None

    def override(self, layer: str) -> LayerOverride:
        """The overrides for ``layer`` (all ``None`` when none are configured)."""
        return self.layers.get(layer, LayerOverride())
