"""Drive one AXI DMA in simple mode: split transfers under the length limit, wait with a timeout.

The DMA object is pynq's ``pynq.lib.dma.DMA`` on the board, or the simulated board's stand-in: both
expose ``sendchannel``/``recvchannel`` (``transfer(array, start, nbytes)``, ``wait()``, ``idle``) and
``read(offset)`` for the registers.  pynq's ``wait()`` spins forever when the stream stalls, so this
class polls the status register itself until a deadline, raises :class:`DmaTimeoutError` or
:class:`DmaError` with both status registers decoded, and calls ``wait()`` only once the channel is idle
(it then returns at once, and invalidates the cache over the receive buffer).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd, isfinite
from typing import Any

from fpgaflow_board import dma_status as reg
from fpgaflow_board.errors import DmaError, DmaTimeoutError, RecoveryNeededError


@dataclass(frozen=True)
class Chunk:
    """Maps ``first`` .. ``first + count`` of a batch, moved by one MM2S and one S2MM transfer."""

    first: int
    count: int


def split_transfers(n_maps: int, in_bytes: int, out_bytes: int, max_bytes: int, align: int = 4) -> list[Chunk]:
    """Chunks of whole maps whose input and output byte counts stay ≤ ``max_bytes`` (2**width − 1).

    Every chunk but the last starts on an ``align``-byte boundary in both buffers (the DMA's memory-map
    width without the realignment engine).  Chunks end on map boundaries because the DMA asserts TLAST at
    the end of each MM2S transfer and the network ends its output packet on the map that carried it.
    """
    if n_maps < 0 or in_bytes <= 0 or out_bytes <= 0:
        raise ValueError(f"bad transfer geometry: n_maps={n_maps}, in_bytes={in_bytes}, out_bytes={out_bytes}")
    per = max_bytes // max(in_bytes, out_bytes)
    # Chunk sizes must keep the next start aligned in both buffers.
    k_in, k_out = align // gcd(align, in_bytes), align // gcd(align, out_bytes)
    step = k_in * k_out // gcd(k_in, k_out)
    per -= per % step
    if per < 1:
        raise ValueError(
            f"one map needs {max(in_bytes, out_bytes)} bytes (aligned: {step} maps) but one DMA transfer moves at "
            f"most {max_bytes} bytes: rebuild with a wider DMA length register (c_sg_length_width)"
        )
    return [Chunk(first, min(per, n_maps - first)) for first in range(0, n_maps, per)]


class DmaLink:
    """One DMA, both channels.  ``timeout_s`` bounds every wait; ``clock`` is injectable for tests."""

    def __init__(self, dma: Any, max_bytes: int, timeout_s: float = 2.0, clock: Callable[[], float] | None = None):
        if not (isfinite(timeout_s) and timeout_s > 0):  # a NaN deadline is never passed: the wait would spin
            raise ValueError(f"timeout_s must be a finite number of seconds > 0, got {timeout_s}")
        self.dma = dma
        self.send = dma.sendchannel
        self.recv = dma.recvchannel
        self.max_bytes = int(max_bytes)
        self.timeout_s = float(timeout_s)
        self._clock = clock or time.perf_counter
        self.transfers = 0  # MM2S transfers started (one per chunk)
        self.fault: str | None = None  # the last timeout or DMA error, until reset() (or a new overlay) clears it

    def status(self) -> tuple[int, int]:
        """Raw MM2S_DMASR and S2MM_DMASR."""
        return int(self.dma.read(reg.MM2S + reg.DMASR)), int(self.dma.read(reg.S2MM + reg.DMASR))

    def describe_status(self) -> str:
        return reg.decode(*self.status())

    def start(self, in_buf: Any, out_buf: Any, chunk: Chunk, in_bytes: int, out_bytes: int) -> None:
        """Start one chunk: the receive side first, so the network's output never backs up.

        After a timeout or a DMA error (:attr:`fault`) starting again raises :class:`RecoveryNeededError`
        (:meth:`check_ready`) instead of pynq's bare ``RuntimeError``, until :meth:`reset` has run.
        """
        self.check_ready()
        for channel, name, buf, nbytes, itemsize in (
            (self.recv, "S2MM (recv)", out_buf, chunk.count * out_bytes, out_bytes),
            (self.send, "MM2S (send)", in_buf, chunk.count * in_bytes, in_bytes),
        ):
            try:
                channel.transfer(buf, chunk.first * itemsize, nbytes)
            except RuntimeError as exc:
                if isinstance(exc, DmaError):
                    raise
                self.fault = f"{name} refused a transfer ({exc})"
                raise DmaError(f"{name}: {exc}; {self.describe_status()}") from None
        self.transfers += 1

    def check_ready(self) -> None:
        """Raise :class:`RecoveryNeededError` (the earlier fault and the status registers now) after a timeout
        or a DMA error: the channels are not idle and the network IP on the streams may hold half a map."""
        if self.fault is not None:
            raise RecoveryNeededError(
                f"the last transfer failed ({self.fault}); now {self.describe_status()}. The network IP may hold "
                "half a map: call the driver's recover() (resets the network and the DMA, or reloads the overlay) "
                "before the next transfer"
            )

    def finish(self, chunk: Chunk, in_bytes: int, out_bytes: int) -> None:
        """Wait for both channels of the chunk started last."""
        what = f"maps {chunk.first}..{chunk.first + chunk.count - 1}"
        self._wait(self.send, reg.MM2S, "MM2S (send)", f"{what}, {chunk.count * in_bytes} bytes to the network")
        self._wait(self.recv, reg.S2MM, "S2MM (recv)", f"{what}, {chunk.count * out_bytes} bytes from the network")

    def _wait(self, channel: Any, offset: int, name: str, what: str) -> None:
        deadline = self._clock() + self.timeout_s
        while True:
            sr = int(self.dma.read(offset + reg.DMASR))
            if sr & reg.SR_ERRORS:
                self.fault = f"{name} failed ({what})"
                raise DmaError(f"{name} failed ({what}): {self.describe_status()}")
            if sr & reg.SR_IDLE:
                break
            if self._clock() > deadline:
                self.fault = f"{name} timed out after {self.timeout_s:g} s ({what})"
                raise DmaTimeoutError(
                    f"{name} not idle after {self.timeout_s:g} s ({what}): {self.describe_status()}. "
                    "The network stopped consuming or producing stream words; call the driver's recover() "
                    "before retrying"
                )
        channel.wait()

    def reset(self) -> None:
        """Soft-reset the DMA (both channels) and restart them.  The network IP on the streams is not reset
        by this (see :meth:`HitMapClassifier.recover`)."""
        self.dma.write(reg.MM2S + reg.DMACR, reg.CR_RESET)
        deadline = self._clock() + self.timeout_s
        while int(self.dma.read(reg.MM2S + reg.DMACR)) & reg.CR_RESET:
            if self._clock() > deadline:
                raise DmaTimeoutError(
                    f"DMA soft reset did not complete in {self.timeout_s:g} s: {self.describe_status()}"
                )
        self.send.start()
        self.recv.start()
        self.fault = None
