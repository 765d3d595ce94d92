"""``fpgaflow check BUNDLE RESULTS``: did the board reproduce the C simulation and QKeras?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command
from fpgaflow.verify.config import CheckConfig


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "check",
        handle,
        help="compare board results with the bundle's expected C-sim and QKeras outputs",
        description="Compare RESULTS (written on the board by `python -m fpgaflow_board BUNDLE --out RESULTS`) "
        "with BUNDLE's expected outputs: class agreement, max |Δ|, accuracy of each, verdict. Exit 0 on "
        "PASS, 1 on FAIL.",
    )
    opts = Options(p, CheckConfig, "check")
    opts.option("bundle", type=Path, help="board bundle directory (RUN_DIR/board)")
    opts.option("results", type=Path, help="results .npz from the board")
    opts.config_flag("--tolerance", type=float, field="tolerance", help="max |Δ| of raw outputs vs C-sim")
    opts.config_flag("--min-agreement", type=float, field="min_agreement", help="min board/C-sim class agreement")
    opts.config_flag(
        "--min-keras-agreement", type=float, field="min_keras_agreement", help="also require this vs QKeras"
    )
    opts.config_flag("--show", type=int, field="show", help="how many disagreeing maps to list")
    opts.option("--json", action="store_true", help="print the report as JSON")


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.verify.check import check_results

    report = check_results(args.bundle, args.results, args.options.config(args))
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.format())  # noqa: T201
    return 0 if report.passed else 1
