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

#: hls4ml layer classes with a bit-exact model here, and the activation functions modelled for each (``None``:
#: the class has no activation attribute to check)
EMULATED: dict[str, tuple[str, ...] | None] = {
    "Input": None,
    "Dense": None,
    "Conv1D": None,
    "Conv2D": None,
    "Conv2DBatchnorm": None,
    "Pooling1D": None,
    "Pooling2D": None,
    "GlobalPooling1D": None,
    "GlobalPooling2D": None,
    "ZeroPadding1D": None,
    "ZeroPadding2D": None,
    "Activation": ("relu", "linear", "sigmoid", "tanh"),
    "HardActivation": ("hard_sigmoid", "hard_tanh"),
    "Softmax": ("softmax",),
    "BatchNormalization": None,
    "ApplyAlpha": None,
    "Reshape": None,
}
SUPPORTED = tuple(EMULATED)
#: hls4ml strategies of Dense/Conv layers the emulator models, and when
EMULATED_STRATEGIES = {
    "latency": "yes",
    "resource": "yes, when no partial sum can saturate (true of fpgaflow's planned accumulators)",
}


def emulates(class_name: str, activation: str = "") -> bool:
    """Whether an hls4ml layer of ``class_name`` (with activation function ``activation``) has an exact model."""
    if class_name not in EMULATED:
        return False
    functions = EMULATED[class_name]
    return functions is None or activation in functions


def _supported_text() -> str:
    return ", ".join(c if a is None else f"{c} ({'/'.join(a)})" for c, a in EMULATED.items())


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


def _is_resource(layer: Any) -> bool:
    return str(layer.get_attr("strategy", "latency")).lower() == "resource"


def _mac_weights(layer: Any) -> tuple[IntArray, FixedType]:
    """Weight codes as (n_in, n_out), kernel index order (height, width, channel) for a convolution.  Under the
    Resource strategy hls4ml stored them transposed (``ApplyResourceStrategy``: Dense (out, in), Conv1D
    (F, W, C), Conv2D (F, H, W, C)); the transposition is undone here."""
    w, wt = _weights(layer, "weight")
    if _is_resource(layer):
        w = np.moveaxis(w, 0, -1)
    return w.reshape(-1, w.shape[-1]), wt


def build_layer(layer: Any, in_type: FixedType) -> L.Layer:
    """One hls4ml layer -> its exact numpy model; raises UnemulatedLayerError naming the layer."""
    cls = layer.class_name
    name = layer.name
    shape = tuple(int(s) for s in layer.get_output_variable().shape)
    if not emulates(cls, str(layer.get_attr("activation", "")).lower() if EMULATED.get(cls) else ""):
        raise UnemulatedLayerError(
            f"layer {name!r} of class {cls!r} (activation {layer.get_attr('activation', '')!r}) has no bit-exact "
            f"emulation (supported: {_supported_text()})"
        )
    out_t = _out_type(layer)
    if cls == "Input":
        return L.InputCast(name, out_t, out_t, shape)
    if cls == "Reshape":
        return L.Flatten(name, in_type, in_type, shape)
    if cls in ("Dense", "Conv1D", "Conv2D", "Conv2DBatchnorm"):
        w, wt = _mac_weights(layer)
        b, bt = _weights(layer, "bias")
        mac = MacUnit(
            name,
            weights=w,
            weight_type=wt,
            bias=b.ravel(),
            bias_type=bt,
            in_type=in_type,
            accum=_attr_type(layer, "accum_t"),
            result=out_t,
            # dense_latency adds the products in order; dense_resource interleaves them (modelled when the sum
            # cannot saturate, where the order does not matter)
            sequential_order=not _is_resource(layer),
        )
        if cls == "Dense":
            return L.Dense(name, in_type, out_t, shape, mac=mac)
        pads = [layer.get_attr(k, 0) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right")]
        if any(pads):
            raise UnemulatedLayerError(f"layer {name!r}: in-layer padding {pads} (io_parallel) is not modelled")
        if cls == "Conv1D":
            filt, stride = (1, int(layer.get_attr("filt_width"))), (1, int(layer.get_attr("stride_width")))
            conv = L.Conv2D(name, in_type, out_t, (1, *shape), filt=filt, stride=stride, mac=mac)
            return L.As2D(name, in_type, out_t, shape, inner=conv)
        filt = (int(layer.get_attr("filt_height")), int(layer.get_attr("filt_width")))
        stride = (int(layer.get_attr("stride_height")), int(layer.get_attr("stride_width")))
        return L.Conv2D(name, in_type, out_t, shape, filt=filt, stride=stride, mac=mac)
    if cls == "ZeroPadding2D":
        top, bottom, left, right = (int(layer.get_attr(k)) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right"))
        return L.ZeroPad2D(name, in_type, out_t, shape, pads=(top, bottom, left, right))
    if cls == "ZeroPadding1D":
        pad = L.ZeroPad2D(
            name,
            in_type,
            out_t,
            (1, *shape),
            pads=(0, 0, int(layer.get_attr("pad_left")), int(layer.get_attr("pad_right"))),
        )
        return L.As2D(name, in_type, out_t, shape, inner=pad)
    if cls in ("Pooling1D", "Pooling2D"):
        pads = [layer.get_attr(k, 0) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right")]
        if any(pads):
            raise UnemulatedLayerError(f"layer {name!r}: pooling with padding {pads} is not modelled")
        one_d = cls == "Pooling1D"
        pool = L.Pool2D(
            name,
            in_type,
            out_t,
            (1, *shape) if one_d else shape,
            op=str(layer.get_attr("pool_op")),
            pool=(1, int(layer.get_attr("pool_width")))
            if one_d
            else (int(layer.get_attr("pool_height")), int(layer.get_attr("pool_width"))),
            stride=(1, int(layer.get_attr("stride_width")))
            if one_d
            else (int(layer.get_attr("stride_height")), int(layer.get_attr("stride_width"))),
            accum=_attr_type(layer, "accum_t"),
        )
        return L.As2D(name, in_type, out_t, shape, inner=pool) if one_d else pool
    if cls in ("GlobalPooling1D", "GlobalPooling2D"):
        return L.GlobalPool(
            name, in_type, out_t, shape, op=str(layer.get_attr("pool_op")), accum=_attr_type(layer, "accum_t")
        )
    if cls in ("BatchNormalization", "ApplyAlpha"):
        s, st = _weights(layer, "scale")
        b, bt = _weights(layer, "bias")
        return L.BatchNorm(name, in_type, out_t, shape, scale=s.ravel(), scale_t=st, bias=b.ravel(), bias_t=bt)
    act = str(layer.get_attr("activation", "")).lower()
    if cls == "HardActivation":
        slope_t, shift_t = _attr_type(layer, "slope_t"), _attr_type(layer, "shift_t")
        return L.HardActivation(
            name,
            in_type,
            out_t,
            shape,
            slope=int(from_float(np.array([float(layer.get_attr("slope"))]), slope_t)[0]),
            slope_t=slope_t,
            shift=int(from_float(np.array([float(layer.get_attr("shift"))]), shift_t)[0]),
            shift_t=shift_t,
            tanh=act == "hard_tanh",
        )
    if act in ("sigmoid", "tanh"):
        table = L.Sigmoid if act == "sigmoid" else L.Tanh
        size, table_t = int(layer.get_attr("table_size")), _attr_type(layer, "table_t")
        return table(name, in_type, out_t, shape, table_size=size, table_t=table_t)
    if act == "relu":
        return L.Relu(name, in_type, out_t, shape)
    if act == "linear":
        return L.Linear(name, in_type, out_t, shape)
    if act == "softmax":
        return _softmax(layer, in_type, out_t, shape)
    raise UnemulatedLayerError(
        f"layer {name!r}: activation {act!r} has no bit-exact emulation (relu, linear, sigmoid, tanh, softmax)"
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
