"""Plan every tensor's fixed-point type from the QKeras quantisers and from calibration profiling.

Rules (per layer, in graph order; each choice records why):

* input: the exact ADC type when given (``ap_ufixed<8,0>`` for 8-bit counts × 2^-8), else the default.
* Conv2D/Dense weight and bias: the quantiser's type (see :mod:`fpgaflow.convert.quantizers`); without a
  quantiser, the default precision (checked to hold max |w|; not bit-exact).
* Conv2D/Dense accumulator: exact products, f = f_in + f_w fractional bits (at least the bias's), and the
  integer bits of the weight-aware worst case B = max over outputs of Σ|w|·max|x| + |b|, where max|x| is
  the largest value of the input type.  No input the input type can carry overflows it, so the
  accumulator is exact (WRAP is harmless: partial sums wrap but the final sum fits).  This is never wider
  than hls4ml's ``auto`` type, which assumes every weight at its type's maximum.
* Conv/Dense/batch-norm result:
  - feeding a saturating ``quantized_relu`` ``ap_ufixed<b,i>``: ``ap_fixed<i+1+f, i+1, TRN, SAT>``.  Any
    value above the relu's range saturates to the same output either way, so this is bit-exact for every
    input while the stream carries fewer bits; feeding a ``quantized_tanh``/``quantized_sigmoid`` (hard, clipped
    at |x| ≥ 1): ``ap_fixed<2+f, 2, TRN, SAT>`` for the same reason;
  - otherwise, from profiling: the integer bits of ``max |v|·2^margin`` on the calibration maps, with
    SAT (values beyond it clip; ``fpgaflow verify`` counts them); if that is not narrower than the
    accumulator, the accumulator type itself;
  - without calibration data: the accumulator type.
* QActivation: the quantiser's type (``ap_ufixed<b,i,RND_CONV,SAT>`` for quantized_relu, as hls4ml does;
  ``quantized_tanh``/``quantized_sigmoid``: see :mod:`fpgaflow.convert.quantizers`).
  Float relu: the input type without its sign bit (exact); linear, max pooling, padding, Flatten: the input
  type (exact); sigmoid/softmax: the default precision (hls4ml's lookup tables, not exact); tanh (table) and
  Keras' hard_sigmoid: the default width with 2 (signed) or 1 (unsigned) integer bits.
* Average pooling (and global average pooling) over N values: ``accum_t`` = the input type with k = ⌈log2 N⌉
  more integer and fractional bits, the result the input's integer bits with those k fractional bits (exact
  for N = 2^k; otherwise the quotient is truncated at that LSB, as the C++ does).
* Batch-norm (scale-shift): scale and shift in the default width with the integer bits their largest value
  needs; the result like a Dense result (exact sum, narrowed as above).

A planned result wider than ``max_result_bits`` (32) that feeds no QKeras quantizer keeps its integer bits and
loses fractional bits down to that width (float layers and batch-norms add fractional bits at every layer).

A configured override replaces a planned type; one that cannot hold the quantiser's grid and range is
rejected with :class:`~fpgaflow.convert.errors.PrecisionRangeError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from fpgaflow.config.strict import suggest
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.errors import PrecisionRangeError
from fpgaflow.convert.layers import KerasLayerSpec, consumers
from fpgaflow.convert.precision import signed_integer_bits
from fpgaflow_board.fixed_point import FixedType


@dataclass(frozen=True)
class Choice:
    """One tensor's type and the reason it was chosen."""

    type: FixedType
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type.hls(), "reason": self.reason}


@dataclass(frozen=True)
class LayerPrecision:
    """The planned types of one layer.  ``bound_max_abs``: worst-case |accumulator| over the input type's
    range; ``profile_max_abs``: largest |output| seen on the calibration maps (``None`` if not profiled)."""

    layer: str
    kind: str
    result: Choice
    weight: Choice | None = None
    bias: Choice | None = None
    accum: Choice | None = None
    bound_max_abs: float | None = None
    profile_max_abs: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"layer": self.layer, "kind": self.kind}
        for key in ("weight", "bias", "accum", "result"):
            choice = getattr(self, key)
            if choice is not None:
                out[key] = choice.to_dict()
        out["bound_max_abs"] = self.bound_max_abs
        out["profile_max_abs"] = self.profile_max_abs
        return out


@dataclass(frozen=True)
class PrecisionPlan:
    """Typed per-layer precisions of a model (rendered to hls4ml dicts only by :mod:`fpgaflow.convert.hls`)."""

    layers: tuple[LayerPrecision, ...]
    calibration_maps: int

    def __getitem__(self, name: str) -> LayerPrecision:
        for lp in self.layers:
            if lp.layer == name:
                return lp
        raise KeyError(name)

    def result_type(self, name: str) -> FixedType:
        return self[name].result.type

    def to_dict(self) -> dict[str, Any]:
        return {"calibration_maps": self.calibration_maps, "layers": [lp.to_dict() for lp in self.layers]}


def _max_abs(t: FixedType) -> float:
    return max(abs(t.min_value), abs(t.max_value))


def _check_covers(layer: str, tensor: str, chosen: FixedType, needed: FixedType, why: str) -> None:
    if not chosen.covers(needed):
        raise PrecisionRangeError(
            f"layer {layer!r}: {tensor} type {chosen.hls()} cannot hold the {why} {needed.hls()} "
            f"(needs >= {needed.fractional} fractional bits and the range "
            f"[{needed.min_value:g}, {needed.max_value:g}]; "
            f"{chosen.hls()} has {chosen.fractional} and [{chosen.min_value:g}, {chosen.max_value:g}])"
        )


def _parameter(spec: KerasLayerSpec, tensor: str, cfg: ConvertConfig) -> Choice:
    qtype = spec.weight_type if tensor == "weight" else spec.bias_type
    values = spec.weights if tensor == "weight" else spec.bias
    assert values is not None
    override = getattr(cfg.override(spec.name), tensor)
    if qtype is not None:
        if override is not None:
            _check_covers(spec.name, tensor, override, qtype, "quantizer's type")
            return Choice(override, f"override (holds the quantizer's {qtype.hls()})")
        return Choice(qtype, "QKeras quantized_bits → ap_fixed<bits, integer+1>: the stored values are exact")
    chosen = override or cfg.default_type
    peak = float(np.max(np.abs(values))) if values.size else 0.0
    if peak > _max_abs(chosen):
        raise PrecisionRangeError(
            f"layer {spec.name!r}: {tensor} type {chosen.hls()} cannot hold max |{tensor}| = {peak:g} "
            f"(range [{chosen.min_value:g}, {chosen.max_value:g}]); add a quantizer or widen the type"
        )
    src = "override" if override else "default precision"
    return Choice(chosen, f"no quantizer: {src}, holds max |{tensor}| = {peak:g} (values rounded: not bit-exact)")


def _weighted(
    spec: KerasLayerSpec,
    in_type: FixedType,
    specs: list[KerasLayerSpec],
    profile: dict[str, float] | None,
    cfg: ConvertConfig,
) -> LayerPrecision:
    weight = _parameter(spec, "weight", cfg)
    bias = _parameter(spec, "bias", cfg)
    assert spec.weights is not None
    assert spec.bias is not None
    frac = max(in_type.fractional + weight.type.fractional, bias.type.fractional)
    w = np.abs(spec.weights.reshape(-1, spec.n_out))
    bound = float(np.max(w.sum(axis=0) * _max_abs(in_type) + np.abs(spec.bias.reshape(-1))))
    acc_int = signed_integer_bits(bound, frac)
    if acc_int + frac > 64:
        raise PrecisionRangeError(
            f"layer {spec.name!r}: the exact accumulator needs {acc_int + frac} bits (> 64); "
            "use fewer fractional bits in its input or weight quantizers"
        )
    acc_type = FixedType(acc_int + frac, acc_int)
    ov = cfg.override(spec.name)
    accum = (
        Choice(ov.accum, f"override (worst case |Σ| = {bound:g} needs {acc_type.hls()})")
        if ov.accum
        else Choice(
            acc_type,
            f"exact: {frac} fractional bits (input {in_type.fractional} + weight "
            f"{weight.type.fractional}), worst case |Σ|w|·max|x| + |b|| = {bound:g}",
        )
    )
    peak = profile.get(spec.name) if profile else None
    result = _result(spec, acc_type, frac, peak, specs, cfg)
    if ov.result:
        result = Choice(ov.result, f"override (plan was {result.type.hls()})")
    return LayerPrecision(spec.name, spec.kind, result, weight, bias, accum, bound, peak)


def _result(
    spec: KerasLayerSpec, acc: FixedType, frac: int, peak: float | None, specs: list[KerasLayerSpec], cfg: ConvertConfig
) -> Choice:
    readers = consumers(specs, spec.name)
    saturating = ("relu", "hard_tanh", "hard_sigmoid")
    if len(readers) == 1 and readers[0].output_type is not None and readers[0].activation in saturating:
        relu = readers[0].output_type
        # quantized_relu: its own range (integer bits + the sign); hard tanh/sigmoid clip at |x| >= 1: [-2, 2)
        integer = relu.integer + 1 if readers[0].activation == "relu" else 2
        if integer < acc.integer:
            return Choice(
                FixedType(integer + frac, integer, True, "TRN", "SAT"),
                f"feeds {readers[0].name} {relu.hls()}: values beyond its range saturate to the same output "
                "(bit-exact for every input)",
            )
        # Narrower than the relu's range would change its outputs: keep the exact accumulator type.
        return Choice(acc, f"feeds {readers[0].name} {relu.hls()}, whose range needs the full accumulator: exact")
    if peak is None:
        return Choice(acc, "no calibration data: the exact accumulator type")
    integer = signed_integer_bits(peak * 2.0**cfg.result_margin_bits, frac)
    if integer < acc.integer:
        return Choice(
            FixedType(integer + frac, integer, True, "TRN", "SAT"),
            f"calibration max |v| = {peak:g} × 2^{cfg.result_margin_bits} margin → {integer} integer bits; "
            f"SAT clips rarer larger values (worst case needs {acc.integer})",
        )
    return Choice(acc, f"calibration max |v| = {peak:g} needs the worst-case width: the exact accumulator type")


_QUANTIZER_REASON = {
    "relu": "QKeras quantized_relu(bits, integer) → ap_ufixed<bits, integer, RND_CONV, SAT> (as hls4ml)",
    "linear": "QKeras quantized_bits activation → ap_fixed<bits, integer+1, RND_CONV, SAT>",
    "hard_tanh": "QKeras quantized_tanh(bits) → ap_fixed<bits, 1, RND_CONV, SAT>: hls4ml's hard_tanh computes "
    "clip(x, −1, 1) exactly and rounds once, as QKeras",
    "hard_sigmoid": "QKeras quantized_sigmoid(bits) → ap_ufixed<bits, 0, RND_CONV, SAT>: hls4ml's hard_sigmoid "
    "computes clip(x/2 + 1/2, 0, 1) exactly and rounds once, as QKeras",
}


def _unweighted(spec: KerasLayerSpec, in_type: FixedType, cfg: ConvertConfig, peak: float | None) -> LayerPrecision:
    ov = cfg.override(spec.name).result
    if spec.output_type is not None:
        q = spec.output_type
        if ov is not None:
            _check_covers(spec.name, "result", ov, FixedType(q.width, q.integer, q.signed), "quantizer's type")
            return LayerPrecision(spec.name, spec.kind, Choice(ov, f"override (holds {q.hls()})"), profile_max_abs=peak)
        return LayerPrecision(spec.name, spec.kind, Choice(q, _QUANTIZER_REASON[spec.activation]), profile_max_abs=peak)
    if spec.kind in ("pool", "global_pool") and spec.pool_op == "Average":
        return _average(spec, in_type, cfg, peak)
    if ov is not None:
        return LayerPrecision(spec.name, spec.kind, Choice(ov, "override"), profile_max_abs=peak)
    if spec.kind == "activation":
        choice = _activation_result(spec.activation, in_type, cfg.default_type)
        if choice is not None:
            return LayerPrecision(spec.name, spec.kind, choice, profile_max_abs=peak)
    return LayerPrecision(
        spec.name, spec.kind, Choice(in_type, f"{spec.kind}: the input type, exact"), profile_max_abs=peak
    )


def _activation_result(activation: str, in_type: FixedType, default: FixedType) -> Choice | None:
    """The result type of a float activation, or ``None`` for one that keeps its input type (linear)."""
    if activation == "relu":
        t = FixedType(in_type.width - 1, in_type.integer - 1, False) if in_type.signed else in_type
        return Choice(t, "relu of the input type: sign bit dropped, exact")
    if activation in ("sigmoid", "softmax"):
        return Choice(default, f"{activation} lookup table output: default precision (not exact)")
    if activation == "tanh":
        return Choice(
            FixedType(default.width, 2),
            "tanh lookup table output in [−1, 1]: 2 integer bits, default width (not exact)",
        )
    if activation == "hard_sigmoid":
        return Choice(
            FixedType(default.width, 1, signed=False),
            "hard_sigmoid output clip(0.2·x + 0.5, 0, 1) in [0, 1]: ap_ufixed with 1 integer bit, default width "
            "(rounded toward −∞)",
        )
    return None


def _average(spec: KerasLayerSpec, in_type: FixedType, cfg: ConvertConfig, peak: float | None) -> LayerPrecision:
    """Average pooling: hls4ml sums the N window values in ``accum_t`` and divides by N (truncating toward 0).
    ``accum_t`` = the input type with k = ⌈log2 N⌉ more integer bits (no sum overflows) and k more fractional
    bits (the quotient keeps ``accum_t``'s fractional bits); the result drops the k integer bits again (an average
    stays in the input's range).  Exact when N is a power of two."""
    n = spec.window[0] * spec.window[1]
    k = max(0, math.ceil(math.log2(n)))
    accum = FixedType(in_type.width + 2 * k, in_type.integer + k, in_type.signed)
    exact = "exact" if n == 1 << k else f"truncated to 2^-{accum.fractional} (N = {n} is not a power of two)"
    result = FixedType(in_type.width + k, in_type.integer, in_type.signed)
    ov = cfg.override(spec.name)
    return LayerPrecision(
        spec.name,
        spec.kind,
        Choice(ov.result, "override") if ov.result else Choice(result, f"average of {n} inputs: {exact}"),
        accum=Choice(ov.accum, "override")
        if ov.accum
        else Choice(accum, f"sum of {n} inputs: {k} more integer and fractional bits than the input"),
        profile_max_abs=peak,
    )


def _batchnorm(
    spec: KerasLayerSpec, in_type: FixedType, specs: list[KerasLayerSpec], peak: float | None, cfg: ConvertConfig
) -> LayerPrecision:
    """Scale-shift (``nnet::normalize``: ``x·scale + shift`` at full precision, then cast to the result).
    Scale and shift get the default width with just enough integer bits for their largest magnitude; the result
    is sized like a Dense result (exact sum of the product and the shift, then saturating where a relu follows or
    from profiling)."""
    assert spec.weights is not None
    assert spec.bias is not None
    width = cfg.default_type.width
    ov = cfg.override(spec.name)
    chosen: dict[str, Choice] = {}
    for tensor, values, override in (("scale", spec.weights, ov.weight), ("shift", spec.bias, ov.bias)):
        peak_v = float(np.max(np.abs(values))) if values.size else 0.0
        t = FixedType(width, signed_integer_bits(peak_v, width))
        chosen[tensor] = (
            Choice(override, "override")
            if override
            else Choice(
                t, f"batch-norm {tensor}: max |{tensor}| = {peak_v:g} → {t.integer} integer bits, width {width}"
            )
        )
    scale_t, shift_t = chosen["scale"].type, chosen["shift"].type
    frac = max(in_type.fractional + scale_t.fractional, shift_t.fractional)
    # |scale| and |shift| after the C++ casts (TRN) are at most one LSB larger
    bound = float(
        np.max((np.abs(spec.weights) + 2.0**-scale_t.fractional) * _max_abs(in_type) + np.abs(spec.bias))
        + 2.0**-shift_t.fractional
    )
    exact = FixedType(signed_integer_bits(bound, frac) + frac, signed_integer_bits(bound, frac))
    result = _result(spec, exact, frac, peak, specs, cfg)
    if ov.result:
        result = Choice(ov.result, f"override (plan was {result.type.hls()})")
    return LayerPrecision(
        spec.name,
        spec.kind,
        result,
        weight=chosen["scale"],
        bias=chosen["shift"],
        bound_max_abs=bound,
        profile_max_abs=peak,
    )


def plan_precision(
    specs: list[KerasLayerSpec],
    cfg: ConvertConfig,
    input_type: FixedType | None,
    profile: dict[str, float] | None = None,
    calibration_maps: int = 0,
) -> PrecisionPlan:
    """Plan every layer's types (see the module docstring for the rules)."""
    names = [s.name for s in specs]
    for name in cfg.layers:
        if name not in names:
            raise PrecisionRangeError(
                f"convert.layers: no layer named {name!r} in the model{suggest(name, names)}; "
                f"layers: {', '.join(names)}"
            )
    planned: dict[str, LayerPrecision] = {}
    for spec in specs:
        if spec.kind == "input":
            ov = cfg.override(spec.name).result
            if ov is not None:
                choice = Choice(ov, "override")
            elif input_type is not None:
                choice = Choice(input_type, "ADC counts × the input scale (float32): every input exact")
            else:
                choice = Choice(cfg.default_type, "no input type given: default precision")
            planned[spec.name] = LayerPrecision(spec.name, "input", choice)
            continue
        assert spec.source is not None
        in_type = planned[spec.source].result.type
        peak = profile.get(spec.name) if profile else None
        if spec.weighted:
            lp = _weighted(spec, in_type, specs, profile, cfg)
        elif spec.kind == "batchnorm":
            lp = _batchnorm(spec, in_type, specs, peak, cfg)
        else:
            lp = _unweighted(spec, in_type, cfg, peak)
        planned[spec.name] = _cap_width(lp, spec, specs, cfg)
    return PrecisionPlan(tuple(planned[n] for n in names), calibration_maps)


def _cap_width(
    lp: LayerPrecision, spec: KerasLayerSpec, specs: list[KerasLayerSpec], cfg: ConvertConfig
) -> LayerPrecision:
    """A planned result wider than ``cfg.max_result_bits`` loses fractional bits (TRN) down to that width, unless
    it feeds a QKeras quantizer (whose single rounding it must see exactly) or was configured.  Wide results come
    from float layers and float batch-norms chained one after another, each adding its weights' fractional bits;
    their values are not those of Keras anyway (the weights are rounded to the default precision)."""
    t = lp.result.type
    readers = consumers(specs, spec.name)
    if t.width <= cfg.max_result_bits or cfg.override(spec.name).result is not None:
        return lp
    if len(readers) == 1 and readers[0].output_type is not None:
        return lp
    capped = replace(t, width=max(cfg.max_result_bits, t.integer))
    dropped = t.fractional - capped.fractional
    why = f"{lp.result.reason}; wider than {cfg.max_result_bits} bits: {dropped} fractional bits dropped (TRN)"
    return replace(lp, result=Choice(capped, why))
