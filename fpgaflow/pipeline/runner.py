"""Run the pipeline's steps with a checkpoint after each, so a rerun resumes where it stopped.

Layout of a run directory::

    DIR/.fpgaflow/run.json            marks DIR as an fpgaflow run (and holds the config)
    DIR/.fpgaflow/checkpoints/S.json  one per finished step: fingerprint, files, metrics, seconds
    DIR/<step dir>/                   each step's artefacts (staged in <step dir>.partial, renamed at the end;
                                      a failed step's stage is removed)
    DIR/summary.json, DIR/report.md   written after every run

A step's fingerprint hashes the config sections it depends on and the previous step's fingerprint: a rerun
skips a step whose checkpoint matches, and redoes it and every later step otherwise.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow import __version__
from fpgaflow.config.strict import suggest
from fpgaflow.errors import ConfigError, OutputDirError
from fpgaflow.outdir import MARKER_DIR, claim_output_dir
from fpgaflow.pipeline.artefacts import Artefacts
from fpgaflow.pipeline.config import RunConfig
from fpgaflow.pipeline.report import write_report
from fpgaflow.pipeline.steps import STEPS, Step
from fpgaflow_board.atomic import atomic_directory, write_json

log = logging.getLogger(__name__)

STEP_NAMES = tuple(s.name for s in STEPS)


def _step_index(name: str | None, default: int) -> int:
    if name is None:
        return default
    if name not in STEP_NAMES:
        raise ConfigError(f"unknown step {name!r}{suggest(name, STEP_NAMES)}; steps: {', '.join(STEP_NAMES)}")
    return STEP_NAMES.index(name)


def prepare_run_dir(run_dir: Path, cfg: RunConfig) -> None:
    """Create ``run_dir`` or accept an existing fpgaflow run; refuse a directory with foreign content."""
    claim_output_dir(run_dir, "run", {"config": cfg.to_dict()})
    (run_dir / MARKER_DIR / "checkpoints").mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class RunResult:
    """What a run did: per-step status (``ran`` / ``skipped`` / ``not run``) and the summary written."""

    run_dir: Path
    status: dict[str, str]
    summary: dict[str, Any]


def _fingerprint(step: Step, cfg: RunConfig, previous: str) -> str:
    own = cfg.section_hash(*step.sections) if step.sections else ""
    return hashlib.sha256(f"{__version__}|{step.name}|{own}|{previous}".encode()).hexdigest()[:16]


def _load_checkpoint(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError:
        log.warning("ignoring unreadable checkpoint %s", path)
        return None
    return data


def run_pipeline(
    cfg: RunConfig, run_dir: Path | str, from_step: str | None = None, to_step: str | None = None
) -> RunResult:
    """Run steps ``from_step``..``to_step`` (default: all), resuming from checkpoints."""
    run_dir = Path(run_dir).resolve()
    first = _step_index(from_step, 0)
    last = _step_index(to_step, len(STEPS) - 1)
    if first > last:
        raise ConfigError(f"--from {STEP_NAMES[first]} comes after --to {STEP_NAMES[last]}")
    prepare_run_dir(run_dir, cfg)
    ckpt_dir = run_dir / MARKER_DIR / "checkpoints"
    art = Artefacts(run_dir)
    status: dict[str, str] = {}
    seconds: dict[str, float] = {}
    previous = ""
    for i, step in enumerate(STEPS):
        fp = _fingerprint(step, cfg, previous)
        previous = fp
        ckpt_path = ckpt_dir / f"{step.name}.json"
        ckpt = _load_checkpoint(ckpt_path)
        valid = (
            ckpt is not None
            and ckpt.get("fingerprint") == fp
            and all((run_dir / f).exists() for f in ckpt.get("files", {}).values())
        )
        if i > last:
            status[step.name] = "not run"
            if valid and ckpt is not None:
                art.files.update(ckpt["files"])
                art.metrics.update(ckpt["metrics"])
                seconds[step.name] = ckpt["seconds"]
            continue
        if valid and ckpt is not None and (i < first or from_step is None):
            art.files.update(ckpt["files"])
            art.metrics.update(ckpt["metrics"])
            seconds[step.name] = ckpt["seconds"]
            status[step.name] = "skipped"
            log.info("step %-8s up to date (checkpoint %s), skipped", step.name, fp)
            continue
        if i < first:
            raise OutputDirError(
                f"--from {STEP_NAMES[first]}: step {step.name!r} has no valid checkpoint in {run_dir}; "
                f"run it first (fpgaflow run --to {step.name})"
            )
        _invalidate_from(ckpt_dir, i)
        status[step.name] = "ran"
        seconds[step.name] = _run_one(step, art, cfg, run_dir, ckpt_path, fp)
    summary = _summary(art, seconds, status)
    write_json(run_dir / "summary.json", summary)
    write_report(run_dir / "report.md", summary, cfg)
    return RunResult(run_dir, status, summary)


def _invalidate_from(ckpt_dir: Path, index: int) -> None:
    for later in STEPS[index:]:
        (ckpt_dir / f"{later.name}.json").unlink(missing_ok=True)


def _run_one(step: Step, art: Artefacts, cfg: RunConfig, run_dir: Path, ckpt_path: Path, fp: str) -> float:
    final = run_dir / step.directory
    before_files, before_metrics = dict(art.files), dict(art.metrics)
    log.info("step %-8s running → %s", step.name, final)
    t0 = time.perf_counter()
    # The step directory is fpgaflow's own (inside a marked run directory): a rerun replaces it.
    with atomic_directory(final, replace=True) as staging:
        art.step_dir, art.step_final = staging, step.directory
        try:
            art = step.fn(art, cfg)
        finally:
            art.step_dir, art.step_final = None, None
    elapsed = time.perf_counter() - t0
    new_files = {k: v for k, v in art.files.items() if before_files.get(k) != v}
    new_metrics = {k: v for k, v in art.metrics.items() if k not in before_metrics or before_metrics[k] != v}
    write_json(
        ckpt_path,
        {"step": step.name, "fingerprint": fp, "files": new_files, "metrics": new_metrics, "seconds": elapsed},
        sort_keys=False,
        default=str,
    )
    log.info("step %-8s done in %.1f s", step.name, elapsed)
    return elapsed


def _summary(art: Artefacts, seconds: dict[str, float], status: dict[str, str]) -> dict[str, Any]:
    summary: dict[str, Any] = dict(art.metrics)
    summary["steps_seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    summary["steps_status"] = status
    summary["complete"] = all(s != "not run" for s in status.values())
    summary["files"] = dict(art.files)
    summary["fpgaflow_version"] = __version__
    return summary
