"""The AXI DMA (PG021, v7.1) register map in simple mode and a decoder for its status registers.

Each channel has a control register (DMACR) and a status register (DMASR); MM2S (memory → stream, the
"send" channel) sits at 0x00, S2MM (stream → memory, "recv") at 0x30.  A transfer starts when the driver
writes the byte count to the LENGTH register, whose width is ``c_sg_length_width`` bits (8–26), so one
transfer moves at most 2**width − 1 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

MM2S = 0x00
S2MM = 0x30
#: Offsets inside one channel's block.
DMACR = 0x00
DMASR = 0x04
ADDR = 0x18  # MM2S_SA at 0x18, S2MM_DA at 0x48
ADDR_MSB = 0x1C
LENGTH = 0x28  # MM2S_LENGTH at 0x28, S2MM_LENGTH at 0x58

#: DMACR bits.
CR_RS = 1 << 0  # run/stop
CR_RESET = 1 << 2  # soft reset of the whole DMA (both channels)
CR_IOC_IRQ_EN = 1 << 12
CR_ERR_IRQ_EN = 1 << 14

#: DMASR bits (PG021 tables 2-9 and 2-15).
SR_HALTED = 1 << 0
SR_IDLE = 1 << 1
SR_SG_INCLD = 1 << 3
SR_DMA_INT_ERR = 1 << 4
SR_DMA_SLV_ERR = 1 << 5
SR_DMA_DEC_ERR = 1 << 6
SR_SG_INT_ERR = 1 << 8
SR_SG_SLV_ERR = 1 << 9
SR_SG_DEC_ERR = 1 << 10
SR_IOC_IRQ = 1 << 12
SR_DLY_IRQ = 1 << 13
SR_ERR_IRQ = 1 << 14
SR_ERRORS = SR_DMA_INT_ERR | SR_DMA_SLV_ERR | SR_DMA_DEC_ERR | SR_SG_INT_ERR | SR_SG_SLV_ERR | SR_SG_DEC_ERR

_FLAGS: tuple[tuple[int, str, str], ...] = (
    (SR_HALTED, "Halted", "channel stopped (run/stop bit clear, or halted by an error)"),
    (SR_IDLE, "Idle", "transfer finished"),
    (SR_SG_INCLD, "SGIncld", "scatter-gather engine present"),
    (SR_DMA_INT_ERR, "DMAIntErr", "internal error: zero length, or stream packet longer than the buffer"),
    (SR_DMA_SLV_ERR, "DMASlvErr", "slave error: memory did not accept the access"),
    (SR_DMA_DEC_ERR, "DMADecErr", "decode error: address not mapped to memory"),
    (SR_SG_INT_ERR, "SGIntErr", "scatter-gather internal error"),
    (SR_SG_SLV_ERR, "SGSlvErr", "scatter-gather slave error"),
    (SR_SG_DEC_ERR, "SGDecErr", "scatter-gather decode error"),
    (SR_IOC_IRQ, "IOC_Irq", "interrupt on complete pending"),
    (SR_DLY_IRQ, "Dly_Irq", "delay interrupt pending"),
    (SR_ERR_IRQ, "Err_Irq", "error interrupt pending"),
)


@dataclass(frozen=True)
class ChannelStatus:
    """One decoded DMASR value.  ``flags`` are PG021's bit names that are set."""

    channel: str
    raw: int

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(name for bit, name, _ in _FLAGS if self.raw & bit)

    @property
    def halted(self) -> bool:
        return bool(self.raw & SR_HALTED)

    @property
    def idle(self) -> bool:
        return bool(self.raw & SR_IDLE)

    @property
    def error(self) -> bool:
        return bool(self.raw & SR_ERRORS)

    def describe(self) -> str:
        """E.g. ``MM2S_DMASR=0x00000002 [Idle]`` plus the meaning of any error bit that is set."""
        flags = ", ".join(self.flags) or "running, busy"
        text = f"{self.channel}_DMASR=0x{self.raw:08x} [{flags}]"
        errors = [f"{name}: {meaning}" for bit, name, meaning in _FLAGS if self.raw & bit & SR_ERRORS]
        if errors:
            text += " (" + "; ".join(errors) + ")"
        return text


def decode(mm2s_sr: int, s2mm_sr: int) -> str:
    """Both channels' status registers as one line for an error message."""
    return f"{ChannelStatus('MM2S', mm2s_sr).describe()}; {ChannelStatus('S2MM', s2mm_sr).describe()}"
