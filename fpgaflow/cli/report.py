"""``fpgaflow report RUN``: write the run report (``report.md`` and the self-contained ``report.html``) of an
existing run directory, from its files, without rerunning anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command

#: What drawing and rendering the report needs (the ``host`` extra).
REPORT_NEEDS = ("matplotlib", "jinja2", "hist", "mplhep", "scipy")


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "report",
        handle,
        help="write RUN/report.md and the self-contained RUN/report.html of an existing run",
        description="Read a run directory (summary.json, its config and artefacts) and write report.md (for the "
        "terminal) and report.html (one page, figures embedded, no network needed): data, training, test "
        "metrics with errors, ROC with the baselines, confusion matrix, per-layer precision and reuse, "
        "resources against the budget, throughput, verification, provenance. `fpgaflow run` writes both "
        "after every run.",
        needs=REPORT_NEEDS,
    )
    opts = Options(p)
    opts.option("run_dir", type=Path, help="an `fpgaflow run` output directory")


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.outdir import hold_lock
    from fpgaflow.pipeline.artefacts import FinishedRun
    from fpgaflow.pipeline.report import write_reports

    FinishedRun.read(args.run_dir)  # one-line error for a directory that is not a run
    with hold_lock(args.run_dir):  # a run writing the directory rewrites the report itself: refuse
        done = write_reports(args.run_dir)
    shown = sum(s.available for s in done.sections)
    print(f"report: {done.markdown}\npage:   {done.html} ({shown} of {len(done.sections)} sections filled)")  # noqa: T201
    return 0
