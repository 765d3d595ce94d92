"""``fpgaflow run [CONFIG] --out DIR [--from STEP] [--to STEP]``."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command
from fpgaflow.cli.report import REPORT_NEEDS

log = logging.getLogger(__name__)

STEPS_HELP = "data, train, convert, verify, baselines, package"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "run",
        handle,
        help="run the whole flow: hit maps → trained, pruned QKeras CNN → hls4ml project → C-sim check → bundle",
        description="Run the flow. Finished steps are checkpointed; rerunning resumes. Steps: " + STEPS_HELP,
        needs=("tensorflow", "qkeras", "tensorflow_model_optimization", "hls4ml", "scipy", *REPORT_NEEDS),
    )
    opts = Options(p)
    opts.option(
        "config",
        nargs="?",
        type=Path,
        help="run config YAML, or a preset name: quick (32 × 32, minutes) (default: the shipped models/default.yaml, "
        "the window-128 flagship)",
    )
    opts.option("--out", type=Path, help="run directory (created; an earlier run resumes); required to run")
    opts.option("--from", dest="from_step", metavar="STEP", help="re-run from this step on")
    opts.option("--to", dest="to_step", metavar="STEP", help="stop after this step")
    opts.option(
        "--print-config",
        action="store_true",
        help="print the run config (checked, defaults filled in) as YAML and stop",
    )


def handle(args: argparse.Namespace) -> int:
    import yaml

    from fpgaflow.errors import ConfigError
    from fpgaflow.pipeline.config import load_run_config, resolve_config
    from fpgaflow.pipeline.runner import run_pipeline

    cfg = load_run_config(args.config)
    if args.print_config:
        print(f"# {resolve_config(args.config)}\n" + yaml.safe_dump(cfg.to_dict(), sort_keys=False), end="")  # noqa: T201
        return 0
    if args.out is None:
        raise ConfigError("--out DIR is required to run the flow")
    result = run_pipeline(cfg, args.out, from_step=args.from_step, to_step=args.to_step)
    s = result.summary
    keys = ("accuracy_keras", "accuracy_csim", "csim_agreement", "max_abs_diff", "sparsity", "n_test")
    print(json.dumps({k: s.get(k) for k in keys}, indent=2))  # noqa: T201
    if s.get("baselines_headline"):
        print(f"against the baselines: {s['baselines_headline']}")  # noqa: T201
    print(  # noqa: T201
        f"summary: {result.run_dir / 'summary.json'}\nreport:  {result.run_dir / 'report.md'}\n"
        f"page:    {result.run_dir / 'report.html'}"
    )
    if s.get("verify_passed") is False:
        log.error("verification failed: QKeras/C-sim agreement %.4f below the configured minimum", s["csim_agreement"])
        return 1
    return 0
