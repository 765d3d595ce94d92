"""Read a converted hls4ml ``ModelGraph`` (hls4ml 1.3) into a :class:`DesignSpec` for the resource model.

Only attributes hls4ml has already resolved are read: shapes from each layer's output variable, bit widths
from the layer's ``*_t`` types, reuse factor and strategy from the layer config, weights (to count zeros
after quantisation) from ``layer.weights``.  Nothing here imports hls4ml, so the model stays testable.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.convert.precision import hls4ml_fixed_type
from fpgaflow.errors import StepError
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec, LayerKind, Strategy
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import quantize

_MULT = {"Dense", "Conv1D", "Conv2D", "PointwiseConv1D", "PointwiseConv2D"}
_DEPTHWISE = {"DepthwiseConv1D", "DepthwiseConv2D"}
_ELEMENTWISE = {
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ThresholdedReLU",
    "HardActivation",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ApplyAlpha",
}
_POOL = {"Pooling1D", "Pooling2D", "GlobalPooling1D", "GlobalPooling2D"}
_RESHAPE = {"Reshape", "Flatten", "Transpose", "Input", "InputLayer"}
_TABLE_ACTIVATIONS = {"sigmoid", "tanh", "elu", "selu", "softplus", "softsign", "hard_tanh"}
SUPPORTED = sorted(
    _MULT | _DEPTHWISE | _ELEMENTWISE | _POOL | _RESHAPE | {"Activation", "ELU", "Softmax", "BatchNormalization"}
)


def _bits(type_obj: Any, default: int) -> int:
    precision = getattr(type_obj, "precision", type_obj)
    width = getattr(precision, "width", None)
    return int(width) if width is not None else default


def _shape(var: Any) -> tuple[int, int]:
    """(stream words, elements per word) of a variable: 2-D/1-D maps stream pixels, flat vectors one word."""
    shape = [int(s) for s in var.shape]
    if len(shape) <= 1:
        return 1, int(np.prod(shape)) if shape else 1
    return int(np.prod(shape[:-1])), shape[-1]


def count_zero_weights(data: npt.ArrayLike, type_obj: Any) -> int:
    """Weights that are zero in hardware: their code is 0 once cast to their ``ap_fixed`` type (with its
    rounding and overflow modes); exactly zero when the type is not a fixed-point one."""
    flat = np.asarray(data, dtype=float).ravel()
    try:
        t = hls4ml_fixed_type(getattr(type_obj, "precision", None))
        if t is not None:
            return int(np.count_nonzero(quantize(flat, t)[0] == 0))
    except FixedPointError:  # saturation bits, or wider than the exact int64 cast
        pass
    return int(np.count_nonzero(flat == 0))


def _kind(layer: Any) -> LayerKind:
    cls = layer.class_name
    if cls in _MULT:
        return "mult"
    if cls in _DEPTHWISE or cls == "BatchNormalization":
        return "depthwise"
    if cls == "Softmax" or (cls == "Activation" and str(layer.get_attr("activation", "")).lower() == "softmax"):
        return "softmax"
    if cls == "ELU" or (cls == "Activation" and str(layer.get_attr("activation", "")).lower() in _TABLE_ACTIVATIONS):
        return "table"
    if cls in _ELEMENTWISE or cls == "Activation":
        return "elementwise"
    if cls in _POOL:
        return "pool"
    if cls in _RESHAPE:
        return "reshape"
    raise StepError(
        f"layer {layer.name!r} ({cls}) is not covered by the resource model; supported layer classes: "
        f"{', '.join(SUPPORTED)}"
    )


def _strategy(layer: Any) -> Strategy:
    value = str(layer.get_attr("strategy", "latency")).lower()
    return "resource" if value.startswith("resource") else "latency"


def describe_layer(layer: Any, io_type: str) -> HlsLayerSpec:
    """One hls4ml layer as a :class:`HlsLayerSpec` (raises :class:`StepError` for an unsupported class)."""
    kind = _kind(layer)
    out_var = layer.get_output_variable()
    in_var = layer.get_input_variable()
    pixels_in, width_in = _shape(in_var)
    pixels_out, width_out = _shape(out_var)
    out_bits = _bits(out_var.type, 16)
    spec: dict[str, Any] = {
        "name": layer.name,
        "kind": kind,
        "pixels_in": pixels_in,
        "width_in": width_in,
        "pixels_out": pixels_out,
        "width_out": width_out,
        "input_bits": _bits(in_var.type, 16),
        "output_bits": out_bits,
        "reuse": int(layer.get_attr("reuse_factor", 1) or 1),
        "strategy": _strategy(layer),
        "fifo_depth": pixels_out if io_type == "io_stream" and kind != "reshape" else 0,
    }
    accum = layer.get_attr("accum_t")
    spec["accum_bits"] = _bits(accum, out_bits) if accum is not None else out_bits
    weights = getattr(layer, "weights", {}) or {}
    if kind in ("mult", "depthwise"):
        wvar = weights.get("weight") or weights.get("depthwise") or weights.get("scale")
        if wvar is None:
            raise StepError(f"layer {layer.name!r} ({layer.class_name}) has no weights for the resource model")
        spec["weight_bits"] = _bits(wvar.type, 16)
        spec["n_weights"] = int(np.asarray(wvar.data).size)
        spec["n_zeros"] = count_zero_weights(np.asarray(wvar.data), wvar.type)
    if kind in ("mult", "depthwise", "pool"):
        kh = int(layer.get_attr("filt_height", layer.get_attr("pool_height", 1)) or 1)
        kw = int(layer.get_attr("filt_width", layer.get_attr("pool_width", 1)) or 1)
        if pixels_in > 1 and layer.get_attr("in_height") is None:  # 1-D: the window slides along one axis
            kh, kw = kw, 1
        spec["kernel"] = (kh, kw)
        spec["row_in"] = int(layer.get_attr("in_width", 1) or 1) if layer.get_attr("in_height") else 1
    if kind in ("table", "softmax"):
        spec["table_size"] = int(layer.get_attr("table_size", 1024) or 1024)
    return HlsLayerSpec(**spec)


def describe_hls_model(hls_model: Any, name: str = "design") -> DesignSpec:
    """Every layer of a converted hls4ml model, in order, with the model's I/O type and clock."""
    io_type = str(hls_model.config.get_config_value("IOType"))
    if io_type not in ("io_stream", "io_parallel"):
        raise StepError(f"IOType {io_type!r} is not covered by the resource model (io_stream or io_parallel)")
    clock = float(hls_model.config.get_config_value("ClockPeriod"))
    layers = list(hls_model.get_layers())
    inputs = [lay for lay in layers if lay.class_name in ("Input", "InputLayer")]
    input_elements = sum(math.prod(int(s) for s in lay.get_output_variable().shape) for lay in inputs) or 1
    specs = tuple(describe_layer(lay, io_type) for lay in layers if lay.class_name not in ("Input", "InputLayer"))
    if not specs:
        raise StepError(f"hls4ml model {name!r} has no layers besides its input")
    return DesignSpec(
        name=name,
        layers=specs,
        io_type=io_type,  # type: ignore[arg-type]
        clock_period_ns=clock,
        input_elements=input_elements,
    )
