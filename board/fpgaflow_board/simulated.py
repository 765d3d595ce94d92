"""A simulated PYNQ-Z2 that the unchanged driver runs against: ``SimulatedBoard(bundle).pynq``.

A host-only tool: its network is the bundle's C-simulation library, built for the build host's CPU
(x86-64); on the board's ARM CPU :meth:`SimulatedBoard.from_bundle` refuses in one line before loading it.
Board bundles (those with a bitstream) carry neither this module nor the library.

The namespace offers what the driver takes from the ``pynq`` module — ``Overlay(bitfile, **kwargs)``
and ``allocate(shape, dtype)`` — backed by :mod:`~fpgaflow_board.sim_memory` (physical addresses,
cache flush/invalidate) and :mod:`~fpgaflow_board.sim_devices` (DMA registers, the network running
the bundle's C simulation through ctypes; no TensorFlow).  Like pynq, ``Overlay`` reads the ``.hwh``
beside the bitstream to learn the design; :meth:`SimulatedBoard.write_overlay` writes such a pair
(``fpgaflow.bit`` is a placeholder) in fpgaflow's layout or in hls4ml's (``hier_0``), optionally
omitting an IP so start-up checks can be tested.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fpgaflow_board import design_names as names
from fpgaflow_board.codec import StreamCodec
from fpgaflow_board.csim import CSimLibrary, check_loadable
from fpgaflow_board.errors import HostOnlyError
from fpgaflow_board.hwh import HwhModule, read_hwh, write_hwh
from fpgaflow_board.manifest import Manifest, read_manifest
from fpgaflow_board.sim_devices import SimulatedDma, SimulatedGpio, SimulatedNetwork
from fpgaflow_board.sim_memory import SimulatedMemory

LAYOUTS = ("fpgaflow", "hls4ml")


class _Hierarchy:
    """Attribute access to IP by block-design path, like pynq's hierarchies (``overlay.hier_0.axi_dma_0``)."""

    def __init__(self) -> None:
        self._children: dict[str, Any] = {}

    def _add(self, parts: list[str], obj: Any) -> None:
        if len(parts) == 1:
            self._children[parts[0]] = obj
            return
        child = self._children.setdefault(parts[0], _Hierarchy())
        child._add(parts[1:], obj)

    def __getattr__(self, name: str) -> Any:
        children = self.__dict__.get("_children", {})
        if name in children:
            return children[name]
        raise AttributeError(f"no IP or hierarchy named {name!r} (have {sorted(children)})")


class SimulatedOverlay(_Hierarchy):
    """``pynq.Overlay`` stand-in.  ``init_args`` records every argument it was given."""

    def __init__(
        self,
        board: SimulatedBoard,
        bitfile_name: str,
        dtbo: str | None = None,
        download: bool = True,
        ignore_version: bool = False,
        device: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.init_args = {
            "bitfile_name": bitfile_name,
            "dtbo": dtbo,
            "download": download,
            "ignore_version": ignore_version,
            "device": device,
            **kwargs,
        }
        bit = Path(bitfile_name)
        if not bit.is_file():
            raise OSError(f"Bitstream file {bitfile_name} does not exist.")
        hwh = bit.with_suffix(".hwh")
        if not hwh.is_file():
            raise OSError(f"Cannot find {hwh} (pynq needs the .hwh beside the bitstream)")
        self.bitfile_name = str(bit)
        self.ip_dict: dict[str, dict[str, Any]] = {}
        modules = read_hwh(hwh)
        top = board.manifest.project_name + names.HLS_TOP_SUFFIX
        has_network = any(m.vlnv.split(":")[2:3] == [top] for m in modules)
        network = board.make_network() if has_network else None
        for i, m in enumerate(modules):
            ip: Any
            if m.vlnv.startswith("xilinx.com:ip:axi_dma:"):
                ip = SimulatedDma(board.memory, network, m.path, dict(m.parameters), board.word_bytes, board.channels)
                board.dmas.append(ip)
            elif m.vlnv.startswith("xilinx.com:ip:axi_gpio:"):
                ip = SimulatedGpio(network, m.path)
                board.gpios.append(ip)
            else:
                continue
            self.ip_dict[m.path] = {
                "type": m.vlnv,
                "parameters": dict(m.parameters),
                "fullpath": m.path,
                "phys_addr": 0x4040_0000 + 0x10000 * i,
                "addr_range": 0x10000,
            }
            self._add(m.path.split("/"), ip)
        board.overlays.append(self)

    def is_loaded(self) -> bool:
        return True

    def download(self, *args: Any, **kwargs: Any) -> None:
        return None


class SimulatedBoard:
    """A PYNQ-Z2 with one fpgaflow design.  ``stall`` ∈ {None, "input", "output"}; ``coherent`` picks the
    memory model (False: flush/invalidate needed, as with pynq's default cacheable buffers); ``channels``
    = ``"pynq"`` puts pynq's own ``_SDMAChannel`` (needs pynq installed) on the simulated DMA registers;
    ``clock`` times the simulated hardware (``csim_seconds``, DMA ``busy_seconds``, memory ``copy_seconds``):
    ``time.thread_time`` gives CPU time, immune to other processes on a shared host."""

    def __init__(
        self,
        manifest: Manifest,
        csim: Any,
        *,
        stall: str | None = None,
        coherent: bool = False,
        buffer_offset: int = 0,
        channels: str = "simulated",
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.manifest = manifest
        self.csim = csim
        self.codec = StreamCodec.from_manifest(manifest)
        self.word_bytes = (self.codec.in_word.itemsize, self.codec.out_word.itemsize)
        self.stall = stall
        if channels not in ("simulated", "pynq"):
            raise ValueError(f"channels must be 'simulated' or 'pynq' (pynq's own _SDMAChannel), got {channels!r}")
        self.channels = channels
        self.memory = SimulatedMemory(coherent=coherent, offset=buffer_offset, clock=clock)
        self.dmas: list[SimulatedDma] = []
        self.gpios: list[SimulatedGpio] = []
        self.overlays: list[SimulatedOverlay] = []
        self.networks: list[SimulatedNetwork] = []
        self.pynq = types.SimpleNamespace(
            Overlay=lambda bitfile_name, *args, **kwargs: SimulatedOverlay(self, bitfile_name, *args, **kwargs),
            allocate=self.memory.allocate,
            HOST_SIMULATION=True,  # the driver labels every speed measured here as the host's, not the board's
        )

    @classmethod
    def from_bundle(cls, bundle_dir: str | Path, **kwargs: Any) -> SimulatedBoard:
        """Board running the bundle's C simulation library (``lib/<project>_csim.so`` + ``lib/weights``).

        Raises :class:`HostOnlyError` for a board bundle (no C simulation in it) and on a CPU the library
        was not built for (the PYNQ-Z2's ARM), before anything is loaded."""
        bundle_dir = Path(bundle_dir)
        m = read_manifest(bundle_dir)
        if not m.csim_library:
            raise HostOnlyError(
                f"{bundle_dir} is a board bundle (it has {m.bitstream or 'no C simulation'}) and carries no C "
                "simulation: the simulated board runs on bundles written before the Vivado build, on the build host"
            )
        library = bundle_dir / m.csim_library
        check_loadable(library)
        csim = CSimLibrary(library, m.n_in, m.n_out, m.project_name)
        return cls(m, csim, **kwargs)

    def make_network(self) -> SimulatedNetwork:
        """The network of a newly loaded overlay.  ``stall`` is a fault of the first one only: reprogramming
        the fabric (a new overlay) clears it."""
        net = SimulatedNetwork(
            self.csim, self.codec, self.manifest.n_in, self.manifest.n_out, self.stall, self.memory.clock
        )
        self.stall = None
        self.networks.append(net)
        return net

    @property
    def csim_seconds(self) -> float:
        """Time spent inside the C simulation (the 'hardware'), summed over networks."""
        return sum(n.csim_seconds for n in self.networks)

    def modules(
        self,
        layout: str = "fpgaflow",
        length_width: int = names.DMA_LENGTH_WIDTH_DEFAULT,
        omit: tuple[str, ...] = (),
        mm_width: int = names.DMA_MM_WIDTH_MIN,
    ) -> list[HwhModule]:
        """The design's IP for the hwh: ``omit`` may hold "dma", "network" and "reset" (fpgaflow's network reset
        GPIO; hls4ml's layout has none); ``mm_width`` is the DMA's memory-map data width in bits (buffer
        addresses must be multiples of it)."""
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
        top = self.manifest.project_name + names.HLS_TOP_SUFFIX
        prefix = names.HLS4ML_HIERARCHY + "/" if layout == "hls4ml" else ""
        net_name = top + "_0" if layout == "hls4ml" else names.NETWORK_INSTANCE
        in_bits, out_bits = self.codec.in_word.itemsize * 8, self.codec.out_word.itemsize * 8
        dma_params = {
            "c_include_sg": "0",
            "c_sg_length_width": str(length_width),
            "c_include_mm2s": "1",
            "c_include_s2mm": "1",
            "c_include_mm2s_dre": "0",
            "c_include_s2mm_dre": "0",
            "c_micro_dma": "0",
            "c_m_axi_mm2s_data_width": str(max(mm_width, in_bits)),
            "c_m_axis_mm2s_tdata_width": str(in_bits),
            "c_m_axi_s2mm_data_width": str(max(mm_width, out_bits)),
            "c_s_axis_s2mm_tdata_width": str(out_bits),
        }
        mods = [HwhModule(names.PS_INSTANCE, "xilinx.com:ip:processing_system7:5.5")]
        if "dma" not in omit:
            mods.append(HwhModule(prefix + names.DMA_INSTANCE, names.DMA_VLNV, dma_params))
        if layout == "fpgaflow" and "reset" not in omit:
            gpio_params = {"C_GPIO_WIDTH": "1", "C_ALL_OUTPUTS": "1", "C_DOUT_DEFAULT": "0x00000001"}
            mods.append(HwhModule(names.NETWORK_RESET_INSTANCE, names.GPIO_VLNV, gpio_params))
        if "network" not in omit:
            vlnv = f"{names.IP_VENDOR}:{names.IP_LIBRARY}:{top}:{names.IP_VERSION}"
            mods.append(HwhModule(prefix + net_name, vlnv))
        return mods

    def write_overlay(self, directory: str | Path, **kwargs: Any) -> Path:
        """Write ``fpgaflow.bit`` (placeholder) and ``fpgaflow.hwh``; returns the bitstream path."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        bit = directory / f"{names.OVERLAY_NAME}.bit"
        bit.write_bytes(b"fpgaflow simulated PYNQ-Z2 bitstream placeholder\n")
        write_hwh(bit.with_suffix(".hwh"), self.modules(**kwargs))
        return bit
