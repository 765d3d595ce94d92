"""Convert a trained (Q)Keras model into an hls4ml project and compile its C simulation."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fpgaflow.convert.boards import get_board
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.precision import FixedType

log = logging.getLogger(__name__)


def split_output_activation(model: Any) -> tuple[Any, str]:
    """Return ``(model without its final sigmoid, "sigmoid")`` or ``(model, "linear")``.

    The FPGA computes the logit; the sigmoid, which is monotonic, is applied by the host or the board
    driver in numpy.  The class decision (score ≥ 0.5 ⇔ logit ≥ 0) is then bit-exact with QKeras,
    whereas hls4ml's 1024-entry sigmoid table maps every logit in (−1/64, 1/64) to exactly 0.5 and
    costs a BRAM.
    """
    import tensorflow as tf

    last = model.layers[-1]
    if type(last).__name__ == "Activation" and last.get_config().get("activation") == "sigmoid":
        return tf.keras.Model(model.inputs, model.layers[-2].output, name=f"{model.name}_logit"), "sigmoid"
    return model, "linear"


def hls_config(model: Any, cfg: ConvertConfig, input_type: FixedType | None) -> dict[str, Any]:
    """hls4ml's per-layer config dict: quantiser-derived weight types, the input type, reuse/strategy."""
    import hls4ml

    config: dict[str, Any] = hls4ml.utils.config_from_keras_model(
        model, granularity="name", backend=cfg.backend, default_precision=cfg.default_precision
    )
    config["Model"]["ReuseFactor"] = cfg.reuse_factor
    config["Model"]["Strategy"] = cfg.strategy
    for layer in config["LayerName"].values():
        if "ReuseFactor" in layer:
            layer["ReuseFactor"] = cfg.reuse_factor
    if input_type is not None:
        first = model.layers[0].name
        config["LayerName"][first]["Precision"]["result"] = input_type.hls()
    return config


def convert_model(model: Any, cfg: ConvertConfig, output_dir: Path, input_type: FixedType | None) -> Any:
    """Write the hls4ml project to ``output_dir`` and return the (uncompiled) ``ModelGraph``."""
    import hls4ml

    board = get_board(cfg.board)
    kwargs: dict[str, Any] = {
        "hls_config": hls_config(model, cfg, input_type),
        "output_dir": str(output_dir),
        "project_name": cfg.project_name,
        "backend": cfg.backend,
        "io_type": cfg.io_type,
        "part": board.part,
        "clock_period": cfg.clock_ns,
    }
    if cfg.backend == "VivadoAccelerator":
        kwargs["board"] = board.hls4ml_board
    log.info(
        "hls4ml %s: backend %s, board %s (%s), %s, clock %.1f ns, reuse factor %d",
        hls4ml.__version__,
        cfg.backend,
        board.name,
        board.part,
        cfg.io_type,
        cfg.clock_ns,
        cfg.reuse_factor,
    )
    return hls4ml.converters.convert_from_keras_model(model, **kwargs)
