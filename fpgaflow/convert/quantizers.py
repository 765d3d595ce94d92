"""Read QKeras quantiser objects into :class:`FixedType` specs, mirroring hls4ml 1.3.0's own rules.

* ``quantized_bits(bits, integer, alpha=1)`` on weights/biases → ``ap_fixed<bits, integer+1>`` (TRN, WRAP:
  the stored weights are already on the grid, so rounding and overflow never act).
* ``quantized_relu(bits, integer)`` → ``ap_ufixed<bits, integer, RND_CONV, SAT>``: QKeras rounds half to
  even (``tf.round``) and clips at 2^integer − step, which is exactly ``AP_RND_CONV`` + ``AP_SAT``.
* ``quantized_bits`` as an activation → ``ap_fixed<bits, integer+1, RND_CONV, SAT>``.
* ``quantized_tanh(bits)`` (hard: ``clip(x, −1, 1)``) → ``ap_fixed<bits, 1, RND_CONV, SAT>`` (``SAT_SYM`` when
  symmetric); ``quantized_sigmoid(bits)`` (hard: ``clip(x/2 + 1/2, 0, 1)``) → ``ap_ufixed<bits, 0, RND_CONV, SAT>``:
  hls4ml's ``hard_tanh``/``hard_sigmoid`` compute the clip exactly and round once into these types, as QKeras does
  with its default (hard) internal sigmoid.

A quantiser with a learned or per-channel scale (``alpha='auto'``/``'auto_po2'`` or alpha ≠ 1), an
asymmetric relu (``negative_slope`` ≠ 0) or any other quantiser class raises
:class:`~fpgaflow.convert.errors.UnconvertibleLayerError` naming the layer: its values are not on an
``ap_fixed`` grid without an extra scaling layer.
"""

from __future__ import annotations

from typing import Any

from fpgaflow.convert.errors import UnconvertibleLayerError
from fpgaflow_board.fixed_point import FixedType


def _cfg(quantizer: Any) -> dict[str, Any]:
    getter = getattr(quantizer, "get_config", None)
    return dict(getter()) if callable(getter) else {}


def _check_alpha(quantizer: Any, layer: str, what: str) -> None:
    alpha = _cfg(quantizer).get("alpha")
    if alpha is None:
        return
    if isinstance(alpha, str) or float(alpha) != 1.0:
        raise UnconvertibleLayerError(
            f"layer {layer!r}: {what} quantizer {quantizer} has alpha={alpha!r}; fpgaflow converts only "
            "power-of-two grids (alpha=1), so that the stored values are exact in an ap_fixed type"
        )


def parameter_type(quantizer: Any, layer: str, what: str) -> FixedType:
    """The ap_fixed type of a weight or bias quantised by ``quantizer`` (a ``quantized_bits``)."""
    name = type(quantizer).__name__
    if name != "quantized_bits":
        raise UnconvertibleLayerError(
            f"layer {layer!r}: {what} quantizer {name} is not supported (use quantized_bits(bits, integer, alpha=1))"
        )
    _check_alpha(quantizer, layer, what)
    cfg = _cfg(quantizer)
    bits, integer = int(cfg["bits"]), int(cfg["integer"])
    if not int(cfg.get("keep_negative", 1)):
        return FixedType(bits, integer, signed=False)
    return FixedType(bits, integer + 1, signed=True)


def activation_type(quantizer: Any, layer: str) -> FixedType:
    """The output type of a ``QActivation`` with ``quantizer`` (``quantized_relu`` or ``quantized_bits``)."""
    name = type(quantizer).__name__
    cfg = _cfg(quantizer)
    if name == "quantized_relu":
        if float(cfg.get("negative_slope", 0.0)) != 0.0:
            raise UnconvertibleLayerError(
                f"layer {layer!r}: quantized_relu with negative_slope={cfg['negative_slope']} (leaky relu) "
                "is not supported; use negative_slope=0"
            )
        if cfg.get("relu_upper_bound") is not None:
            raise UnconvertibleLayerError(f"layer {layer!r}: quantized_relu with relu_upper_bound is not supported")
        return FixedType(int(cfg["bits"]), int(cfg["integer"]), signed=False, rounding="RND_CONV", overflow="SAT")
    if name == "quantized_bits":
        _check_alpha(quantizer, layer, "activation")
        return FixedType(int(cfg["bits"]), int(cfg["integer"]) + 1, signed=True, rounding="RND_CONV", overflow="SAT")
    if name == "quantized_tanh":
        # 2·hard_sigmoid(x) − 1 = clip(x, −1, 1), rounded half to even onto bits−1 fractional bits, clipped to
        # [−1 (+2^-(bits−1) if symmetric), 1 − 2^-(bits−1)]: ap_fixed<bits,1> with RND_CONV and SAT (SAT_SYM)
        if cfg.get("symmetric"):
            return FixedType(int(cfg["bits"]), 1, signed=True, rounding="RND_CONV", overflow="SAT_SYM")
        return FixedType(int(cfg["bits"]), 1, signed=True, rounding="RND_CONV", overflow="SAT")
    if name == "quantized_sigmoid":
        if cfg.get("symmetric"):
            raise UnconvertibleLayerError(
                f"layer {layer!r}: quantized_sigmoid with symmetric=True clips at 2^-bits, which no ap_ufixed "
                "saturation mode does; use symmetric=False"
            )
        # hard_sigmoid(x) = clip(x/2 + 1/2, 0, 1) rounded onto bits fractional bits, clipped to [0, 1 − 2^-bits]
        return FixedType(int(cfg["bits"]), 0, signed=False, rounding="RND_CONV", overflow="SAT")
    raise UnconvertibleLayerError(
        f"layer {layer!r}: QActivation quantizer {name} is not supported (supported: quantized_relu, quantized_bits, "
        "quantized_tanh, quantized_sigmoid)"
    )
