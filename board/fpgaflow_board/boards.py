"""The boards fpgaflow targets: one table, read by convert, estimate, fit, the Vivado build and the driver.

Each entry is data: the FPGA part, its resource totals, the fabric clock the block design gives the
network, the AXI DMA stream width, and the fabric the board's block design takes besides the network (the
"shell").  Another board is one more :class:`Board` entry in :data:`BOARDS`, with the source of every
figure written beside it (docs/boards.md says how).  Beside the boards, :data:`PARTS` holds the totals of a
few common devices: a full part name of one of them (``xczu7ev-ffvc1156-2-e``) is accepted wherever a board
name is, as a bare part (no board files, no shell) for synthesis-only studies.

Units: ``lut`` 6-input LUTs, ``ff`` flip-flops, ``dsp`` DSP48 slices, ``bram18`` 18 Kib block RAMs (one
RAMB36 counts as two), all device totals; ``clock_period_ns`` the fabric clock period in ns;
``stream_bits`` the width in bits of one AXI-Stream word the DMA moves per clock.

Pure Python, standard library only, Python 3.10 compatible: the on-board driver imports it on the PYNQ-Z2.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Literal

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
    name (``None``: convert with the ``Vivado`` backend, part only).  ``processing_system``: the board's PS
    (``ps7`` Zynq-7000 ``processing_system7``, ``ps8`` Zynq UltraScale+ ``zynq_ultra_ps_e``; ``None`` for a
    bare part).  ``shell``: ``None`` when the network is estimated alone.  ``source``: where the figures come
    from.
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
    processing_system: Literal["ps7", "ps8"] | None = None
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


#: hls4ml's pynq-z2 block design (VivadoAccelerator axi_stream: AXI DMA with 32-bit streams, simple mode; PS7
#: GP0/HP0 interconnects; PS reset), measured in a public build of that design: Vivado 2019.2.1 out-of-context
#: synthesis of each shell IP on the xc7z020clg400-1 (fastmachinelearning/hls4ml-live-demo @6fb5322,
#: webcam-ic-pynq/camera_demo_overlay/pynqz2_rn06_v8/myproject_vivado_accelerator/project_1.runs/*_synth_1/
#: *_utilization_synth.rpt): axi_dma 1,725 LUT / 2,271 FF / 5 RAMB36, auto_pc 393 / 430, auto_us 209 / 322 and
#: 244 / 265, xbar 291 / 353, reset 19 / 40, PS7 wrapper 112 / 0.  Cross-check: the placed design (impl_1) less the
#: network IP's own synthesis leaves 1,714 LUT / 3,709 FF / 10 BRAM18 for the shell (placement trims LUTs).
_PYNQ_SHELL = ShellCost(
    lut=2993.0,
    ff=3681.0,
    bram18=10.0,
    measured=True,
    note="AXI DMA + interconnects + PS reset of hls4ml's pynq-z2 block design (measured: Vivado 2019.2.1 "
    "synthesis of each IP, hls4ml-live-demo pynqz2_rn06_v8)",
)
#: The same IPs around a Zynq UltraScale+ PS (zynq_ultra_ps_e): no synthesis report of such a design yet, so the
#: PYNQ-Z2 figures stand in as nominal values.
_NOMINAL_ZUS_SHELL = replace(
    _PYNQ_SHELL,
    measured=False,
    note="AXI DMA + interconnects + PS reset: the PYNQ-Z2 design's figures as a nominal value (not measured on "
    "this board)",
)


@dataclass(frozen=True)
class Part:
    """A bare FPGA device's resource totals (any package and speed grade of it): ``device`` is the part name's
    prefix (``xc7z020`` for ``xc7z020clg400-1``).  Units as in :class:`Board`; ``source`` names the data sheet."""

    device: str
    family: str
    lut: int
    ff: int
    dsp: int
    bram18: int
    source: str


#: Devices ``--part PART`` accepts for synthesis-only studies (no board, no shell, backend Vivado).
#: Zynq-7000 figures: Xilinx DS190 (Zynq-7000 SoC Data Sheet: Overview), table "Zynq-7000 SoC family",
#: programmable-logic rows (LUTs, flip-flops, block RAM in 36 Kb blocks x 2 = BRAM18, DSP48E1 slices).
#: Zynq UltraScale+ figures: Xilinx DS891 (Zynq UltraScale+ MPSoC Data Sheet: Overview), same rows (DSP48E2);
#: UltraRAM is not counted (the table has no field for it).  Alveo figures: DS965 (U50) and DS962 (U200/U250),
#: the whole device (the card's XRT shell takes part of it).
PARTS: dict[str, Part] = {
    p.device: p
    for p in (
        Part("xc7z010", "Zynq-7000", lut=17_600, ff=35_200, dsp=80, bram18=120, source="DS190"),
        Part("xc7z020", "Zynq-7000", lut=53_200, ff=106_400, dsp=220, bram18=280, source="DS190"),
        Part("xc7z030", "Zynq-7000", lut=78_600, ff=157_200, dsp=400, bram18=530, source="DS190"),
        Part("xc7z045", "Zynq-7000", lut=218_600, ff=437_200, dsp=900, bram18=1_090, source="DS190"),
        Part("xczu3eg", "Zynq UltraScale+", lut=70_560, ff=141_120, dsp=360, bram18=432, source="DS891"),
        Part("xczu7ev", "Zynq UltraScale+", lut=230_400, ff=460_800, dsp=1_728, bram18=624, source="DS891"),
        Part("xczu9eg", "Zynq UltraScale+", lut=274_080, ff=548_160, dsp=2_520, bram18=1_824, source="DS891"),
        Part(
            "xcu50",
            "Alveo (Virtex UltraScale+ HBM)",
            lut=871_680,
            ff=1_743_360,
            dsp=5_952,
            bram18=2_688,
            source="DS965",
        ),
        Part(
            "xcu250",
            "Alveo (Virtex UltraScale+)",
            lut=1_728_000,
            ff=3_456_000,
            dsp=12_288,
            bram18=5_376,
            source="DS962",
        ),
    )
}

#: The fabric clock assumed for a bare part (no board to give one): 100 MHz, the PYNQ boards' FCLK0.
BARE_PART_CLOCK_NS = 10.0


def _board(name: str, part: str, **kw: object) -> Board:
    """A board entry whose resource totals are its part's row of :data:`PARTS`."""
    device = _device_of(part)
    assert device is not None, part
    d = PARTS[device]
    return Board(name=name, part=part, lut=d.lut, ff=d.ff, dsp=d.dsp, bram18=d.bram18, **kw)  # type: ignore[arg-type]


def _device_of(part: str) -> str | None:
    """The :data:`PARTS` device a full part name belongs to (the longest matching prefix), else ``None``."""
    low = part.lower()
    found = [d for d in PARTS if low.startswith(d) and len(low) > len(d)]
    return max(found, key=len) if found else None


BOARDS: dict[str, Board] = {
    "pynq-z2": _board(
        "pynq-z2",
        # TUL PYNQ-Z2: Zynq-7020, package clg400, speed grade -1 (TUL PYNQ-Z2 reference manual).
        "xc7z020clg400-1",
        # FCLK_CLK0 = 100 MHz, the PS7 fabric clock of PYNQ's base overlay and of hls4ml's pynq-z2 design.
        clock_period_ns=10.0,
        # AXI DMA stream width of hls4ml's pynq-z2 block design (float32 words).
        stream_bits=32,
        # TUL's board files for Vivado (installed separately; docs/vivado.md).
        board_part="tul.com.tw:pynq-z2:part0:1.0",
        hls4ml_board="pynq-z2",
        processing_system="ps7",
        shell=_PYNQ_SHELL,
        source="Xilinx DS190 (resources); PYNQ / hls4ml pynq-z2 design (clock, DMA width)",
    ),
    "pynq-z1": _board(
        "pynq-z1",
        # Digilent PYNQ-Z1: the same Zynq-7020 in clg400, speed grade -1 (Digilent PYNQ-Z1 reference manual).
        "xc7z020clg400-1",
        # FCLK_CLK0 = 100 MHz in PYNQ's base overlay for the board; fpgaflow's AXI-Stream IP moves float32 words.
        clock_period_ns=10.0,
        stream_bits=32,
        # Digilent's board files for Vivado.
        board_part="www.digilentinc.com:pynq-z1:part0:1.0",
        # hls4ml 1.3 has no pynq-z1 entry (supported_boards.json): its pynq-z2 AXI-Stream wrapper is an HLS top
        # for the same part (xc7z020clg400-1), so the same IP serves the PYNQ-Z1's block design.
        hls4ml_board="pynq-z2",
        processing_system="ps7",
        # hls4ml's pynq-z2 design on the same part: the PYNQ-Z2's measured shell
        shell=_PYNQ_SHELL,
        source="Xilinx DS190 (resources); Digilent PYNQ-Z1 reference manual and PYNQ (part, clock)",
    ),
    "zcu104": _board(
        "zcu104",
        # AMD/Xilinx ZCU104 evaluation kit: XCZU7EV-2FFVC1156 (UG1267, ZCU104 board user guide).
        "xczu7ev-ffvc1156-2-e",
        # pl_clk0 = 100 MHz in PYNQ's ZCU104 base overlay; float32 AXI-Stream words as on the PYNQ-Z2.
        clock_period_ns=10.0,
        stream_bits=32,
        board_part="xilinx.com:zcu104:part0:1.1",
        # hls4ml 1.3 has no VivadoAccelerator design for it (only pynq-z2, zcu102, alveo-*): backend Vivado.
        hls4ml_board=None,
        processing_system="ps8",
        shell=_NOMINAL_ZUS_SHELL,
        source="Xilinx DS891 (resources); UG1267 and PYNQ ZCU104 image (part, clock)",
    ),
    "ultra96-v2": _board(
        "ultra96-v2",
        # Avnet Ultra96-V2: Zynq UltraScale+ ZU3EG in sbva484, speed grade -1, industrial (Avnet Ultra96-V2
        # hardware user guide; the V1 board had the -1-e commercial part).
        "xczu3eg-sbva484-1-i",
        # pl_clk0 = 100 MHz in PYNQ's Ultra96 image; float32 AXI-Stream words.
        clock_period_ns=10.0,
        stream_bits=32,
        board_part="avnet.com:ultra96v2:part0:1.1",
        hls4ml_board=None,
        processing_system="ps8",
        shell=_NOMINAL_ZUS_SHELL,
        source="Xilinx DS891 (resources); Avnet Ultra96-V2 user guide and PYNQ image (part, clock)",
    ),
    "kv260": Board(
        name="kv260",
        # AMD Kria KV260 starter kit: the K26 SOM's XCK26-SFVC784-2LV-C (DS987, Kria K26 SOM data sheet).
        part="xck26-sfvc784-2LV-c",
        # XCK26 programmable logic (DS987): 117,120 LUTs, 234,240 flip-flops, 1,248 DSP48E2, 144 RAMB36 = 288
        # BRAM18 (its 64 UltraRAMs are not counted).
        lut=117_120,
        ff=234_240,
        dsp=1_248,
        bram18=288,
        # pl_clk0 = 100 MHz in Kria-PYNQ; float32 AXI-Stream words.
        clock_period_ns=10.0,
        stream_bits=32,
        # The SOM's board files (the KV260 carrier is connected to it in Vivado).
        board_part="xilinx.com:kv260_som:part0:1.4",
        hls4ml_board=None,
        processing_system="ps8",
        shell=_NOMINAL_ZUS_SHELL,
        source="AMD DS987 (resources, part); Kria-PYNQ (clock)",
    ),
}


def part_entry(part: str) -> Board:
    """A bare-part entry for a full part name (``xczu7ev-ffvc1156-2-e``) whose device is in :data:`PARTS`: the
    device's totals, :data:`BARE_PART_CLOCK_NS`, no board files, no hls4ml board, no shell (backend Vivado,
    synthesis-only studies).  An unknown device raises :class:`UnknownBoardError`."""
    device = _device_of(part)
    if device is None:
        close = difflib.get_close_matches(part.lower(), list(PARTS), n=1, cutoff=0.6)
        hint = f" (did you mean a {close[0]} part?)" if close else ""
        raise UnknownBoardError(
            f"unknown part {part!r}{hint}; known devices (give the full part, e.g. xc7z020clg400-1): {', '.join(PARTS)}"
        )
    d = PARTS[device]
    return Board(
        name=part,
        part=part,
        lut=d.lut,
        ff=d.ff,
        dsp=d.dsp,
        bram18=d.bram18,
        clock_period_ns=BARE_PART_CLOCK_NS,
        source=f"{d.family} {device}: Xilinx {d.source} (resources); bare part, {BARE_PART_CLOCK_NS:g} ns assumed",
    )


def get_board(name: str) -> Board:
    """The table entry ``name``, or the bare-part entry of a full part name whose device is in :data:`PARTS`
    (:func:`part_entry`); anything else raises :class:`UnknownBoardError` with a did-you-mean hint."""
    if name in BOARDS:
        return BOARDS[name]
    if _device_of(name) is not None or name.lower().startswith("xc"):
        return part_entry(name)
    close = difflib.get_close_matches(name, list(BOARDS), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UnknownBoardError(
        f"unknown board {name!r}{hint}; known boards: {', '.join(sorted(BOARDS))} "
        f"(or a full part name of {', '.join(PARTS)})"
    )
