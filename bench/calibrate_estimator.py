"""Calibrate the resource estimator on the public designs and write its leave-one-design-out error.

    PYTHONPATH=$PWD .venv/bin/python bench/calibrate_estimator.py [--rebuild] [--write]

``--rebuild``: convert every public design with hls4ml 1.3 (TensorFlow needed, ~15 s) and refresh the cached
descriptions (``fpgaflow/estimate/public_designs/designs.json``).  ``--write``: store the coefficients in
``fpgaflow/estimate/coefficients.yaml`` and the tables in ``bench/results_estimate.md``.  Without it the
Markdown is printed.  Reports are found with ``find_calibration_root()`` (``$FPGAFLOW_CALIBRATION`` or
``shared/calibration`` beside the checkout).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from pathlib import Path

import yaml

from fpgaflow.config.strict import to_mapping
from fpgaflow.estimate.budget import check_budget
from fpgaflow.estimate.calibration import Case, Prediction, calibrate, find_calibration_root, load_cases
from fpgaflow.estimate.calibration_report import design_table, error_table, not_modelled_list
from fpgaflow.estimate.coefficients import COEFFICIENTS_PATH, Coefficients
from fpgaflow.estimate.estimator import estimate_design_on_board
from fpgaflow.estimate.public_designs import NOT_REBUILT, PUBLIC_DESIGNS
from fpgaflow.estimate.public_designs.build import describe_public, read_cache, write_cache
from fpgaflow_board.atomic import write_text
from fpgaflow_board.boards import get_board

RESULTS = Path(__file__).with_name("results_estimate.md")
COMMAND = "PYTHONPATH=$PWD .venv/bin/python bench/calibrate_estimator.py --write"
#: Implementation figures of the whole PYNQ-Z2 block design typed in PYNQ_IA's README (% of the xc7z020),
#: the only block-design figures for a design the estimator models (no report file: a check, not a fit).
PYNQIA_TYPED = {"pynqia_mnist_cnn_z020": {"lut": 0.35, "ff": 0.21, "dsp": 0.05, "bram18": 0.33}}


def block_design_check(cases: list[Case], coeffs: Coefficients) -> str:
    """PYNQ_IA's MNIST CNN on the PYNQ-Z2: post-implementation estimate of the whole block design vs the
    README's typed percentages."""
    board = get_board("pynq-z2")
    lines = [
        "| design | resource | README (typed, impl.) | estimate, impl. level + shell (range) | verdict at 70 % |",
        "|---|---|---:|---|---|",
    ]
    for case in cases:
        typed = PYNQIA_TYPED.get(case.name)
        if typed is None:
            continue
        table = estimate_design_on_board(case.spec, board, coeffs, level="impl")
        budget = check_budget(table, board)
        for row in budget.rows:
            lines.append(
                f"| {case.name} | {row.resource} | {100 * typed[row.resource]:.0f} % "
                f"({typed[row.resource] * row.available:,.0f}) | {row.interval()} "
                f"({100 * row.utilisation:.0f} %) | {row.verdict} |"
            )
    return "\n".join(lines)


def render(cases: list[Case], coeffs: Coefficients, predictions: list[Prediction], seconds: float) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    n_synth = sum(1 for p in predictions if p.modelled and "synth" in p.truth)
    return "\n".join(
        [
            "# Resource estimator: leave-one-design-out error on whole networks",
            "",
            f"Command: `{COMMAND}` ({seconds:.0f} s on {platform.machine()}, load average {load:.1f}; the "
            "public designs' hls4ml descriptions come from the cache written by `--rebuild`).",
            "",
            f"{len(cases)} whole networks rebuilt from their MODEL.md facts as hls4ml 1.3 graphs "
            f"(`fpgaflow/estimate/public_designs/`), {n_synth} of them with a Vivado post-synthesis report. "
            "Each design is estimated by coefficients fitted on all the *other* modelled designs "
            "(coefficients, delays and implementation ratio refitted each time); error = |estimate - report| / "
            "report on the design totals. DSP48 and BRAM18 are counted by rules, not fitted.",
            "",
            "## Error per level and resource",
            "",
            error_table(coeffs.errors, predictions),
            "",
            "The range column is what every printed estimate carries: the estimate times the 10th-90th "
            "percentile of report / estimate over the designs left out. The implementation level is the "
            "synthesis estimate times the post-implementation / post-synthesis ratio of the one core with both "
            "reports (ece226 stream, routed; its check row above) and carries the synthesis band; the "
            "block-design shell is measured separately (board table).",
            "",
            "## Every design (report / leave-one-out estimate, signed error)",
            "",
            design_table(predictions),
            "",
            "## Designs estimated but not in the fit or the statistics",
            "",
            not_modelled_list(),
            "",
            "Not rebuilt: " + "; ".join(f"`{k}` ({v})" for k, v in NOT_REBUILT.items()) + ".",
            "",
            "## Whole PYNQ-Z2 block design (the only typed implementation figures)",
            "",
            block_design_check(cases, coeffs),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="reconvert the public designs with hls4ml 1.3")
    parser.add_argument("--write", action="store_true", help=f"write {COEFFICIENTS_PATH} and {RESULTS}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.rebuild:
        write_cache([describe_public(d) for d in PUBLIC_DESIGNS])
    t0 = time.perf_counter()
    cases = load_cases(find_calibration_root(), read_cache())
    coeffs, predictions = calibrate(cases)
    text = render(cases, coeffs, predictions, time.perf_counter() - t0)
    if args.write:
        header = "# Generated by bench/calibrate_estimator.py --write; do not edit by hand.\n"
        write_text(COEFFICIENTS_PATH, header + yaml.safe_dump(to_mapping(coeffs), sort_keys=False))
        write_text(RESULTS, text)
        print(f"wrote {COEFFICIENTS_PATH} and {RESULTS}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
