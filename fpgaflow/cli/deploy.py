"""``fpgaflow deploy RUN_DIR --host USER@BOARD``: run the bundle on a PYNQ-Z2 over ssh/scp, then check it."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command
from fpgaflow.deploy.config import DeployConfig


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "deploy",
        handle,
        help="copy a run's board bundle to a PYNQ-Z2 over ssh/scp, run it there, check the results here",
        description=(
            "Copy the files RUN_DIR/board/manifest.json lists (the bundle must have a bitstream: fpgaflow build) "
            "to USER@BOARD, run `python3 -m fpgaflow_board . --real` there as root, fetch results.npz and judge "
            "it like `fpgaflow check` (bit-exact with the C simulation). Writes results.npz, board.log, "
            "check.txt and check.json to --out (default RUN_DIR/deploy). Exit 0 on PASS, 1 on FAIL, 2 on an error."
        ),
    )
    opts = Options(p, DeployConfig, "deploy")
    opts.option("run", type=Path, help="run directory (RUN_DIR, whose board/ is the bundle) or a bundle directory")
    opts.config_flag("--host", field="host", help="the board as ssh names it: USER@BOARD")
    opts.config_flag("--remote-dir", field="remote_dir", help="folder on the board receiving one folder per run")
    opts.config_flag("--batch-size", type=int, field="batch_size", help="maps per DMA transfer on the board")
    opts.config_flag("--timeout", type=float, field="timeout_s", help="seconds per DMA wait on the board")
    opts.option("--out", type=Path, help="output directory (default: RUN_DIR/deploy)")
    opts.option("--json", action="store_true", help="print the check report as JSON")


def handle(args: argparse.Namespace) -> int:
    import json

    from fpgaflow.deploy.deploy import deploy

    done = deploy(args.run, args.options.config(args), out_dir=args.out)
    report = done.report
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))  # noqa: T201 - the report is the output
    else:
        print(report.format())  # noqa: T201
        print(f"board: {done.host}:{done.remote_dir}; results: {done.out_dir}")  # noqa: T201
    return 0 if report.passed else 1
