"""A hardware-cost proxy of a Keras model, for comparing study variants and ensembles before conversion.

Not a resource estimate (that is :mod:`fpgaflow.estimate`'s job): it counts what drives hls4ml's cost —
multiplications per inference (each non-zero weight of a fully parallel layer is one multiplier: a DSP48
or, at ≤ 8 bits, a few dozen LUTs) and weight storage in bits.  An ensemble costs the sum of its members:
every member is its own network on the FPGA.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

_CONV = ("Conv2D", "QConv2D", "QConv2DBatchnorm")
_DENSE = ("Dense", "QDense")


@dataclass(frozen=True)
class ModelCost:
    """``n_parameters`` (Keras count), ``nonzero_weights`` (kernel entries ≠ 0 after pruning),
    ``macs`` (multiply-accumulates per inference with non-zero weights, i.e. what hls4ml keeps),
    ``weight_bits`` (storage of the non-zero weights: quantiser width, or 32 for float layers)."""

    n_parameters: int
    nonzero_weights: int
    macs: int
    weight_bits: int

    def __add__(self, other: ModelCost) -> ModelCost:
        return ModelCost(
            self.n_parameters + other.n_parameters,
            self.nonzero_weights + other.nonzero_weights,
            self.macs + other.macs,
            self.weight_bits + other.weight_bits,
        )

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _bits(layer: Any) -> int:
    quantizer = getattr(layer, "kernel_quantizer_internal", None)
    return int(getattr(quantizer, "bits", 32)) if quantizer is not None else 32


def model_cost(model: Any) -> ModelCost:
    """Cost proxy of a built (stripped) Keras/QKeras model."""
    nonzero = macs = bits = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind not in _CONV + _DENSE:
            continue
        kernel = np.asarray(layer.get_weights()[0])
        nz = int(np.count_nonzero(kernel))
        nonzero += nz
        bits += nz * _bits(layer)
        if kind in _CONV:
            out_rows, out_cols = layer.output_shape[1:3]
            macs += nz * int(out_rows) * int(out_cols)
        else:
            macs += nz
    return ModelCost(int(model.count_params()), nonzero, macs, bits)


def ensemble_cost(members: Iterable[ModelCost]) -> ModelCost:
    """The FPGA cost of an ensemble: the sum of its members."""
    total = ModelCost(0, 0, 0, 0)
    for cost in members:
        total = total + cost
    return total
