"""Typed config of a resource estimate (the ``estimate:`` section / ``fpgaflow estimate`` options)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check, known_board
from fpgaflow_board.boards import DEFAULT_BOARD, DEFAULT_BUDGET


@dataclass(frozen=True)
class EstimateConfig:
    """What an estimate predicts and the budget it is judged against.

    ``board``: the target in the board table (its LUT/FF/DSP48/BRAM18 totals, fabric clock and shell; any
    entry, a bare part too).  ``budget``: fraction of every resource the design may use (0.7 leaves 30 % for
    routing and timing closure).  ``level``: predict the Vivado HLS C-synthesis report (``hls``), Vivado
    post-synthesis utilisation (``synth``) or post-implementation utilisation (``impl``, the default).
    ``core_only``: the network core alone, without hls4ml's AXI wrapper and the board's DMA/interconnect
    shell (synthesis-only studies).  ``input_bits``: bits per input element the DMA sends (32 = float32
    words, 8 = packed ADC bytes); sets the modelled transfer time — for a Vitis-route project the words per map
    of its own top's wire format (``fpgaflow_axis.json``) are used instead.
    """

    board: str = DEFAULT_BOARD
    budget: float = DEFAULT_BUDGET
    level: Literal["hls", "synth", "impl"] = "impl"
    core_only: bool = False
    input_bits: int = 32

    def __post_init__(self) -> None:
        known_board(self.board)
        check(0.0 < self.budget <= 1.0, f"estimate.budget must be in (0, 1], got {self.budget}")
        check(1 <= self.input_bits <= 64, f"estimate.input_bits must be in [1, 64], got {self.input_bits}")
