"""Find the tools of each build stage: an install directory first, then ``PATH``.

The hls stage's tool depends on the project's route: a VivadoAccelerator project needs ``vivado_hls``
(Vivado HLS 2019.2-2020.1); a Vitis project needs Vitis HLS, run as ``vitis-run --mode hls --tcl`` (2023.1
onwards; the only launcher from 2025.1, when ``vitis_hls`` left the installers) or, where only that is
installed, as ``vitis_hls -f``.  The bd and bitstream stages need ``vivado`` on both routes.

Vivado HLS 2014.x-2021.x writes the date into the exported IP's revision as a 32-bit number; from 2022 on
it overflows and ``export_design`` stops with "bad lexical cast: source type value could not be interpreted
as target" (Xilinx Answer Record 76960).  Xilinx's fix, ``y2k22_patch``, adds
``common/scripts/automg_patch_20220104.tcl`` to each install: :func:`check_y2k22_patch` refuses an unpatched
install before synthesis.
"""

from __future__ import annotations

import datetime
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from fpgaflow.errors import StepError, ToolNotFoundError

#: What a user without Vivado can still do (part of every "not found" message).
WITHOUT_VIVADO = (
    "without it you can still run 'fpgaflow estimate' (resources/latency), the C simulation "
    "(fpgaflow run / verify) and build the board bundle"
)
#: Launchers of each HLS tool family, in order of preference.
HLS_LAUNCHERS: dict[str, tuple[str, ...]] = {"vivado_hls": ("vivado_hls",), "vitis_hls": ("vitis-run", "vitis_hls")}
#: Which releases each family covers, and where to get it (for the "not found" message).
HLS_RELEASES = {
    "vivado_hls": "Vivado/Vivado HLS 2019.2-2020.1, or pass --vivado-dir",
    "vitis_hls": "Vitis HLS 2023.2 or later: source <Xilinx>/Vitis/<release>/settings64.sh, or pass --vitis-dir",
}
#: The stage each family cannot build, and why (named when the other family is what is installed).
OTHER_ROUTE = {
    "vivado_hls": "this project is a VivadoAccelerator project (Vivado HLS only); convert with convert.backend Vitis "
    "to build it with Vitis HLS",
    "vitis_hls": "this project is a Vitis project (Vitis HLS only)",
}


@dataclass(frozen=True)
class Tool:
    """One executable: its absolute path and its launcher name (``vitis-run``, ``vitis_hls``, ``vivado``...)."""

    path: Path
    name: str


def _find(name: str, install_dir: Path | None) -> Path | None:
    if install_dir is not None:
        for candidate in (Path(install_dir) / "bin" / name, Path(install_dir) / name):
            if candidate.is_file():
                return candidate.resolve()
    found = shutil.which(name)
    return Path(found).resolve() if found is not None else None


def find_tool(name: str, install_dir: Path | None = None) -> Path:
    """Absolute path of executable ``name``; raise :class:`ToolNotFoundError` with a one-line hint."""
    found = _find(name, install_dir)
    if found is not None:
        return found
    where = f"in {install_dir}/bin or on PATH" if install_dir is not None else "on PATH"
    raise ToolNotFoundError(
        f"{name} not found {where} (Vivado 2019.2 or later, or pass --vivado-dir); {WITHOUT_VIVADO}"
    )


def find_hls_tool(family: str, install_dir: Path | None = None, other_dir: Path | None = None) -> Tool:
    """The launcher of HLS tool ``family`` (``vivado_hls`` or ``vitis_hls``), preferring the first of
    :data:`HLS_LAUNCHERS`; the "not found" line names what is missing, and the other family when that is
    what is installed (``other_dir``: where to look for it)."""
    for name in HLS_LAUNCHERS[family]:
        found = _find(name, install_dir)
        if found is not None:
            return Tool(found, name)
    names = " or ".join(HLS_LAUNCHERS[family])
    where = f"in {install_dir}/bin or on PATH" if install_dir is not None else "on PATH"
    other = next(f for f in HLS_LAUNCHERS if f != family)
    present = [n for n in HLS_LAUNCHERS[other] if _find(n, other_dir) is not None]
    hint = f"; {present[0]} is there, but {OTHER_ROUTE[family]}" if present else ""
    raise ToolNotFoundError(f"{names} not found {where} ({HLS_RELEASES[family]}){hint}; {WITHOUT_VIVADO}")


def find_stage_tools(
    stages: tuple[str, ...],
    hls_family: str = "vivado_hls",
    vivado_dir: Path | None = None,
    vitis_dir: Path | None = None,
) -> dict[str, Tool]:
    """Tools for ``stages`` (looked up before anything runs, so a missing one fails fast)."""
    hls_dir, other_dir = (vitis_dir, vivado_dir) if hls_family == "vitis_hls" else (vivado_dir, vitis_dir)
    tools: dict[str, Tool] = {}
    for stage in stages:
        if stage == "hls":
            tools[stage] = find_hls_tool(hls_family, hls_dir, other_dir)
        else:
            tools[stage] = Tool(find_tool("vivado", vivado_dir), "vivado")
    return tools


#: The file Xilinx's y2k22 patch (AR 76960) adds to ``<install>/common/scripts``.
Y2K22_PATCH_FILE = "automg_patch_20220104.tcl"
#: What vivado_hls prints when export_design hits the y2k22 bug.
Y2K22_ERROR = "bad lexical cast"
_INSTALL_VERSION = re.compile(r"^20(\d\d)\.(\d)$")


def y2k22_fix(vivado_hls: Path) -> str:
    """The one-line fix for the y2k22 bug of the install ``vivado_hls`` belongs to (``.../Xilinx/Vivado/2020.1``:
    the patch runs in ``.../Xilinx``)."""
    install = Path(vivado_hls).parent.parent
    known = _INSTALL_VERSION.match(install.name) is not None
    where = f"in {install.parent.parent}" if known else "in the Xilinx install root (e.g. /tools/Xilinx)"
    return (
        "Vivado HLS needs Xilinx's y2k22 patch (AR 76960) to export IP after 2021: unzip y2k22_patch-1.2.zip "
        f"{where} and run `python3 y2k22_patch/patch.py` there, then rerun `fpgaflow build ... --stage hls`"
    )


def check_y2k22_patch(vivado_hls: Path, today: datetime.date | None = None) -> None:
    """Raise :class:`StepError` before synthesis when ``vivado_hls`` belongs to an unpatched 2014-2021
    install (``<install>/bin/vivado_hls`` with ``<install>/common/scripts`` and a version-named
    ``<install>``).  An install laid out otherwise is not judged here: a failing export names the fix."""
    install = Path(vivado_hls).parent.parent
    scripts = install / "common" / "scripts"
    version = _INSTALL_VERSION.match(install.name)
    if version is None or not scripts.is_dir():
        return
    if (int(version.group(1)), int(version.group(2))) > (21, 2):
        return
    if (today or datetime.date.today()).year < 2022 or (scripts / Y2K22_PATCH_FILE).is_file():
        return
    raise StepError(
        f"vivado_hls {install.name} in {install} lacks {scripts / Y2K22_PATCH_FILE}; {y2k22_fix(vivado_hls)}"
    )
