"""Write a finished run's board bundle again, e.g. after ``fpgaflow build`` has made its bitstream.

The run's own ``package`` step does it (and any step after it), with the config the run was made with (kept
in its marker), so ``RUN_DIR/board``, its checkpoint and ``summary.json`` agree about the bitstream.
"""

from __future__ import annotations

import json
from pathlib import Path

from fpgaflow.config.strict import from_mapping
from fpgaflow.errors import StepError
from fpgaflow.outdir import marker_path
from fpgaflow.pipeline.config import RunConfig
from fpgaflow.pipeline.runner import RunResult, run_pipeline


def run_config_of(run_dir: Path) -> RunConfig:
    """The config ``run_dir`` was last run with (from its ``.fpgaflow/run.json``)."""
    marker = marker_path(run_dir, "run")
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StepError(f"{run_dir} is not a readable fpgaflow run ({marker}: {exc})") from None
    config = record.get("config") if isinstance(record, dict) else None
    if not isinstance(config, dict):
        raise StepError(f"{marker} holds no run config")
    return from_mapping(RunConfig, config)


def refresh_bundle(run_dir: Path) -> RunResult:
    """Rerun ``run_dir``'s package step (and the steps after it); the earlier steps must be done."""
    run_dir = Path(run_dir)
    return run_pipeline(run_config_of(run_dir), run_dir, from_step="package")
