"""Run the pipeline's steps with a checkpoint after each, so a rerun resumes where it stopped.

Layout of a run directory::

    DIR/.fpgaflow/run.json            marks DIR as an fpgaflow run (and holds the config)
    DIR/.fpgaflow/lock                held (flock) by the run writing DIR; a second run refuses
    DIR/.fpgaflow/checkpoints/S.json  one per finished step: fingerprint, files, metrics, seconds
    DIR/.fpgaflow/written/S.json      every file step S wrote, with its SHA-256 (its inventory)
    DIR/<step dir>/                   each step's artefacts (staged in <step dir>.partial, renamed at the end;
                                      a failed step's stage is removed)
    DIR/summary.json, DIR/report.md,  rewritten before each step runs (that step "running") and last
    DIR/report.html                   (report.html: the self-contained page with the figures; fpgaflow.pipeline.report)

A step's fingerprint hashes the config sections it depends on, the content of the files outside DIR it
reads (the data step's input file) and the previous step's fingerprint.  A rerun skips a step whose
checkpoint matches and whose files still have the content its inventory records, and redoes it and every
later step otherwise.  Each checkpoint also records the digest of the code that made it
(:func:`fpgaflow.source_digest.source_digest`); a step reused from other code is kept (a code change alone
does not retrain) but named in a warning and in ``summary.json`` (``steps_from_other_code``).
Redoing a step replaces its directory, keeping what fpgaflow did not write there
(:mod:`fpgaflow.pipeline.step_files`).
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
from fpgaflow.outdir import MARKER_DIR, locked_output_dir
from fpgaflow.pipeline.artefacts import Artefacts
from fpgaflow.pipeline.config import RunConfig
from fpgaflow.pipeline.report import write_reports
from fpgaflow.pipeline.step_files import Kept, carry_over, first_changed, inventory, read_inventory, write_inventory
from fpgaflow.pipeline.steps import STEPS, Step
from fpgaflow.source_digest import source_digest
from fpgaflow_board.atomic import atomic_directory, write_json

log = logging.getLogger(__name__)

STEP_NAMES = tuple(s.name for s in STEPS)


def _step_index(name: str | None, default: int) -> int:
    if name is None:
        return default
    if name not in STEP_NAMES:
        raise ConfigError(f"unknown step {name!r}{suggest(name, STEP_NAMES)}; steps: {', '.join(STEP_NAMES)}")
    return STEP_NAMES.index(name)


@dataclass(frozen=True)
class RunResult:
    """What a run did: per-step status (``ran`` / ``skipped`` / ``not run``) and the summary written."""

    run_dir: Path
    status: dict[str, str]
    summary: dict[str, Any]


def _fingerprint(step: Step, cfg: RunConfig, previous: str) -> str:
    own = cfg.section_hash(*step.sections) if step.sections else ""
    inputs = step.inputs(cfg) if step.inputs is not None else ""
    text = f"{__version__}|{step.name}|{own}|{previous}" + (f"|{inputs}" if inputs else "")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _load_checkpoint(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError:
        log.warning("ignoring unreadable checkpoint %s", path)
        return None
    return data


class _Run:
    """One invocation of the runner on a locked run directory: the artefacts so far, each step's status,
    and the summary that says exactly that."""

    def __init__(self, cfg: RunConfig, run_dir: Path) -> None:
        self.cfg = cfg
        self.run_dir = run_dir
        self.ckpt_dir = run_dir / MARKER_DIR / "checkpoints"
        self.written_dir = run_dir / MARKER_DIR / "written"
        self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        self.art = Artefacts(run_dir)
        self.status: dict[str, str] = {s.name: "not run" for s in STEPS}
        self.seconds: dict[str, float] = {}
        self.kept: dict[str, Kept] = {}
        self.other_code: dict[str, str] = {}

    def valid(self, step: Step, ckpt: dict[str, Any] | None, fp: str) -> bool:
        """The checkpoint matches ``fp`` and every file the step wrote is still there, unchanged."""
        if ckpt is None or ckpt.get("fingerprint") != fp:
            return False
        if not all((self.run_dir / f).exists() for f in ckpt.get("files", {}).values()):
            return False
        changed = first_changed(self.run_dir / step.directory, read_inventory(self.inventory_path(step)))
        if changed is not None:
            log.info(
                "step %-8s: %s/%s changed since the step wrote it; redoing the step", step.name, step.directory, changed
            )
        return changed is None

    def inventory_path(self, step: Step) -> Path:
        return self.written_dir / f"{step.name}.json"

    def take(self, step: Step, ckpt: dict[str, Any]) -> None:
        code = str(ckpt.get("code", "unrecorded"))
        if code != source_digest():
            self.other_code[step.name] = code
        else:
            self.other_code.pop(step.name, None)
        self.art.files.update(ckpt["files"])
        self.art.metrics.update(ckpt["metrics"])
        self.seconds[step.name] = ckpt["seconds"]

    def publish(self, draw: bool = True) -> dict[str, Any]:
        """Rewrite summary.json, report.md and report.html from the current state (before each step, without
        drawing the report's figures, and when the run stops)."""
        summary = _summary(self.art, self.seconds, self.status, self.kept)
        if self.other_code:
            summary["steps_from_other_code"] = dict(self.other_code)
        write_json(self.run_dir / "summary.json", summary)
        write_reports(self.run_dir, summary, self.cfg, draw=draw)
        return summary

    def run_step(self, index: int, step: Step, fp: str) -> None:
        """Invalidate the checkpoints from ``step`` on and the summary, run the step, checkpoint it."""
        _invalidate_from(self.ckpt_dir, index)
        self.status[step.name] = "running"
        self.publish(draw=False)
        before_files, before_metrics = dict(self.art.files), dict(self.art.metrics)
        try:
            elapsed, kept = _run_one(step, self.art, self.cfg, self.run_dir, fp, self.inventory_path(step))
        except BaseException as exc:
            self.art.files, self.art.metrics = before_files, before_metrics
            self.status[step.name] = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            try:
                self.publish()
            except OSError as again:  # e.g. the disk that failed the step is full: keep the step's error
                log.error("could not rewrite %s/summary.json: %s", self.run_dir, again)
            raise
        self.status[step.name] = "ran"
        self.other_code.pop(step.name, None)
        self.seconds[step.name] = elapsed
        if kept:
            self.kept[step.name] = kept
            log.warning("step %-8s: %s/ %s", step.name, step.directory, kept.describe())


def run_pipeline(
    cfg: RunConfig, run_dir: Path | str, from_step: str | None = None, to_step: str | None = None
) -> RunResult:
    """Run steps ``from_step``..``to_step`` (default: all), resuming from checkpoints.

    The run directory is locked for the whole call: a second ``run_pipeline`` on it (another process)
    raises :class:`OutputDirError` at once.
    """
    run_dir = Path(run_dir).resolve()
    first = _step_index(from_step, 0)
    last = _step_index(to_step, len(STEPS) - 1)
    if first > last:
        raise ConfigError(f"--from {STEP_NAMES[first]} comes after --to {STEP_NAMES[last]}")
    with locked_output_dir(run_dir, "run", {"config": cfg.to_dict()}):
        run = _Run(cfg, run_dir)
        previous = ""
        for i, step in enumerate(STEPS):
            fp = _fingerprint(step, cfg, previous)
            previous = fp
            ckpt = _load_checkpoint(run.ckpt_dir / f"{step.name}.json")
            valid = ckpt is not None and run.valid(step, ckpt, fp)
            if i > last:
                if valid and ckpt is not None:
                    run.take(step, ckpt)
                continue
            if valid and ckpt is not None and (i < first or from_step is None):
                run.take(step, ckpt)
                run.status[step.name] = "skipped"
                log.info("step %-8s up to date (checkpoint %s), skipped", step.name, fp)
                continue
            if i < first:
                raise OutputDirError(
                    f"--from {STEP_NAMES[first]}: step {step.name!r} has no valid checkpoint in {run_dir}; "
                    f"run it first (fpgaflow run --to {step.name})"
                )
            run.run_step(i, step, fp)
        if run.other_code:
            log.warning(
                "steps %s were reused from checkpoints that other fpgaflow code made (source digest %s; now %s): "
                "their results are that code's; `fpgaflow run --from %s` redoes them",
                ", ".join(run.other_code),
                ", ".join(sorted(set(run.other_code.values()))),
                source_digest(),
                next(iter(run.other_code)),
            )
        summary = run.publish()
    return RunResult(run_dir, run.status, summary)


def _invalidate_from(ckpt_dir: Path, index: int) -> None:
    for later in STEPS[index:]:
        (ckpt_dir / f"{later.name}.json").unlink(missing_ok=True)


def _run_one(
    step: Step, art: Artefacts, cfg: RunConfig, run_dir: Path, fp: str, inventory_path: Path
) -> tuple[float, Kept]:
    """Run ``step`` into ``<dir>.partial``; keep in it what the old ``<dir>`` holds that fpgaflow did not
    write; swap it in; record its inventory and checkpoint.  Returns (seconds, what was kept)."""
    final = run_dir / step.directory
    before_files, before_metrics = dict(art.files), dict(art.metrics)
    log.info("step %-8s running → %s", step.name, final)
    t0 = time.perf_counter()
    with atomic_directory(final, replace=True) as staging:
        art.step_dir, art.step_final = staging, step.directory
        try:
            art = step.fn(art, cfg)
        finally:
            art.step_dir, art.step_final = None, None
        written = inventory(staging)
        kept = carry_over(final, staging, read_inventory(inventory_path))
    elapsed = time.perf_counter() - t0
    write_inventory(inventory_path, step.name, written)
    new_files = {k: v for k, v in art.files.items() if before_files.get(k) != v}
    new_metrics = {k: v for k, v in art.metrics.items() if k not in before_metrics or before_metrics[k] != v}
    write_json(
        run_dir / MARKER_DIR / "checkpoints" / f"{step.name}.json",
        {
            "step": step.name,
            "fingerprint": fp,
            "code": source_digest(),
            "files": new_files,
            "metrics": new_metrics,
            "seconds": elapsed,
        },
        sort_keys=False,
        default=str,
    )
    log.info("step %-8s done in %.1f s", step.name, elapsed)
    return elapsed, kept


def _summary(
    art: Artefacts, seconds: dict[str, float], status: dict[str, str], kept: dict[str, Kept]
) -> dict[str, Any]:
    """What the directory holds now: the metrics and files of the steps that finished, each step's status
    (``ran``, ``skipped``, ``running``, ``failed``, ``interrupted``, ``not run``) and what a rerun kept.
    ``complete`` only when every step ran or was up to date."""
    summary: dict[str, Any] = dict(art.metrics)
    summary["steps_seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    summary["steps_status"] = dict(status)
    summary["complete"] = all(s in ("ran", "skipped") for s in status.values())
    summary["files"] = dict(art.files)
    if kept:
        summary["kept_files"] = {name: {"kept": k.kept, "moved_aside": k.moved_aside} for name, k in kept.items()}
    summary["fpgaflow_version"] = __version__
    return summary
