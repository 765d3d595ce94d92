"""Describe a (Q)Keras model as a chain of typed layer specs, rejecting what fpgaflow cannot convert.

The specs hold what the precision, reuse and FIFO planners need: shapes, multiplier-array size
(``n_in × n_out`` as hls4ml counts it: kernel area × input channels × filters for a convolution), the
quantised weights and the quantiser types.  :func:`describe_model` first rewrites the model into its inference
graph (:func:`fpgaflow.convert.inference_graph.to_inference_graph`: dropout removed, fused activations split,
batch-norm folded where hls4ml folds it).  What converts, and why the rest is refused, is the registry
:mod:`fpgaflow.convert.registry`; each spec lists the registry rows it met (``rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from fpgaflow.convert.errors import UnconvertibleLayerError
from fpgaflow.convert.quantizers import activation_type, parameter_type
from fpgaflow.convert.registry import REFUSED_CLASSES, refuse, rule
from fpgaflow_board.fixed_point import FixedType

Kind = Literal["input", "conv2d", "conv1d", "dense", "batchnorm", "activation", "pool", "global_pool", "pad", "flatten"]
#: Kinds that multiply by weights (a reuse factor and a multiplier array apply)
WEIGHTED: tuple[Kind, ...] = ("conv2d", "conv1d", "dense")

_ACTIVATIONS = {
    "relu": "Activation.relu",
    "linear": "Activation.linear",
    "sigmoid": "Activation.sigmoid",
    "softmax": "Activation.softmax",
    "tanh": "Activation.tanh",
    "hard_sigmoid": "Activation.hard_sigmoid",
}
_QACTIVATIONS = {
    "quantized_relu": ("relu", "QActivation.relu"),
    "quantized_bits": ("linear", "QActivation.bits"),
    "quantized_tanh": ("hard_tanh", "QActivation.tanh"),
    "quantized_sigmoid": ("hard_sigmoid", "QActivation.sigmoid"),
}
_POOLS = {
    "MaxPooling2D": ("Max", "MaxPooling2D"),
    "AveragePooling2D": ("Average", "AveragePooling2D"),
    "MaxPooling1D": ("Max", "MaxPooling1D"),
    "AveragePooling1D": ("Average", "AveragePooling1D"),
    "GlobalMaxPooling2D": ("Max", "GlobalMaxPooling2D"),
    "GlobalAveragePooling2D": ("Average", "GlobalAveragePooling2D"),
    "GlobalMaxPooling1D": ("Max", "GlobalMaxPooling1D"),
    "GlobalAveragePooling1D": ("Average", "GlobalAveragePooling1D"),
}


@dataclass(frozen=True)
class KerasLayerSpec:
    """One layer of the (Q)Keras inference graph, as conversion plans it.

    ``source``: the layer it reads (``None`` for the input).  ``in_shape``/``out_shape``: per-map tensor
    shapes (H, W, C), (W, C) or (N,).  ``n_in``/``n_out``: hls4ml's multiplier-array size for a weighted layer
    (one output pixel needs n_in × n_out products), else 0.  ``activation``: the function of an activation
    layer (relu, linear, sigmoid, softmax, tanh, hard_sigmoid, hard_tanh).  ``weight_type``/``bias_type``/
    ``output_type``: from the layer's QKeras quantisers (``None`` when it has none).  ``weights``/``bias``: the
    quantised values the hardware stores (a batch-norm's per-channel scale and bias).  ``pad``: zeros hls4ml
    adds around the map before a convolution (top, bottom, left, right).  ``window``/``strides``: kernel or
    pool size and strides (height, width; height 1 for 1-D).  ``pool_op``: ``Max`` or ``Average``.
    ``rules``: the :mod:`~fpgaflow.convert.registry` rows this layer met.
    """

    name: str
    class_name: str
    kind: Kind
    source: str | None
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    n_in: int = 0
    n_out: int = 0
    activation: str = ""
    weight_type: FixedType | None = None
    bias_type: FixedType | None = None
    output_type: FixedType | None = None
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)
    window: tuple[int, int] = (1, 1)
    strides: tuple[int, int] = (1, 1)
    pool_op: str = ""
    rules: tuple[str, ...] = ()

    @property
    def weighted(self) -> bool:
        """A convolution or dense layer: it has a multiplier array and a reuse factor."""
        return self.kind in WEIGHTED

    @property
    def pixels_in(self) -> int:
        """Stream elements read per map (one element = all channels of one pixel; 1 for a flat vector),
        the zero padding hls4ml inserts before a convolution included."""
        if len(self.in_shape) < 2:
            return 1
        top, bottom, left, right = self.pad
        spatial = list(self.in_shape[:-1])
        spatial[-1] += left + right
        if len(spatial) == 2:
            spatial[0] += top + bottom
        return int(np.prod(spatial))

    @property
    def pixels_out(self) -> int:
        return int(np.prod(self.out_shape[:-1])) if len(self.out_shape) > 1 else 1


def _shape(tensor: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in tensor.shape[1:])


def _source(layer: Any) -> str | None:
    inputs = layer.input if isinstance(layer.input, list) else [layer.input]
    if len(inputs) != 1:
        raise refuse("branching", layer.name, type(layer).__name__)
    history = getattr(inputs[0], "_keras_history", None)
    return None if history is None else str(history.layer.name)


def _quantised(layer: Any, index: int, quantizer: Any) -> np.ndarray:
    raw = np.asarray(layer.get_weights()[index], dtype=np.float32)
    if quantizer is None:
        return raw
    return np.asarray(quantizer(raw), dtype=np.float64)


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """Zeros before and after a dimension of ``size`` for ``padding='same'`` (hls4ml's ``compute_padding``:
    the odd one goes after)."""
    if size % stride == 0:
        total = max(window - stride, 0)
    else:
        total = max(window - size % stride, 0)
    return total // 2, total - total // 2


def _pair(value: Any) -> tuple[int, int]:
    vals = tuple(int(v) for v in (value if isinstance(value, (list, tuple)) else (value,)))
    return (1, vals[0]) if len(vals) == 1 else (vals[0], vals[1])


def folded_batchnorm(layer: Any) -> tuple[np.ndarray, np.ndarray]:
    """Kernel and bias of a ``QConv2DBatchnorm`` folded as hls4ml 1.3 folds them (``Conv2DBatchnorm``, float32):
    ``inv = γ / sqrt(σ² + ε)``, ``kernel·inv``, ``inv·(bias − μ) + β``."""
    by_name = {w.name.split("/")[-1].split(":")[0]: np.asarray(w.numpy()) for w in layer.weights}
    kernel = by_name["kernel"]
    bias = by_name.get("bias", np.float32(0))
    inv = np.reciprocal(np.sqrt(by_name["moving_variance"] + layer.get_config()["epsilon"]))
    if "gamma" in by_name:
        inv *= by_name["gamma"]
    folded_bias = inv * (bias - by_name["moving_mean"])
    if "beta" in by_name:
        folded_bias += by_name["beta"]
    return inv * kernel, folded_bias


def _weighted(
    layer: Any, cls: str, kind: Kind, src: str | None, ins: tuple[int, ...], outs: tuple[int, ...]
) -> KerasLayerSpec:
    cfg = layer.get_config()
    rules: list[str] = []
    if cfg.get("activation", "linear") != "linear":  # to_inference_graph splits it; a bare call gets here
        raise UnconvertibleLayerError(
            f"layer {layer.name!r} ({cls}) has a fused activation {cfg['activation']!r}; convert through "
            "fpgaflow.convert.inference_graph.to_inference_graph, which splits it into its own layer"
        )
    window, strides, pad = (1, 1), (1, 1), (0, 0, 0, 0)
    base = "Conv2D" if kind == "conv2d" else "Conv1D" if kind == "conv1d" else "Dense"
    rules.append("QConv2DBatchnorm" if cls == "QConv2DBatchnorm" else base)
    if kind != "dense":
        if any(d != 1 for d in _pair(cfg.get("dilation_rate", 1))):
            raise refuse("Conv2D.dilation", layer.name, cls)
        window, strides = _pair(cfg["kernel_size"]), _pair(cfg["strides"])
        padding = str(cfg.get("padding", "valid")).lower()
        if padding == "same":
            top, bottom = same_padding(ins[0], window[0], strides[0]) if kind == "conv2d" else (0, 0)
            left, right = same_padding(ins[-2], window[1], strides[1])
            pad = (top, bottom, left, right)
        elif padding == "causal":
            if strides[1] != 1:
                raise refuse("Conv1D.causal_strided", layer.name, cls)
            pad = (0, 0, window[1] - 1, 0)
        if any(pad):
            rules.append(f"{base}.same")
        if any(s != 1 for s in strides):
            rules.append(f"{base}.strides")
    kq = getattr(layer, "kernel_quantizer_internal", None)
    bq = getattr(layer, "bias_quantizer_internal", None)
    wtype = parameter_type(kq, layer.name, "kernel") if kq is not None else None
    btype = parameter_type(bq, layer.name, "bias") if bq is not None else None
    if cls == "QConv2DBatchnorm":
        kernel, folded_bias = folded_batchnorm(layer)
        weights = np.asarray(kq(kernel), np.float64) if kq is not None else kernel
        bias = np.asarray(bq(folded_bias), np.float64) if bq is not None else folded_bias
    else:
        weights = _quantised(layer, 0, kq)
        bias = _quantised(layer, 1, bq) if cfg.get("use_bias", True) else np.zeros(weights.shape[-1])
    return KerasLayerSpec(
        layer.name,
        cls,
        kind,
        src,
        ins,
        outs,
        n_in=int(np.prod(weights.shape[:-1])),
        n_out=int(weights.shape[-1]),
        weight_type=wtype,
        bias_type=btype,
        weights=weights,
        bias=bias,
        pad=pad,
        window=window,
        strides=strides,
        rules=tuple(rules),
    )


def _batchnorm(layer: Any, src: str | None, ins: tuple[int, ...]) -> KerasLayerSpec:
    """hls4ml's scale-shift layer (``nnet::normalize``), scale and shift as hls4ml computes them."""
    from fpgaflow.convert.fold_batchnorm import batchnorm_scale_shift

    cfg = layer.get_config()
    axis = cfg["axis"]
    axes = [axis] if isinstance(axis, int) else list(axis)
    if [a % (len(ins) + 1) for a in axes] != [len(ins)]:
        raise UnconvertibleLayerError(
            f"layer {layer.name!r} (BatchNormalization, axis={axis}) normalises another axis than the channels; "
            "use the default axis=-1"
        )
    scale, shift = batchnorm_scale_shift(cfg, layer.get_weights())
    channels = ins[-1]
    return KerasLayerSpec(
        layer.name,
        "BatchNormalization",
        "batchnorm",
        src,
        ins,
        ins,
        weights=np.broadcast_to(scale, (channels,)).astype(np.float64),
        bias=np.broadcast_to(shift, (channels,)).astype(np.float64),
        rules=("BatchNormalization",),
    )


def _activation(layer: Any, cls: str, src: str | None, ins: tuple[int, ...]) -> KerasLayerSpec:
    name = layer.name
    if cls == "QActivation":
        q = layer.quantizer
        qname = type(q).__name__
        if qname not in _QACTIVATIONS:
            raise UnconvertibleLayerError(
                f"layer {name!r}: QActivation quantizer {qname} is not supported (supported: "
                f"{', '.join(_QACTIVATIONS)})"
            )
        qcfg = q.get_config() if hasattr(q, "get_config") else {}
        if qname == "quantized_relu" and (
            float(qcfg.get("negative_slope", 0.0)) != 0.0 or qcfg.get("relu_upper_bound") is not None
        ):
            raise refuse("QActivation.leaky", name, cls)
        if qcfg.get("use_real_tanh") or qcfg.get("use_real_sigmoid"):
            raise refuse("QActivation.real_tanh", name, cls)
        act, key = _QACTIVATIONS[qname]
        return KerasLayerSpec(
            name, cls, "activation", src, ins, ins, activation=act, output_type=activation_type(q, name), rules=(key,)
        )
    if cls == "ReLU":
        c = layer.get_config()
        if c.get("max_value") is not None or float(c.get("negative_slope", 0.0)) != 0.0 or float(c.get("threshold", 0)):
            raise refuse("ReLU.options", name, cls)
        return KerasLayerSpec(name, cls, "activation", src, ins, ins, activation="relu", rules=("Activation.relu",))
    if cls == "Softmax":  # to_inference_graph rewrites one over the last axis as Activation("softmax")
        raise UnconvertibleLayerError(
            f"layer {name!r} (Softmax, axis={layer.get_config().get('axis')}): only a softmax over the last axis "
            "of a flat vector is converted"
        )
    act = str(layer.get_config()["activation"])
    if act not in _ACTIVATIONS:
        raise UnconvertibleLayerError(
            f"layer {name!r} (Activation {act!r}) is not supported: {rule('Activation.other').refused}"
        )
    if act == "softmax" and len(ins) != 1:
        raise UnconvertibleLayerError(f"layer {name!r} (softmax over a {ins} tensor): flatten it first")
    return KerasLayerSpec(name, cls, "activation", src, ins, ins, activation=act, rules=(_ACTIVATIONS[act],))


def _pool(layer: Any, cls: str, src: str | None, ins: tuple[int, ...], outs: tuple[int, ...]) -> KerasLayerSpec:
    op, key = _POOLS[cls]
    cfg = layer.get_config()
    if cls.startswith("Global"):
        if cfg.get("keepdims"):
            raise refuse("GlobalPooling.keepdims", layer.name, cls)
        window = (ins[0], ins[1]) if len(ins) == 3 else (1, ins[0])
        return KerasLayerSpec(
            layer.name, cls, "global_pool", src, ins, outs, window=window, strides=window, pool_op=op, rules=(key,)
        )
    window, strides = _pair(cfg["pool_size"]), _pair(cfg["strides"])
    if str(cfg.get("padding", "valid")).lower() == "same":
        dims = [(ins[0], window[0], strides[0])] if len(ins) == 3 else []
        dims.append((ins[-2], window[1], strides[1]))
        if any(any(same_padding(*d)) for d in dims):
            raise refuse("Pooling.padded", layer.name, cls)
    return KerasLayerSpec(
        layer.name, cls, "pool", src, ins, outs, window=window, strides=strides, pool_op=op, rules=(key,)
    )


def describe_layer(layer: Any) -> KerasLayerSpec:
    """The typed spec of one Keras layer of an inference graph, or :class:`UnconvertibleLayerError`."""
    cls = type(layer).__name__
    name = layer.name
    if cls == "InputLayer":
        shape = _shape(layer.output)
        return KerasLayerSpec(name, cls, "input", None, shape, shape, rules=("InputLayer",))
    if cls in REFUSED_CLASSES:
        raise refuse(REFUSED_CLASSES[cls], name, cls)
    src = _source(layer)
    ins, outs = _shape(layer.input), _shape(layer.output)
    if cls in ("QConv2D", "Conv2D", "QConv2DBatchnorm"):
        return _weighted(layer, cls, "conv2d", src, ins, outs)
    if cls in ("QConv1D", "Conv1D"):
        return _weighted(layer, cls, "conv1d", src, ins, outs)
    if cls in ("QDense", "Dense"):
        if len(ins) != 1:
            raise UnconvertibleLayerError(
                f"layer {name!r} ({cls}) reads a {ins} tensor; hls4ml's Dense takes a flat vector: Flatten (or "
                "global pooling) first"
            )
        return _weighted(layer, cls, "dense", src, ins, outs)
    if cls == "BatchNormalization":
        return _batchnorm(layer, src, ins)
    if cls in ("QActivation", "Activation", "ReLU", "Softmax"):
        return _activation(layer, cls, src, ins)
    if cls in _POOLS:
        return _pool(layer, cls, src, ins, outs)
    if cls == "Flatten":
        return KerasLayerSpec(name, cls, "flatten", src, ins, outs, rules=("Flatten",))
    if cls in ("ZeroPadding2D", "ZeroPadding1D"):
        p = layer.get_config()["padding"]
        if cls == "ZeroPadding1D":
            left, right = _pair(p) if isinstance(p, (list, tuple)) else (int(p), int(p))
            pad = (0, 0, left, right)
        else:
            (top, bottom), (left, right) = (tuple(int(v) for v in q) for q in p)
            pad = (top, bottom, left, right)
        return KerasLayerSpec(name, cls, "pad", src, ins, outs, pad=pad, rules=(cls,))
    raise UnconvertibleLayerError(
        f"layer {name!r} of type {cls} is not supported; `fpgaflow layers` lists every supported layer "
        "(Conv1D/Conv2D, Dense, BatchNormalization, activations, pooling, Flatten)"
    )


def describe_model(model: Any) -> list[KerasLayerSpec]:
    """Specs of every layer of ``model``'s inference graph, in order; the first unsupported layer raises."""
    from fpgaflow.convert.inference_graph import to_inference_graph

    graph = to_inference_graph(model)
    specs = [describe_layer(layer) for layer in graph.layers]
    if not specs or specs[0].kind != "input":
        raise UnconvertibleLayerError("the model must start with an InputLayer (build it with tf.keras.Input)")
    return specs


def consumers(specs: list[KerasLayerSpec], name: str) -> list[KerasLayerSpec]:
    """Layers that read ``name``'s output."""
    return [s for s in specs if s.source == name]
