"""``fpgaflow estimate MODEL_OR_PROJECT --board pynq-z2 --out DIR``: resources, cycles, maps/s, no Vivado."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command
from fpgaflow.estimate.config import EstimateConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "estimate",
        run,
        help="estimate LUT/FF/DSP/BRAM, latency and throughput of an hls4ml design without Vivado",
        description="Estimate an hls4ml design's resources (per layer and total), latency, interval, maps/s "
        "on a board from a calibrated analytical model. The figures are ESTIMATES; the output states "
        "their measured error.",
        needs=("hls4ml", "matplotlib"),
    )
    opts = Options(parser, EstimateConfig, "estimate")
    opts.option("source", type=Path, help="hls4ml project directory, or a Keras .keras/.h5 model file")
    opts.option("--out", type=Path, required=True, help="directory for estimate.md/.json/.png")
    opts.config_flag("--board", field="board", help="target board")
    opts.config_flag(
        "--part",
        field="board",
        help="bare FPGA part, synthesis-only study (e.g. xczu7ev-ffvc1156-2-e: device totals, no shell)",
    )
    opts.config_flag("--budget", type=float, field="budget", help="fraction of each resource allowed")
    opts.config_flag(
        "--level", field="level", help="predict the HLS report, post-synthesis or post-implementation figures"
    )
    opts.config_flag(
        "--core-only", field="core_only", action="store_true", help="the network core alone, without the shell"
    )
    opts.config_flag("--input-bits", type=int, field="input_bits", help="bits per input element sent by the DMA")


def run(args: argparse.Namespace) -> int:
    from fpgaflow.estimate.write_estimate import write_estimate

    estimate = write_estimate(args.source, args.options.config(args), args.out)
    print("\n".join(estimate.lines()))  # noqa: T201
    return 0 if estimate.budget.fits else 1  # "fits only if the estimate is high" is not a pass
