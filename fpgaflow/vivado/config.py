"""Typed build config: the board, where Vivado is, how many jobs, the largest batch the DMA must carry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpgaflow.config.strict import check, known_board
from fpgaflow_board import design_names
from fpgaflow_board.boards import DEFAULT_BOARD

#: Build stages in order: C synthesis + IP export, block design, synthesis/implementation/bitstream.
STAGES: tuple[str, ...] = ("hls", "bd", "bitstream")


@dataclass(frozen=True)
class BuildConfig:
    """Settings of ``fpgaflow build``.

    ``board``: the board-table entry whose board part the block design is created for (its FPGA part must
    be the hls4ml project's).
    ``vivado_dir``: a Xilinx install directory (e.g. ``/tools/Xilinx/Vivado/2020.1``) searched for
    ``bin/vivado`` and ``bin/vivado_hls`` before ``PATH``; ``None`` uses ``PATH`` only.
    ``vitis_dir``: the same for the Vitis route's HLS tool, ``bin/vitis-run`` or ``bin/vitis_hls``
    (e.g. ``/tools/Xilinx/Vitis/2024.2``; from 2025.1 ``/tools/Xilinx/2025.1/Vitis``).
    ``jobs``: parallel Vivado synthesis/implementation jobs.  ``max_batch``: the most samples one DMA
    transfer carries; it sizes the DMA's buffer length register (bits = bit length of the largest
    transfer in bytes, 8 to 26).  ``clock_uncertainty``: HLS clock uncertainty; ``None`` keeps the
    project's (hls4ml writes 12.5 % for Vivado HLS, 27 % for Vitis HLS).
    ``allow_timing_violation``: keep a bitstream whose worst setup slack is negative (default: fail).
    ``build_subdir``: folder inside the hls4ml project holding vars.tcl, logs, the Vivado project and
    the bitstream.
    """

    board: str = DEFAULT_BOARD
    vivado_dir: Path | None = None
    vitis_dir: Path | None = None
    jobs: int = 4
    max_batch: int = design_names.DEFAULT_MAX_BATCH
    clock_uncertainty: str | None = None
    allow_timing_violation: bool = False
    build_subdir: str = "fpgaflow_build"

    def __post_init__(self) -> None:
        board = known_board(self.board)
        check(
            board.board_part is not None,
            f"build.board {self.board!r} has no Vivado board part: the block design needs the board's files",
        )
        check(
            board.processing_system == "ps7",
            f"build.board {self.board!r} has a Zynq UltraScale+ PS (zynq_ultra_ps_e): fpgaflow's block design "
            "(vivado_scripts/block_design.tcl) instantiates the Zynq-7000 processing_system7 only; convert, estimate "
            "and fit work for this board, build does not",
        )
        check(1 <= self.jobs <= 64, f"build.jobs must be in [1, 64], got {self.jobs}")
        check(self.max_batch >= 1, f"build.max_batch must be >= 1, got {self.max_batch}")
        check(
            self.clock_uncertainty is None
            or (self.clock_uncertainty.endswith("%") and _is_number(self.clock_uncertainty[:-1]))
            or _is_number(self.clock_uncertainty),
            f"build.clock_uncertainty must be a number of ns or a percentage like '12.5%', "
            f"got {self.clock_uncertainty!r}",
        )
        check(
            self.build_subdir.replace("_", "").replace("-", "").isalnum(),
            f"build.build_subdir must be a plain folder name, got {self.build_subdir!r}",
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
