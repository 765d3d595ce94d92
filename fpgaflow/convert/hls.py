"""Convert a trained (Q)Keras model into an hls4ml project: the only module that builds hls4ml dicts.

:func:`convert` is the API a fit search calls: a model, a :class:`ConvertConfig` (board, backend, reuse
factors, strategy, per-layer overrides) and optional calibration maps → a :class:`Conversion` holding the
written project, the typed plans (precision, reuse, FIFO depths) and what hls4ml changed on its own.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.convert.axis_wrapper import AxisWrapper
from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.fifo import FifoDepth, size_fifos
from fpgaflow.convert.inference_graph import to_inference_graph
from fpgaflow.convert.layers import KerasLayerSpec, describe_model
from fpgaflow.convert.plan_precision import PrecisionPlan, plan_precision
from fpgaflow.convert.plan_reuse import ReusePlan, interval_cycles, plan_reuse
from fpgaflow.convert.precision import input_type_for_adc
from fpgaflow.convert.profile import profile_max_abs
from fpgaflow.convert.project import restore_stream_depths
from fpgaflow.convert.registry import refuse
from fpgaflow.convert.repair_conv_batchnorm import repair_conv_batchnorm
from fpgaflow.modelio import save_model
from fpgaflow_board.boards import get_board
from fpgaflow_board.fixed_point import FixedType

log = logging.getLogger(__name__)


def split_output_activation(model: Any) -> tuple[Any, str]:
    """Return ``(model without its final sigmoid, "sigmoid")`` or ``(model, "linear")``.

    The FPGA computes the logit; the sigmoid, which is monotonic, is applied by the host or the board
    driver in numpy.  The class decision (score ≥ 0.5 ⇔ logit ≥ 0) is then bit-exact with QKeras,
    whereas hls4ml's 1024-entry sigmoid table maps every logit in (−1/64, 1/64) to exactly 0.5 and
    costs a BRAM.
    """
    import tensorflow as tf

    from fpgaflow.convert.inference_graph import to_inference_graph

    model = to_inference_graph(model)
    last = model.layers[-1]
    if type(last).__name__ == "Activation" and last.get_config().get("activation") == "sigmoid":
        return tf.keras.Model(model.inputs, model.layers[-2].output, name=f"{model.name}_logit"), "sigmoid"
    return model, "linear"


@dataclass
class Conversion:
    """A converted model: the hls4ml ``ModelGraph`` (written, not compiled) and the plans behind it.

    ``hls4ml_changes``: layers where hls4ml's own passes replaced a planned reuse factor or strategy
    (empty when the plan was valid, which :func:`convert` ensures up front); ``input_scale``: ADC counts →
    network input the design was planned for (``None`` when the input type came from the config);
    ``axis``: fpgaflow's AXI-Stream top on the Vitis route (``None`` for the other backends)."""

    hls_model: Any
    specs: list[KerasLayerSpec]
    precision: PrecisionPlan
    reuse: ReusePlan
    fifos: tuple[FifoDepth, ...]
    config: ConvertConfig
    output_dir: Path
    hls4ml_changes: list[str] = field(default_factory=list)
    input_scale: float | None = None
    axis: AxisWrapper | None = None

    def pinned_config(self) -> ConvertConfig:
        """This conversion's config with every planned choice written as a per-layer override: converting
        the same model with it reproduces the same design without calibration data (used by tracing)."""
        layers: dict[str, LayerOverride] = {}
        for lp in self.precision.layers:
            lr = self.reuse.get(lp.layer)
            layers[lp.layer] = LayerOverride(
                weight=lp.weight.type if lp.weight else None,
                bias=lp.bias.type if lp.bias else None,
                accum=lp.accum.type if lp.accum else None,
                result=lp.result.type,
                reuse_factor=lr.reuse_factor if lr else None,
                strategy=lr.strategy if lr else None,
            )
        return replace(self.config, layers=layers)

    def to_dict(self) -> dict[str, Any]:
        from fpgaflow.config.strict import to_mapping

        board = get_board(self.config.board)
        return {
            "board": board.name,
            "part": board.part,
            "backend": self.config.backend,
            "io_type": self.config.io_type,
            "clock_period_ns": self.config.clock_ns,
            "project_name": self.config.project_name,
            "input_scale": self.input_scale,
            "interval_cycles": interval_cycles(self.specs, self.reuse),
            "interval_us": interval_cycles(self.specs, self.reuse) * self.config.clock_ns / 1000.0,
            "precision": self.precision.to_dict(),
            "reuse": self.reuse.to_dict(),
            "fifo_depths": [f.to_dict() for f in self.fifos],
            "hls4ml_changes": list(self.hls4ml_changes),
            "axis": self.axis.to_dict() if self.axis is not None else None,
            "pinned_config": to_mapping(self.pinned_config()),
        }


def hls_config(
    model: Any, cfg: ConvertConfig, plan: PrecisionPlan, reuse: ReusePlan, trace: bool = False
) -> dict[str, Any]:
    """hls4ml's per-layer config dict rendered from the typed plans (``granularity='name'``)."""
    import hls4ml

    config: dict[str, Any] = hls4ml.utils.config_from_keras_model(
        model, granularity="name", backend=cfg.backend, default_precision=cfg.default_precision
    )
    default_rf = 1 if cfg.reuse_factor == "auto" else int(cfg.reuse_factor)
    config["Model"]["ReuseFactor"] = default_rf
    config["Model"]["Strategy"] = cfg.strategy
    names = {lp.layer for lp in plan.layers}
    for name, layer in config["LayerName"].items():
        base = name if name in names else name.rsplit("_", 1)[0]
        if base not in names:
            continue
        lp = plan[base]
        prec: dict[str, str] = layer.setdefault("Precision", {})
        if name != base:  # hls4ml's own linear-activation helper layers: pass the result through
            prec["result"] = lp.result.type.hls()
        else:
            for key in ("weight", "bias", "accum", "result"):
                choice = getattr(lp, key)
                if choice is not None:
                    prec["scale" if key == "weight" and lp.kind == "batchnorm" else key] = choice.type.hls()
            if lp.kind in ("pool", "global_pool") and lp.accum is None:
                prec["accum"] = lp.result.type.hls()
        lr = reuse.get(name)
        if lr is not None:
            layer["ReuseFactor"] = lr.reuse_factor
            layer["Strategy"] = lr.strategy
        elif "ReuseFactor" in layer:
            layer["ReuseFactor"] = default_rf
        layer["Trace"] = trace
    return config


def _apply_fifo_depths(hls_model: Any, fifos: tuple[FifoDepth, ...]) -> int:
    """Set the ``#pragma HLS STREAM depth`` of each planned stream, as hls4ml's FIFO optimiser does."""
    depth = {f.layer: f.depth for f in fifos}
    by_variable = {
        layer.get_output_variable().name: depth[layer.name] for layer in hls_model.get_layers() if layer.name in depth
    }
    return restore_stream_depths(hls_model, by_variable)


def _hls4ml_changes(hls_model: Any, reuse: ReusePlan) -> list[str]:
    changes = []
    for layer in hls_model.get_layers():
        lr = reuse.get(layer.name)
        if lr is None:
            continue
        got = layer.get_attr("reuse_factor")
        if got is not None and int(got) != lr.reuse_factor:
            changes.append(f"{layer.name}: reuse factor {lr.reuse_factor} → {got}")
        strategy = str(layer.get_attr("strategy", "")).lower()
        if strategy and strategy != lr.strategy.lower():
            changes.append(f"{layer.name}: strategy {lr.strategy} → {strategy}")
    for c in changes:
        log.warning("hls4ml changed the plan: %s", c)
    return changes


def plan(
    model: Any, cfg: ConvertConfig, input_type: FixedType | None, calibration: np.ndarray | None = None
) -> tuple[list[KerasLayerSpec], PrecisionPlan, ReusePlan, tuple[FifoDepth, ...]]:
    """The typed plans for ``model`` without touching hls4ml (fast: a fit search can call it per choice).
    The plans are for the model's inference graph (:func:`~fpgaflow.convert.inference_graph.to_inference_graph`),
    whose layer names they use."""
    model = to_inference_graph(model)
    specs = describe_model(model)
    _check_io_type(specs, cfg)
    profile = None
    n_cal = 0
    if calibration is not None and len(calibration):
        cal = calibration[: cfg.calibration_maps]
        profile, n_cal = profile_max_abs(model, cal), len(cal)
    precision = plan_precision(specs, cfg, input_type, profile, n_cal)
    reuse = plan_reuse(specs, cfg)
    fifos: tuple[FifoDepth, ...] = ()
    if cfg.io_type == "io_stream" and cfg.fifo_depth == "geometry":
        n_in = math.prod(specs[0].out_shape) if specs and specs[0].kind == "input" else 0
        fifos = size_fifos(specs, reuse, math.ceil(n_in / cfg.wire.inputs_per_word))  # words per map at the input
    return specs, precision, reuse, fifos


def _check_io_type(specs: list[KerasLayerSpec], cfg: ConvertConfig) -> None:
    """``io_parallel`` is converted for Dense-only models (registry rows ``io_parallel``/``io_parallel.conv``)."""
    if cfg.io_type != "io_parallel":
        return
    for spec in specs:
        if spec.kind in ("conv2d", "conv1d", "pool", "global_pool", "pad"):
            raise refuse("io_parallel.conv", spec.name, spec.class_name)


def _warn_if_keras_rounds_the_first_layer(specs: list[KerasLayerSpec], input_type: FixedType | None) -> None:
    """A scale that is not a power of two gives inputs of up to 24 significant bits: TensorFlow's float32
    products with the first layer's weights then round, while the FPGA computes them exactly."""
    if input_type is None or input_type.width <= 16 or len(specs) < 2 or not specs[1].weighted:
        return
    log.warning(
        "the input type %s (the scaled ADC counts, exact) has %d bits: QKeras computes layer %r in float32 and "
        "rounds where the FPGA is exact, so their outputs can differ in the last bits; a power-of-two "
        "model.input_scale or a model.input_quantizer makes both exact",
        input_type,
        input_type.width,
        specs[1].name,
    )


def convert(
    model: Any,
    cfg: ConvertConfig,
    output_dir: Path,
    input_scale: float | None,
    calibration: np.ndarray | None = None,
    trace: bool = False,
    write: bool = True,
) -> Conversion:
    """Plan, convert and write the hls4ml project to ``output_dir`` (not compiled; see ``csim_build``).

    ``input_scale``: ADC counts → network input of the model (its input type is the narrowest that holds
    every scaled ADC count exactly, :func:`~fpgaflow.convert.precision.input_type_for_adc`); ``None`` leaves
    the input type to ``cfg`` (a per-layer override, else the default precision).  ``calibration``:
    network-input maps (scaled like the training inputs) profiled to size the result types; ``trace``:
    enable hls4ml's per-layer output tracing (C simulation only; synthesis ignores it).  ``write=False`` builds
    the hls4ml graph (enough to estimate and emulate) without writing the project (a 13 M-weight model writes
    ~460 MB of weight text).
    """
    import hls4ml

    input_type = None if input_scale is None else input_type_for_adc(input_scale)
    model = to_inference_graph(model)
    specs, precision, reuse, fifos = plan(model, cfg, input_type, calibration)
    _warn_if_keras_rounds_the_first_layer(specs, input_type)
    board = get_board(cfg.board)
    kwargs: dict[str, Any] = {
        "hls_config": hls_config(model, cfg, precision, reuse, trace),
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
        "hls4ml %s: backend %s, board %s (%s), %s, clock %.1f ns, %d multipliers",
        hls4ml.__version__,
        cfg.backend,
        board.name,
        board.part,
        cfg.io_type,
        cfg.clock_ns,
        reuse.multipliers,
    )
    hls_model = hls4ml.converters.convert_from_keras_model(model, **kwargs)
    for repair in repair_conv_batchnorm(hls_model):
        log.info("repaired: %s", repair)
    applied = _apply_fifo_depths(hls_model, fifos)
    log.info("FIFO depths sized from geometry: %d streams", applied)
    axis = None
    if cfg.backend == "Vitis":
        from fpgaflow.convert.write_axis_wrapper import axis_wrapper_for, write_axis_wrapper

        axis = axis_wrapper_for(hls_model, cfg.wire, input_scale)
    if write:
        hls_model.write()
        if axis is not None:
            write_axis_wrapper(Path(output_dir), axis)
        # hls4ml saves keras_model.keras, from which QKeras' QActivation cannot be deserialised; an .h5 twin (with
        # the input scale) lets `fpgaflow estimate/emulate/verify PROJECT` rebuild the graph from the project alone.
        save_model(model, Path(output_dir) / KERAS_TWIN, input_scale)
    return Conversion(
        hls_model,
        specs,
        precision,
        reuse,
        fifos,
        cfg,
        Path(output_dir),
        _hls4ml_changes(hls_model, reuse),
        input_scale,
        axis,
    )


#: The model file fpgaflow keeps beside hls4ml's own in every project it writes.
KERAS_TWIN = "keras_model.h5"


def load_pinned_config(project_dir: Path) -> ConvertConfig:
    """The pinned :class:`ConvertConfig` in a project's ``conversion.json`` (:meth:`Conversion.pinned_config`)."""
    import json

    from fpgaflow.config.strict import from_mapping
    from fpgaflow.errors import StepError

    path = Path(project_dir) / "conversion.json"
    if not path.is_file():
        raise StepError(f"{path} not found: was {project_dir} written by fpgaflow convert?")
    return from_mapping(ConvertConfig, json.loads(path.read_text())["pinned_config"], "pinned_config")
