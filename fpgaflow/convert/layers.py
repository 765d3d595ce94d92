"""Describe a (Q)Keras model as a chain of typed layer specs, rejecting what fpgaflow cannot convert.

The specs hold what the precision, reuse and FIFO planners need: shapes, multiplier-array size
(``n_in × n_out`` as hls4ml counts it: kernel area × input channels × filters for Conv2D), the quantised
weights and the quantiser types.  Supported: InputLayer, (Q)Conv2D and (Q)Dense with a linear activation,
QActivation (quantized_relu, quantized_bits), Activation (relu, linear, sigmoid, softmax), ReLU,
MaxPooling2D, Flatten.  Anything else raises :class:`UnconvertibleLayerError` naming the layer and its type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from fpgaflow.convert.errors import UnconvertibleLayerError
from fpgaflow.convert.quantizers import activation_type, parameter_type
from fpgaflow_board.fixed_point import FixedType

Kind = Literal["input", "conv2d", "dense", "activation", "pool", "flatten"]

SUPPORTED = (
    "InputLayer, QConv2D/Conv2D and QDense/Dense (linear activation), QActivation(quantized_relu|quantized_bits), "
    "Activation(relu|linear|sigmoid|softmax), ReLU, MaxPooling2D, Flatten"
)
_ACTIVATIONS = ("relu", "linear", "sigmoid", "softmax")


@dataclass(frozen=True)
class KerasLayerSpec:
    """One layer of the (Q)Keras model, as conversion plans it.

    ``source``: the layer it reads (``None`` for the input).  ``in_shape``/``out_shape``: per-map tensor
    shapes (H, W, C) or (N,).  ``n_in``/``n_out``: hls4ml's multiplier-array size for conv/dense (one output
    pixel needs n_in × n_out products), else 0.  ``activation``: the function of an activation layer.
    ``weight_type``/``bias_type``/``output_type``: from the layer's QKeras quantisers (``None`` when it has
    none).  ``weights``/``bias``: the quantised values the hardware stores."""

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

    @property
    def pixels_in(self) -> int:
        """Stream elements read per map (one element = all channels of one pixel; 1 for a flat vector)."""
        return int(np.prod(self.in_shape[:-1])) if len(self.in_shape) > 1 else 1

    @property
    def pixels_out(self) -> int:
        return int(np.prod(self.out_shape[:-1])) if len(self.out_shape) > 1 else 1


def _shape(tensor: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in tensor.shape[1:])


def _source(layer: Any) -> str | None:
    inputs = layer.input if isinstance(layer.input, list) else [layer.input]
    if len(inputs) != 1:
        raise UnconvertibleLayerError(
            f"layer {layer.name!r} ({type(layer).__name__}) has {len(inputs)} inputs; only chains are supported"
        )
    history = getattr(inputs[0], "_keras_history", None)
    return None if history is None else str(history.layer.name)


def _quantised(layer: Any, index: int, quantizer: Any) -> np.ndarray:
    raw = np.asarray(layer.get_weights()[index], dtype=np.float32)
    if quantizer is None:
        return raw
    return np.asarray(quantizer(raw), dtype=np.float64)


def _weighted(
    layer: Any, cls: str, kind: Kind, src: str | None, ins: tuple[int, ...], outs: tuple[int, ...]
) -> KerasLayerSpec:
    cfg = layer.get_config()
    if cfg.get("activation", "linear") != "linear":
        raise UnconvertibleLayerError(
            f"layer {layer.name!r} ({cls}) has a fused activation {cfg['activation']!r}; put the activation in "
            "its own QActivation/Activation layer so its precision can be planned"
        )
    if kind == "conv2d" and tuple(cfg.get("dilation_rate", (1, 1))) != (1, 1):
        raise UnconvertibleLayerError(f"layer {layer.name!r} ({cls}): dilation_rate != 1 is not supported")
    kq = getattr(layer, "kernel_quantizer_internal", None)
    bq = getattr(layer, "bias_quantizer_internal", None)
    wtype = parameter_type(kq, layer.name, "kernel") if kq is not None else None
    btype = parameter_type(bq, layer.name, "bias") if bq is not None else None
    weights = _quantised(layer, 0, kq)
    bias = _quantised(layer, 1, bq) if cfg.get("use_bias", True) else np.zeros(weights.shape[-1])
    n_in = int(np.prod(weights.shape[:-1]))
    return KerasLayerSpec(
        layer.name,
        cls,
        kind,
        src,
        ins,
        outs,
        n_in=n_in,
        n_out=int(weights.shape[-1]),
        weight_type=wtype,
        bias_type=btype,
        weights=weights,
        bias=bias,
    )


def describe_layer(layer: Any) -> KerasLayerSpec:
    """The typed spec of one Keras layer, or :class:`UnconvertibleLayerError`."""
    cls = type(layer).__name__
    name = layer.name
    if cls == "InputLayer":
        shape = _shape(layer.output)
        return KerasLayerSpec(name, cls, "input", None, shape, shape)
    src = _source(layer)
    ins, outs = _shape(layer.input), _shape(layer.output)
    if cls in ("QConv2D", "Conv2D"):
        return _weighted(layer, cls, "conv2d", src, ins, outs)
    if cls in ("QDense", "Dense"):
        if len(ins) != 1:
            raise UnconvertibleLayerError(f"layer {name!r} ({cls}) reads a {ins} tensor; flatten it first")
        return _weighted(layer, cls, "dense", src, ins, outs)
    if cls == "QActivation":
        q = layer.quantizer
        otype = activation_type(q, name)
        act = "relu" if type(q).__name__ == "quantized_relu" else "linear"
        return KerasLayerSpec(name, cls, "activation", src, ins, outs, activation=act, output_type=otype)
    if cls == "Activation":
        act = str(layer.get_config()["activation"])
        if act not in _ACTIVATIONS:
            raise UnconvertibleLayerError(
                f"layer {name!r} (Activation {act!r}) is not supported; supported: {_ACTIVATIONS}"
            )
        return KerasLayerSpec(name, cls, "activation", src, ins, outs, activation=act)
    if cls == "ReLU":
        c = layer.get_config()
        if (
            c.get("max_value") is not None
            or float(c.get("negative_slope", 0.0)) != 0.0
            or float(c.get("threshold", 0.0))
        ):
            raise UnconvertibleLayerError(
                f"layer {name!r} (ReLU with max_value/negative_slope/threshold) is not supported"
            )
        return KerasLayerSpec(name, cls, "activation", src, ins, outs, activation="relu")
    if cls == "MaxPooling2D":
        return KerasLayerSpec(name, cls, "pool", src, ins, outs)
    if cls == "Flatten":
        return KerasLayerSpec(name, cls, "flatten", src, ins, outs)
    raise UnconvertibleLayerError(f"layer {name!r} of type {cls} is not supported; supported layers: {SUPPORTED}")


def describe_model(model: Any) -> list[KerasLayerSpec]:
    """Specs of every layer of ``model``, in order; the first unsupported layer raises."""
    specs = [describe_layer(layer) for layer in model.layers]
    if not specs or specs[0].kind != "input":
        raise UnconvertibleLayerError("the model must start with an InputLayer (build it with tf.keras.Input)")
    return specs


def consumers(specs: list[KerasLayerSpec], name: str) -> list[KerasLayerSpec]:
    """Layers that read ``name``'s output."""
    return [s for s in specs if s.source == name]
