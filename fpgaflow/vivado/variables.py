"""Generate ``vars.tcl``: the only file that carries parameters into the static TCL of ``vivado_scripts/``.

Every value is checked before it is written (identifiers, part names, numbers, paths without Tcl
metacharacters) and paths are written brace-quoted, so nothing from a config file can inject Tcl.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

from fpgaflow.errors import ConfigError
from fpgaflow.vivado.config import BuildConfig
from fpgaflow.vivado.project import AcceleratorProject
from fpgaflow_board import design_names
from fpgaflow_board.atomic import write_text
from fpgaflow_board.boards import get_board

#: Format version of vars.tcl; the scripts refuse other versions.
VARS_VERSION = 1
_WORD = re.compile(r"^[A-Za-z0-9_.:%-]+$")
_UNSAFE_PATH = set('{}\\[]$"\n\r;')


@dataclass(frozen=True)
class BuildLayout:
    """Where the build writes: ``root`` is ``RUN_DIR/vivado`` or ``<project>/<build_subdir>``
    (:func:`fpgaflow.vivado.location.build_root`); the Vivado HLS project ``<name>_prj`` lives in it too."""

    root: Path

    def hls_prj_dir(self, project_name: str) -> Path:
        """The Vivado HLS project (``<name>_prj``, with ``solution1/``)."""
        return self.root / f"{project_name}_prj"

    def ip_repo(self, project_name: str) -> Path:
        """Where ``export_design`` puts the network IP (``component.xml``)."""
        return self.hls_prj_dir(project_name) / design_names.HLS_SOLUTION / "impl" / "ip"

    @property
    def vars_file(self) -> Path:
        return self.root / "vars.tcl"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def report_dir(self) -> Path:
        return self.root / "reports"

    @property
    def vivado_project_dir(self) -> Path:
        return self.root / "vivado"

    @property
    def output_dir(self) -> Path:
        """The bitstream, .hwh and reports the board needs, side by side."""
        return self.root / "bitstream"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"


def stream_width(bits: int, what: str) -> int:
    """The DMA stream width (bits) for network words of ``bits`` bits; must be one the AXI DMA offers."""
    if bits not in design_names.DMA_STREAM_WIDTHS:
        raise ConfigError(
            f"{what} words are {bits} bits wide; the AXI DMA streams {list(design_names.DMA_STREAM_WIDTHS)} "
            "bits: convert with an accelerator input/output precision of 8, 16 or 32 bits (or float)"
        )
    return bits


def build_variables(project: AcceleratorProject, config: BuildConfig, layout: BuildLayout) -> dict[str, str]:
    """The variables of ``vars.tcl`` in file order, as Tcl words (already quoted where needed)."""
    board = get_board(config.board)
    if project.part.lower() != board.part.lower():
        raise ConfigError(
            f"the hls4ml project targets part {project.part} but build.board {board.name!r} carries {board.part}: "
            "convert for the same board"
        )
    assert board.board_part is not None  # BuildConfig refuses boards without one
    mm2s = stream_width(project.in_bits, "input")
    s2mm = stream_width(project.out_bits, "output")
    max_bytes = config.max_batch * project.bytes_per_sample
    try:
        length_width = design_names.dma_length_width(max_bytes)
    except ValueError as exc:
        fits = design_names.max_batch_for(design_names.DMA_LENGTH_WIDTH_MAX, project.bytes_per_sample)
        raise ConfigError(f"build.max_batch = {config.max_batch}: {exc} (at most {fits} samples)") from None
    hls_prj = f"{project.name}_prj"
    ip_repo = layout.ip_repo(project.name)
    words = {
        "fpgaflow_vars_version": str(VARS_VERSION),
        "hls_project_name": project.name,
        "hls_top": project.top,
        "hls_prj": hls_prj,
        "hls_solution": design_names.HLS_SOLUTION,
        "part": project.part,
        "board_part": board.board_part,
        "clock_period_ns": _number(project.clock_period_ns),
        "clock_uncertainty": config.clock_uncertainty or project.clock_uncertainty,
        "fclk_mhz": _number(design_names.fclk_mhz(project.clock_period_ns), integral_as_int=True),
        "ip_vendor": design_names.IP_VENDOR,
        "ip_library": design_names.IP_LIBRARY,
        "ip_version": design_names.IP_VERSION,
        "bd_name": design_names.BD_NAME,
        "ps_instance": design_names.PS_INSTANCE,
        "dma_instance": design_names.DMA_INSTANCE,
        "network_instance": design_names.NETWORK_INSTANCE,
        "reset_instance": design_names.RESET_INSTANCE,
        "network_reset_instance": design_names.NETWORK_RESET_INSTANCE,
        "network_reset_gate": design_names.NETWORK_RESET_GATE,
        "gpio_vlnv": design_names.GPIO_VLNV,
        "gate_vlnv": design_names.GATE_VLNV,
        "gp0_interconnect": design_names.GP0_INTERCONNECT,
        "hp0_interconnect": design_names.HP0_INTERCONNECT,
        "network_in_port": design_names.NETWORK_IN_PORT,
        "network_out_port": design_names.NETWORK_OUT_PORT,
        "dma_mm2s_width": str(mm2s),
        "dma_s2mm_width": str(s2mm),
        "dma_mm_width": str(max(design_names.DMA_MM_WIDTH_MIN, mm2s, s2mm)),
        "dma_length_width": str(length_width),
        "max_batch": str(config.max_batch),
        "jobs": str(config.jobs),
        "vivado_project_name": design_names.OVERLAY_NAME,
        "overlay_name": design_names.OVERLAY_NAME,
        "allow_timing_violation": "1" if config.allow_timing_violation else "0",
        # Not read by the scripts: it makes a change of the hls4ml sources a change of the variables.
        "sources_digest": project.sources_digest or "none",
    }
    for key, value in words.items():
        if not _WORD.match(value):
            raise ConfigError(f"vars.tcl: {key} = {value!r} is not a plain word (letters, digits, _ . : % -)")
    paths = {
        "project_dir": project.path,
        "ip_repo": ip_repo,
        "build_dir": layout.root,
        "report_dir": layout.report_dir,
        "vivado_project_dir": layout.vivado_project_dir,
        "output_dir": layout.output_dir,
    }
    for key, path in paths.items():
        text = str(path)
        bad = sorted(set(text) & _UNSAFE_PATH)
        if bad:
            raise ConfigError(
                f"vars.tcl: {key} path {text!r} contains {''.join(bad)!r}; move the project to a plain path"
            )
        words[key] = "{" + text + "}"
    return words


def _number(value: float, integral_as_int: bool = False) -> str:
    if not math.isfinite(value):
        raise ConfigError(f"vars.tcl: {value} is not a finite number")
    if integral_as_int and float(value).is_integer():
        return str(int(value))  # the PS7 frequency dialog's own format: 100, 142.857143
    return repr(float(value))


def render_vars(words: dict[str, str]) -> str:
    lines = ["# Generated by `fpgaflow build`; regenerated on every run. The TCL in vivado_scripts/ reads it."]
    lines += [f"set {key} {value}" for key, value in words.items()]
    return "\n".join(lines) + "\n"


def vars_digest(words: dict[str, str]) -> str:
    """Hash of the variables a stage depends on (jobs excluded: it does not change the result)."""
    relevant = {k: v for k, v in words.items() if k != "jobs"}
    return hashlib.sha256(render_vars(relevant).encode()).hexdigest()[:16]


def write_vars(words: dict[str, str], path: Path) -> Path:
    """Write ``vars.tcl`` atomically (temp file in the same folder, then rename)."""
    return write_text(path, render_vars(words))
