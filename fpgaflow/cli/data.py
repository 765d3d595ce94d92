"""``fpgaflow data``: simulate hit maps to a file, and show a file (gallery PNG + per-class statistics)."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command, given
from fpgaflow.data.config import DataConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="simulate, inspect and convert hit-map data")
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION")
    sub.required = True

    sim = add_command(
        sub,
        "simulate",
        _simulate,
        help="simulate labelled hit maps (physics simulator) to a file",
        needs=("scipy", "tqdm"),
    )
    opts = Options(sim, DataConfig, "data", config_required=True)
    opts.option(
        "--out",
        required=True,
        type=Path,
        help="output: .npz (in memory), .h5/.hdf5 (streamed), or a directory (npz shards)",
    )
    opts.config_flag("--n-maps", type=int, field="n_maps", help="maps to simulate")
    opts.config_flag("--seed", type=int, field="seed", help="seed of the simulation")
    opts.option("--shard-size", type=int, help="maps per npz shard when --out is a directory (default 10,000)")
    opts.option(
        "--truth",
        action="store_true",
        help="also save per-cluster simulation truth beside the maps (the maps are the same either way)",
    )

    conv = add_command(
        sub,
        "convert",
        _convert,
        help="copy hit maps between .npz, .h5/.hdf5 and npz shard directories (maps, labels, metadata unchanged)",
    )
    opts = Options(conv)
    opts.option("input", type=Path, help=".npz, .h5/.hdf5, .root or a shard directory")
    opts.option("output", type=Path, help="output: .npz, .h5/.hdf5, or a directory (npz shards)")
    opts.option("--shard-size", type=int, help="maps per npz shard when OUTPUT is a directory (default 10,000)")

    show = add_command(
        sub,
        "show",
        _show,
        help="gallery PNG of each class and per-class statistics of a hit-map file",
        needs=("matplotlib", "scipy", "hist", "mplhep"),
    )
    opts = Options(show)
    opts.option("file", type=Path, help=".npz, .h5/.hdf5, .root or a shard directory")
    opts.option("--out", type=Path, help="PNG to write (default: FILE with .png)")
    opts.option("--max-maps", type=int, help="maps per class used for the statistics (default 5,000)")


def _convert(args: argparse.Namespace) -> int:
    from fpgaflow.data.convert_file import convert_file
    from fpgaflow.data.dataset import open_dataset

    out = convert_file(args.input, args.output, **given(args, "shard_size"))
    ds = open_dataset(out)
    print(f"wrote {len(ds)} maps of {'x'.join(map(str, ds.map_shape[:2]))} from {args.input} to {out}")  # noqa: T201
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from fpgaflow.data.write_simulated import write_simulated

    cfg: DataConfig = args.options.config(args)
    out = write_simulated(cfg, args.out, truth=args.truth, **given(args, "shard_size"))
    rows, cols = cfg.map_shape
    truth = " with per-cluster truth" if args.truth else ""
    print(f"wrote {cfg.n_maps} maps of {rows}x{cols}{truth} to {out}")  # noqa: T201
    return 0


def _show(args: argparse.Namespace) -> int:
    from fpgaflow.data.show import format_stats
    from fpgaflow.figures.map_summary import show_file

    summary, png = show_file(args.file, args.out, **given(args, "max_maps"))
    print(format_stats(summary))  # noqa: T201
    print(f"gallery: {png}")  # noqa: T201
    return 0
