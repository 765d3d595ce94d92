"""The hardware handoff (``.hwh``) Vivado writes for fpgaflow's PYNQ-Z2 block design, for tests without Vivado.

The layout follows the files Vivado 2019.2-2020.1 writes (``EDKSYSTEM`` → ``SYSTEMINFO``, ``EXTERNALPORTS``,
``EXTERNALINTERFACES``, ``MODULES``; each ``MODULE`` with ``PARAMETERS``, ``PORTS`` whose ``CONNECTIONS``
name the ports on the same net, ``BUSINTERFACES`` with ``PORTMAPS``, and the processing system's
``MEMORYMAP``), so that pynq's own metadata parser (pynqmetadata, which ``pynq.Overlay`` uses for a full
bitstream) reads it.  Everything the driver and pynq use is as in the design: instance names and VLNVs
from ``fpgaflow_board.design_names``, the AXI DMA's parameters (upper-case HDL generics and the lower-case
user parameters pynq reads), the reset GPIO, the AXI-Lite addresses in the PS7 memory map, the streams
between DMA and network.  Simplified: each AXI interconnect appears as one crossbar module with one port set
per side (Vivado expands it into couplers and a crossbar with vector ports), and only the FIXED_IO external
interface is listed.  Standard library only (the fake ``vivado`` imports it).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "board"))

from fpgaflow_board import design_names as names

#: AXI-Lite slave signals: (name, width, driven by the master).
AXI_LITE = [
    ("AWADDR", 32, True), ("AWVALID", 1, True), ("AWREADY", 1, False), ("WDATA", 32, True), ("WSTRB", 4, True),
    ("WVALID", 1, True), ("WREADY", 1, False), ("BRESP", 2, False), ("BVALID", 1, False), ("BREADY", 1, True),
    ("ARADDR", 32, True), ("ARVALID", 1, True), ("ARREADY", 1, False), ("RDATA", 32, False), ("RRESP", 2, False),
    ("RVALID", 1, False), ("RREADY", 1, True),
]  # fmt: skip
AXI_READ = [
    ("ARADDR", 32, True), ("ARLEN", 8, True), ("ARSIZE", 3, True), ("ARBURST", 2, True), ("ARPROT", 3, True),
    ("ARCACHE", 4, True), ("ARVALID", 1, True), ("ARREADY", 1, False), ("RDATA", 32, False), ("RRESP", 2, False),
    ("RLAST", 1, False), ("RVALID", 1, False), ("RREADY", 1, True),
]  # fmt: skip
AXI_WRITE = [
    ("AWADDR", 32, True), ("AWLEN", 8, True), ("AWSIZE", 3, True), ("AWBURST", 2, True), ("AWPROT", 3, True),
    ("AWCACHE", 4, True), ("AWVALID", 1, True), ("AWREADY", 1, False), ("WDATA", 32, True), ("WSTRB", 4, True),
    ("WLAST", 1, True), ("WVALID", 1, True), ("WREADY", 1, False), ("BRESP", 2, False), ("BVALID", 1, False),
    ("BREADY", 1, True),
]  # fmt: skip
#: The PS7's FIXED_IO pins (MIO and the PS clock and resets) and their widths.
FIXED_IO = {"MIO": 54, "PS_CLK": 1, "PS_PORB": 1, "PS_SRSTB": 1}
#: What the PS7 records for its unused fabric clocks FCLK1..3.
UNUSED_FCLK = {"CLKSRC": "IO PLL", "DIVISOR0": "1", "DIVISOR1": "1"}
AXIMM = "xilinx.com:interface:aximm:1.0"
AXIS = "xilinx.com:interface:axis:1.0"


@dataclass
class _Bus:
    name: str
    kind: str  # MASTER / SLAVE / INITIATOR / TARGET
    vlnv: str
    portmap: list[tuple[str, str, int]]  # logical, physical port, width
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class _Module:
    path: str
    vlnv: str
    modclass: str = "PERIPHERAL"
    params: dict[str, str] = field(default_factory=dict)
    ports: list[tuple[str, str, int, str]] = field(default_factory=list)  # name, dir, width, sigis
    buses: list[_Bus] = field(default_factory=list)
    memory_map: list[dict[str, str]] = field(default_factory=list)

    @property
    def instance(self) -> str:
        return self.path.replace("/", "_")

    def bus(
        self,
        name: str,
        kind: str,
        signals: list[tuple[str, int, bool]],
        prefix: str,
        driver_is_me: bool,
        vlnv: str = AXIMM,
        lower: bool = True,
    ) -> _Bus:
        portmap = []
        for logical, width, from_master in signals:
            physical = prefix + (logical.lower() if lower else logical)
            out = from_master == driver_is_me
            self.ports.append((physical, "O" if out else "I", width, "undef"))
            portmap.append((logical, physical, width))
        bus = _Bus(name, kind, vlnv, portmap)
        self.buses.append(bus)
        return bus


class Netlist:
    """Modules plus nets (signal name → [(instance, port)]); writes the .hwh."""

    def __init__(self) -> None:
        self.modules: dict[str, _Module] = {}
        self.nets: dict[str, list[tuple[str, str]]] = {}
        self.signame: dict[tuple[str, str], str] = {}
        self.direction: dict[tuple[str, str], str] = {}

    def add(self, module: _Module) -> _Module:
        self.modules[module.instance] = module
        return module

    def connect(self, signame: str, *pins: tuple[_Module, str]) -> None:
        for module, port in pins:
            self.nets.setdefault(signame, []).append((module.instance, port))
            self.signame[(module.instance, port)] = signame

    def link(self, a: _Module, bus_a: _Bus, b: _Module, bus_b: _Bus, busname: str) -> None:
        """Connect two bus interfaces signal by signal (by logical name)."""
        other = {logical: physical for logical, physical, _ in bus_b.portmap}
        for logical, physical, _ in bus_a.portmap:
            if logical in other:
                self.connect(f"{busname}_{logical}", (a, physical), (b, other[logical]))
        bus_a.params["BUSNAME"] = bus_b.params["BUSNAME"] = busname

    def write(self, path: Path, vivado_version: str = "2020.1") -> Path:
        root = ET.Element("EDKSYSTEM", EDWVERSION="1.2", TIMESTAMP="Thu Jan 16 10:00:00 2025")
        root.set("VIVADOVERSION", vivado_version)
        ET.SubElement(
            root,
            "SYSTEMINFO",
            ARCH="zynq",
            BOARD="tul.com.tw:pynq-z2:part0:1.0",
            DEVICE="7z020",
            NAME=names.BD_NAME,
            PACKAGE="clg400",
            SPEEDGRADE="-1",
        )
        ps = self.modules[names.PS_INSTANCE]
        ext = ET.SubElement(root, "EXTERNALPORTS")
        ext_itf = ET.SubElement(root, "EXTERNALINTERFACES")
        fixed = ET.SubElement(ext_itf, "BUSINTERFACE", BUSNAME="processing_system7_0_FIXED_IO", NAME="FIXED_IO")
        fixed.set("TYPE", "INITIATOR")
        ET.SubElement(ET.SubElement(fixed, "PARAMETERS"), "PARAMETER", NAME="CAN_DEBUG", VALUE="false")
        maps = ET.SubElement(fixed, "PORTMAPS")
        for logical, width in FIXED_IO.items():
            physical = f"FIXED_IO_{logical.lower()}"
            port = ET.SubElement(ext, "PORT", DIR="IO", NAME=physical, SIGIS="undef")
            port.set("SIGNAME", f"processing_system7_0_{logical}")
            if width > 1:
                port.set("LEFT", str(width - 1))
                port.set("RIGHT", "0")
            ET.SubElement(ET.SubElement(port, "CONNECTIONS"), "CONNECTION", INSTANCE=ps.instance, PORT=logical)
            ET.SubElement(maps, "PORTMAP", LOGICAL=logical, PHYSICAL=physical)
        self.direction = {(m.instance, port): d for m in self.modules.values() for port, d, _w, _s in m.ports}
        mods = ET.SubElement(root, "MODULES")
        for module in self.modules.values():
            self._module(mods, module)
        ET.indent(root, space="  ")
        path = Path(path)
        ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
        return path

    def _module(self, parent: ET.Element, m: _Module) -> None:
        name, version = m.vlnv.split(":")[2:]
        el = ET.SubElement(
            parent,
            "MODULE",
            COREREVISION="0",
            FULLNAME="/" + m.path,
            HWVERSION=version,
            INSTANCE=m.instance,
            IPTYPE="PERIPHERAL",
            IS_ENABLE="1",
            MODCLASS=m.modclass,
            MODTYPE=name,
            VLNV=m.vlnv,
        )
        params = ET.SubElement(el, "PARAMETERS")
        for key, value in m.params.items():
            if not key.startswith("_"):
                ET.SubElement(params, "PARAMETER", NAME=key, VALUE=value)
        if m.memory_map:
            mmap = ET.SubElement(el, "MEMORYMAP")
            for entry in m.memory_map:
                ET.SubElement(mmap, "MEMRANGE", **entry)
        ports = ET.SubElement(el, "PORTS")
        for port, direction, width, sigis in m.ports:
            p = ET.SubElement(ports, "PORT", DIR=direction, NAME=port, SIGIS=sigis)
            if width > 1:
                p.set("LEFT", str(width - 1))
                p.set("RIGHT", "0")
            if sigis == "clk":
                p.set("CLKFREQUENCY", m.params.get("_clk_hz", "100000000"))
            signame = self.signame.get((m.instance, port))
            if signame is not None:
                p.set("SIGNAME", signame)
                # As Vivado lists them: a sink names the net's driver, a driver names every sink.
                cons = ET.SubElement(p, "CONNECTIONS")
                for instance, other in self.nets[signame]:
                    other_dir = self.direction[(instance, other)]
                    if (instance, other) != (m.instance, port) and other_dir != direction:
                        ET.SubElement(cons, "CONNECTION", INSTANCE=instance, PORT=other)
            elif m.instance == names.PS_INSTANCE and port in FIXED_IO:  # the board's MIO/clock/reset pins
                p.set("SIGNAME", f"processing_system7_0_{port}")
                cons = ET.SubElement(p, "CONNECTIONS")
                ET.SubElement(cons, "CONNECTION", INSTANCE="External_Ports", PORT=f"FIXED_IO_{port.lower()}")
            else:
                p.set("SIGNAME", "__NOC__")  # unconnected (e.g. the DMA's TKEEP towards the network)
        buses = ET.SubElement(el, "BUSINTERFACES")
        for bus in m.buses:
            b = ET.SubElement(buses, "BUSINTERFACE", BUSNAME=bus.params.get("BUSNAME", "__NOC__"), NAME=bus.name)
            b.set("TYPE", bus.kind)
            b.set("VLNV", bus.vlnv)
            bp = ET.SubElement(b, "PARAMETERS")
            for key, value in bus.params.items():
                if key != "BUSNAME":
                    ET.SubElement(bp, "PARAMETER", NAME=key, VALUE=value)
            pm = ET.SubElement(b, "PORTMAPS")
            for logical, physical, width in bus.portmap:
                entry = ET.SubElement(pm, "PORTMAP", LOGICAL=logical, PHYSICAL=physical)
                if width > 1:
                    entry.set("LEFT", str(width - 1))
                    entry.set("RIGHT", "0")


def _axis(module: _Module, name: str, prefix: str, bits: int, kind: str, keep: bool, lower: bool) -> _Bus:
    signals = [("TDATA", bits, True), ("TVALID", 1, True), ("TREADY", 1, False), ("TLAST", 1, True)]
    if keep:
        signals.insert(1, ("TKEEP", bits // 8, True))
    bus = module.bus(name, kind, signals, prefix, driver_is_me=kind == "MASTER", vlnv=AXIS, lower=lower)
    bus.params.update({"TDATA_NUM_BYTES": str(bits // 8), "HAS_TLAST": "1", "HAS_TKEEP": "1" if keep else "0"})
    return bus


def netlist(
    *,
    top: str = names.HLS_TOP,
    mm2s_bits: int = 32,
    s2mm_bits: int = 32,
    length_width: int = 18,
    fclk_mhz: float = 100.0,
    with_reset: bool = True,
) -> Netlist:
    """fpgaflow's block design (vivado_scripts/block_design.tcl) as a netlist."""
    mm_bits = max(names.DMA_MM_WIDTH_MIN, mm2s_bits, s2mm_bits)
    n = Netlist()
    clk_hz = str(round(fclk_mhz * 1e6))
    divisor = round(1000 / fclk_mhz)  # IO PLL 1000 MHz / divisor0 / divisor1
    ps = n.add(
        _Module(
            names.PS_INSTANCE,
            "xilinx.com:ip:processing_system7:5.5",
            modclass="PROCESSOR",
            params={
                "C_FCLK_CLK0_FREQ": clk_hz,
                "PCW_FPGA0_PERIPHERAL_FREQMHZ": f"{fclk_mhz:g}",
                "PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ": f"{fclk_mhz:.6f}",
                "PCW_FCLK0_PERIPHERAL_CLKSRC": "IO PLL",
                "PCW_FCLK0_PERIPHERAL_DIVISOR0": str(divisor // 2 if divisor % 2 == 0 else divisor),
                "PCW_FCLK0_PERIPHERAL_DIVISOR1": "2" if divisor % 2 == 0 else "1",
                **{f"PCW_FCLK{i}_PERIPHERAL_{key}": value for i in (1, 2, 3) for key, value in UNUSED_FCLK.items()},
                **{f"PCW_FPGA_FCLK{i}_ENABLE": "1" if i == 0 else "0" for i in range(4)},
                "PCW_EN_CLK0_PORT": "1",
                "PCW_EN_RST0_PORT": "1",
                "PCW_USE_M_AXI_GP0": "1",
                "PCW_USE_S_AXI_HP0": "1",
                "PCW_S_AXI_HP0_DATA_WIDTH": "64",
                "Component_Name": f"{names.BD_NAME}_processing_system7_0_0",
                "EDK_IPTYPE": "PERIPHERAL",
                "_clk_hz": clk_hz,
            },
        )
    )
    ps.ports += [
        ("FCLK_CLK0", "O", 1, "clk"),
        ("FCLK_RESET0_N", "O", 1, "rst"),
        ("M_AXI_GP0_ACLK", "I", 1, "clk"),
        ("S_AXI_HP0_ACLK", "I", 1, "clk"),
        *((pin, "IO", width, "undef") for pin, width in FIXED_IO.items()),
    ]
    gp0 = ps.bus("M_AXI_GP0", "MASTER", AXI_LITE, "M_AXI_GP0_", driver_is_me=True, lower=False)
    gp0.params.update({"PROTOCOL": "AXI3", "DATA_WIDTH": "32"})
    hp0 = ps.bus("S_AXI_HP0", "SLAVE", AXI_READ + AXI_WRITE, "S_AXI_HP0_", driver_is_me=False, lower=False)
    hp0.params.update({"PROTOCOL": "AXI3", "DATA_WIDTH": "64"})

    reset = n.add(_Module(names.RESET_INSTANCE, "xilinx.com:ip:proc_sys_reset:5.0"))
    reset.params.update({"C_NUM_PERP_ARESETN": "1", "C_NUM_INTERCONNECT_ARESETN": "1", "_clk_hz": clk_hz})
    reset.ports += [
        ("slowest_sync_clk", "I", 1, "clk"),
        ("ext_reset_in", "I", 1, "rst"),
        ("interconnect_aresetn", "O", 1, "rst"),
        ("peripheral_aresetn", "O", 1, "rst"),
    ]

    dma_params_lower = {
        "c_include_sg": "0",
        "c_sg_include_stscntrl_strm": "0",
        "c_sg_length_width": str(length_width),
        "c_include_mm2s": "1",
        "c_include_s2mm": "1",
        "c_m_axi_mm2s_data_width": str(mm_bits),
        "c_m_axis_mm2s_tdata_width": str(mm2s_bits),
        "c_m_axi_s2mm_data_width": str(mm_bits),
        "c_s_axis_s2mm_tdata_width": str(s2mm_bits),
        "c_mm2s_burst_size": "256",
        "c_s2mm_burst_size": "256",
        "c_include_mm2s_dre": "0",
        "c_include_s2mm_dre": "0",
        "c_micro_dma": "0",
        "c_addr_width": "32",
    }
    dma = n.add(_Module(names.DMA_INSTANCE, names.DMA_VLNV))
    dma.params.update({k.upper(): v for k, v in dma_params_lower.items()})
    dma.params.update({"C_S_AXI_LITE_ADDR_WIDTH": "10", "C_S_AXI_LITE_DATA_WIDTH": "32", "C_FAMILY": "zynq"})
    dma.params["Component_Name"] = f"{names.BD_NAME}_{names.DMA_INSTANCE}_0"
    dma.params.update(dma_params_lower)
    dma.params.update({"EDK_IPTYPE": "PERIPHERAL", "C_BASEADDR": "0x40400000", "C_HIGHADDR": "0x4040FFFF"})
    dma.params["_clk_hz"] = clk_hz
    dma.ports += [
        ("s_axi_lite_aclk", "I", 1, "clk"),
        ("m_axi_mm2s_aclk", "I", 1, "clk"),
        ("m_axi_s2mm_aclk", "I", 1, "clk"),
        ("axi_resetn", "I", 1, "rst"),
        ("mm2s_prmry_reset_out_n", "O", 1, "rst"),
        ("s2mm_prmry_reset_out_n", "O", 1, "rst"),
        ("mm2s_introut", "O", 1, "intr"),
        ("s2mm_introut", "O", 1, "intr"),
    ]
    dma_lite = dma.bus("S_AXI_LITE", "SLAVE", AXI_LITE, "s_axi_lite_", driver_is_me=False)
    dma_mm2s = dma.bus("M_AXI_MM2S", "MASTER", AXI_READ, "m_axi_mm2s_", driver_is_me=True)
    dma_s2mm = dma.bus("M_AXI_S2MM", "MASTER", AXI_WRITE, "m_axi_s2mm_", driver_is_me=True)
    dma_out = _axis(dma, "M_AXIS_MM2S", "m_axis_mm2s_", mm2s_bits, "MASTER", keep=True, lower=True)
    dma_in = _axis(dma, "S_AXIS_S2MM", "s_axis_s2mm_", s2mm_bits, "SLAVE", keep=True, lower=True)
    for bus in (dma_mm2s, dma_s2mm):
        dma.memory_map.append(
            {
                "ADDRESSBLOCK": "HP0_DDR_LOWOCM",
                "BASENAME": "C_BASEADDR",
                "BASEVALUE": "0x00000000",
                "HIGHNAME": "C_HIGHADDR",
                "HIGHVALUE": "0x1FFFFFFF",
                "INSTANCE": ps.instance,
                "IS_DATA": "TRUE",
                "IS_INSTRUCTION": "FALSE",
                "MASTERBUSINTERFACE": bus.name,
                "MEMTYPE": "MEMORY",
                "SLAVEBUSINTERFACE": "S_AXI_HP0",
            }
        )

    net = n.add(_Module(names.NETWORK_INSTANCE, f"{names.IP_VENDOR}:{names.IP_LIBRARY}:{top}:{names.IP_VERSION}"))
    net.params.update({"Component_Name": f"{names.BD_NAME}_{top}_0_0", "EDK_IPTYPE": "PERIPHERAL", "_clk_hz": clk_hz})
    net.ports += [("ap_clk", "I", 1, "clk"), ("ap_rst_n", "I", 1, "rst")]
    net_in = _axis(net, names.NETWORK_IN_PORT, names.NETWORK_IN_PORT + "_", mm2s_bits, "SLAVE", False, lower=False)
    net_out = _axis(net, names.NETWORK_OUT_PORT, names.NETWORK_OUT_PORT + "_", s2mm_bits, "MASTER", False, False)

    gp0_ic = n.add(_Module(f"{names.GP0_INTERCONNECT}/xbar", "xilinx.com:ip:axi_crossbar:2.1"))
    gp0_ic.params["_clk_hz"] = clk_hz
    gp0_ic.ports += [("aclk", "I", 1, "clk"), ("aresetn", "I", 1, "rst")]
    ic_s = gp0_ic.bus("S00_AXI", "SLAVE", AXI_LITE, "s00_axi_", driver_is_me=False)
    ic_m0 = gp0_ic.bus("M00_AXI", "MASTER", AXI_LITE, "m00_axi_", driver_is_me=True)
    hp0_ic = n.add(_Module(f"{names.HP0_INTERCONNECT}/xbar", "xilinx.com:ip:axi_crossbar:2.1"))
    hp0_ic.params["_clk_hz"] = clk_hz
    hp0_ic.ports += [("aclk", "I", 1, "clk"), ("aresetn", "I", 1, "rst")]
    hp_s0 = hp0_ic.bus("S00_AXI", "SLAVE", AXI_READ, "s00_axi_", driver_is_me=False)
    hp_s1 = hp0_ic.bus("S01_AXI", "SLAVE", AXI_WRITE, "s01_axi_", driver_is_me=False)
    hp_m0 = hp0_ic.bus("M00_AXI", "MASTER", AXI_READ + AXI_WRITE, "m00_axi_", driver_is_me=True)

    n.link(ps, gp0, gp0_ic, ic_s, "processing_system7_0_M_AXI_GP0")
    n.link(gp0_ic, ic_m0, dma, dma_lite, "ps7_gp0_intercon_M00_AXI")
    n.link(dma, dma_mm2s, hp0_ic, hp_s0, "axi_dma_0_M_AXI_MM2S")
    n.link(dma, dma_s2mm, hp0_ic, hp_s1, "axi_dma_0_M_AXI_S2MM")
    n.link(hp0_ic, hp_m0, ps, hp0, "axi_mem_intercon_M00_AXI")
    n.link(dma, dma_out, net, net_in, "axi_dma_0_M_AXIS_MM2S")
    n.link(net, net_out, dma, dma_in, "nn_0_out_r")

    memory_map = [(dma, dma_lite, "0x40400000", "0x4040FFFF")]
    clocked = [
        (ps, "M_AXI_GP0_ACLK"), (ps, "S_AXI_HP0_ACLK"), (reset, "slowest_sync_clk"), (dma, "s_axi_lite_aclk"),
        (dma, "m_axi_mm2s_aclk"), (dma, "m_axi_s2mm_aclk"), (net, "ap_clk"), (gp0_ic, "aclk"), (hp0_ic, "aclk"),
    ]  # fmt: skip
    periph = [(dma, "axi_resetn"), (gp0_ic, "aresetn"), (hp0_ic, "aresetn")]
    if with_reset:
        gpio = n.add(_Module(names.NETWORK_RESET_INSTANCE, names.GPIO_VLNV))
        gpio.params.update(
            {
                "C_GPIO_WIDTH": "1",
                "C_ALL_OUTPUTS": "1",
                "C_ALL_INPUTS": "0",
                "C_DOUT_DEFAULT": "0x00000001",
                "C_TRI_DEFAULT": "0xFFFFFFFF",
                "C_IS_DUAL": "0",
                "C_INTERRUPT_PRESENT": "0",
                "C_S_AXI_ADDR_WIDTH": "9",
                "Component_Name": f"{names.BD_NAME}_{names.NETWORK_RESET_INSTANCE}_0",
                "EDK_IPTYPE": "PERIPHERAL",
                "C_BASEADDR": "0x41200000",
                "C_HIGHADDR": "0x4120FFFF",
                "_clk_hz": clk_hz,
            }
        )
        gpio.ports += [("s_axi_aclk", "I", 1, "clk"), ("s_axi_aresetn", "I", 1, "rst"), ("gpio_io_o", "O", 1, "data")]
        gpio_lite = gpio.bus("S_AXI", "SLAVE", AXI_LITE, "s_axi_", driver_is_me=False)
        ic_m1 = gp0_ic.bus("M01_AXI", "MASTER", AXI_LITE, "m01_axi_", driver_is_me=True)
        n.link(gp0_ic, ic_m1, gpio, gpio_lite, "ps7_gp0_intercon_M01_AXI")
        gate = n.add(_Module(names.NETWORK_RESET_GATE, names.GATE_VLNV))
        gate.params.update({"C_SIZE": "1", "C_OPERATION": "and", "Component_Name": f"{names.BD_NAME}_gate_0"})
        gate.ports += [("Op1", "I", 1, "undef"), ("Op2", "I", 1, "undef"), ("Res", "O", 1, "undef")]
        n.connect("nn_reset_gpio_io_o", (gpio, "gpio_io_o"), (gate, "Op2"))
        n.connect("nn_reset_and_Res", (gate, "Res"), (net, "ap_rst_n"))
        periph += [(gpio, "s_axi_aresetn"), (gate, "Op1")]
        clocked.append((gpio, "s_axi_aclk"))
        memory_map.append((gpio, gpio_lite, "0x41200000", "0x4120FFFF"))
    else:
        periph.append((net, "ap_rst_n"))
    n.connect("processing_system7_0_FCLK_CLK0", (ps, "FCLK_CLK0"), *clocked)
    n.connect("processing_system7_0_FCLK_RESET0_N", (ps, "FCLK_RESET0_N"), (reset, "ext_reset_in"))
    n.connect("rst_fclk0_peripheral_aresetn", (reset, "peripheral_aresetn"), *periph)
    for module, bus, base, high in memory_map:
        ps.memory_map.append(
            {
                "ADDRESSBLOCK": "Reg",
                "BASENAME": "C_BASEADDR",
                "BASEVALUE": base,
                "HIGHNAME": "C_HIGHADDR",
                "HIGHVALUE": high,
                "INSTANCE": module.instance,
                "IS_DATA": "TRUE",
                "IS_INSTRUCTION": "TRUE",
                "MASTERBUSINTERFACE": "M_AXI_GP0",
                "MEMTYPE": "REGISTER",
                "SLAVEBUSINTERFACE": bus.name,
            }
        )
    return n


def write_hwh(path: Path, **design: object) -> Path:
    """Write the .hwh of fpgaflow's block design (keyword arguments: see :func:`netlist`)."""
    return netlist(**design).write(path)  # type: ignore[arg-type]


def write_from_vars(v: dict[str, str], path: Path) -> Path:
    """The .hwh for the design a ``vars.tcl`` describes (what the fake ``vivado`` bitstream stage writes)."""
    return write_hwh(
        path,
        top=v["hls_top"],
        mm2s_bits=int(v["dma_mm2s_width"]),
        s2mm_bits=int(v["dma_s2mm_width"]),
        length_width=int(v["dma_length_width"]),
        fclk_mhz=float(v["fclk_mhz"]),
    )
