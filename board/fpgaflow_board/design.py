"""Find the AXI DMA and the network IP in a loaded overlay and read the DMA's limits.

Both block-design layouts are accepted: fpgaflow's own (``axi_dma_0`` and ``nn_0`` at the top, names in
:mod:`fpgaflow_board.design_names`) and hls4ml's pynq-z2 template (both inside hierarchy ``hier_0``, the
network named ``<project>_axi_0``).  The network is matched by its VLNV
``xilinx.com:hls:<project>_axi:1.0`` or by instance name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow_board import design_names as names
from fpgaflow_board.errors import DesignMismatchError
from fpgaflow_board.hwh import HwhModule, read_hwh


@dataclass(frozen=True)
class Design:
    """What the driver uses: the DMA driver object and facts about the hardware around it.

    ``max_transfer_bytes`` = 2**c_sg_length_width − 1; ``mm2s_bytes``/``s2mm_bytes`` are the memory-map
    data widths in bytes (buffer start addresses must be multiples of them); ``*_stream_bits`` the
    AXI-Stream TDATA widths.  ``network_reset`` is the driver of the network's reset GPIO (``None`` when
    the design has none).
    """

    dma: Any
    dma_path: str
    network_path: str
    length_width: int
    max_transfer_bytes: int
    mm2s_bytes: int
    s2mm_bytes: int
    mm2s_stream_bits: int
    s2mm_stream_bits: int
    network_reset: Any = None
    network_reset_path: str | None = None


def modules_of(overlay: Any, hwh: str | Path | None) -> tuple[list[HwhModule], str]:
    """IP modules from the ``.hwh`` file, or from ``overlay.ip_dict`` when there is no file."""
    if hwh is not None and Path(hwh).is_file():
        return read_hwh(hwh), str(hwh)
    ip_dict = getattr(overlay, "ip_dict", {}) or {}
    mods = [
        HwhModule(path=k, vlnv=str(v.get("type", "")), parameters=dict(v.get("parameters", {})))
        for k, v in ip_dict.items()
    ]
    return mods, "overlay.ip_dict"


def _listing(mods: list[HwhModule]) -> str:
    shown = ", ".join(f"{m.path} ({m.vlnv})" for m in mods[:20]) or "nothing"
    return shown + (f" and {len(mods) - 20} more" if len(mods) > 20 else "")


def _int_param(mod: HwhModule, key: str, default: int) -> int:
    value = mod.parameter(key)
    return int(value) if value not in (None, "") else default


def _attribute(overlay: Any, path: str, source: str) -> Any:
    """The overlay's driver object for block-design path ``path``: ``hier_0/axi_dma_0`` is
    ``overlay.hier_0.axi_dma_0``."""
    obj = overlay
    for part in path.split("/"):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise DesignMismatchError(
                f"{source} lists {path} but the overlay has no attribute path {path.replace('/', '.')}"
            ) from None
    return obj


def find_design(overlay: Any, hwh: str | Path | None, project_name: str) -> Design:
    """Locate DMA and network; raise :class:`DesignMismatchError` naming what is missing and what exists."""
    mods, source = modules_of(overlay, hwh)
    dmas = [m for m in mods if m.vlnv.startswith(names.DMA_VLNV.rsplit(":", 1)[0] + ":")]
    top = project_name + names.HLS_TOP_SUFFIX
    net_vlnv = f"{names.IP_VENDOR}:{names.IP_LIBRARY}:{top}:"
    nets = [m for m in mods if m.vlnv.startswith(net_vlnv) or m.name in (names.NETWORK_INSTANCE, top + "_0")]
    missing = []
    if not dmas:
        missing.append(f"an AXI DMA ({names.DMA_VLNV}, instance {names.DMA_INSTANCE})")
    if not nets:
        missing.append(f"the network IP ({net_vlnv}1.0, instance {names.NETWORK_INSTANCE} or {top}_0)")
    if missing:
        raise DesignMismatchError(f"{source}: missing {' and '.join(missing)}; found: {_listing(mods)}")
    dma_mod = next((m for m in dmas if m.name == names.DMA_INSTANCE), dmas[0])
    if _int_param(dma_mod, "c_include_sg", 0):
        raise DesignMismatchError(
            f"{source}: {dma_mod.path} is built with scatter-gather (c_include_sg=1); the driver needs simple mode"
        )
    for ch in ("mm2s", "s2mm"):
        if not _int_param(dma_mod, f"c_include_{ch}", 1):
            raise DesignMismatchError(f"{source}: {dma_mod.path} has no {ch.upper()} channel (c_include_{ch}=0)")
    dma = _attribute(overlay, dma_mod.path, source)
    if getattr(dma, "sendchannel", None) is None or getattr(dma, "recvchannel", None) is None:
        raise DesignMismatchError(f"{dma_mod.path}: the DMA driver exposes no sendchannel/recvchannel")
    prefix = dma_mod.path.rpartition("/")[0]
    reset_path = f"{prefix}/{names.NETWORK_RESET_INSTANCE}".lstrip("/")
    reset_mod = next((m for m in mods if m.path == reset_path and m.vlnv.startswith("xilinx.com:ip:axi_gpio:")), None)
    width = _int_param(dma_mod, "c_sg_length_width", names.DMA_LENGTH_WIDTH_DEFAULT)
    max_bytes = int(getattr(dma, "buffer_max_size", (1 << width) - 1))
    return Design(
        dma=dma,
        dma_path=dma_mod.path,
        network_path=next((m for m in nets if m.vlnv.startswith(net_vlnv)), nets[0]).path,
        length_width=width,
        max_transfer_bytes=max_bytes,
        mm2s_bytes=_int_param(dma_mod, "c_m_axi_mm2s_data_width", 32) // 8,
        s2mm_bytes=_int_param(dma_mod, "c_m_axi_s2mm_data_width", 32) // 8,
        mm2s_stream_bits=_int_param(dma_mod, "c_m_axis_mm2s_tdata_width", 32),
        s2mm_stream_bits=_int_param(dma_mod, "c_s_axis_s2mm_tdata_width", 32),
        network_reset=_attribute(overlay, reset_mod.path, source) if reset_mod is not None else None,
        network_reset_path=reset_mod.path if reset_mod is not None else None,
    )
