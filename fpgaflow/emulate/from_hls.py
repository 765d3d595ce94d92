"""Read a converted hls4ml ModelGraph into the emulator's layer list (the only module that knows hls4ml).

Weights are taken as the C simulation loads them: hls4ml writes each value with as many decimals as
the weight type has fractional bits, the C++ parses that decimal string into a double and casts it to
``weight_t``.  The same text round trip is replayed here, so rounding of the decimal string is honoured.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.convert.precision import hls4ml_fixed_type
from fpgaflow.emulate import layers as L
from fpgaflow.emulate.errors import UnemulatedLayerError, UnsupportedPrecisionError
from fpgaflow.emulate.mac import MacUnit
from fpgaflow_board.errors import FixedPointError
from fpgaflow_board.fixed_point import FixedType, IntArray, check_int64, from_float

#: hls4ml layer classes with a bit-exact model here
SUPPORTED = (
    "Input",
    "Dense",
    "Conv2D",
    "Pooling2D",
    "ZeroPadding2D",
    "Activation",
    "ReLU",
    "Softmax",
    "BatchNormalization",
    "ApplyAlpha",
    "Reshape",
)


def fixed_type(precision: Any, what: str) -> FixedType:
    """hls4ml FixedPrecisionType / IntegerPrecisionType -> FixedType (``ap_int`` truncates toward zero);
    a float type, saturation bits or a type the int64 arithmetic cannot hold exactly is unsupported."""
    try:
        t = hls4ml_fixed_type(precision)
        if t is not None:
            return check_int64(t)
    except FixedPointError as exc:
        raise UnsupportedPrecisionError(f"{what}: {exc}") from None
    cls = type(precision).__name__
    raise UnsupportedPrecisionError(f"{what}: precision {precision} ({cls}) has no exact fixed-point model")


def _weights(layer: Any, key: str) -> tuple[IntArray, FixedType]:
    var = layer.weights[key]
    t = fixed_type(var.type.precision, f"layer {layer.name!r} {key}")
    decimals = max(0, t.fractional)
    text = np.array([float(f"{float(v):.{decimals}f}") for v in np.asarray(var.data, np.float64).ravel()])
    return from_float(text, t).reshape(np.asarray(var.data).shape), t


def _out_type(layer: Any) -> FixedType:
    return fixed_type(layer.get_output_variable().type.precision, f"layer {layer.name!r} result")


def _attr_type(layer: Any, key: str) -> FixedType:
    named = layer.get_attr(key)
    if named is None:
        raise UnemulatedLayerError(f"layer {layer.name!r}: attribute {key!r} missing")
    return fixed_type(named.precision, f"layer {layer.name!r} {key}")


def _strategy_is_latency(layer: Any) -> bool:
    return str(layer.get_attr("strategy", "latency")).lower() == "latency"


def _check_latency(layer: Any) -> None:
    if not _strategy_is_latency(layer):
        raise UnemulatedLayerError(
            f"layer {layer.name!r}: strategy {layer.get_attr('strategy')!r} is not modelled "
            "(hls4ml reorders its weights); convert with Strategy 'Latency'"
        )


def build_layer(layer: Any, in_type: FixedType) -> L.Layer:
    """One hls4ml layer -> its exact numpy model; raises UnemulatedLayerError naming the layer."""
    cls = layer.class_name
    name = layer.name
    shape = tuple(int(s) for s in layer.get_output_variable().shape)
    if cls not in SUPPORTED:
        raise UnemulatedLayerError(
            f"layer {name!r} of class {cls!r} has no bit-exact emulation (supported: {SUPPORTED})"
        )
    out_t = _out_type(layer)
    if cls == "Input":
        return L.InputCast(name, out_t, out_t, shape)
    if cls == "Reshape":
        return L.Flatten(name, in_type, in_type, shape)
    if cls in ("Dense", "Conv2D"):
        _check_latency(layer)
        w, wt = _weights(layer, "weight")
        b, bt = _weights(layer, "bias")
        mac = MacUnit(
            name,
            weights=w.reshape(-1, w.shape[-1]),
            weight_type=wt,
            bias=b.ravel(),
            bias_type=bt,
            in_type=in_type,
            accum=_attr_type(layer, "accum_t"),
            result=out_t,
            sequential_order=True,
        )
        if cls == "Dense":
            return L.Dense(name, in_type, out_t, shape, mac=mac)
        pads = [layer.get_attr(k, 0) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right")]
        if any(pads):
            raise UnemulatedLayerError(f"layer {name!r}: in-layer padding {pads} (io_parallel) is not modelled")
        filt = (int(layer.get_attr("filt_height")), int(layer.get_attr("filt_width")))
        stride = (int(layer.get_attr("stride_height")), int(layer.get_attr("stride_width")))
        return L.Conv2D(name, in_type, out_t, shape, filt=filt, stride=stride, mac=mac)
    if cls == "ZeroPadding2D":
        top, bottom, left, right = (int(layer.get_attr(k)) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right"))
        return L.ZeroPad2D(name, in_type, out_t, shape, pads=(top, bottom, left, right))
    if cls == "Pooling2D":
        pads = [layer.get_attr(k, 0) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right")]
        if any(pads):
            raise UnemulatedLayerError(f"layer {name!r}: pooling with padding {pads} is not modelled")
        return L.Pool2D(
            name,
            in_type,
            out_t,
            shape,
            op=str(layer.get_attr("pool_op")),
            pool=(int(layer.get_attr("pool_height")), int(layer.get_attr("pool_width"))),
            stride=(int(layer.get_attr("stride_height")), int(layer.get_attr("stride_width"))),
            accum=_attr_type(layer, "accum_t"),
        )
    if cls in ("BatchNormalization", "ApplyAlpha"):
        s, st = _weights(layer, "scale")
        b, bt = _weights(layer, "bias")
        return L.BatchNorm(name, in_type, out_t, shape, scale=s.ravel(), scale_t=st, bias=b.ravel(), bias_t=bt)
    act = str(layer.get_attr("activation", "")).lower()
    if act == "relu":
        return L.Relu(name, in_type, out_t, shape)
    if act == "linear":
        return L.Linear(name, in_type, out_t, shape)
    if act == "sigmoid":
        return L.Sigmoid(
            name,
            in_type,
            out_t,
            shape,
            table_size=int(layer.get_attr("table_size")),
            table_t=_attr_type(layer, "table_t"),
        )
    if act == "softmax":
        return _softmax(layer, in_type, out_t, shape)
    raise UnemulatedLayerError(
        f"layer {name!r}: activation {act!r} has no bit-exact emulation (relu, linear, sigmoid, softmax)"
    )


def _softmax(layer: Any, in_type: FixedType, out_t: FixedType, shape: tuple[int, ...]) -> L.Layer:
    """Types as hls4ml's Vivado softmax config template derives them (core_templates.py)."""
    from fpgaflow.emulate.softmax import SoftmaxStable

    name = layer.name
    impl = str(layer.get_attr("implementation", "stable")).lower()
    if impl != "stable":
        raise UnemulatedLayerError(f"layer {name!r}: softmax implementation {impl!r} is not modelled (stable)")
    n_in = int(layer.get_attr("n_in"))
    if int(layer.get_attr("n_outer", 1)) != 1 or int(layer.get_attr("n_inner", 1)) != 1 or shape != (n_in,):
        raise UnemulatedLayerError(f"layer {name!r}: softmax over a multi-dimensional tensor is not modelled")
    table_size = int(layer.get_attr("table_size", 1024))
    inv_size = int(layer.get_attr("inv_table_size", table_size))
    exp_t = _attr_type(layer, "exp_table_t")
    accum_named = layer.get_attr("accum_t")
    if accum_named is None or accum_named.name == "model_default_t":
        scale = int(np.ceil(np.log2(n_in))) if n_in > 1 else 0
        accum = FixedType(exp_t.width + scale, exp_t.integer + scale, exp_t.signed)
    else:
        accum = _attr_type(layer, "accum_t")
    inv_named = layer.get_attr("inv_inp_t")
    inv_inp = exp_t if inv_named is None or inv_named.name == "model_default_t" else _attr_type(layer, "inv_inp_t")
    width, iwidth = in_type.width - in_type.signed, in_type.integer - in_type.signed
    exp_size = int(layer.get_attr("exp_table_size", inv_size))
    if in_type.signed:
        exp_size = min(exp_size, 2**width)
    if width < int(np.ceil(np.log2(exp_size))):
        raise UnemulatedLayerError(f"layer {name!r}: softmax input type {in_type} is narrower than its table index")
    return SoftmaxStable(
        name,
        in_type,
        out_t,
        shape,
        exp_table_t=exp_t,
        inv_table_t=_attr_type(layer, "inv_table_t"),
        inv_inp_t=inv_inp,
        accum=accum,
        inp_norm_t=FixedType(width, iwidth, False),
        exp_table_size=exp_size,
        inv_table_size=inv_size,
        exp_scale=float(layer.get_attr("exp_scale", 1.0)),
    )
