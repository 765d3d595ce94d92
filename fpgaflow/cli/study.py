"""``fpgaflow study CONFIG --out DIR [--executor inprocess|process|dask] [--workers N] [--scheduler ADDR]``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "study",
        help="train a grid of variants (strategies × batch sizes × seeds × models) and tabulate their accuracy",
        description=(
            "Run a study config (e.g. models/study_augmentation.yaml). Finished jobs are kept in OUT/jobs/ and "
            "skipped on a rerun. Writes OUT/results.{md,csv,png}, OUT/jobs.csv."
        ),
    )
    p.add_argument("config", type=Path, help="study config YAML")
    p.add_argument("--out", required=True, type=Path, help="study directory (created; an earlier study resumes)")
    p.add_argument("--executor", choices=("inprocess", "process", "dask"), help="override executor.kind")
    p.add_argument("--workers", type=int, help="override executor.workers")
    p.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler address (implies --executor dask)")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.config.strict import load_yaml
    from fpgaflow.study.config import ExecutorConfig, StudyConfig
    from fpgaflow.study.runner import run_study

    cfg = load_yaml(StudyConfig, args.config)
    ex = cfg.executor
    overrides: dict[str, Any] = {}
    if args.executor:
        overrides["kind"] = args.executor
    if args.workers is not None:
        overrides["workers"] = args.workers
    if args.scheduler:
        overrides.update(kind="dask", scheduler_address=args.scheduler)
    if overrides:
        cfg = dataclasses.replace(cfg, executor=ExecutorConfig(**{**dataclasses.asdict(ex), **overrides}))

    def progress(result: dict[str, Any]) -> None:
        log.info(
            "done %s: train %.4f val %.4f (%.0f s)",
            result["job_id"],
            result["train_accuracy"],
            result["val_accuracy"],
            result["seconds"],
        )

    result = run_study(cfg, args.out, progress=progress)
    print((result.out_dir / "results.md").read_text(encoding="utf-8"))  # noqa: T201
    print(f"table: {result.out_dir / 'results.md'}\ncsv:   {result.out_dir / 'results.csv'}")  # noqa: T201
    return 0
