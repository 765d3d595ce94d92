"""fpgaflow_board.hwh: reading the IP modules of a Vivado hardware handoff file."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpgaflow_board.hwh import HwhModule, read_hwh, write_hwh

# The shape of a Vivado 2020.x .hwh, reduced to what the driver reads (plus a bus interface whose own
# PARAMETERS must not leak into the module's).
HWH = """<?xml version="1.0" encoding="UTF-8"?>
<EDKSYSTEM EDWVERSION="1.2" VIVADOVERSION="2020.1">
  <MODULES>
    <MODULE FULLNAME="/hier_0/axi_dma_0" INSTANCE="hier_0_axi_dma_0" MODTYPE="axi_dma" VLNV="xilinx.com:ip:axi_dma:7.1">
      <PARAMETERS>
        <PARAMETER NAME="C_SG_LENGTH_WIDTH" VALUE="26"/>
        <PARAMETER NAME="c_include_sg" VALUE="0"/>
      </PARAMETERS>
      <BUSINTERFACES>
        <BUSINTERFACE NAME="M_AXIS_MM2S">
          <PARAMETERS><PARAMETER NAME="c_include_sg" VALUE="1"/></PARAMETERS>
        </BUSINTERFACE>
      </BUSINTERFACES>
    </MODULE>
    <MODULE FULLNAME="/hier_0/myproject_axi_0" MODTYPE="myproject_axi" VLNV="xilinx.com:hls:myproject_axi:1.0"/>
  </MODULES>
</EDKSYSTEM>
"""


def test_read_vivado_style_hwh(tmp_path: Path) -> None:
    path = tmp_path / "design.hwh"
    path.write_text(HWH)
    dma, net = read_hwh(path)
    assert (dma.path, dma.name, dma.vlnv) == ("hier_0/axi_dma_0", "axi_dma_0", "xilinx.com:ip:axi_dma:7.1")
    assert dma.parameter("c_sg_length_width") == "26"  # case-insensitive
    assert dma.parameter("c_include_sg") == "0"  # the bus interface's parameter does not override it
    assert (net.path, net.parameters) == ("hier_0/myproject_axi_0", {})


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    mods = [
        HwhModule("axi_dma_0", "xilinx.com:ip:axi_dma:7.1", {"c_sg_length_width": "14"}),
        HwhModule("nn_0", "xilinx.com:hls:myproject_axi:1.0"),
    ]
    assert read_hwh(write_hwh(tmp_path / "x.hwh", mods)) == mods


def test_not_a_hwh(tmp_path: Path) -> None:
    bad = tmp_path / "bad.hwh"
    bad.write_text("<html>")
    with pytest.raises(ValueError, match=r"bad.hwh: not a readable \.hwh \(XML\) file"):
        read_hwh(bad)
    empty = tmp_path / "empty.hwh"
    empty.write_text("<EDKSYSTEM/>")
    with pytest.raises(ValueError, match="no <MODULE> elements"):
        read_hwh(empty)
