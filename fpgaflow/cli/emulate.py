"""``fpgaflow emulate``: the C simulation's exact outputs for a set of hit maps, at numpy speed."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "emulate",
        help="bit-exact outputs of a converted hls4ml design for many hit maps",
        description=(
            "Run the maps of an npz file (array 'maps', ADC counts) through a bit-exact numpy emulator of "
            "the hls4ml project in HLS_PROJECT_DIR and write the outputs hls_model.predict would give."
        ),
    )
    parser.add_argument("project", type=Path, metavar="HLS_PROJECT_DIR", help="hls4ml project directory")
    parser.add_argument("--maps", type=Path, required=True, metavar="NPZ", help="npz with an array 'maps'")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="output npz ('outputs')")
    parser.add_argument(
        "--scale",
        type=float,
        default=1 / 256,
        help="multiplier from stored map values to network inputs "
        "(default 1/256: ADC counts to the deployed ap_ufixed<8,0> input)",
    )
    parser.add_argument("--batch-size", type=int, default=None, help="maps per batch (default: by memory)")
    parser.add_argument(
        "--check-csim",
        type=int,
        default=0,
        metavar="N",
        help="also compile the C simulation and require bit identity on the first N maps",
    )
    parser.set_defaults(func=_handler)


def _handler(args: argparse.Namespace) -> int:
    import numpy as np

    from fpgaflow.emulate import Emulator
    from fpgaflow.emulate.compare import compare_to_csim
    from fpgaflow.emulate.project import load_hls_project
    from fpgaflow.errors import ConfigError, DataError
    from fpgaflow_board.atomic import write_npz

    if args.batch_size is not None and args.batch_size < 1:
        raise ConfigError(f"--batch-size must be >= 1, got {args.batch_size}")
    if not args.maps.is_file():
        raise DataError(f"{args.maps}: file not found")
    with np.load(args.maps, allow_pickle=False) as z:
        if "maps" not in z:
            raise DataError(f"{args.maps}: expected an array 'maps', found {sorted(z.files)}")
        maps = (z["maps"].astype(np.float64) * args.scale).astype(np.float32)
    hls_model = load_hls_project(args.project)
    emu = Emulator.from_hls_model(hls_model)
    outputs = emu.predict(maps, batch_size=args.batch_size)
    if args.check_csim:
        hls_model.compile()
        result = compare_to_csim(emu, hls_model, maps[: args.check_csim])
        result.raise_if_different()
        log.info("C simulation agrees bit for bit on %d maps", result.n_maps)
    write_npz(args.out, outputs=outputs)
    print(f"{args.out}: {outputs.shape[0]} maps, outputs {outputs.shape[1:]} ({emu.output_type})")  # noqa: T201
    return 0
