"""``fpgaflow active CONFIG --out DIR [--executor inprocess|process|dask] [--workers N] [--scheduler ADDR]``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from fpgaflow.active.config import ActiveConfig
from fpgaflow.cli.handler import Options, add_command

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "active",
        handle,
        help="pool-based active learning: label-efficiency curves per acquisition and augmentation",
        description=(
            "Run an active-learning config (e.g. models/active_32.yaml): every augmentation × acquisition × seed "
            "trains the run's QKeras model round by round on the labelled pool maps and acquires more up to the "
            "budget. Finished runs are kept in OUT/jobs/ and skipped on a rerun. Writes OUT/results.md, "
            "OUT/curves.{csv,png}, OUT/curves_mean.csv, OUT/summary.{csv,json} and the chosen model's conversion "
            "and resource estimate in OUT/chosen/."
        ),
        needs=("tensorflow", "qkeras", "matplotlib", "skactiveml"),
    )
    opts = Options(p, ActiveConfig, "active", config_positional=True)
    opts.option("--out", required=True, type=Path, help="output directory (created; an earlier run resumes)")
    opts.executor_flags()


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.active.runner import run_active

    def progress(result: dict[str, Any]) -> None:
        last = result["rounds"][-1]
        log.info(
            "done %s: %d labelled, test accuracy %.4f (%.0f s)",
            result["job_id"],
            last["n_labelled"],
            last["test_accuracy"],
            result["seconds"],
        )

    result = run_active(args.options.config(args), args.out, progress=progress)
    print((result.out_dir / "results.md").read_text(encoding="utf-8").split("## Per method")[0])  # noqa: T201
    print(f"curves: {result.out_dir / 'curves.png'}\ntable:  {result.out_dir / 'results.md'}")  # noqa: T201
    return 0
