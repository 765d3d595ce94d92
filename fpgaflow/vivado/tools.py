"""Find ``vivado_hls`` and ``vivado``: a configured install directory first, then ``PATH``."""

from __future__ import annotations

import shutil
from pathlib import Path

from fpgaflow.errors import ToolNotFoundError

#: What a user without Vivado can still do (part of every "not found" message).
WITHOUT_VIVADO = (
    "without it you can still run 'fpgaflow estimate' (resources/latency), the C simulation "
    "(fpgaflow run / verify) and build the board bundle"
)
#: Which stage needs which tool.
STAGE_TOOL = {"hls": "vivado_hls", "bd": "vivado", "bitstream": "vivado"}


def find_tool(name: str, install_dir: Path | None = None) -> Path:
    """Absolute path of executable ``name``; raise :class:`ToolNotFoundError` with a one-line hint."""
    if install_dir is not None:
        for candidate in (Path(install_dir) / "bin" / name, Path(install_dir) / name):
            if candidate.is_file():
                return candidate.resolve()
    found = shutil.which(name)
    if found is not None:
        return Path(found).resolve()
    where = f"in {install_dir}/bin or on PATH" if install_dir is not None else "on PATH"
    raise ToolNotFoundError(
        f"{name} not found {where} (Vivado/Vivado HLS 2019.2-2020.1, or pass --vivado-dir); {WITHOUT_VIVADO}"
    )


def find_stage_tools(stages: tuple[str, ...], install_dir: Path | None = None) -> dict[str, Path]:
    """Tools for ``stages`` (looked up before anything runs, so a missing one fails fast)."""
    return {stage: find_tool(STAGE_TOOL[stage], install_dir) for stage in stages}
