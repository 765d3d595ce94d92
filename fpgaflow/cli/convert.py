"""``fpgaflow convert MODEL --board pynq-z2 --out DIR``: a saved (Q)Keras model → hls4ml project + C-sim."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command, given
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.modelio import OVERRIDE_HELP


def _reuse(text: str) -> int | str:
    return "auto" if text == "auto" else int(text)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "convert",
        handle,
        help="convert a saved (Q)Keras model into an hls4ml project with a relocatable C-sim and a precision report",
        description="Plan per-layer precisions (QKeras quantisers + profiling on calibration maps), valid reuse "
        "factors and FIFO depths; write the hls4ml project, its C-simulation library and conversion.{json,md}. "
        "--config takes a run config, its convert: section alone, or the fit.yaml/convert.yaml of `fpgaflow fit`.",
        needs=("tensorflow", "qkeras", "hls4ml"),
    )
    opts = Options(p, ConvertConfig, "convert")
    opts.option("model", type=Path, help="saved (Q)Keras model (.h5)")
    opts.option("--out", required=True, type=Path, help="project directory (new, empty, or an earlier convert output)")
    opts.config_flag("--board", field="board", help="target board")
    opts.config_flag(
        "--part",
        field="board",
        help="bare FPGA part, synthesis only (e.g. xczu7ev-ffvc1156-2-e: its totals, no shell; sets --backend Vivado)",
        implies={"backend": "Vivado"},
    )
    opts.config_flag("--backend", field="backend", help="hls4ml backend")
    opts.config_flag(
        "--reuse-factor", type=_reuse, field="reuse_factor", help="global reuse factor, or 'auto' for the DSP budget"
    )
    opts.config_flag("--strategy", field="strategy", help="hls4ml strategy for every layer")
    opts.option(
        "--calibration",
        type=Path,
        help="hit maps (.npz, .h5/.hdf5, shard directory or .root) profiled to size result types",
    )
    opts.option("--input-scale", type=float, help=OVERRIDE_HELP)
    opts.option("--no-csim", action="store_true", help="do not compile the C-simulation library")


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.convert.convert_saved_model import convert_saved_model

    done = convert_saved_model(
        args.model,
        args.options.config(args),
        args.out,
        calibration=args.calibration,
        csim=not args.no_csim,
        **given(args, "input_scale"),
    )
    print(f"hls4ml project: {done.project}\nprecision report: {done.report}")  # noqa: T201
    if done.csim_library is not None:
        print(f"C-sim library: {done.csim_library}")  # noqa: T201
    return 0
