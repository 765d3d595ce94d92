"""Read what the build needs from an hls4ml project directory of either deployable route.

hls4ml writes ``project.tcl`` (project name, backend, part, clock, clock uncertainty).  The stream geometry
comes from the AXI-Stream top:

* **VivadoAccelerator** (Vivado HLS): hls4ml's ``firmware/<name>_axi.h`` (``N_IN``/``N_OUT`` words per sample
  and the word types ``T_in``/``T_out``).  The widths are read from the header, not from ``project.tcl``:
  hls4ml 1.3.0 writes the input width into ``bit_width_hls_output`` and the output width into
  ``bit_width_hls_input`` (swapped).
* **Vitis** (Vitis HLS): fpgaflow's own top, described by ``fpgaflow_axis.json``
  (:mod:`fpgaflow.convert.axis_wrapper`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from fpgaflow.convert.axis_wrapper import AXIS_RECORD, read_axis_wrapper
from fpgaflow.errors import StepError
from fpgaflow_board import design_names
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import parse_fixed

_TCL_SET = re.compile(r'^\s*set\s+(\w+)\s+"?([^"\s]*)"?\s*$')
#: hls4ml's ``set backend`` value → the HLS tool family that builds it.
ROUTES = {"vivadoaccelerator": "vivado_hls", "vitis": "vitis_hls"}
_CONST = re.compile(r"static\s+const\s+unsigned\s+(N_IN|N_OUT)\s*=\s*(\d+)\s*;")
_TYPEDEF = re.compile(r"typedef\s+(.+?)\s+(T_in|T_out)\s*;")
#: What the hls stage reads from an hls4ml project's ``firmware/``: C++ sources, headers, weight files.
SOURCE_SUFFIXES = (".cpp", ".cc", ".h", ".hpp", ".txt")


def sources_digest(project_dir: Path) -> str:
    """SHA-256 (first 16 hex digits) over the relative path and content of every file the hls stage reads:
    ``project.tcl`` and the ``firmware/`` sources (on the Vitis route fpgaflow's AXI-Stream top among them).
    Built libraries (the C-simulation ``.so``) are left out."""
    project_dir = Path(project_dir)
    files = [project_dir / "project.tcl"]
    firmware = project_dir / "firmware"
    if firmware.is_dir():
        files += sorted(p for p in firmware.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES)
    h = hashlib.sha256()
    for path in files:
        if path.is_file():
            h.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class AcceleratorProject:
    """A deployable hls4ml project: names, target, the HLS tool family and stream geometry.

    ``backend``: hls4ml's ``vivadoaccelerator`` or ``vitis``; ``clock_uncertainty``: as hls4ml wrote it
    (12.5 % for Vivado HLS, 27 % for Vitis HLS).  ``n_in``/``n_out``: AXI-Stream words per sample into /
    out of the network; ``in_bits``/``out_bits``: the width of one word (32 for ``float``, W for
    ``ap_fixed<W,I>``, the lanes of a packed word); ``sources_digest``: :func:`sources_digest` of the project
    when it was read (what ties a build to the sources it was made from).
    """

    path: Path
    name: str
    part: str
    clock_period_ns: float
    n_in: int
    n_out: int
    in_bits: int
    out_bits: int
    backend: str = "vivadoaccelerator"
    clock_uncertainty: str = "12.5%"
    sources_digest: str = ""

    @property
    def hls_tool(self) -> str:
        """``vivado_hls`` (VivadoAccelerator) or ``vitis_hls`` (Vitis): the tool family of the hls stage."""
        return ROUTES[self.backend]

    @property
    def top(self) -> str:
        """The HLS top function: hls4ml's AXI wrapper ``<name>_axi``."""
        return self.name + design_names.HLS_TOP_SUFFIX

    @property
    def bytes_per_sample(self) -> int:
        """Bytes of the larger of one sample's input and output transfer (DMA words are whole bytes)."""
        return max(self.n_in * self.in_bits, self.n_out * self.out_bits) // 8


def _word_bits(ctype: str, header: Path) -> int:
    ctype = ctype.strip()
    if ctype == "float":
        return 32
    if ctype == "double":
        return 64
    if ctype.startswith("ap_"):
        try:
            return parse_fixed(ctype).width
        except FixedPointError as exc:
            raise StepError(f"{header}: stream type {ctype!r}: {exc}") from None
    if ctype.startswith(("fixed<", "ufixed<")):
        # hls4ml 1.3.0 writes its internal precision string here for non-float accelerator types.
        raise StepError(
            f"{header}: stream type {ctype!r} is not a C++ type (hls4ml 1.3.0 writes it for ap_fixed "
            "accelerator precisions; C synthesis would fail): convert with input/output type 'float' or "
            f"change it to 'ap_{ctype}'"
        )
    raise StepError(f"{header}: cannot tell the bit width of stream type {ctype!r} (float, double or ap_fixed<W,I>)")


def read_project(path: Path) -> AcceleratorProject:
    """Read ``path`` (an hls4ml project directory); raise :class:`StepError` naming what is missing."""
    path = Path(path).resolve()
    project_tcl = path / "project.tcl"
    if not project_tcl.is_file():
        raise StepError(f"{path} is not an hls4ml project: {project_tcl.name} is missing (write it with fpgaflow run)")
    values: dict[str, str] = {}
    for line in project_tcl.read_text(encoding="utf-8").splitlines():
        match = _TCL_SET.match(line)
        if match:
            values[match.group(1)] = match.group(2)
    for key in ("project_name", "part", "clock_period", "backend"):
        if key not in values:
            raise StepError(f"{project_tcl}: no 'set {key} ...' line")
    backend = values["backend"].lower()
    if backend not in ROUTES:
        raise StepError(
            f"{project_tcl}: backend is {values['backend']!r}; fpgaflow build needs a VivadoAccelerator "
            "project (Vivado HLS) or a Vitis project with fpgaflow's AXI-Stream top (Vitis HLS): convert with "
            "convert.backend VivadoAccelerator or Vitis, io_type io_stream"
        )
    try:
        clock = float(values["clock_period"])
    except ValueError:
        raise StepError(f"{project_tcl}: clock_period {values['clock_period']!r} is not a number") from None
    name = values["project_name"]
    geometry = _vitis_geometry(path, name) if backend == "vitis" else _accelerator_geometry(path, name)
    return AcceleratorProject(
        path=path,
        name=name,
        part=values["part"],
        clock_period_ns=clock,
        n_in=geometry[0],
        n_out=geometry[1],
        in_bits=geometry[2],
        out_bits=geometry[3],
        backend=backend,
        clock_uncertainty=values.get("clock_uncertainty", "27%" if backend == "vitis" else "12.5%"),
        sources_digest=sources_digest(path),
    )


def _vitis_geometry(path: Path, name: str) -> tuple[int, int, int, int]:
    """Words per sample in/out and their widths, from fpgaflow's record of its AXI-Stream top."""
    axis = read_axis_wrapper(path)
    if axis is None:
        raise StepError(
            f"{path / AXIS_RECORD} is missing: this Vitis project has no AXI-Stream top (hls4ml's Vitis backend "
            "writes none); convert it with fpgaflow (convert.backend Vitis)"
        )
    if axis.project_name != name:
        raise StepError(f"{path / AXIS_RECORD}: project {axis.project_name!r}, project.tcl says {name!r}")
    return axis.in_words, axis.out_words, axis.in_word_bits, axis.out_word_bits


def _accelerator_geometry(path: Path, name: str) -> tuple[int, int, int, int]:
    """Words per sample in/out and their widths, from hls4ml's ``firmware/<name>_axi.h``."""
    header = path / "firmware" / f"{name}_axi.h"
    if not header.is_file():
        raise StepError(f"{header} is missing: the project has no AXI-Stream wrapper")
    text = header.read_text(encoding="utf-8")
    consts = dict(_CONST.findall(text))
    types = {alias: ctype for ctype, alias in _TYPEDEF.findall(text)}
    for key in ("N_IN", "N_OUT"):
        if key not in consts:
            raise StepError(f"{header}: no 'static const unsigned {key} = ...;'")
    for key in ("T_in", "T_out"):
        if key not in types:
            raise StepError(f"{header}: no 'typedef ... {key};'")
    return (
        int(consts["N_IN"]),
        int(consts["N_OUT"]),
        _word_bits(types["T_in"], header),
        _word_bits(types["T_out"], header),
    )
