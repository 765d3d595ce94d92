"""fpgaflow_board.session (real-or-simulated rule) and fpgaflow_board.dma_status (status register decoding)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fpgaflow_board import dma_status as reg
from fpgaflow_board.errors import BoardError
from fpgaflow_board.session import ENV_SIMULATED, open_bundle


def test_status_registers_decoded() -> None:
    s = reg.ChannelStatus("S2MM", 0x00004011)
    assert s.flags == ("Halted", "DMAIntErr", "Err_Irq")
    assert s.halted
    assert s.error
    assert not s.idle
    assert s.describe().startswith("S2MM_DMASR=0x00004011 [Halted, DMAIntErr, Err_Irq] (DMAIntErr: internal error")
    assert reg.decode(0x1002, 0x0) == "MM2S_DMASR=0x00001002 [Idle, IOC_Irq]; S2MM_DMASR=0x00000000 [running, busy]"
    assert "DMASlvErr: slave error" in reg.ChannelStatus("MM2S", 0x21).describe()


def test_board_choice_rule(
    tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(ENV_SIMULATED, "1")
    assert open_bundle(tiny_bundle).board == "simulated"
    monkeypatch.setenv(ENV_SIMULATED, "0")  # forced real board, but the bundle has no bitstream
    with pytest.raises(BoardError, match="no bitstream to load on the board"):
        open_bundle(tiny_bundle)
    monkeypatch.setenv(ENV_SIMULATED, "yes")
    with pytest.raises(BoardError, match=r"expected 1 .*, 0 .* or unset"):
        open_bundle(tiny_bundle)
    monkeypatch.delenv(ENV_SIMULATED)
    with caplog.at_level(logging.WARNING, logger="fpgaflow_board.session"):
        session = open_bundle(tiny_bundle, timeout_s=0.5)
    assert session.board == "simulated"
    assert session.classifier.dma.timeout_s == 0.5
    assert "using the simulated PYNQ-Z2: the bundle has no bitstream" in caplog.text
