"""``fpgaflow augment show``: a grid PNG of one hit map under every transform at a few magnitudes."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command, given

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("augment", help="inspect hit-map augmentations")
    sub = parser.add_subparsers(dest="augment_command", metavar="ACTION")
    sub.required = True
    show = add_command(
        sub,
        "show",
        show_handler,
        help="grid PNG: one map, each transform at a few magnitudes",
        needs=("matplotlib",),
    )
    opts = Options(show)
    opts.option(
        "--input",
        type=Path,
        help="hit-map file (.npz, .h5/.hdf5, shard directory or .root) (default: a toy map from fpgaflow.data.toy)",
    )
    opts.option("--index", type=int, help="map to show (default: the particle map with most hits)")
    opts.option("--out", type=Path, required=True, help="PNG to write")
    opts.option("--seed", type=int, help="seed of the transform draws (default 0)")


def show_handler(args: argparse.Namespace) -> int:
    from fpgaflow.augment.show import show_transforms

    path = show_transforms(args.out, args.input, args.index, **given(args, "seed"))
    log.info("wrote %s", path)
    print(path)  # noqa: T201 - the path is the product
    return 0
