"""The boards fpgaflow targets: one table, read by convert, estimate, fit, the Vivado build and the driver.

Each entry is data: the FPGA part, its resource totals, the fabric clock the block design gives the
network, the AXI DMA stream width, and the fabric the board's block design takes besides the network (the
"shell").  Another board is one more :class:`Board` entry in :data:`BOARDS`, with the source of every
figure written beside it (docs/boards.md says how).

Units: ``lut`` 6-input LUTs, ``ff`` flip-flops, ``dsp`` DSP48 slices, ``bram18`` 18 Kib block RAMs (one
RAMB36 counts as two), all device totals; ``clock_period_ns`` the fabric clock period in ns;
``stream_bits`` the width in bits of one AXI-Stream word the DMA moves per clock.

Pure Python, standard library only, Python 3.10 compatible: the on-board driver imports it on the PYNQ-Z2.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from fpgaflow_board.errors import UnknownBoardError

#: The board every stage targets unless told otherwise.
DEFAULT_BOARD = "pynq-z2"
#: Fraction of every resource (LUT, FF, DSP48, BRAM18) an *estimated* design may use: 70 % leaves 30 % of
#: the device for routing and timing closure (the margin the design study left).
DEFAULT_BUDGET = 0.70


@dataclass(frozen=True)
class ShellCost:
    """Fabric the board's block design takes besides the network IP.

    The PYNQ block design around the network: the AXI DMA (MM2S + S2MM channels, simple mode), the AXI
    interconnects from the PS GP0 port (DMA registers) and to the HP0 port (DDR), and the PS reset block.
    ``measured``: the figures come from a synthesis report of this board's design (else they are nominal);
    ``note`` says where they come from.
    """

    lut: float
    ff: float
    bram18: float
    dsp: float = 0.0
    measured: bool = False
    note: str = ""


@dataclass(frozen=True)
class Board:
    """A target board (or a bare part): FPGA part, resource totals, fabric clock, DMA width, shell.

    ``board_part``: the Vivado board-file part the block design is created for (``None`` for a bare part
    without board files: no block design can be built).  ``hls4ml_board``: hls4ml's VivadoAccelerator board
    name (``None``: convert with the ``Vivado`` backend, part only).  ``shell``: ``None`` when the network
    is estimated alone.  ``source``: where the figures come from.
    """

    name: str
    part: str
    lut: int
    ff: int
    dsp: int
    bram18: int
    clock_period_ns: float
    stream_bits: int = 32
    board_part: str | None = None
    hls4ml_board: str | None = None
    shell: ShellCost | None = None
    source: str = ""

    def __post_init__(self) -> None:
        for key in ("lut", "ff", "dsp", "bram18"):
            if getattr(self, key) < 1:
                raise ValueError(f"board {self.name!r}: {key} must be >= 1, got {getattr(self, key)}")
        if not self.clock_period_ns > 0:
            raise ValueError(f"board {self.name!r}: clock_period_ns must be > 0, got {self.clock_period_ns}")
        if self.stream_bits < 8 or self.stream_bits & (self.stream_bits - 1):
            raise ValueError(f"board {self.name!r}: stream_bits must be a power of two >= 8, got {self.stream_bits}")

    @property
    def resources(self) -> dict[str, int]:
        """Device totals keyed ``lut``, ``ff``, ``dsp``, ``bram18``."""
        return {"lut": self.lut, "ff": self.ff, "dsp": self.dsp, "bram18": self.bram18}


BOARDS: dict[str, Board] = {
    "pynq-z2": Board(
        name="pynq-z2",
        # TUL PYNQ-Z2: Zynq-7020, package clg400, speed grade -1.
        part="xc7z020clg400-1",
        # xc7z020 totals (Xilinx DS190, Zynq-7000 SoC Data Sheet: Overview, table 2): 53,200 LUTs, 106,400
        # flip-flops, 220 DSP48E1 slices, 140 block RAMs of 36 Kb = 280 BRAM18.
        lut=53_200,
        ff=106_400,
        dsp=220,
        bram18=280,
        # FCLK_CLK0 = 100 MHz, the PS7 fabric clock of PYNQ's base overlay and of hls4ml's pynq-z2 design.
        clock_period_ns=10.0,
        # AXI DMA stream width of hls4ml's pynq-z2 block design (float32 words).
        stream_bits=32,
        # TUL's board files for Vivado (installed separately; docs/vivado.md).
        board_part="tul.com.tw:pynq-z2:part0:1.0",
        hls4ml_board="pynq-z2",
        # hls4ml's pynq-z2 block design (VivadoAccelerator axi_stream: AXI DMA with 32-bit streams, simple
        # mode; PS7 GP0/HP0 interconnects; PS reset), measured in a public build of that design: Vivado
        # 2019.2.1 out-of-context synthesis of each shell IP on the xc7z020clg400-1
        # (fastmachinelearning/hls4ml-live-demo @6fb5322, webcam-ic-pynq/camera_demo_overlay/pynqz2_rn06_v8/
        # myproject_vivado_accelerator/project_1.runs/*_synth_1/*_utilization_synth.rpt): axi_dma 1,725 LUT /
        # 2,271 FF / 5 RAMB36, auto_pc 393 / 430, auto_us 209 / 322 and 244 / 265, xbar 291 / 353, reset
        # 19 / 40, PS7 wrapper 112 / 0.  Cross-check: the placed design (impl_1) less the network IP's own
        # synthesis leaves 1,714 LUT / 3,709 FF / 10 BRAM18 for the shell (placement trims LUTs).
        shell=ShellCost(
            lut=2993.0,
            ff=3681.0,
            bram18=10.0,
            measured=True,
            note="AXI DMA + interconnects + PS reset of hls4ml's pynq-z2 block design (measured: Vivado 2019.2.1 "
            "synthesis of each IP, hls4ml-live-demo pynqz2_rn06_v8)",
        ),
        source="Xilinx DS190 (resources); PYNQ / hls4ml pynq-z2 design (clock, DMA width)",
    ),
}


def get_board(name: str) -> Board:
    """The table entry ``name``; an unknown name raises :class:`UnknownBoardError` with a did-you-mean hint."""
    try:
        return BOARDS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(BOARDS), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownBoardError(f"unknown board {name!r}{hint}; known boards: {', '.join(sorted(BOARDS))}") from None
