"""Where a build lives, what it was built from, and whether its bitstream belongs to a project.

A build is hours of Vivado work, so it never lives in a directory that a rerun replaces: for the hls4ml
project of an ``fpgaflow run`` (``RUN_DIR/hls``, a step directory that ``fpgaflow run --from convert``
rewrites) it is ``RUN_DIR/vivado/``, beside the step directories; for a standalone hls4ml project it is
``PROJECT/<build_subdir>/`` (``fpgaflow convert`` refuses to replace a project holding it).  The Vivado HLS
project (``<name>_prj/solution1`` with the exported IP) is inside the build too.

The build records the digest of the hls4ml sources it synthesised (``firmware/`` and ``project.tcl``), so
a bitstream is used only with the design it was built from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fpgaflow.outdir import marker_path
from fpgaflow.vivado.project import sources_digest
from fpgaflow.vivado.variables import BuildLayout
from fpgaflow_board import design_names

#: The build folder of a run: ``RUN_DIR/vivado/`` (not a step directory: no rerun replaces it).
RUN_BUILD_DIR = "vivado"


def is_run_dir(path: Path) -> bool:
    """True if ``path`` is an ``fpgaflow run`` output directory (it has the run marker)."""
    return marker_path(path, "run").is_file()


def build_root(project_dir: Path, build_subdir: str) -> Path:
    """The build folder of the hls4ml project ``project_dir`` (see the module docstring)."""
    project_dir = Path(project_dir).resolve()
    if is_run_dir(project_dir.parent):
        return project_dir.parent / RUN_BUILD_DIR
    return project_dir / build_subdir


@dataclass(frozen=True)
class Bitstream:
    """A finished build's overlay files (``fpgaflow.bit`` + ``fpgaflow.hwh``) and its ``build.json``."""

    bit: Path
    hwh: Path
    record: dict[str, object]


def find_bitstream(project_dir: Path, build_subdir: str = "fpgaflow_build") -> tuple[Bitstream | None, str]:
    """The finished bitstream built from ``project_dir``'s current sources, or ``None`` and why not."""
    layout = BuildLayout(build_root(project_dir, build_subdir))
    out = layout.output_dir
    bit, hwh, record_file = (
        out / f"{design_names.OVERLAY_NAME}.bit",
        out / f"{design_names.OVERLAY_NAME}.hwh",
        out / "build.json",
    )
    run_hint = "run `fpgaflow build RUN_DIR` where Vivado exists"
    if not (bit.is_file() and hwh.is_file() and record_file.is_file()):
        return None, f"absent: no Vivado build yet in {layout.root} ({run_hint})"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, f"{record_file} is unreadable; rebuild ({run_hint})"
    try:
        state = json.loads(layout.state_file.read_text(encoding="utf-8"))
        finished = "bitstream" in state.get("done", {})
    except (OSError, ValueError, AttributeError):
        finished = False
    if not finished:
        return None, f"unfinished: {layout.state_file} does not record the bitstream stage as done ({run_hint})"
    if not isinstance(record, dict) or record.get("sources_digest") != sources_digest(project_dir):
        return None, (
            f"stale: the build in {layout.root} was made from other hls4ml sources than {project_dir} holds now "
            f"(the design changed since); {run_hint}"
        )
    return Bitstream(bit, hwh, record), ""
