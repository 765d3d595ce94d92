"""Run the build stages in order, resume after the last finished one, parse the reports.

Stage completion is recorded in ``<build>/state.json`` together with a digest of ``vars.tcl``: a stage
counts as done only if it finished with the same variables and its outputs are still there.  Rerunning a
stage (``--stage``) marks every later stage as not done.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow.errors import ConfigError, StepError
from fpgaflow.estimate.reports import parse_csynth_rpt, parse_csynth_xml, parse_utilization_rpt
from fpgaflow.estimate.table import ResourceTable
from fpgaflow.vivado.config import STAGES, BuildConfig
from fpgaflow.vivado.location import build_root
from fpgaflow.vivado.project import AcceleratorProject, read_project
from fpgaflow.vivado.stages import STAGE_SPECS, run_stage
from fpgaflow.vivado.tools import check_y2k22_patch, find_stage_tools
from fpgaflow.vivado.variables import BuildLayout, build_variables, vars_digest, write_vars
from fpgaflow_board import design_names
from fpgaflow_board.atomic import write_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the stages run now, where the files are, the parsed reports."""

    project: AcceleratorProject
    layout: BuildLayout
    ran: tuple[str, ...]
    skipped: tuple[str, ...]
    tables: tuple[ResourceTable, ...]

    @property
    def bitstream(self) -> Path:
        return self.layout.output_dir / f"{design_names.OVERLAY_NAME}.bit"


def _state_entries(path: Path, key: str) -> dict[str, str]:
    """``state.json``'s mapping ``key`` (``done``: stage → vars digest; ``tools``: stage → launcher and release),
    restricted to known stages; empty when the file is missing or unreadable."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        if key == "done":  # said once per build
            log.warning("%s is not valid JSON; rebuilding every stage", path)
        return {}
    entries = data.get(key, {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in entries.items() if k in STAGES} if isinstance(entries, dict) else {}


def load_state(path: Path) -> dict[str, str]:
    """Stage name -> vars digest it finished with (missing = not done)."""
    return _state_entries(path, "done")


def load_tool_versions(path: Path) -> dict[str, str]:
    """Stage name -> ``"<launcher> <release>"`` of the tool that last finished it."""
    return _state_entries(path, "tools")


def _is_done(stage: str, state: dict[str, str], digest: str, layout: BuildLayout, ip_repo: Path) -> bool:
    if state.get(stage) != digest:
        return False
    return all(p.is_file() for p in STAGE_SPECS[stage].output_paths(layout, ip_repo))


def plan_stages(stage: str | None, state: dict[str, str], digest: str, layout: BuildLayout, ip_repo: Path) -> list[str]:
    """Stages to run: ``stage`` alone (its predecessors must be done), or all from the first not done."""
    if stage is not None:
        if stage not in STAGES:
            raise ConfigError(f"unknown build stage {stage!r}; stages: {', '.join(STAGES)}")
        for before in STAGES[: STAGES.index(stage)]:
            if not _is_done(before, state, digest, layout, ip_repo):
                raise StepError(
                    f"build stage '{stage}' needs stage '{before}' first (not done with these variables): "
                    f"fpgaflow build PROJECT --stage {before}"
                )
        return [stage]
    todo = [s for s in STAGES if not _is_done(s, state, digest, layout, ip_repo)]
    # A stage after an unfinished one must be rebuilt too, whatever its record says.
    return list(STAGES[STAGES.index(todo[0]) :]) if todo else []


def collect_reports(layout: BuildLayout, clock_period_ns: float) -> tuple[ResourceTable, ...]:
    """Parse whatever reports exist: HLS estimate (xml, else rpt), Vivado post-synthesis and post-route."""
    tables: list[ResourceTable] = []
    xml, rpt = layout.report_dir / "csynth.xml", layout.report_dir / "csynth.rpt"
    if xml.is_file():
        tables.append(parse_csynth_xml(xml))
    elif rpt.is_file():
        tables.append(parse_csynth_rpt(rpt))
    for name in ("utilization_synth.rpt", "utilization_impl.rpt"):
        path = layout.output_dir / name
        if path.is_file():
            tables.append(parse_utilization_rpt(path, clock_period_ns))
    return tuple(tables)


def run_build(
    project_dir: Path, config: BuildConfig, stage: str | None = None, scripts_dir: Path | None = None
) -> BuildResult:
    """Build ``project_dir`` (a VivadoAccelerator or fpgaflow Vitis project) up to the bitstream, or one ``stage``."""
    project = read_project(project_dir)
    layout = BuildLayout(build_root(project.path, config.build_subdir))
    words = build_variables(project, config, layout)
    digest = vars_digest(words)
    ip_repo = layout.ip_repo(project.name)
    state = load_state(layout.state_file)
    todo = plan_stages(stage, state, digest, layout, ip_repo)
    skipped = tuple(s for s in STAGES if s not in todo and stage is None)
    for s in skipped:
        log.info("build stage %s: already done with these variables, skipped", s)
    # vars.tcl first: without Vivado here, it and vivado_scripts/ still run by hand on another machine.
    write_vars(words, layout.vars_file)
    tools = find_stage_tools(tuple(todo), project.hls_tool, config.vivado_dir, config.vitis_dir)
    if "hls" in tools and project.hls_tool == "vivado_hls":
        check_y2k22_patch(tools["hls"].path)
    versions = load_tool_versions(layout.state_file)
    for name in todo:
        # Invalidate this stage and everything after it before running: a crash leaves them "not done".
        for later in STAGES[STAGES.index(name) :]:
            state.pop(later, None)
        write_json(layout.state_file, {"done": state, "tools": versions})
        started = time.monotonic()
        run = run_stage(
            name,
            tools[name],
            layout=layout,
            project_dir=project.path,
            ip_repo=ip_repo,
            scripts_dir=scripts_dir,
            hls_family=project.hls_tool,
        )
        state[name] = digest
        versions[name] = f"{tools[name].name} {run.version or '(version not in the log)'}"
        write_json(layout.state_file, {"done": state, "tools": versions})
        log.info("build stage %s: done in %.0f s", name, time.monotonic() - started)
    if "bitstream" in todo:
        write_json(layout.output_dir / "build.json", build_manifest(project, words, versions))
    return BuildResult(project, layout, tuple(todo), skipped, collect_reports(layout, project.clock_period_ns))


def build_manifest(
    project: AcceleratorProject, words: dict[str, str], tools: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the board side needs to know about the bitstream, written next to it as ``build.json``."""
    return {
        "route": project.backend,
        "tools": dict(tools or {}),
        "overlay": f"{design_names.OVERLAY_NAME}.bit",
        "hwh": f"{design_names.OVERLAY_NAME}.hwh",
        "dma_instance": design_names.DMA_INSTANCE,
        "network_instance": design_names.NETWORK_INSTANCE,
        "hls_top": project.top,
        "part": project.part,
        "clock_period_ns": project.clock_period_ns,
        "n_in": project.n_in,
        "n_out": project.n_out,
        "in_bits": project.in_bits,
        "out_bits": project.out_bits,
        "dma_length_width": int(words["dma_length_width"]),
        "max_batch": int(words["max_batch"]),
        "max_batch_fitting": design_names.max_batch_for(int(words["dma_length_width"]), project.bytes_per_sample),
        "network_reset_instance": design_names.NETWORK_RESET_INSTANCE,
        "sources_digest": project.sources_digest,
    }
