"""``fpgaflow baselines MAPS --out DIR``: the baselines a physicist tries first, on the same maps."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.baselines.config import BaselineConfig
from fpgaflow.cli.handler import Options, add_command, given


def _words(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "baselines",
        handle,
        help="any-pixel rule, single cuts, cluster-shape table, boosted trees on the same maps as the model",
        description="Fit every baseline family on the training maps, pick each family's best member on the "
        "validation maps and measure it on the test maps (accuracy ± Wilson error, ROC AUC ± bootstrap error, "
        "background rejection, working point).  Writes DIR/baselines.md, DIR/baselines.json and "
        "DIR/baseline_scores.npz (test labels and every family's best scores and cut).",
        needs=("scipy", "sklearn"),
    )
    opts = Options(p, BaselineConfig, "baselines")
    opts.option(
        "maps",
        type=Path,
        help="a run directory (uses data/train.npz, val.npz, test.npz), its data/ directory, or one hit-map "
        "file (.npz, .h5, .root, shard directory) to split",
    )
    opts.option("--out", type=Path, required=True, help="output directory (new, empty, or an earlier baselines output)")
    opts.option("--split-seed", type=int, help="data.seed of the split of a single file (default 1)")
    opts.option("--val-fraction", type=float, help="validation fraction of a single file (default 0.15)")
    opts.option("--test-fraction", type=float, help="test fraction of a single file (default 0.15)")
    opts.config_flag("--families", type=_words, field="families", help="baseline families to run, comma-separated")
    opts.config_flag("--seed", type=int, field="seed", help="seed of the trees, the bootstrap and a holdout")
    opts.config_flag("--n-bootstrap", type=int, field="n_bootstrap", help="bootstrap replicas for errors and tests")


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.baselines.write_baselines import write_baselines

    done = write_baselines(
        args.maps,
        args.options.config(args),
        args.out,
        **given(args, "val_fraction", "test_fraction", "split_seed"),
    )
    print("\n".join(done.lines()))  # noqa: T201
    return 0
