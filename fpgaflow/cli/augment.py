"""``fpgaflow augment show``: a grid PNG of one hit map under every transform at a few magnitudes.
``fpgaflow augment search CONFIG --out DIR``: rank RandAugment (N, M), TrivialAugment and a density-matching
searched policy by validation accuracy; write the best as a policy file."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command, given
from fpgaflow.study.search.config import SearchConfig

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
    search = add_command(
        sub,
        "search",
        search_handler,
        help="search the augmentation policy that suits hit maps; rank it against RandAugment and TrivialAugment",
        description=(
            "Run a search config (e.g. models/search_policy_32.yaml): a RandAugment (N, M) grid, TrivialAugment and "
            "a density-matching search (after Fast AutoAugment), each trained per seed and ranked by validation "
            "accuracy. Finished jobs are kept and skipped on a rerun. Writes OUT/ranking.{md,csv}, "
            "OUT/best_policy.yaml (augment.policy: file), OUT/searched_policy.yaml and OUT/summary.json (CPU-hours)."
        ),
        needs=("tensorflow", "qkeras"),
    )
    sopts = Options(search, SearchConfig, "search", config_positional=True)
    sopts.option("--out", required=True, type=Path, help="search directory (created; an earlier search resumes)")
    sopts.executor_flags()


def show_handler(args: argparse.Namespace) -> int:
    from fpgaflow.augment.show import show_transforms

    path = show_transforms(args.out, args.input, args.index, **given(args, "seed"))
    log.info("wrote %s", path)
    print(path)  # noqa: T201 - the path is the product
    return 0


def search_handler(args: argparse.Namespace) -> int:
    from fpgaflow.study.search.runner import search_policies

    def progress(result: dict[str, object]) -> None:
        log.info("done %s (%.0f s)", result["job_id"], result["seconds"])

    result = search_policies(args.options.config(args), args.out, progress=progress)
    print((result.out_dir / "ranking.md").read_text(encoding="utf-8"))  # noqa: T201
    print(f"best policy: {result.best_policy or 'none (no augmenting candidate)'}")  # noqa: T201
    print(f"cost: {result.cpu_hours:.3f} CPU-hours")  # noqa: T201
    return 0
