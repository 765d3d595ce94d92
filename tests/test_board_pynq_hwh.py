"""The names the TCL creates, the ``.hwh`` and the driver agree — checked with pynq 3.1.2's own code.

A ``.hwh`` in the form Vivado writes for fpgaflow's block design (``tests/vivado_hwh.py``, from the same
``design_names`` the TCL and the driver use) is parsed by pynq's metadata parser (pynqmetadata, what
``pynq.Overlay`` uses for a full bitstream), and ``pynq.Overlay``'s attribute logic hands out its own
``DMA`` and ``AxiGPIO`` drivers for ``axi_dma_0`` and ``nn_reset``.  The fpgaflow driver then classifies the
tiny run's test maps through pynq's DMA driver, whose registers are the simulated board's DMA (behind a
stand-in ``pynq.Device`` that maps the overlay's physical addresses), bit-exact with the C simulation, and
recovers from a hung network through pynq's GPIO driver.  The parser's XRT step (``xclbinutil``, only on a
board) is left out.  Runs in ``.venv-board`` (Python 3.10 + pynq 3.1.2); skipped without it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from board_env import needs_board_env, run_json
from vivado_hwh import write_hwh

SCRIPT = r"""
import json, sys
from pathlib import Path
import numpy as np
import pynq
from pynq.metadata.runtime_metadata_parser import RuntimeMetadataParser
from pynq.pl_server.device import Device
from pynqmetadata.frontends import Metadata
from fpgaflow_board.driver import HitMapClassifier
from fpgaflow_board.errors import DmaTimeoutError, RecoveryNeededError
from fpgaflow_board.hwh import read_hwh
from fpgaflow_board.sim_devices import SimulatedDma, SimulatedGpio
from fpgaflow_board.simulated import SimulatedBoard

bundle, bit = Path(sys.argv[1]), Path(sys.argv[2])


class Window:
    # What a REMOTE pynq device returns from mmap(): read/write at offsets, plus an array view.
    def __init__(self, ip):
        self.ip, self.array = ip, np.zeros(0x4000, np.uint32)
    def read(self, offset, length=4):
        return self.ip.read(offset, length)
    def write(self, offset, value):
        self.ip.write(offset, value)


class SimulatedPynqZ2(Device):
    # pynq's EmbeddedDevice minus the hardware: the same metadata parser, register windows onto the
    # simulated board's IP at the addresses the .hwh assigns.
    def __init__(self, ips):
        super().__init__("simulated-pynq-z2")
        self.capabilities = {"REMOTE": True}
        self.ips, self.mapped = ips, []
    def get_bitfile_metadata(self, bitfile_name, partial=False):
        parser = RuntimeMetadataParser(Metadata(input=Path(bitfile_name).with_suffix(".hwh")))
        parser.refresh_hierarchy_dict()
        return parser
    def mmap(self, base, length):
        self.mapped.append((hex(base), length))
        return Window(self.ips[base])


def open_board(stall=None):
    board = SimulatedBoard.from_bundle(bundle, stall=stall)
    net = board.make_network()
    params = {m.path: m.parameters for m in read_hwh(bit.with_suffix(".hwh"))}
    dma = SimulatedDma(board.memory, net, "axi_dma_0", params["axi_dma_0"], board.word_bytes)
    gpio = SimulatedGpio(net, "nn_reset")
    device = SimulatedPynqZ2({0x40400000: dma, 0x41200000: gpio})
    ns = type("pynq", (), {})()
    ns.Overlay = lambda name, **kw: pynq.Overlay(name, download=False, device=device)
    ns.allocate = board.memory.allocate
    return HitMapClassifier(bit, board.manifest, pynq=ns, timeout_s=0.05), board, net, gpio, device


clf, board, net, gpio, device = open_board()
ov = clf.overlay
with np.load(bundle / "test_maps.npz") as d:
    maps = d["maps"]
raw = clf.classify(maps, batch_size=100).raw[:, 0].tolist()
stalled, _, stalled_net, stalled_gpio, _ = open_board(stall="output")
try:
    stalled.predict_raw(maps[:4])
    timeout = "no timeout"
except DmaTimeoutError as exc:
    timeout = str(exc)
try:
    stalled.predict_raw(maps[:4])
    refused = "not refused"
except RecoveryNeededError as exc:
    refused = str(exc)
recovered = stalled.recover()
after = stalled.predict_raw(maps[:4])[:, 0].tolist()
json.dump({
    "pynq": pynq.__version__,
    "ip_dict": sorted(ov.ip_dict),
    "dma_type": type(ov.axi_dma_0).__module__ + "." + type(ov.axi_dma_0).__name__,
    "gpio_type": type(ov.nn_reset).__module__ + "." + type(ov.nn_reset).__name__,
    "dma_addr": ov.ip_dict["axi_dma_0"]["phys_addr"],
    "gpio_addr": ov.ip_dict["nn_reset"]["phys_addr"],
    "dma_length_width": ov.ip_dict["axi_dma_0"]["parameters"]["c_sg_length_width"],
    "design": [clf.design.dma_path, clf.design.network_path, clf.design.network_reset_path,
               type(clf.design.dma).__name__, clf.design.max_transfer_bytes],
    "channel": type(clf.design.dma.sendchannel).__name__,
    "mapped": device.mapped,
    "raw": raw,
    "timeout": timeout,
    "refused": refused,
    "recovered": recovered,
    "gpio_writes": stalled_gpio.writes,
    "network_resets": stalled_net.resets,
    "after": after,
}, sys.stdout)
"""


@needs_board_env
def test_pynq_reads_the_vivado_hwh_and_drives_the_design(tiny_bundle: Path, tmp_path: Path) -> None:
    bit = tmp_path / "overlay" / "fpgaflow.bit"
    bit.parent.mkdir()
    bit.write_bytes(b"placeholder: pynq reads the .hwh beside it, nothing is downloaded\n")
    write_hwh(bit.with_suffix(".hwh"), top="myproject_axi", mm2s_bits=32, s2mm_bits=32, length_width=18)
    out = run_json(SCRIPT, str(tiny_bundle), str(bit))
    assert out["pynq"] == "3.1.2"
    # pynq lists the AXI-Lite-addressable IP (the network IP has no registers) and binds its own drivers.
    assert out["ip_dict"] == ["axi_dma_0", "nn_reset", "processing_system7_0"]
    assert out["dma_type"] == "pynq.lib.dma.DMA"
    assert out["gpio_type"] == "pynq.lib.axigpio.AxiGPIO"
    assert (out["dma_addr"], out["gpio_addr"]) == (0x40400000, 0x41200000)
    assert out["dma_length_width"] == "18"
    assert out["design"] == ["axi_dma_0", "nn_0", "nn_reset", "DMA", 2**18 - 1]
    assert out["channel"] == "_SDMAChannel"
    assert ["0x40400000", 65536] in out["mapped"]
    with np.load(tiny_bundle / "expected_outputs.npz") as e:
        expected = e["csim_raw"]
    np.testing.assert_array_equal(np.array(out["raw"], np.float32), expected)
    # A hung network: timeout, the driver refuses to go on, recover() resets the network through pynq's GPIO.
    assert "S2MM (recv) not idle after 0.05 s" in out["timeout"]
    assert out["refused"].startswith("the last transfer failed (S2MM (recv) timed out after 0.05 s")
    assert "The network IP may hold half a map: call the driver's recover()" in out["refused"]
    assert out["recovered"] == "reset the network IP through nn_reset and soft-reset the DMA axi_dma_0"
    assert out["gpio_writes"] == [[0, 0], [0, 1]]
    assert out["network_resets"] == 1
    np.testing.assert_array_equal(np.array(out["after"], np.float32), expected[:4])
