"""Simulated IP of the PYNQ-Z2 design: the AXI DMA's registers and the hls4ml network on its streams.

``SimulatedDma`` models PG021's simple mode from its registers, so any driver that writes them — pynq's
own ``_SDMAChannel`` or :class:`SimulatedChannel` below — runs against it.  Rules modelled: a transfer
starts when LENGTH is written while the channel runs; LENGTH keeps only ``c_sg_length_width`` bits;
length 0 → DMAIntErr; a start address not a multiple of the memory-map width (no realignment engine) →
DMAIntErr; an address outside allocated memory → DMADecErr; errors halt the channel; Idle is clear
after start until the first transfer completes (why pynq tracks ``_first_transfer``); MM2S asserts TLAST
on its last word; S2MM completes on TLAST and flags DMAIntErr if its buffer fills before TLAST.

``SimulatedNetwork`` is the ``<project>_axi`` IP: it consumes a map's input words (``n_in`` inputs, packed
as the codec says) and emits ``n_out`` words computed by the bundle's C simulation (bit-accurate hls4ml
C++), TLAST on the map whose input carried TLAST. ``stall`` = ``"input"`` (stops accepting words) or
``"output"`` (stops emitting) makes a channel hang, to exercise the driver's timeout: a hung IP that its
own reset (or reprogramming the fabric) recovers. As in hardware, the DMA's soft reset does not reach the
network: words of a half-sent map and results nobody collected stay inside it until the network is reset
(``SimulatedGpio``, the block design's network reset, or a new overlay).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow_board import dma_status as reg
from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.fixed_point import pack
from fpgaflow_board.sim_memory import SimulatedMemory

STALLS = (None, "input", "output")


class SimulatedNetwork:
    """The network IP on the two AXI-Streams; ``csim`` has ``predict((n, n_in) float32) -> (n, n_out)``."""

    def __init__(
        self,
        csim: Any,
        codec: StreamCodec,
        n_in: int,
        n_out: int,
        stall: str | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if stall not in STALLS:
            raise ValueError(f"stall must be one of {STALLS}, got {stall!r}")
        self.csim, self.codec, self.n_in, self.n_out, self.stall = csim, codec, n_in, n_out, stall
        self.words_in = codec.input_words(n_in)  # input words per map (n_in / lanes per word)
        self._partial = np.zeros(0, codec.in_word)
        self._partial_last = False
        self._out: list[tuple[npt.NDArray[Any], bool]] = []  # word runs; bool: TLAST on the run's last word
        self.maps_done = 0
        self.resets = 0
        self.in_reset = False
        self.csim_seconds = 0.0
        self.clock = clock

    def push(self, words: npt.NDArray[Any], tlast: bool) -> bool:
        """Accept one MM2S transfer's words (False when stalled on input)."""
        if self.stall == "input" or self.in_reset:
            return False
        data = np.concatenate([self._partial, words]) if self._partial.size else words
        n_maps = data.size // self.words_in
        used = n_maps * self.words_in
        if n_maps:
            out = self._compute(data[:used].reshape(n_maps, self.words_in))
            # TLAST goes out with the map whose input carried it: a map left partial by an earlier
            # transfer that ended in TLAST (now complete: index 0), or this transfer's last map.
            ends = ([0] if self._partial_last else []) + ([n_maps - 1] if tlast and used == data.size else [])
            first = 0
            for e in sorted(set(ends)):
                self._out.append((out[first : e + 1].reshape(-1), True))
                first = e + 1
            if first < n_maps:
                self._out.append((out[first:].reshape(-1), False))
            self.maps_done += n_maps
            self._partial_last = tlast and used != data.size
        else:
            self._partial_last = self._partial_last or tlast
        self._partial = data[used:].copy()
        return True

    def _compute(self, x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """(n, input words) → (n, n_out) output words through the C simulation (which takes and returns
        float: its float → ``input_t`` and ``result_t`` → float casts stand for the IP's own; packed words are
        unpacked as the codec says)."""
        values = self.codec.input_values(x, self.n_in)
        t0 = self.clock()
        y = np.asarray(self.csim.predict(values), dtype=np.float32).reshape(x.shape[0], -1)
        self.csim_seconds += self.clock() - t0
        if self.codec.stream_dtype == "float32":
            return y
        return pack(y, self.codec.output_type).words

    def reset(self) -> None:
        """The IP's ``ap_rst_n``: drop half-received maps and uncollected results; a hang is cleared."""
        self._partial = self._partial[:0]
        self._partial_last = False
        self._out.clear()
        self.stall = None
        self.resets += 1

    def pull(self, max_words: int) -> tuple[npt.NDArray[Any], bool]:
        """Up to ``max_words`` output words, stopping after a TLAST word; returns (words, ended on TLAST)."""
        if self.stall == "output" or self.in_reset or not self._out:
            return np.zeros(0, self.codec.out_word), False
        got: list[npt.NDArray[Any]] = []
        n = 0
        while self._out and n < max_words:
            run, last = self._out[0]
            take = min(run.size, max_words - n)
            got.append(run[:take])
            n += take
            if take == run.size:
                self._out.pop(0)
                if last:
                    return np.concatenate(got), True
            else:
                self._out[0] = (run[take:], last)
        return np.concatenate(got), False


class _ChannelState:
    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.cr = 0
        self.sr = reg.SR_HALTED
        self.addr = 0
        self.length = 0
        self.remaining = 0  # S2MM: bytes still expected
        self.written = 0
        self.dram: npt.NDArray[np.uint8] | None = None


class SimulatedDma:
    """Register-level AXI DMA (simple mode).  ``read``/``write`` take byte offsets like pynq's MMIO."""

    def __init__(
        self,
        memory: SimulatedMemory,
        network: SimulatedNetwork | None,
        path: str,
        parameters: dict[str, str],
        word_bytes: tuple[int, int],
        channels: str = "simulated",
    ) -> None:
        self.memory, self.network, self.path = memory, network, path
        self.parameters = parameters
        self.length_width = int(parameters.get("c_sg_length_width", "26"))
        self.buffer_max_size = (1 << self.length_width) - 1
        self.align = (
            int(parameters.get("c_m_axi_mm2s_data_width", "32")) // 8,
            int(parameters.get("c_m_axi_s2mm_data_width", "32")) // 8,
        )
        self.word_bytes = word_bytes
        self.description = {"parameters": parameters, "type": "xilinx.com:ip:axi_dma:7.1", "fullpath": path}
        self._ch = {reg.MM2S: _ChannelState(reg.MM2S), reg.S2MM: _ChannelState(reg.S2MM)}
        self.register_writes: list[tuple[int, int]] = []
        self.busy_seconds = 0.0  # time modelling the hardware (DMA engine + network, C-sim included)
        self.mm2s_bytes = 0  # bytes MM2S has read from DDR into the network (the input traffic)
        self.mmio = self
        if channels == "pynq":
            # pynq's own simple-mode channel class, driving these registers (pynq 3.x; TX = 1, RX = 0).
            from pynq.lib.dma import _SDMAChannel

            self.sendchannel = _SDMAChannel(self, self.buffer_max_size, self.align[0], 1, False)
            self.recvchannel = _SDMAChannel(self, self.buffer_max_size, self.align[1], 0, False)
        else:
            from fpgaflow_board.sim_channel import SimulatedChannel

            self.sendchannel = SimulatedChannel(self, reg.MM2S, self.buffer_max_size, self.align[0])
            self.recvchannel = SimulatedChannel(self, reg.S2MM, self.buffer_max_size, self.align[1])

    # -- register interface
    def read(self, offset: int, length: int = 4) -> int:
        base, sub = (reg.S2MM, offset - reg.S2MM) if offset >= reg.S2MM else (reg.MM2S, offset)
        ch = self._ch[base]
        if sub == reg.DMACR:
            return ch.cr
        if sub == reg.DMASR:
            return ch.sr
        if sub == reg.LENGTH:
            return ch.written if base == reg.S2MM else ch.length
        if sub in (reg.ADDR, reg.ADDR_MSB):
            return ch.addr & 0xFFFFFFFF if sub == reg.ADDR else ch.addr >> 32
        return 0

    def write(self, offset: int, value: int) -> None:
        value = int(value) & 0xFFFFFFFF
        self.register_writes.append((offset, value))
        base, sub = (reg.S2MM, offset - reg.S2MM) if offset >= reg.S2MM else (reg.MM2S, offset)
        ch = self._ch[base]
        if sub == reg.DMACR:
            if value & reg.CR_RESET:
                self._reset()
                return
            ch.cr = value
            ch.sr = (ch.sr & ~reg.SR_HALTED) if value & reg.CR_RS else (ch.sr | reg.SR_HALTED)
        elif sub == reg.DMASR:  # write 1 to clear interrupt bits
            ch.sr &= ~(value & (reg.SR_IOC_IRQ | reg.SR_DLY_IRQ | reg.SR_ERR_IRQ))
        elif sub == reg.ADDR:
            ch.addr = (ch.addr & ~0xFFFFFFFF) | value
        elif sub == reg.ADDR_MSB:
            ch.addr = (ch.addr & 0xFFFFFFFF) | (value << 32)
        elif sub == reg.LENGTH:
            t0 = self.memory.clock()
            self._start(base, ch, value & self.buffer_max_size)
            self.busy_seconds += self.memory.clock() - t0

    def _reset(self) -> None:
        # The DMA's own state only: the network IP on its streams keeps whatever it holds (PG021 soft reset).
        for off in self._ch:
            self._ch[off] = _ChannelState(off)

    def _error(self, ch: _ChannelState, bit: int) -> None:
        ch.sr = (ch.sr | bit | reg.SR_ERR_IRQ | reg.SR_HALTED) & ~reg.SR_IDLE
        ch.cr &= ~reg.CR_RS

    # -- data movement
    def _start(self, base: int, ch: _ChannelState, nbytes: int) -> None:
        if ch.sr & reg.SR_HALTED:
            return  # ignored, as in hardware: LENGTH written while halted starts nothing
        ch.sr &= ~reg.SR_IDLE
        ch.length = nbytes
        align = self.align[0 if base == reg.MM2S else 1]
        if nbytes == 0 or ch.addr % align:
            self._error(ch, reg.SR_DMA_INT_ERR)
            return
        dram = self.memory.resolve(ch.addr, nbytes)
        if dram is None:
            self._error(ch, reg.SR_DMA_DEC_ERR)
            return
        if base == reg.MM2S:
            self.mm2s_bytes += nbytes
            words = dram.view(
                np.dtype(f"u{self.word_bytes[0]}") if self.network is None else self.network.codec.in_word
            )
            if self.network is not None and self.network.push(words.copy(), tlast=True):
                ch.sr |= reg.SR_IDLE | reg.SR_IOC_IRQ
        else:
            ch.dram, ch.remaining, ch.written = dram, nbytes, 0
        self._pump()

    def _pump(self) -> None:
        ch = self._ch[reg.S2MM]
        if ch.dram is None or self.network is None:
            return
        wb = self.word_bytes[1]
        words, last = self.network.pull(ch.remaining // wb)
        raw = words.view(np.uint8)
        ch.dram[ch.written : ch.written + raw.size] = raw
        ch.written += raw.size
        ch.remaining -= raw.size
        if last:
            ch.sr |= reg.SR_IDLE | reg.SR_IOC_IRQ
            ch.dram = None
        elif ch.remaining < wb and raw.size:
            self._error(ch, reg.SR_DMA_INT_ERR)  # buffer full before the packet's TLAST
            ch.dram = None


class SimulatedGpio:
    """The block design's network reset: an AXI GPIO (one output bit, default 1) ANDed with the fabric
    reset into the network's ``ap_rst_n``.  Writing 0 to GPIO_DATA (offset 0) holds the network in reset
    (it drops its state and stops accepting or emitting words); writing 1 releases it."""

    def __init__(self, network: SimulatedNetwork | None, path: str) -> None:
        self.network, self.path = network, path
        self.value = 1
        self.writes: list[tuple[int, int]] = []
        self.mmio = self

    def read(self, offset: int = 0, length: int = 4) -> int:
        return self.value if offset == 0 else 0

    def write(self, offset: int, value: int) -> None:
        self.writes.append((offset, int(value)))
        if offset != 0:
            return
        self.value = int(value) & 1
        if self.network is not None:
            if not self.value:
                self.network.reset()
            self.network.in_reset = not self.value
