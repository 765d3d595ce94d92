"""``fpgaflow study CONFIG --out DIR [--executor inprocess|process|dask] [--workers N] [--scheduler ADDR]``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command
from fpgaflow.study.config import StudyConfig

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "study",
        handle,
        help="train a grid of variants (strategies × batch sizes × seeds × models) and tabulate their accuracy",
        description=(
            "Run a study config (e.g. models/study_augmentation.yaml). Finished jobs are kept in OUT/jobs/ and "
            "skipped on a rerun. Writes OUT/results.{md,csv,png}, OUT/jobs.csv."
        ),
        needs=("tensorflow", "qkeras", "matplotlib"),
    )
    opts = Options(p, StudyConfig, "study", config_positional=True)
    opts.option("--out", required=True, type=Path, help="study directory (created; an earlier study resumes)")
    opts.executor_flags()


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.study.runner import run_study

    result = run_study(args.options.config(args), args.out)
    print((result.out_dir / "results.md").read_text(encoding="utf-8"))  # noqa: T201
    print(f"table: {result.out_dir / 'results.md'}\ncsv:   {result.out_dir / 'results.csv'}")  # noqa: T201
    return 0
