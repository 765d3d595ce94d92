"""A stand-in for pynq's simple-mode DMA channel (``pynq.lib.dma._SDMAChannel``), driving registers only.

Same attributes and rules as pynq 3.x: ``running``/``idle``/``error`` read DMASR, ``transfer(array,
start=0, nbytes=0)`` checks the channel is idle (except before its first transfer), the size against
2**width − 1 and the start address against the memory-map width, flushes the buffer for MM2S and writes
address and LENGTH; ``wait()`` spins until idle (forever if the stream stalls — the driver therefore polls
with a deadline first) and invalidates the buffer for S2MM.
"""

from __future__ import annotations

from typing import Any

from fpgaflow_board import dma_status as reg


class SimulatedChannel:
    def __init__(self, mmio: Any, offset: int, max_size: int, align: int) -> None:
        self._mmio, self._offset, self._max_size, self._align = mmio, offset, max_size, align
        self._tx = offset == reg.MM2S
        self._active: Any = None
        self._first_transfer = True
        self.transferred = 0
        self.start()

    @property
    def running(self) -> bool:
        return not self._mmio.read(self._offset + reg.DMASR) & reg.SR_HALTED

    @property
    def idle(self) -> bool:
        return bool(self._mmio.read(self._offset + reg.DMASR) & reg.SR_IDLE)

    @property
    def error(self) -> bool:
        return bool(self._mmio.read(self._offset + reg.DMASR) & 0x70)

    def start(self) -> None:
        self._mmio.write(self._offset + reg.DMACR, reg.CR_RS)
        self._first_transfer = True

    def stop(self) -> None:
        self._mmio.write(self._offset + reg.DMACR, 0)

    def transfer(self, array: Any, start: int = 0, nbytes: int = 0) -> None:
        if not self.running:
            raise RuntimeError("DMA channel not started")
        if not self.idle and not self._first_transfer:
            raise RuntimeError("DMA channel not idle")
        if nbytes == 0:
            nbytes = array.nbytes - start
        if nbytes > self._max_size:
            raise ValueError(
                f"Transfer size is {nbytes} bytes, which exceeds the maximum DMA buffer size {self._max_size}."
            )
        if (array.physical_address + start) % self._align:
            raise RuntimeError(
                f"DMA does not support unaligned transfers; starting address must be aligned to {self._align} bytes."
            )
        if self._tx:
            array.flush()
        self.transferred = 0
        addr = array.physical_address + start
        self._mmio.write(self._offset + reg.ADDR, addr & 0xFFFFFFFF)
        self._mmio.write(self._offset + reg.ADDR_MSB, addr >> 32)
        self._active = array
        self._first_transfer = False
        self._mmio.write(self._offset + reg.LENGTH, nbytes)

    def wait(self) -> None:
        if not self.running:
            raise RuntimeError("DMA channel not started")
        while True:
            sr = self._mmio.read(self._offset + reg.DMASR)
            if sr & reg.SR_DMA_INT_ERR:
                raise RuntimeError("DMA Internal Error (transfer length 0?)")
            if sr & reg.SR_DMA_SLV_ERR:
                raise RuntimeError("DMA Slave Error (cannot access memory map interface)")
            if sr & reg.SR_DMA_DEC_ERR:
                raise RuntimeError("DMA Decode Error (invalid address)")
            if sr & reg.SR_IDLE:
                break
        if not self._tx:
            self._active.invalidate()
        self.transferred = self._mmio.read(self._offset + reg.LENGTH)
