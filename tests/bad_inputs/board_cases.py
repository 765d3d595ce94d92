"""The board-side DMA link (``fpgaflow_board.dma.DmaLink``, under ``HitMapClassifier``): a NaN timeout, and
the driver called again after a transfer timed out.  The DMA is a register-level stand-in whose stream can
stall (as the simulated board's does); exit 2 is what ``python -m fpgaflow_board`` gives these errors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bad_inputs.case import Case, Prepare, Prepared, board_call


class _Channel:
    """pynq's simple-mode channel as far as DmaLink uses it: ``transfer`` refuses while busy."""

    def __init__(self, dma: StallingDma) -> None:
        self.dma = dma
        self.busy = False

    def transfer(self, array: object, start: int, nbytes: int) -> None:
        if self.busy:
            raise RuntimeError("DMA channel not idle")  # pynq's own words, without any status
        self.busy = self.dma.stalled

    def wait(self) -> None:
        pass

    def start(self) -> None:
        self.busy = False


class StallingDma:
    """Registers: a channel reads ``running, busy`` while a transfer is stuck, ``Idle`` otherwise."""

    def __init__(self) -> None:
        from fpgaflow_board import dma_status as reg

        self.reg = reg
        self.stalled = True
        self.sendchannel = _Channel(self)
        self.recvchannel = _Channel(self)

    def read(self, offset: int) -> int:
        channel = self.sendchannel if offset < self.reg.S2MM else self.recvchannel
        if offset % 0x30 == self.reg.DMACR:
            return 0
        return 0 if channel.busy else self.reg.SR_IDLE

    def write(self, offset: int, value: int) -> None:
        pass


def _link(timeout_s: float = 0.5) -> tuple[object, StallingDma]:
    from fpgaflow_board.dma import DmaLink

    ticks = iter(range(10**6))
    dma = StallingDma()
    return DmaLink(dma, 1 << 14, timeout_s, clock=lambda: float(next(ticks))), dma


def _one_transfer(link: object) -> None:
    from fpgaflow_board.dma import Chunk

    chunk = Chunk(0, 4)
    link.start(None, None, chunk, 64, 4)  # type: ignore[attr-defined]
    link.finish(chunk, 64, 4)  # type: ignore[attr-defined]


def _call(fn: Callable[[], object]) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> Prepared:
        return Prepared(board_call(fn))

    return prepare


def _timeout(value: float) -> Callable[[], object]:
    return lambda: _link(value)


def _again_after_timeout() -> None:
    from fpgaflow_board.errors import DmaTimeoutError

    link, _ = _link()
    with pytest.raises(DmaTimeoutError, match="call the driver's recover"):
        _one_transfer(link)
    _one_transfer(link)


def _busy_without_timeout() -> None:
    link, dma = _link()
    dma.recvchannel.busy = True  # stuck from a transfer another program started
    _one_transfer(link)


def _reset_recovers() -> None:
    from fpgaflow_board.errors import DmaTimeoutError

    link, dma = _link()
    with pytest.raises(DmaTimeoutError):
        _one_transfer(link)
    dma.stalled = False
    link.reset()  # type: ignore[attr-defined]
    _one_transfer(link)
    print(f"after the DMA reset: transfer done, {link.transfers} transfers started")  # type: ignore[attr-defined]


def _case(id_: str, given: str, exit_: int, message: str, fn: Callable[[], object]) -> Case:
    return Case(id_, "board driver", given, exit_, message, _call(fn))


CASES = [
    _case(
        "dma-timeout-nan",
        "`--timeout nan` (`timeout_s=nan`)",
        2,
        "timeout_s must be a finite number of seconds > 0, got nan",
        _timeout(float("nan")),
    ),
    _case(
        "dma-timeout-inf",
        "`timeout_s=inf`",
        2,
        "timeout_s must be a finite number of seconds > 0, got inf",
        _timeout(float("inf")),
    ),
    _case(
        "dma-again-after-timeout",
        "the driver called again after a DMA timeout, without recover()",
        2,
        "the last transfer failed (MM2S (send) timed out after 0.5 s (maps 0..3, 256 bytes to the network)); "
        "now MM2S_DMASR=",
        _again_after_timeout,
    ),
    _case(
        "dma-busy",
        "a transfer on a channel left busy",
        2,
        "S2MM (recv): DMA channel not idle; MM2S_DMASR=",
        _busy_without_timeout,
    ),
    _case(
        "dma-reset-recovers",
        "the DMA link's reset (recover()'s DMA half) after a timeout, then a transfer",
        0,
        "after the DMA reset: transfer done, 2 transfers started",
        _reset_recovers,
    ),
]
