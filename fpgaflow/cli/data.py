"""``fpgaflow data``: simulate hit maps to a file, and show a file (gallery PNG + per-class statistics)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpgaflow.data.config import DataConfig

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="simulate, inspect and convert hit-map data")
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION")
    sub.required = True

    sim = sub.add_parser("simulate", help="simulate labelled hit maps (physics simulator) to a file")
    sim.add_argument(
        "--config",
        required=True,
        type=Path,
        help="YAML data config (a run config's 'data:' section, or that section alone)",
    )
    sim.add_argument(
        "--out",
        required=True,
        type=Path,
        help="output: .npz (in memory), .h5/.hdf5 (streamed), or a directory (npz shards)",
    )
    sim.add_argument("--n-maps", type=int, default=None, help="override data.n_maps")
    sim.add_argument("--seed", type=int, default=None, help="override data.seed")
    sim.add_argument("--shard-size", type=int, default=10_000, help="maps per npz shard (directory output)")
    sim.set_defaults(func=_simulate)

    show = sub.add_parser("show", help="gallery PNG of each class and per-class statistics of a hit-map file")
    show.add_argument("file", type=Path, help=".npz, .h5/.hdf5, .root or a shard directory")
    show.add_argument("--out", type=Path, default=None, help="PNG to write (default: FILE with .png)")
    show.add_argument("--max-maps", type=int, default=5000, help="maps per class used for the statistics")
    show.set_defaults(func=_show)


def _load_data_config(path: Path) -> DataConfig:
    """A :class:`DataConfig` from a run config's ``data:`` section or from that section alone."""
    import yaml

    from fpgaflow.config.strict import from_mapping
    from fpgaflow.data.config import DataConfig
    from fpgaflow.errors import ConfigError

    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    section = raw.get("data", raw)
    if "data" in raw and set(raw) - {"data"}:
        log.info("%s: using its 'data:' section, ignoring %s", path, sorted(set(raw) - {"data"}))
    try:
        return from_mapping(DataConfig, section, "data")
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _simulate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from fpgaflow.data.shards import write_stream
    from fpgaflow.data.simulate.allocator import keep_freed_memory
    from fpgaflow.data.simulate.simulator import simulation_metadata
    from fpgaflow.data.source import iter_simulated
    from fpgaflow.errors import ConfigError

    cfg = _load_data_config(args.config)
    if args.n_maps is not None:
        cfg = replace(cfg, n_maps=args.n_maps)
    if args.seed is not None:
        cfg = replace(cfg, seed=args.seed)
    if cfg.source != "simulate":
        raise ConfigError(f"{args.config}: data.source is {cfg.source!r}; 'fpgaflow data simulate' needs 'simulate'")
    keep_freed_memory()
    rows, cols = cfg.simulate.window.output_shape
    meta = simulation_metadata(cfg.simulate, cfg.n_maps, cfg.seed)
    meta["select_particle_fraction"] = cfg.particle_fraction if cfg.select_particle_fraction else None
    out = write_stream(
        iter_simulated(cfg),
        args.out,
        n_maps=cfg.n_maps,
        map_shape=(rows, cols, 1),
        metadata=meta,
        shard_size=args.shard_size,
    )
    print(f"wrote {cfg.n_maps} maps of {rows}x{cols} to {out}")  # noqa: T201
    return 0


def _show(args: argparse.Namespace) -> int:
    from fpgaflow.data.dataset import open_dataset
    from fpgaflow.data.show import format_stats, plot_summary, summarize

    ds = open_dataset(args.file)
    summary = summarize(ds, max_maps=args.max_maps)
    out = args.out or args.file.with_suffix(".png")
    plot_summary(summary, out, f"{args.file.name}: {len(ds)} maps {ds.map_shape[0]}x{ds.map_shape[1]}")
    print(format_stats(summary))  # noqa: T201
    print(f"gallery: {out}")  # noqa: T201
    return 0
