"""fpgaflow_board.session (real-or-simulated rule) and fpgaflow_board.dma_status (status register decoding)."""

from __future__ import annotations

import ctypes
import logging
import platform
import sys
from pathlib import Path

import pytest

from fpgaflow_board import dma_status as reg
from fpgaflow_board.csim import check_loadable, elf_machine
from fpgaflow_board.errors import BoardError, HostOnlyError
from fpgaflow_board.manifest import read_manifest
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
    with pytest.raises(BoardError, match="cannot use the real board: the bundle has no bitstream"):
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


def test_on_the_boards_arm_cpu_the_x86_simulation_is_never_loaded(
    tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle without a bitstream copied to the PYNQ-Z2: one line saying why neither board works, and the
    x86-64 C-simulation library is not loaded (the OSError its loader would raise never happens)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ctypes.CDLL was called")

    monkeypatch.setattr(platform, "machine", lambda: "armv7l")
    monkeypatch.setattr(ctypes, "CDLL", refuse)
    monkeypatch.delenv(ENV_SIMULATED, raising=False)
    with pytest.raises(BoardError) as info:
        open_bundle(tiny_bundle)
    note = read_manifest(tiny_bundle).bitstream_note
    assert str(info.value) == (
        f"{tiny_bundle}: no board to run on: the bundle has no bitstream ({note}); "
        "and the simulated board is a host-only tool (myproject_csim.so is a x86-64 library and this CPU is armv7l)"
    )
    with pytest.raises(HostOnlyError) as forced:
        open_bundle(tiny_bundle, simulated=True)
    assert str(forced.value) == (
        f"{tiny_bundle}: cannot use the simulated board: the simulated board is a host-only tool "
        "(myproject_csim.so is a x86-64 library and this CPU is armv7l)"
    )


def test_library_architecture_is_read_from_its_elf_header(tmp_path: Path) -> None:
    lib = Path(sys.executable).resolve()  # an ELF for this machine
    here = elf_machine(lib)
    assert here == {"x86_64": 62, "aarch64": 183}.get(platform.machine(), here)
    check_loadable(lib)  # same CPU: fine
    other = "armv7l" if here != 40 else "x86_64"
    with pytest.raises(HostOnlyError, match=f"this CPU is {other}"):
        check_loadable(lib, cpu=other)
    text = tmp_path / "not_elf.so"
    text.write_text("not an ELF file")
    assert elf_machine(text) is None
    check_loadable(text, cpu="armv7l")  # not ELF: the loader will say what is wrong
