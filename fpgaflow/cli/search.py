"""``fpgaflow search RUN --out DIR [--config SPACE.yaml]``: train, fit and rank architectures around a run's model."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.archsearch.config import ArchSearchConfig
from fpgaflow.cli.handler import Options, add_command


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "search",
        handle,
        help="architecture search: train each candidate briefly, fit it to the board, rank by validation accuracy",
        description="Around the model of a finished run (its config and its data splits): the base and the base "
        "with one axis changed per listed value (filters, depth, final pooling, dense width, weight and activation "
        "bits, sparsity), each trained briefly on the run's training maps, fitted to the board (estimate against "
        "the budget) and scored by the bit-exact emulator on its validation maps. Writes a ranked table and "
        "accuracy against LUTs. Resources are estimates, not synthesis results.",
        needs=("tensorflow", "qkeras", "hls4ml", "matplotlib"),
    )
    opts = Options(p, ArchSearchConfig, "search")
    opts.option("run", type=Path, help="a finished `fpgaflow run` directory (its config, data/train.npz, val.npz)")
    opts.option("--out", required=True, type=Path, help="output directory (new, empty, or an earlier search output)")
    opts.config_flag("--epochs", type=int, field="epochs", help="quantisation-aware epochs per candidate")
    opts.config_flag(
        "--float-pretrain-epochs", type=int, field="float_pretrain_epochs", help="float epochs per candidate first"
    )
    opts.config_flag("--train-maps", type=int, field="train_maps", help="training maps per candidate")
    opts.config_flag("--val-maps", type=int, field="val_maps", help="validation maps scored per candidate")


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.pipeline.artefacts import FinishedRun

    cfg: ArchSearchConfig = args.options.config(args)
    finished = FinishedRun.read(args.run)  # a one-line error for a directory that is not a finished run

    import shutil

    import numpy as np

    from fpgaflow.archsearch.report import write_search_report
    from fpgaflow.archsearch.search_architectures import BaseRun, search_architectures
    from fpgaflow.data.hitmaps import load_npz
    from fpgaflow.outdir import staged_output_dir
    from fpgaflow.pipeline.refresh import run_config_of
    from fpgaflow_board.boards import get_board

    run_cfg = run_config_of(args.run)
    # only the maps the search uses stay in memory (a 128 x 128 training split is 1.2 GB of float32)
    train = load_npz(finished.path("train_maps"))
    train = train.subset(np.arange(min(cfg.train_maps, len(train))))
    val = load_npz(finished.path("val_maps"))
    val = val.subset(np.arange(min(cfg.val_maps, len(val))))
    with staged_output_dir(args.out, "search") as staging:
        base = BaseRun(run_cfg.model, run_cfg.prune, run_cfg.train, run_cfg.augment)
        rows = search_architectures(train, val, base, cfg, staging / ".work")
        facts = {
            "run": str(args.run),
            "n_train": len(train),
            "n_val": len(val),
            "epochs": cfg.epochs,
            "float_pretrain_epochs": cfg.float_pretrain_epochs,
            "seed": cfg.seed,
            "board": cfg.fit.board,
            "budget": cfg.fit.budget,
            "min_maps_per_s": cfg.fit.min_maps_per_s,
        }
        shutil.rmtree(staging / ".work", ignore_errors=True)
        written = write_search_report(rows, staging, facts, cfg.fit.budget * get_board(cfg.fit.board).lut)
    for r in rows[:5]:
        acc = "–" if r.accuracy is None else f"{100 * r.accuracy:.2f} %"
        print(f"{r.label}: validation accuracy {acc}; LUT {r.lut:,.0f}; {r.verdict}; {r.design}")  # noqa: T201
    print(f"table: {args.out / Path(written['markdown']).name}")  # noqa: T201
    return 0
