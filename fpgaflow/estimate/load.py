"""Get an hls4ml ``ModelGraph`` to estimate from what a user has: a Keras model file or an hls4ml project.

A Keras ``.keras``/``.h5`` model is converted with default settings for the board (VivadoAccelerator,
``io_stream``, the board's part and clock, hls4ml's per-layer default config).  An hls4ml project directory is
re-read by :func:`fpgaflow.convert.project.load_hls_project` (nothing in the project is written).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from fpgaflow.convert.project import load_hls_project
from fpgaflow.errors import DataError, require
from fpgaflow.modelio import load_model
from fpgaflow_board.boards import Board

log = logging.getLogger(__name__)

KERAS_SUFFIXES = (".keras", ".h5")


def convert_keras_default(model: Any, board: Board, output_dir: Path) -> Any:
    """Convert ``model``'s inference graph (:func:`~fpgaflow.convert.inference_graph.to_inference_graph`) with
    hls4ml's per-layer defaults for ``board`` (io_stream, board clock and part; VivadoAccelerator when hls4ml has
    a design for the board, the bare Vivado backend otherwise)."""
    import hls4ml

    from fpgaflow.convert.inference_graph import to_inference_graph
    from fpgaflow.convert.repair_conv_batchnorm import repair_conv_batchnorm

    model = to_inference_graph(model)
    backend = "VivadoAccelerator" if board.hls4ml_board is not None else "Vivado"
    extra = {"board": board.hls4ml_board} if board.hls4ml_board is not None else {}
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend=backend)
    hls_model = hls4ml.converters.convert_from_keras_model(
        model,
        backend=backend,
        **extra,
        io_type="io_stream",
        clock_period=board.clock_period_ns,
        part=board.part,
        hls_config=config,
        output_dir=str(output_dir),
    )
    repair_conv_batchnorm(hls_model)
    return hls_model


def load_hls_model(source: Path | str, board: Board, workdir: Path | None = None) -> Any:
    """An hls4ml ``ModelGraph`` from a Keras model file or an hls4ml project directory."""
    require("hls4ml", "reading an hls4ml design")
    source = Path(source)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="fpgaflow-estimate-"))
    if source.is_dir():
        if not (source / "hls4ml_config.yml").is_file():
            raise DataError(f"{source}: not an hls4ml project (no hls4ml_config.yml)")
        log.info("re-reading hls4ml project %s", source)
        return load_hls_project(source)
    if source.suffix in KERAS_SUFFIXES and source.is_file():
        log.info("converting %s with default settings for %s", source, board.name)
        return convert_keras_default(load_model(source), board, workdir)
    raise DataError(f"{source}: expected an hls4ml project directory or a Keras model file (.keras or .h5)")
