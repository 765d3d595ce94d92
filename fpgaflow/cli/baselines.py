"""``fpgaflow baselines MAPS --out DIR``: the baselines a physicist tries first, on the same maps."""

from __future__ import annotations

import argparse
from pathlib import Path

#: Files the command writes into ``--out`` (nothing else there is touched).
TABLE_MD = "baselines.md"
TABLE_JSON = "baselines.json"
SCORES_NPZ = "baseline_scores.npz"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "baselines",
        help="any-pixel rule, single cuts, cluster-shape table, boosted trees on the same maps",
        description="Fit every baseline family on the training maps, pick each family's best member on the "
        "validation maps and measure it on the test maps (accuracy ± Wilson error, ROC AUC ± bootstrap error, "
        "background rejection, working point).  Writes DIR/baselines.md, DIR/baselines.json and "
        "DIR/baseline_scores.npz (test labels and every family's best scores and cut).",
    )
    p.add_argument(
        "maps",
        type=Path,
        help="a run directory (uses data/train.npz, val.npz, test.npz), its data/ directory, or one hit-map "
        "file (.npz, .h5, .root, shard directory) to split",
    )
    p.add_argument("--out", type=Path, required=True, help="directory for the table and scores")
    p.add_argument("--seed", type=int, default=0, help="seed of the trees, the bootstrap and an internal holdout")
    p.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap replicas for errors and paired tests")
    p.add_argument("--families", nargs="+", default=None, help="run only these families (default: all)")
    p.add_argument("--split-seed", type=int, default=1, help="data.seed of the split of a single file")
    p.add_argument("--val-fraction", type=float, default=0.15, help="validation fraction of a single file")
    p.add_argument("--test-fraction", type=float, default=0.15, help="test fraction of a single file")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.baselines import BaselineConfig, evaluate_baselines
    from fpgaflow.baselines.inputs import load_split_maps
    from fpgaflow.baselines.table import FAMILIES
    from fpgaflow_board import atomic

    cfg = BaselineConfig(
        families=tuple(args.families) if args.families else FAMILIES, seed=args.seed, n_bootstrap=args.n_bootstrap
    )
    maps = load_split_maps(args.maps, args.val_fraction, args.test_fraction, args.split_seed)
    val = maps.val
    table = evaluate_baselines(
        maps.train.maps,
        maps.train.labels,
        maps.test.maps,
        maps.test.labels,
        None if val is None else val.maps,
        None if val is None else val.labels,
        cfg=cfg,
    )
    markdown = f"# Baselines\n\nMaps: {maps.source}.\n\n{table.to_markdown()}"
    atomic.write_text(args.out / TABLE_MD, markdown)
    atomic.write_json(args.out / TABLE_JSON, {"maps": maps.source, **table.to_dict()}, allow_nan=False)
    atomic.write_npz(args.out / SCORES_NPZ, compressed=True, **table.score_arrays())
    print(markdown)  # noqa: T201
    print(f"wrote {args.out / TABLE_MD}, {args.out / TABLE_JSON}, {args.out / SCORES_NPZ}")  # noqa: T201
    return 0
