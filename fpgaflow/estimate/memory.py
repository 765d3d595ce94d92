"""Where each memory of a design ends up: BRAM18 blocks, SRL shift registers or LUT ROM, per level.

Vivado HLS (the C-synthesis report) and Vivado synthesis disagree on small memories, and the reports show by
how much:

* FIFOs between ``io_stream`` layers (one per element of a word, ``depth`` = the map's pixels): HLS puts a
  FIFO of more than :data:`HLS_FIFO_SRL_MAX_BITS` bits in a BRAM18; Vivado synthesis keeps in shift
  registers those below :data:`SYNTH_BRAM_MIN_BITS` (the 576-bit FIFOs of the MNIST CNNs and the 784-bit
  ones of the neutrino CNN moved out of BRAM, the 1,584- and 10,816-bit ones stayed).
* Weight ROMs of the Resource strategy (``reuse`` words of ``multipliers x weight bits``): HLS reports them
  in BRAM18; Vivado builds ROMs no deeper than :data:`SYNTH_ROM_LUT_MAX_DEPTH` words from LUTs (the
  reuse-12/16 neutrino CNN: 617 BRAM18 in HLS, none after synthesis; PYNQ_IA's Resource jet MLP: 48 in HLS,
  3 % of the device after implementation).
* Lookup tables and line buffers: BRAM18 at both levels when at least :data:`SYNTH_BRAM_MIN_BITS` bits
  (tables) and shift registers for line buffers (``ap_shift_reg``).

A shift register takes one LUT (SRLC32E) per bit per 32 words; a LUT ROM one LUT per bit per 64 words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from fpgaflow.estimate.rules import Memory

Level = Literal["hls", "synth", "impl"]

HLS_FIFO_SRL_MAX_BITS = 512
SYNTH_BRAM_MIN_BITS = 1024
SYNTH_ROM_LUT_MAX_DEPTH = 64
#: 7-series RAMB18E1 aspect ratios (depth, width) in simple dual-port mode.
_BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))


def bram18_for(depth: int, width: int) -> int:
    """BRAM18 blocks for a ``depth x width``-bit memory, choosing the best RAMB18 aspect ratio."""
    if depth <= 0 or width <= 0:
        return 0
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in _BRAM18_SHAPES)


@dataclass(frozen=True)
class Placement:
    """The design's memories at one level: ``bram18`` blocks, ``memory_luts`` (SRL and LUT-ROM LUTs) and
    ``fifos``/``bram_fifos`` (FIFOs in shift registers / in BRAM, each with its pointers and handshake logic)."""

    bram18: float = 0.0
    memory_luts: float = 0.0
    fifos: float = 0.0
    bram_fifos: float = 0.0


def in_bram(memory: Memory, level: Level) -> bool:
    """Whether ``memory`` is built from BRAM18 at ``level`` (see the module docstring)."""
    if memory.role in ("linebuffer", "constants"):
        return False
    if level == "hls":
        return memory.bits > HLS_FIFO_SRL_MAX_BITS
    if memory.role == "weights":
        return memory.depth > SYNTH_ROM_LUT_MAX_DEPTH and memory.bits >= SYNTH_BRAM_MIN_BITS
    return memory.bits >= SYNTH_BRAM_MIN_BITS


def luts_for(memory: Memory) -> float:
    """LUTs of a memory kept out of BRAM: SRLC32E shift registers (FIFOs, line buffers) or 64-deep LUT ROMs."""
    per = 32 if memory.role in ("fifo", "linebuffer") else 64
    return float(memory.count * memory.width * math.ceil(memory.depth / per))


def place(memories: tuple[Memory, ...] | list[Memory], level: Level) -> Placement:
    """BRAM18 blocks and LUTs of ``memories`` at ``level``."""
    bram = 0.0
    luts = 0.0
    fifos = 0.0
    bram_fifos = 0.0
    for m in memories:
        if in_bram(m, level):
            bram += m.count * bram18_for(m.depth, m.width)
            bram_fifos += m.count if m.role == "fifo" else 0
        else:
            luts += luts_for(m)
            fifos += m.count if m.role == "fifo" else 0
    return Placement(bram18=bram, memory_luts=luts, fifos=fifos, bram_fifos=bram_fifos)
