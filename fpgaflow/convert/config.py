"""Typed conversion config: everything hls4ml needs, before any hls4ml dict exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check
from fpgaflow.convert.boards import get_board


@dataclass(frozen=True)
class ConvertConfig:
    """hls4ml conversion settings.

    ``backend``: ``VivadoAccelerator`` wraps the network in an AXI-Stream IP for the board's DMA;
    ``Vivado`` writes a bare HLS project for synthesis-only studies.  ``clock_period_ns`` defaults to
    the board's fabric clock (10 ns = 100 MHz FCLK0 on the PYNQ-Z2; hls4ml's own default is 5 ns).
    ``reuse_factor``: how many times each multiplier is reused per inference (1 = fully parallel,
    more = fewer DSPs, proportionally more cycles).  ``default_precision`` is the ap_fixed type of
    every tensor whose precision is not derived from a quantiser.
    """

    board: str = "pynq-z2"
    backend: Literal["VivadoAccelerator", "Vivado"] = "VivadoAccelerator"
    io_type: Literal["io_stream", "io_parallel"] = "io_stream"
    clock_period_ns: float | None = None
    reuse_factor: int = 1
    strategy: Literal["Latency", "Resource"] = "Latency"
    default_precision: str = "ap_fixed<16,6>"
    project_name: str = "myproject"

    def __post_init__(self) -> None:
        get_board(self.board)
        check(self.reuse_factor >= 1, f"convert.reuse_factor must be >= 1, got {self.reuse_factor}")
        check(
            self.clock_period_ns is None or 1.0 <= self.clock_period_ns <= 100.0,
            f"convert.clock_period_ns must be in [1, 100] ns, got {self.clock_period_ns}",
        )
        check(
            self.project_name.isidentifier(), f"convert.project_name must be a C identifier, got {self.project_name!r}"
        )

    @property
    def clock_ns(self) -> float:
        """The HLS clock period in ns (the board's fabric clock unless overridden)."""
        return self.clock_period_ns if self.clock_period_ns is not None else get_board(self.board).clock_period_ns
