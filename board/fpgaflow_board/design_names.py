"""Names shared by the Vivado block design and the on-board driver: the one place that defines them.

The host runner (``fpgaflow build``) writes these into the ``vars.tcl`` that the static scripts in
``vivado_scripts/`` read; the PYNQ driver finds the IP blocks in the overlay by the same names
(``overlay.axi_dma_0`` ...).  The part, board part and fabric clock are properties of the board, not
names: they live in the board table :mod:`fpgaflow_board.boards`.  Pure Python, standard library only,
Python 3.10 compatible: this module runs on the PYNQ-Z2.
"""

from __future__ import annotations

#: hls4ml's default project name (``firmware/myproject.cpp``) and its AXI-Stream wrapper top function.
HLS_PROJECT_NAME = "myproject"
HLS_TOP_SUFFIX = "_axi"
HLS_TOP = HLS_PROJECT_NAME + HLS_TOP_SUFFIX
#: Vivado HLS solution name inside ``<project>_prj/``.
HLS_SOLUTION = "solution1"
#: AXI-Stream ports of the wrapper.  The C arguments are ``in``/``out``; Vivado HLS renames them because
#: ``in`` and ``out`` are VHDL keywords, so the exported IP's interfaces are ``in_r``/``out_r``.
NETWORK_IN_PORT = "in_r"
NETWORK_OUT_PORT = "out_r"

#: VLNV of the exported network IP: vendor, library, version (``export_design`` arguments).
IP_VENDOR = "xilinx.com"
IP_LIBRARY = "hls"
IP_VERSION = "1.0"

#: Block design and instance names (PYNQ exposes each instance as an overlay attribute of this name).
BD_NAME = "fpgaflow_bd"
PS_INSTANCE = "processing_system7_0"
DMA_INSTANCE = "axi_dma_0"
NETWORK_INSTANCE = "nn_0"
RESET_INSTANCE = "rst_fclk0"
#: The network's own reset (the DMA's soft reset does not reach the network IP): an AXI GPIO on GP0 whose
#: one output bit, ANDed with the fabric reset in ``NETWORK_RESET_GATE``, drives the network's ``ap_rst_n``.
#: Bit 0 of GPIO_DATA = 1 runs the network (the power-on default), 0 holds it in reset.
NETWORK_RESET_INSTANCE = "nn_reset"
NETWORK_RESET_GATE = "nn_reset_and"
GP0_INTERCONNECT = "ps7_gp0_intercon"
HP0_INTERCONNECT = "axi_mem_intercon"
#: The PS clock that drives the whole fabric design.
FABRIC_CLOCK = "FCLK_CLK0"

#: Basename of the overlay files: ``fpgaflow.bit`` and ``fpgaflow.hwh`` (PYNQ needs both, same basename).
OVERLAY_NAME = "fpgaflow"

#: AXI DMA "width of buffer length register" (``c_sg_length_width``) in bits: one simple-mode transfer
#: moves at most 2**width - 1 bytes.  The IP accepts 8 to 26 bits (26 = 64 MiB - 1).
DMA_LENGTH_WIDTH_MIN = 8
DMA_LENGTH_WIDTH_MAX = 26
#: Stream data widths (bits) the AXI DMA accepts on MM2S/S2MM.
DMA_STREAM_WIDTHS = (8, 16, 32, 64, 128, 256, 512, 1024)
#: Smallest memory-mapped data width of the DMA (its AXI4 master to the HP port).
DMA_MM_WIDTH_MIN = 32
#: Largest batch (samples per DMA transfer) the default build sizes the length register for.
DEFAULT_MAX_BATCH = 4096


def dma_length_width(max_transfer_bytes: int) -> int:
    """Bits of the DMA buffer length register needed for a transfer of ``max_transfer_bytes`` bytes.

    Raises ``ValueError`` when the transfer exceeds what the AXI DMA can express (2**26 - 1 bytes).
    """
    if max_transfer_bytes < 1:
        raise ValueError(f"transfer size must be >= 1 byte, got {max_transfer_bytes}")
    width = max(DMA_LENGTH_WIDTH_MIN, int(max_transfer_bytes).bit_length())
    if width > DMA_LENGTH_WIDTH_MAX:
        limit = 2**DMA_LENGTH_WIDTH_MAX - 1
        raise ValueError(
            f"a transfer of {max_transfer_bytes} bytes needs a {width}-bit DMA length register; the AXI DMA "
            f"allows at most {DMA_LENGTH_WIDTH_MAX} bits ({limit} bytes): use a smaller batch"
        )
    return width


def max_batch_for(length_width: int, bytes_per_sample: int) -> int:
    """Largest batch (samples) one transfer of a DMA with ``length_width``-bit length register can carry."""
    return ((1 << length_width) - 1) // bytes_per_sample


def fclk_mhz(clock_period_ns: float) -> float:
    """Requested PS7 FCLK_CLK0 frequency in MHz for an HLS clock period in ns."""
    return round(1000.0 / clock_period_ns, 6)


# --- Names the on-board driver matches ---
#: Xilinx AXI DMA IP type (pynq binds its DMA driver to this VLNV).
DMA_VLNV = "xilinx.com:ip:axi_dma:7.1"
#: The network reset's IP types (pynq binds its AxiGPIO driver to the GPIO) and the GPIO_DATA register.
GPIO_VLNV = "xilinx.com:ip:axi_gpio:2.0"
GATE_VLNV = "xilinx.com:ip:util_vector_logic:2.0"
GPIO_DATA = 0x0
#: hls4ml's own pynq-z2 block design (``axi_stream_design.tcl``) groups the DMA and the network into
#: hierarchy ``hier_0`` and names the network ``<project>_axi_0``; the driver accepts either layout.
HLS4ML_HIERARCHY = "hier_0"
HLS4ML_NETWORK_INSTANCE = HLS_TOP + "_0"
#: hls4ml's pynq-z2 design sets the DMA length register to 26 bits (``c_sg_length_width``).
DMA_LENGTH_WIDTH_DEFAULT = DMA_LENGTH_WIDTH_MAX
