"""``fpgaflow check BUNDLE RESULTS``: did the board reproduce the C simulation and QKeras?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="compare board results with the bundle's expected C-sim and QKeras outputs",
        description="Compare RESULTS (written on the board by `python -m fpgaflow_board BUNDLE --out RESULTS`) "
        "with BUNDLE's expected outputs: class agreement, max |Δ|, accuracy of each, verdict. Exit 0 on "
        "PASS, 1 on FAIL.",
    )
    p.add_argument("bundle", type=Path, help="board bundle directory (RUN_DIR/board)")
    p.add_argument("results", type=Path, help="results .npz from the board")
    p.add_argument("--tolerance", type=float, default=0.0, help="max |Δ| of raw outputs vs C-sim (default 0)")
    p.add_argument("--min-agreement", type=float, default=1.0, help="min board/C-sim class agreement")
    p.add_argument("--min-keras-agreement", type=float, default=None, help="also require this vs QKeras")
    p.add_argument("--show", type=int, default=10, help="how many disagreeing maps to list")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.verify.check import check_results

    report = check_results(
        args.bundle, args.results, args.tolerance, args.min_agreement, args.min_keras_agreement, args.show
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.format())  # noqa: T201
    return 0 if report.passed else 1
