"""The simulated board's memory: contiguous buffers with physical addresses and a separate DMA view.

Like ``pynq.allocate`` on a Zynq, a buffer is cacheable: the CPU writes into its cache, the DMA reads
DRAM.  Here the CPU view is the ndarray itself and DRAM is a shadow copy; ``flush()`` copies CPU → DRAM,
``invalidate()`` copies DRAM → CPU.  A driver that forgets either reads or sends stale data, exactly as
on the board.  ``coherent=True`` makes both views one (like ``cacheable=False``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

PAGE = 4096


class SimulatedBuffer(np.ndarray[Any, np.dtype[Any]]):
    """An ndarray with ``physical_address``, ``flush``/``invalidate`` and ``freebuffer``/``close``."""

    physical_address: int
    _memory: Any
    _base_buffer: Any

    def __array_finalize__(self, obj: Any) -> None:
        if obj is None:
            return
        base = getattr(obj, "_base_buffer", None)
        self._memory = getattr(obj, "_memory", None)
        self._base_buffer = base
        offset = 0
        if base is not None and self.size:
            offset = self.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        self.physical_address = getattr(base, "physical_address", 0) + offset

    @property
    def device_address(self) -> int:
        return self.physical_address

    def flush(self) -> None:
        """CPU cache → DRAM for the whole allocation (what the MM2S channel will read)."""
        base = self._base_buffer
        t0 = self._memory.clock()
        if not self._memory.coherent:
            self._memory.dram_of(base)[...] = base.view(np.ndarray).reshape(-1).view(np.uint8)
        self._memory.flushes += 1
        self._memory.copy_seconds += self._memory.clock() - t0

    def invalidate(self) -> None:
        """DRAM → CPU for the whole allocation (after the S2MM channel wrote it)."""
        base = self._base_buffer
        t0 = self._memory.clock()
        if not self._memory.coherent:
            base.view(np.ndarray).reshape(-1).view(np.uint8)[...] = self._memory.dram_of(base)
        self._memory.invalidates += 1
        self._memory.copy_seconds += self._memory.clock() - t0

    sync_to_device = flush
    sync_from_device = invalidate

    def freebuffer(self) -> None:
        self._memory.free(self._base_buffer)

    close = freebuffer


class SimulatedMemory:
    """Physical address space from ``base``; every allocation starts ``offset`` bytes past a page."""

    def __init__(
        self,
        base: int = 0x1800_0000,
        coherent: bool = False,
        offset: int = 0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.coherent = coherent
        self.clock = clock  # times the emulated cache maintenance (``copy_seconds``)
        self.offset = offset
        self._next = base
        self._buffers: dict[int, tuple[SimulatedBuffer, npt.NDArray[np.uint8]]] = {}
        self.allocations = 0
        self.flushes = 0
        self.invalidates = 0
        self.copy_seconds = 0.0  # time emulating cache flush/invalidate (a cache operation on the board)

    def allocate(self, shape: Any, dtype: Any = "u4", target: Any = None, **kwargs: Any) -> SimulatedBuffer:
        """``pynq.allocate``'s signature: a zeroed contiguous buffer with a physical address."""
        cpu = np.zeros(shape, dtype=dtype)
        buf = cpu.view(SimulatedBuffer)
        buf._memory = self
        buf._base_buffer = buf
        buf.physical_address = self._next + self.offset
        nbytes = max(cpu.nbytes, 1)
        self._next += (nbytes + self.offset + PAGE - 1) // PAGE * PAGE + PAGE
        dram = cpu.reshape(-1).view(np.uint8) if self.coherent else np.zeros(cpu.nbytes, np.uint8)
        self._buffers[buf.physical_address] = (buf, dram)
        self.allocations += 1
        return buf

    def dram_of(self, buf: SimulatedBuffer) -> npt.NDArray[np.uint8]:
        if buf.physical_address not in self._buffers:
            raise ValueError(f"buffer at 0x{buf.physical_address:x} was freed")
        return self._buffers[buf.physical_address][1]

    def free(self, buf: SimulatedBuffer) -> None:
        self._buffers.pop(buf.physical_address, None)

    @property
    def live_buffers(self) -> int:
        return len(self._buffers)

    def resolve(self, address: int, nbytes: int) -> npt.NDArray[np.uint8] | None:
        """DRAM bytes ``[address, address + nbytes)`` inside one live allocation, or None (decode error)."""
        for start, (_buf, dram) in self._buffers.items():
            if start <= address and address + nbytes <= start + dram.size:
                return dram[address - start : address - start + nbytes]
        return None
