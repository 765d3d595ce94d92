"""``fpgaflow build RUN_DIR|PROJECT [--stage hls|bd|bitstream]``: Vivado HLS or Vitis HLS + Vivado to a PYNQ-Z2
bitstream.

Given a run directory (or its ``hls`` project), the build lives in ``RUN_DIR/vivado`` and, once the
bitstream exists, the command writes the run's board bundle again so that it carries ``fpgaflow.bit`` and
``fpgaflow.hwh`` with their SHA-256: ``RUN_DIR/board`` is then ready for the board (``fpgaflow deploy``).
Both routes (VivadoAccelerator and Vitis) write the same ``.bit``/``.hwh`` and refresh the bundle alike.
"""

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
        help="synthesise a run's hls4ml project into a PYNQ-Z2 bitstream (.bit + .hwh) and put it in the bundle",
        description=(
            "Run vivado_scripts/ on a project from fpgaflow run: hls = C synthesis and IP export "
            "(VivadoAccelerator project: Vivado HLS 2019.2-2020.1; Vitis project: Vitis HLS 2023.2 or later via "
            "vitis-run or vitis_hls), bd = PYNQ-Z2 block design, bitstream = synthesis, implementation, .bit/.hwh "
            "and reports (Vivado). The tools are taken from --vivado-dir/--vitis-dir, then PATH. Finished stages "
            "are skipped. Given a run directory (or RUN_DIR/hls) the build goes to RUN_DIR/vivado, which no rerun "
            "of `fpgaflow run` touches, and RUN_DIR/board is written again with the bitstream once it exists."
        ),
    )
    opts = Options(parser, BuildConfig, "build")
    opts.option(
        "project",
        type=Path,
        help="a run directory (RUN_DIR, or RUN_DIR/hls) or a standalone hls4ml project (contains project.tcl)",
    )
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


def _targets(path: Path) -> tuple[Path, Path | None]:
    """(hls4ml project, run directory or None) for what the user named."""
    from fpgaflow.pipeline.artefacts import FinishedRun
    from fpgaflow.vivado.location import is_run_dir

    path = path.resolve()
    if is_run_dir(path):
        return FinishedRun.read(path).path("hls_project"), path
    if is_run_dir(path.parent):
        return path, path.parent
    return path, None


def handle(args: argparse.Namespace) -> int:
    from fpgaflow.errors import FpgaflowError, StepError
    from fpgaflow.outdir import hold_lock
    from fpgaflow.vivado.location import find_bitstream
    from fpgaflow.vivado.runner import run_build
    from fpgaflow.vivado.summary import format_side_by_side
    from fpgaflow_board.boards import get_board

    config: BuildConfig = args.options.config(args)
    project, run_dir = _targets(args.project)
    if run_dir is None:
        result = run_build(project, config, stage=args.stage)
    else:  # a run's lock: no `fpgaflow run` into it may rewrite the sources while Vivado reads them
        with hold_lock(run_dir):
            result = run_build(project, config, stage=args.stage)
    board = get_board(config.board)
    print(format_side_by_side(result.tables, board.resources))  # noqa: T201 - the table is the command's output
    bitstream, _why_not = find_bitstream(project, config.build_subdir)
    if bitstream is None:
        return 0
    print(f"bitstream: {bitstream.bit}")  # noqa: T201
    if run_dir is not None:
        from fpgaflow.pipeline.refresh import refresh_bundle  # the run's package step (needs the host extras)

        try:
            run = refresh_bundle(run_dir)
        except FpgaflowError as exc:
            raise StepError(f"the bitstream is built, but {run_dir / 'board'} was not written again: {exc}") from None
        bundle = run_dir / run.summary["files"]["bundle"]
        print(f"board bundle: {bundle} (with {run.summary.get('bitstream')}; next: fpgaflow deploy {run_dir})")  # noqa: T201
    return 0
