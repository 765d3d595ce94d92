"""The three build stages: their command lines (argument lists), expected outputs, and how one runs.

A stage runs one batch-mode tool process on one static script of ``vivado_scripts/``; its stdout goes
line by line into ``<build>/logs/<stage>.log`` and, filtered, into :mod:`logging`: the scripts' own
``fpgaflow:`` progress lines at INFO, ``CRITICAL WARNING`` at WARNING, ``ERROR`` at ERROR.  The hls stage
runs ``hls_synth.tcl`` under Vivado HLS (VivadoAccelerator route) or ``hls_synth_vitis.tcl`` under Vitis HLS
(Vitis route); ``vitis-run`` passes no arguments to a Tcl script, so the scripts also read ``vars.tcl`` from
``$FPGAFLOW_VARS``, which the runner always sets.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fpgaflow.errors import StepError
from fpgaflow.shipped import shipped_dir
from fpgaflow.vivado.tools import Y2K22_ERROR, Tool, y2k22_fix
from fpgaflow.vivado.variables import BuildLayout
from fpgaflow_board import design_names

log = logging.getLogger(__name__)

#: Releases the hls scripts were written against, per tool family: hls4ml 1.3.0's VivadoAccelerator targets;
#: Vitis HLS from the first release whose installers carry vitis-run and hls::axis options (2023.2) to 2025.2.
HLS_VERSIONS = {
    "vivado_hls": ("2019.2", "2020.1"),
    "vitis_hls": ("2023.2", "2024.1", "2024.2", "2025.1", "2025.2"),
}
#: The hls script of each tool family.
HLS_SCRIPTS = {"vivado_hls": "hls_synth.tcl", "vitis_hls": "hls_synth_vitis.tcl"}
_VERSION = re.compile(r"\bv(20\d\d\.\d)\b")
_BANNER = re.compile(r"Vivado|Vitis|vitis")


@dataclass(frozen=True)
class StageSpec:
    """One stage: its script and the files whose presence proves it finished."""

    name: str
    script: str
    outputs: tuple[str, ...]

    def output_paths(self, layout: BuildLayout, ip_repo: Path) -> tuple[Path, ...]:
        anchors = {"build": layout.root, "ip": ip_repo}
        paths = []
        for out in self.outputs:
            anchor, rel = out.split(":", 1)
            paths.append(anchors[anchor] / rel)
        return tuple(paths)


_BIT = design_names.OVERLAY_NAME
STAGE_SPECS: dict[str, StageSpec] = {
    "hls": StageSpec(
        "hls", "hls_synth.tcl", ("build:reports/csynth.rpt", "build:reports/csynth.xml", "ip:component.xml")
    ),
    "bd": StageSpec(
        "bd", "block_design.tcl", (f"build:vivado/{_BIT}.xpr", f"build:reports/{design_names.BD_NAME}.tcl")
    ),
    "bitstream": StageSpec(
        "bitstream",
        "bitstream.tcl",
        (
            f"build:bitstream/{_BIT}.bit",
            f"build:bitstream/{_BIT}.hwh",
            "build:bitstream/utilization_impl.rpt",
            "build:bitstream/utilization_synth.rpt",
            "build:bitstream/timing_summary.rpt",
        ),
    ),
}


def command(stage: str, tool: Tool, script: Path, vars_file: Path) -> list[str]:
    """The argument list of ``stage`` (never a shell string)."""
    if tool.name == "vitis-run":
        # Vitis 2023.1+ (required from 2025.1): no Tcl arguments, the script reads $FPGAFLOW_VARS.
        return [str(tool.path), "--mode", "hls", "--tcl", str(script)]
    if stage == "hls":
        return [str(tool.path), "-f", str(script), str(vars_file)]
    return [
        str(tool.path), "-mode", "batch", "-nojournal", "-nolog", "-notrace",
        "-source", str(script), "-tclargs", str(vars_file),
    ]  # fmt: skip


@dataclass(frozen=True)
class StageRun:
    """What one tool process did: exit code, first ERROR line, tool version from its banner."""

    returncode: int
    first_error: str | None
    version: str | None
    log_file: Path
    y2k22: bool = False


def run_process(cmd: list[str], cwd: Path, log_file: Path, env: dict[str, str]) -> StageRun:
    """Run ``cmd`` in ``cwd``, tee its output to ``log_file`` and stream progress lines to logging."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    first_error: str | None = None
    version: str | None = None
    y2k22 = False
    with log_file.open("w", encoding="utf-8") as sink:
        sink.write(f"# {' '.join(cmd)}\n# cwd: {cwd}\n")
        with subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                sink.write(line)
                text = line.rstrip()
                if version is None and _BANNER.search(text):
                    match = _VERSION.search(text)
                    version = match.group(1) if match else None
                y2k22 = y2k22 or Y2K22_ERROR in text
                if text.startswith("ERROR:"):
                    first_error = first_error or text
                    log.error("%s", text)
                elif text.startswith("CRITICAL WARNING:"):
                    log.warning("%s", text)
                elif text.startswith("fpgaflow:"):
                    log.info("%s", text[len("fpgaflow:") :].strip())
                else:
                    log.debug("%s", text)
            returncode = proc.wait()
        sink.flush()
    return StageRun(returncode=returncode, first_error=first_error, version=version, log_file=log_file, y2k22=y2k22)


def run_stage(
    stage: str,
    tool: Tool,
    *,
    layout: BuildLayout,
    project_dir: Path,
    ip_repo: Path,
    scripts_dir: Path | None = None,
    hls_family: str = "vivado_hls",
) -> StageRun:
    """Run ``stage`` with its script from ``scripts_dir`` (default: the shipped ``vivado_scripts/``); raise
    :class:`StepError` naming the stage, the first error line and the log."""
    spec = STAGE_SPECS[stage]
    name = HLS_SCRIPTS[hls_family] if stage == "hls" else spec.script
    script = (scripts_dir or shipped_dir("vivado_scripts")) / name
    if not script.is_file():
        raise StepError(f"build script {script} is missing; reinstall fpgaflow or pass the folder holding it")
    env = dict(os.environ)
    env["FPGAFLOW_VARS"] = str(layout.vars_file)
    # Every stage runs in the build folder: the tools' own logs and the HLS project land there, never in
    # the hls4ml project (a step directory that a rerun of `fpgaflow run` replaces).
    cwd = layout.root
    cwd.mkdir(parents=True, exist_ok=True)
    log_file = layout.log_dir / f"{stage}.log"
    log.info("build stage %s: %s (log %s)", stage, tool.name, log_file)
    result = run_process(command(stage, tool, script, layout.vars_file), cwd, log_file, env)
    rerun = f"fix it and rerun this stage alone: fpgaflow build {project_dir} --stage {stage}"
    missing = [p for p in spec.output_paths(layout, ip_repo) if not p.is_file()]
    if stage == "hls" and hls_family == "vivado_hls" and result.y2k22 and (result.returncode != 0 or missing):
        raise StepError(
            f"build stage 'hls' failed: export_design hit the y2k22 bug ({Y2K22_ERROR}); "
            f"{y2k22_fix(tool.path)}; log: {log_file}"
        )
    if result.returncode != 0:
        raise StepError(
            f"build stage '{stage}' failed (exit code {result.returncode}): "
            f"{result.first_error or 'no ERROR line in the output'}; log: {log_file}; {rerun}"
        )
    if missing:
        raise StepError(
            f"build stage '{stage}' exited 0 but did not write {missing[0]}"
            f"{' (' + result.first_error + ')' if result.first_error else ''}; log: {log_file}; {rerun}"
        )
    known = HLS_VERSIONS[hls_family]
    if stage == "hls" and result.version is not None and result.version not in known:
        log.warning(
            "%s %s: the hls script was written for %s; check %s before trusting the result",
            tool.name,
            result.version,
            ", ".join(known),
            log_file,
        )
    return result
