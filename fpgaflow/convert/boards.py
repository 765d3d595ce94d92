"""FPGA boards fpgaflow can target: one table, so another board is one entry.

Resource counts are the device's totals: BRAM18 = 18 Kib block RAMs (a RAMB36 counts as two),
DSP = DSP48E1 slices, FF = flip-flops, LUT = 6-input look-up tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpgaflow.config.strict import suggest
from fpgaflow.errors import ConfigError


@dataclass(frozen=True)
class Board:
    """A target board: its FPGA part, resources and the fabric clock the block design provides."""

    name: str
    part: str
    hls4ml_board: str
    bram18: int
    dsp: int
    ff: int
    lut: int
    clock_period_ns: float
    #: Width of the AXI DMA stream data bus in bits (HP port to the PS DDR).
    stream_bits: int = 32


BOARDS: dict[str, Board] = {
    # PYNQ-Z2: Zynq-7020, FCLK_CLK0 = 100 MHz (10 ns).  xc7z020: 280 BRAM18 (140 RAMB36), 220 DSP48E1,
    # 106,400 FF, 53,200 LUT (Xilinx DS190, Zynq-7000 overview).
    "pynq-z2": Board(
        name="pynq-z2",
        part="xc7z020clg400-1",
        hls4ml_board="pynq-z2",
        bram18=280,
        dsp=220,
        ff=106_400,
        lut=53_200,
        clock_period_ns=10.0,
    ),
}


def get_board(name: str) -> Board:
    """Look a board up by name; unknown names get a did-you-mean hint."""
    try:
        return BOARDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown board {name!r}{suggest(name, BOARDS)}; known boards: {', '.join(sorted(BOARDS))}"
        ) from None
