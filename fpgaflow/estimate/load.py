"""Get an hls4ml ``ModelGraph`` to estimate from what a user has: a Keras model file or an hls4ml project.

A Keras ``.keras``/``.h5`` model is converted with default settings for the board (VivadoAccelerator,
``io_stream``, the board's part and clock, hls4ml's per-layer default config).  An hls4ml project directory is
re-read from its ``hls4ml_config.yml`` with the Keras model file hls4ml saved beside it; nothing in the
project is overwritten (the graph is built in a temporary output directory and never written).
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path
from typing import Any

from fpgaflow.convert.boards import Board
from fpgaflow.errors import DataError, require

log = logging.getLogger(__name__)

KERAS_SUFFIXES = (".keras", ".h5")
# fpgaflow saves keras_model.h5 beside the project: QKeras models do not round-trip through .keras.
_MODEL_FILES = ("keras_model.h5", "keras_model.keras")


def _load_keras(path: Path) -> Any:
    from tensorflow import keras

    try:
        from qkeras.utils import _add_supported_quantized_objects

        custom: dict[str, Any] = {}
        _add_supported_quantized_objects(custom)
    except ImportError:  # QKeras is optional for plain Keras models
        custom = {}
    return keras.models.load_model(path, custom_objects=custom, compile=False)


def convert_keras_default(model: Any, board: Board, output_dir: Path) -> Any:
    """Convert ``model`` with hls4ml's per-layer defaults for ``board`` (io_stream, board clock and part)."""
    import hls4ml

    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="VivadoAccelerator")
    return hls4ml.converters.convert_from_keras_model(
        model,
        backend="VivadoAccelerator",
        board=board.hls4ml_board,
        io_type="io_stream",
        clock_period=board.clock_period_ns,
        part=board.part,
        hls_config=config,
        output_dir=str(output_dir),
    )


def _from_project(project: Path, workdir: Path) -> Any:
    import hls4ml
    import yaml

    config_path = project / "hls4ml_config.yml"
    model_file = next((project / name for name in _MODEL_FILES if (project / name).is_file()), None)
    if model_file is None:
        raise DataError(f"{project}: hls4ml project has no {' or '.join(_MODEL_FILES)} beside hls4ml_config.yml")
    text = config_path.read_text(encoding="utf-8")
    # hls4ml's YAML loader reloads the model without QKeras' custom objects; load it here instead.
    text, n = re.subn(r"^KerasModel:.*$", "", text, flags=re.MULTILINE)
    if n != 1:
        raise DataError(f"{config_path}: expected one 'KerasModel:' entry, found {n}")
    config = yaml.safe_load(text)
    config["KerasModel"] = _load_keras(model_file)
    config["OutputDir"] = str(workdir)
    return hls4ml.converters.convert_from_config(config)


def load_hls_model(source: Path | str, board: Board, workdir: Path | None = None) -> Any:
    """An hls4ml ``ModelGraph`` from a Keras model file or an hls4ml project directory."""
    require("hls4ml", "host")
    source = Path(source)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="fpgaflow-estimate-"))
    if source.is_dir():
        if not (source / "hls4ml_config.yml").is_file():
            raise DataError(f"{source}: not an hls4ml project (no hls4ml_config.yml)")
        log.info("re-reading hls4ml project %s", source)
        return _from_project(source, workdir)
    if source.suffix in KERAS_SUFFIXES and source.is_file():
        log.info("converting %s with default settings for %s", source, board.name)
        return convert_keras_default(_load_keras(source), board, workdir)
    raise DataError(f"{source}: expected an hls4ml project directory or a Keras model file (.keras or .h5)")
