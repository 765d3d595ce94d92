"""Reload a converted hls4ml project directory (hls4ml 1.3: ``hls4ml_config.yml`` + ``keras_model.keras``).

hls4ml's own ``convert_from_config`` loads the Keras model without QKeras' custom objects and fails on
QKeras layers; here the model is loaded with them, and a project that was moved is found next to its
config.  The ModelGraph is rebuilt in memory: nothing is written into the project.  The stream FIFO depths
come from the project's firmware source (what will be synthesised), not from hls4ml's defaults.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from fpgaflow.errors import DataError
from fpgaflow.modelio import load_model

log = logging.getLogger(__name__)

_STREAM_PRAGMA = re.compile(r"#pragma HLS STREAM variable=(\w+) depth=(\d+)")


def project_model_path(project_dir: Path | str) -> Path:
    """The Keras model of a converted project: fpgaflow's ``keras_model.h5`` twin (which also stores the input
    scale; QKeras' QActivation does not deserialise from hls4ml's ``.keras`` file), else hls4ml's own."""
    project = Path(project_dir)
    if not (project / "hls4ml_config.yml").is_file():
        raise DataError(f"{project}: no hls4ml_config.yml (not an hls4ml 1.3 project directory)")
    candidates = (project / "keras_model.h5", project / "keras_model.keras")
    model_path = next((p for p in candidates if p.is_file()), None)
    if model_path is None:
        raise DataError(f"{project}: no keras_model.h5 or keras_model.keras next to hls4ml_config.yml")
    return model_path


def load_hls_project(project_dir: Path | str) -> Any:
    """The hls4ml ModelGraph of a converted project (not compiled)."""
    import yaml

    project = Path(project_dir)
    cfg_path = project / "hls4ml_config.yml"
    model_path = project_model_path(project)

    def keras_model(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        loader.construct_scalar(node)
        return load_model(model_path)

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!keras_model", keras_model)
    with cfg_path.open() as fh:
        config = yaml.load(fh, Loader=Loader)  # a SafeLoader subclass with one extra tag
    if "KerasModel" not in config:
        raise DataError(f"{cfg_path}: no KerasModel entry; only Keras/QKeras projects can be reloaded")
    config["OutputDir"] = str(project)
    import hls4ml

    from fpgaflow.convert.repair_conv_batchnorm import repair_conv_batchnorm

    log.info("rebuilding the hls4ml model of %s", project)
    hls_model = hls4ml.converters.convert_from_config(config)
    repair_conv_batchnorm(hls_model)  # as convert() did before writing the project
    restored = restore_stream_depths(hls_model, stream_depths(project, str(config.get("ProjectName", "myproject"))))
    if restored:
        log.info("%s: %d stream FIFO depths as the project's firmware sets them", project, restored)
    return hls_model


def stream_depths(project_dir: Path | str, project_name: str = "myproject") -> dict[str, int]:
    """The ``#pragma HLS STREAM variable=NAME depth=N`` entries of the project's network source
    (``firmware/<project_name>.cpp``): the depth, in entries, of each stream FIFO between layers as the project
    on disk will be synthesised (fpgaflow's convert sizes them from the layer geometry, far below hls4ml's one
    entry per pixel).  Empty when the file is missing."""
    cpp = Path(project_dir) / "firmware" / f"{project_name}.cpp"
    if not cpp.is_file():
        return {}
    return {name: int(depth) for name, depth in _STREAM_PRAGMA.findall(cpp.read_text())}


def restore_stream_depths(hls_model: Any, depths: dict[str, int]) -> int:
    """Set the depth of each inter-layer stream named in ``depths`` (variable name → entries): what convert
    plans from the layer geometry, and what a rebuilt ModelGraph must take back from its written project (a
    rebuild from ``hls4ml_config.yml`` alone starts from hls4ml's default, one entry per pixel, which the
    estimator would count as BRAM18 FIFOs the design does not have).  The network's output port is left alone.
    Returns how many streams were set."""
    restored = 0
    outputs = {v.name for v in hls_model.get_output_variables()}
    for layer in hls_model.get_layers():
        var = layer.get_output_variable()
        pragma = getattr(var, "pragma", None)
        if var.name in depths and var.name not in outputs and isinstance(pragma, tuple) and pragma[0] == "stream":
            var.pragma = ("stream", depths[var.name])
            restored += 1
    return restored
