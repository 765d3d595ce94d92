"""``fpgaflow build PROJECT [--stage hls|bd|bitstream]``: Vivado HLS + Vivado to a PYNQ-Z2 bitstream."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="synthesise an hls4ml project into a PYNQ-Z2 bitstream (.bit + .hwh) with Vivado",
        description=(
            "Run vivado_scripts/ on an hls4ml VivadoAccelerator project (RUN_DIR/hls from fpgaflow run): "
            "hls = C synthesis and IP export (Vivado HLS 2019.2-2020.1), bd = PYNQ-Z2 block design, "
            "bitstream = synthesis, implementation, .bit/.hwh and reports. Finished stages are skipped."
        ),
    )
    parser.add_argument("project", type=Path, help="hls4ml project directory (contains project.tcl)")
    parser.add_argument("--stage", choices=("hls", "bd", "bitstream"), help="run only this stage (rerun it if done)")
    parser.add_argument("--vivado-dir", type=Path, help="Xilinx install dir with bin/vivado, bin/vivado_hls")
    parser.add_argument("--jobs", type=int, help="parallel Vivado jobs (default 4)")
    parser.add_argument("--max-batch", type=int, help="largest batch per DMA transfer (sizes the DMA length register)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.config.strict import from_mapping
    from fpgaflow.vivado.config import BuildConfig
    from fpgaflow.vivado.runner import run_build
    from fpgaflow.vivado.summary import format_side_by_side
    from fpgaflow_board.boards import get_board

    overrides = {
        key: value
        for key, value in (
            ("vivado_dir", args.vivado_dir),
            ("jobs", args.jobs),
            ("max_batch", args.max_batch),
        )
        if value is not None
    }
    config = from_mapping(BuildConfig, overrides)
    result = run_build(args.project, config, stage=args.stage)
    board = get_board(config.board)
    print(format_side_by_side(result.tables, board.resources))  # noqa: T201 - the table is the command's output
    if result.bitstream.is_file():
        print(f"bitstream: {result.bitstream}")  # noqa: T201
    return 0
