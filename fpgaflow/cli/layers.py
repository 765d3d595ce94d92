"""``fpgaflow layers``: which (Q)Keras layers and options convert, estimate and emulate (the coverage table)."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "layers",
        handle,
        help="print the layer-coverage table: each (Q)Keras layer/option and what convert, estimate, emulate do",
        description="The table is generated from the conversion registry and the estimator's and emulator's own "
        "rules. --write FILE replaces the table between its markers in a Markdown file (docs/convert.md).",
    )
    opts = Options(p)
    opts.option("--write", type=Path, metavar="MARKDOWN", help="replace the table in this file instead of printing")


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.pipeline.layer_coverage import coverage_markdown, replace_in
    from fpgaflow_board.atomic import write_text

    if args.write is None:
        print(coverage_markdown())  # noqa: T201
        return 0
    write_text(args.write, replace_in(args.write.read_text(encoding="utf-8")))
    print(f"layer-coverage table written to {args.write}")  # noqa: T201
    return 0
