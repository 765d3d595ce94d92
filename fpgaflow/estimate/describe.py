"""Read a converted hls4ml ``ModelGraph`` (hls4ml 1.3) into a :class:`DesignSpec` for the resource rules.

Only attributes hls4ml has already resolved are read: shapes from each layer's output variable, bit widths
from the layer's ``*_t`` types, reuse factor and strategy from the layer config, weights (their values once
cast to the weight type: zeros, powers of two, CSD digits) from ``layer.weights``.  Nothing here imports
hls4ml, so the rules stay testable without it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from fpgaflow.errors import StepError
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec, LayerKind, Strategy
from fpgaflow.estimate.weights import WeightProfile, weight_codes

#: hls4ml layer class -> what it is in hardware (activations are told apart by their function below).
_KINDS: dict[str, LayerKind] = {
    **dict.fromkeys(
        ("Dense", "Conv1D", "Conv2D", "PointwiseConv1D", "PointwiseConv2D", "Conv2DBatchnorm", "DenseBatchnorm"),
        "mult",
    ),
    **dict.fromkeys(("DepthwiseConv1D", "DepthwiseConv2D"), "depthwise"),
    **dict.fromkeys(("BatchNormalization", "ApplyAlpha"), "batchnorm"),
    **dict.fromkeys(("ReLU", "LeakyReLU", "PReLU", "ThresholdedReLU", "HardActivation"), "elementwise"),
    **dict.fromkeys(("Pooling1D", "Pooling2D"), "pool"),
    **dict.fromkeys(("GlobalPooling1D", "GlobalPooling2D"), "global_pool"),
    **dict.fromkeys(("ZeroPadding1D", "ZeroPadding2D"), "pad"),
    **dict.fromkeys(("Reshape", "Flatten", "Transpose"), "reshape"),
    **dict.fromkeys(("GRU", "LSTM"), "recurrent"),
}
_INPUTS = ("Input", "InputLayer")
_TABLE_ACTIVATIONS = {"sigmoid", "tanh", "elu", "selu", "softplus", "softsign", "hard_tanh"}
SUPPORTED = sorted({*_KINDS, "Activation", "ELU", "Softmax"})
#: hls4ml IO types and strategies the resource model has rules for
IO_TYPES = ("io_stream", "io_parallel")
STRATEGIES = ("latency", "resource")


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


def weight_profile(data: Any, type_obj: Any) -> WeightProfile:
    """Zeros, powers of two and CSD digits of ``data`` once cast to its ``ap_fixed`` type (hls4ml weight type)."""
    precision = getattr(type_obj, "precision", None)
    codes = weight_codes(data, precision)
    flat = np.asarray(data, dtype=float).ravel()
    if codes is None:  # a float type: only exact zeros are known to be free, the rest are full-width
        nonzero = int(np.count_nonzero(flat))
        full = WeightProfile.dense(nonzero, 32)
        return WeightProfile(bits=32, zeros=flat.size - nonzero, classes=full.classes)
    return WeightProfile.from_codes(codes, _bits(type_obj, 16))


def count_zero_weights(data: Any, type_obj: Any) -> int:
    """Weights that are zero in hardware: their code is 0 once cast to their ``ap_fixed`` type."""
    return weight_profile(data, type_obj).zeros


def _activation(layer: Any) -> str:
    return str(layer.get_attr("activation", "") or "").lower()


def kind_of(class_name: str, activation: str = "") -> LayerKind | None:
    """The resource model's rule (layer kind) for an hls4ml layer of ``class_name`` with activation function
    ``activation``; ``None`` when it has none."""
    act = activation.lower()
    if class_name in _KINDS:
        return _KINDS[class_name]
    if class_name == "Softmax" or (class_name == "Activation" and act == "softmax"):
        return "softmax"
    if class_name == "ELU" or (class_name == "Activation" and act in _TABLE_ACTIVATIONS):
        return "table"
    if class_name == "Activation":
        return "elementwise"
    return None


def covers(class_name: str, activation: str = "") -> bool:
    """Whether the resource model has a rule for an hls4ml layer of ``class_name`` (with activation function
    ``activation``): a registered rule for its kind, or the design's input (an interface, no cost of its own)."""
    from fpgaflow.estimate.rules import rule_for

    return class_name in _INPUTS or rule_for(kind_of(class_name, activation)) is not None


def _kind(layer: Any) -> LayerKind:
    kind = kind_of(layer.class_name, _activation(layer))
    if kind is None:
        raise StepError(
            f"layer {layer.name!r} ({layer.class_name}) is not covered by the resource model; supported layer "
            f"classes: {', '.join(SUPPORTED)}"
        )
    return kind


def _strategy(layer: Any) -> Strategy:
    value = str(layer.get_attr("strategy", "latency")).lower()
    return "resource" if value.startswith("resource") else "latency"


def _int(layer: Any, name: str, default: int = 1) -> int:
    value = layer.get_attr(name)
    return int(value) if value is not None else default


def _window(layer: Any, kind: LayerKind) -> dict[str, Any]:
    """Kernel, stride and input row length of a convolution or pooling window (1-D: height 1)."""
    prefix = "pool" if kind == "pool" else "filt"
    two_d = layer.get_attr("in_height") is not None
    kw = _int(layer, f"{prefix}_width")
    kh = _int(layer, f"{prefix}_height") if two_d else 1
    sw = _int(layer, "stride_width", kw if kind == "pool" else 1)
    sh = _int(layer, "stride_height", kh if kind == "pool" else 1) if two_d else 1
    return {"kernel": (kh, kw), "stride": (sh, sw), "row_in": _int(layer, "in_width") if two_d else 1}


def _weights(layer: Any, kind: LayerKind) -> dict[str, Any]:
    """Weight count, width, value profile and fan-in of a multiplying layer."""
    weights = getattr(layer, "weights", {}) or {}
    keys = {"batchnorm": ("scale",), "recurrent": ("weight", "recurrent_weight")}.get(kind, ("weight",))
    missing = [k for k in keys if k not in weights]
    if missing:
        raise StepError(f"layer {layer.name!r} ({layer.class_name}) has no {missing[0]} array for the resource model")
    profiles = [weight_profile(np.asarray(weights[k].data), weights[k].type) for k in keys]
    classes: dict[tuple[int, int], int] = {}
    for p in profiles:
        for s, d, c in p.classes:
            classes[(s, d)] = classes.get((s, d), 0) + c
    profile = WeightProfile(
        bits=max(p.bits for p in profiles),
        zeros=sum(p.zeros for p in profiles),
        classes=tuple(sorted((s, d, c) for (s, d), c in classes.items())),
    )
    return {"weights": profile, "n_weights": profile.total, "weight_bits": profile.bits}


def _terms(layer: Any, kind: LayerKind, width_in: int, kernel: tuple[int, int]) -> int:
    if kind == "mult":
        channels = _int(layer, "n_chan", 0) or _int(layer, "n_in", width_in)
        return max(1, channels * kernel[0] * kernel[1])
    if kind == "depthwise":
        return kernel[0] * kernel[1]
    if kind == "recurrent":
        return _int(layer, "n_in") + _int(layer, "n_out")
    return 1


def _fifo_depth(var: Any, pixels: int) -> int:
    """Entries of the FIFO behind an ``io_stream`` output: the ``#pragma HLS STREAM depth`` hls4ml writes for it
    (``var.pragma == ("stream", depth)``: one entry per pixel by default, fewer where fpgaflow's convert sized
    it from the layer geometry, :mod:`fpgaflow.convert.fifo`), else one per pixel."""
    pragma = getattr(var, "pragma", None)
    if isinstance(pragma, tuple) and len(pragma) == 2 and pragma[0] == "stream" and int(pragma[1]) > 0:
        return min(int(pragma[1]), pixels)
    return pixels


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
        "fifo_depth": _fifo_depth(out_var, pixels_out) if io_type == "io_stream" and kind != "reshape" else 0,
    }
    accum = layer.get_attr("accum_t")
    spec["accum_bits"] = _bits(accum, out_bits) if accum is not None else out_bits
    if kind in ("mult", "depthwise", "pool"):
        spec.update(_window(layer, kind))
    if kind in ("mult", "depthwise", "batchnorm", "recurrent"):
        spec.update(_weights(layer, kind))
        spec["terms"] = _terms(layer, kind, width_in, spec.get("kernel", (1, 1)))
    if kind == "recurrent":
        spec["timesteps"] = _int(layer, "n_timesteps")
        spec["gates"] = 3 if layer.class_name == "GRU" else 4
        spec["width_in"] = _int(layer, "n_in")
        spec["table_size"] = _int(layer, "table_size", 1024)
        spec["table_bits"] = _bits(layer.get_attr("table_t"), 18)
    if kind in ("table", "softmax"):
        spec["table_size"] = _int(layer, "table_size", 1024)
        spec["table_bits"] = _bits(layer.get_attr("table_t") or layer.get_attr("exp_table_t"), 18)
    return HlsLayerSpec(**spec)


def _inplace_flatten(specs: tuple[HlsLayerSpec, ...], layers: list[Any]) -> tuple[HlsLayerSpec, ...]:
    """In ``io_stream`` hls4ml 1.3 keeps the stream of a flattened map as it was (``InplaceStreamFlatten``): the
    layer after a Flatten reads the map's words one by one.  A batch normalisation there multiplies each word
    by the scales of its position, so its multipliers are shared by the words, like a reuse factor."""
    out = list(specs)
    for i, spec in enumerate(specs):
        if spec.kind != "reshape" or spec.pixels_in <= 1 or i + 1 >= len(specs):
            continue
        words, width = spec.pixels_in, spec.width_in
        out[i] = replace(spec, pixels_out=words, width_out=width)
        nxt = specs[i + 1]
        if nxt.width_in != words * width:
            continue
        nxt = replace(nxt, pixels_in=words, width_in=width)
        if nxt.kind == "batchnorm" and _int(layers[i + 1], "n_filt", -1) == -1:
            nxt = replace(nxt, pixels_out=words, width_out=width, reuse=max(nxt.reuse, words))
        out[i + 1] = nxt
    return tuple(out)


def describe_hls_model(hls_model: Any, name: str = "design") -> DesignSpec:
    """Every layer of a converted hls4ml model, in order, with the model's I/O type, clock and part."""
    io_type = str(hls_model.config.get_config_value("IOType"))
    if io_type not in IO_TYPES:
        raise StepError(f"IOType {io_type!r} is not covered by the resource model (io_stream or io_parallel)")
    clock = float(hls_model.config.get_config_value("ClockPeriod"))
    part = str(hls_model.config.get_config_value("Part") or hls_model.config.get_config_value("XilinxPart") or "")
    layers = list(hls_model.get_layers())
    inputs = [lay for lay in layers if lay.class_name in _INPUTS]
    input_elements = sum(math.prod(int(s) for s in lay.get_output_variable().shape) for lay in inputs) or 1
    specs = tuple(describe_layer(lay, io_type) for lay in layers if lay.class_name not in _INPUTS)
    if io_type == "io_stream":
        specs = _inplace_flatten(specs, [lay for lay in layers if lay.class_name not in _INPUTS])
    if not specs:
        raise StepError(f"hls4ml model {name!r} has no layers besides its input")
    return DesignSpec(
        name=name,
        layers=specs,
        io_type=io_type,  # type: ignore[arg-type]
        clock_period_ns=clock,
        part=part,
        input_elements=input_elements,
    )
