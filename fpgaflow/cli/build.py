"""``fpgaflow build PROJECT [--stage hls|bd|bitstream]``: Vivado HLS or Vitis HLS + Vivado to a PYNQ-Z2 bitstream."""

from __future__ import annotations

import argparse
from pathlib import Path

from fpgaflow.cli.handler import Options, add_command
from fpgaflow.vivado.config import STAGES, BuildConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "build",
        handle,
        help="synthesise an hls4ml project into a PYNQ-Z2 bitstream (.bit + .hwh) with Vivado",
        description=(
            "Run vivado_scripts/ on a project from fpgaflow run (RUN_DIR/hls): hls = C synthesis and IP export "
            "(VivadoAccelerator project: Vivado HLS 2019.2-2020.1; Vitis project: Vitis HLS 2023.2 or later via "
            "vitis-run or vitis_hls), bd = PYNQ-Z2 block design, bitstream = synthesis, implementation, .bit/.hwh "
            "and reports (Vivado). The tools are taken from --vivado-dir/--vitis-dir, then PATH. Finished stages "
            "are skipped."
        ),
    )
    opts = Options(parser, BuildConfig, "build")
    opts.option("project", type=Path, help="hls4ml project directory (contains project.tcl)")
    opts.option("--stage", choices=STAGES, help="run only this stage (rerun it if done)")
    opts.config_flag("--board", field="board", help="target board (its Vivado board part and resources)")
    opts.config_flag(
        "--vivado-dir", type=Path, field="vivado_dir", help="Xilinx install dir with bin/vivado, bin/vivado_hls"
    )
    opts.config_flag(
        "--vitis-dir",
        type=Path,
        field="vitis_dir",
        help="Vitis install dir with bin/vitis-run or bin/vitis_hls (Vitis route's hls stage)",
    )
    opts.config_flag("--jobs", type=int, field="jobs", help="parallel Vivado jobs")
    opts.config_flag(
        "--max-batch",
        type=int,
        field="max_batch",
        help="largest batch per DMA transfer (sizes the DMA length register)",
    )


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.vivado.runner import run_build
    from fpgaflow.vivado.summary import format_side_by_side
    from fpgaflow_board.boards import get_board

    config: BuildConfig = args.options.config(args)
    result = run_build(args.project, config, stage=args.stage)
    board = get_board(config.board)
    print(format_side_by_side(result.tables, board.resources))  # noqa: T201 - the table is the command's output
    if result.bitstream.is_file():
        print(f"bitstream: {result.bitstream}")  # noqa: T201
    return 0
