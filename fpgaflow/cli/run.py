"""``fpgaflow run [CONFIG] --out DIR [--from STEP] [--to STEP]``."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

STEPS_HELP = "data, train, convert, verify, package"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the whole flow: hit maps → trained, pruned QKeras CNN → hls4ml project → C-sim check → bundle",
        description="Run the flow. Finished steps are checkpointed; rerunning resumes. Steps: " + STEPS_HELP,
    )
    p.add_argument("config", nargs="?", type=Path, help="run config YAML (default: models/default.yaml)")
    p.add_argument("--out", required=True, type=Path, help="run directory (created; an earlier run resumes)")
    p.add_argument("--from", dest="from_step", metavar="STEP", help="re-run from this step on")
    p.add_argument("--to", dest="to_step", metavar="STEP", help="stop after this step")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.config.run import load_run_config
    from fpgaflow.pipeline.runner import run_pipeline

    cfg = load_run_config(args.config)
    result = run_pipeline(cfg, args.out, from_step=args.from_step, to_step=args.to_step)
    s = result.summary
    keys = ("accuracy_keras", "accuracy_csim", "csim_agreement", "max_abs_diff", "sparsity", "n_test")
    print(json.dumps({k: s.get(k) for k in keys}, indent=2))  # noqa: T201
    print(f"summary: {result.run_dir / 'summary.json'}\nreport:  {result.run_dir / 'report.md'}")  # noqa: T201
    if s.get("verify_passed") is False:
        log.error("verification failed: QKeras/C-sim agreement %.4f below the configured minimum", s["csim_agreement"])
        return 1
    return 0
