"""``fpgaflow emulate``: the C simulation's exact outputs for a set of hit maps, at numpy speed."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command, given
from fpgaflow.modelio import OVERRIDE_HELP


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "emulate",
        _handler,
        help="bit-exact outputs of a converted hls4ml design for many hit maps",
        description=(
            "Run the hit maps of a file (ADC counts; .npz, .h5/.hdf5, shards, .root) through a bit-exact numpy "
            "emulator of the hls4ml project in HLS_PROJECT_DIR and write the outputs hls_model.predict would give."
        ),
        needs=("hls4ml",),
    )
    opts = Options(parser)
    opts.option("project", type=Path, metavar="HLS_PROJECT_DIR", help="hls4ml project directory")
    opts.option(
        "--maps",
        type=Path,
        required=True,
        metavar="MAPS",
        help="hit-map file (.npz, .h5/.hdf5, shard directory or .root)",
    )
    opts.option("--out", type=Path, required=True, metavar="FILE", help="output npz ('outputs')")
    opts.option("--scale", type=float, help=OVERRIDE_HELP)
    opts.option("--batch-size", type=int, help="maps per batch (default: by memory)")
    opts.option(
        "--check-csim",
        type=int,
        metavar="N",
        help="also compile the C simulation and require bit identity on the first N maps (default: no check)",
    )


def _handler(args: argparse.Namespace) -> int:
    from fpgaflow.emulate.emulate_file import emulate_file

    result = emulate_file(args.project, args.maps, args.out, **given(args, "scale", "batch_size", "check_csim"))
    print(f"{result.out}: {result.shape[0]} maps, outputs {result.shape[1:]} ({result.output_type})")  # noqa: T201
    return 0
