"""Read the IP blocks of a Vivado hardware handoff (``.hwh``) file — standard library only.

PYNQ only lists IP with an AXI-Lite register map in ``Overlay.ip_dict``; hls4ml's network IP is
``ap_ctrl_none`` (no registers), so the driver checks for it in the ``.hwh`` that sits beside every
bitstream.  A module is ``<MODULE FULLNAME="/hier_0/axi_dma_0" VLNV="xilinx.com:ip:axi_dma:7.1">`` with
``<PARAMETER NAME=... VALUE=...>`` children.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class HwhModule:
    """One IP instance: ``path`` like ``hier_0/axi_dma_0`` (no leading slash), its VLNV and parameters."""

    path: str
    vlnv: str
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def parameter(self, name: str) -> str | None:
        """A parameter by case-insensitive name (Vivado writes both ``C_SG_LENGTH_WIDTH`` and lower case)."""
        lowered = {k.lower(): v for k, v in self.parameters.items()}
        return lowered.get(name.lower())


def read_hwh(path: str | Path) -> list[HwhModule]:
    """All modules of ``path`` in file order; raises ``ValueError`` naming the file if it is not a hwh."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{path}: not a readable .hwh (XML) file: {exc}") from None
    modules = []
    for mod in root.iter("MODULE"):
        full = mod.get("FULLNAME") or mod.get("INSTANCE") or ""
        # Only the module's own parameters: its bus interfaces carry PARAMETERS of their own.
        params = {p.get("NAME", ""): p.get("VALUE", "") for p in mod.findall("./PARAMETERS/PARAMETER")}
        modules.append(HwhModule(path=full.lstrip("/"), vlnv=mod.get("VLNV", ""), parameters=params))
    if not modules:
        raise ValueError(f"{path}: no <MODULE> elements; is this a Vivado hardware handoff file?")
    return modules


def write_hwh(path: str | Path, modules: list[HwhModule], design: str = "fpgaflow_bd") -> Path:
    """Write a minimal hwh with ``modules`` (the simulated board describes its design this way)."""
    root = ET.Element("EDKSYSTEM", EDWVERSION="1.2", VIVADOVERSION="simulated")
    ET.SubElement(root, "SYSTEMINFO", ARCH="zynq", DEVICE="7z020", NAME=design, PACKAGE="clg400", SPEEDGRADE="-1")
    mods = ET.SubElement(root, "MODULES")
    for m in modules:
        el = ET.SubElement(
            mods,
            "MODULE",
            FULLNAME="/" + m.path,
            INSTANCE=m.path.replace("/", "_"),
            VLNV=m.vlnv,
            MODTYPE=m.vlnv.split(":")[2] if m.vlnv.count(":") >= 2 else m.name,
        )
        params = ET.SubElement(el, "PARAMETERS")
        for k, v in m.parameters.items():
            ET.SubElement(params, "PARAMETER", NAME=k, VALUE=v)
    path = Path(path)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    return path
