"""Typed compression configs: magnitude pruning (tfmot) and quantisation (QKeras)."""

from __future__ import annotations

from dataclasses import dataclass

from fpgaflow.config.strict import check


@dataclass(frozen=True)
class PruneConfig:
    """Magnitude pruning with a polynomial-decay schedule (tensorflow-model-optimization).

    ``target_sparsity`` is the fraction of weights set to zero in every pruned layer; hls4ml skips the
    zero multiplications, so each pruned weight saves one multiplier (a DSP48 or ~LUTs) at reuse factor 1.
    The schedule ramps from ``initial_sparsity`` at ``begin_fraction`` of training to the target at
    ``end_fraction``; the last epochs fine-tune at the final mask.  ``layers`` names the conv/dense
    layers to prune (empty = every conv/dense layer); an unknown name is rejected before training.
    The wrappers are stripped before the model is saved, so hls4ml sees plain (Q)Keras layers.
    """

    enabled: bool = True
    target_sparsity: float = 0.5
    initial_sparsity: float = 0.0
    begin_fraction: float = 0.2
    end_fraction: float = 0.7
    frequency_steps: int = 20
    layers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check(0.0 <= self.target_sparsity < 1.0, f"prune.target_sparsity must be in [0, 1), got {self.target_sparsity}")
        check(
            0.0 <= self.initial_sparsity <= self.target_sparsity,
            f"prune.initial_sparsity must be in [0, target_sparsity], got {self.initial_sparsity}",
        )
        check(
            0.0 <= self.begin_fraction < self.end_fraction <= 1.0,
            f"prune: need 0 <= begin_fraction < end_fraction <= 1, got {self.begin_fraction}, {self.end_fraction}",
        )
        check(self.frequency_steps >= 1, f"prune.frequency_steps must be >= 1, got {self.frequency_steps}")


@dataclass(frozen=True)
class QuantizerSpec:
    """A QKeras ``quantized_bits``-style fixed-point quantiser.

    ``bits`` total bits including the sign, ``integer`` bits left of the binary point (excluding the
    sign); the hardware type is ``ap_fixed<bits, integer + 1>`` (signed) — e.g. bits=8, integer=0 gives
    ``ap_fixed<8,1>``: range [-1, 1) in steps of 2⁻⁷.
    """

    bits: int = 8
    integer: int = 0

    def __post_init__(self) -> None:
        check(2 <= self.bits <= 32, f"quantizer bits must be in [2, 32], got {self.bits}")
        check(0 <= self.integer < self.bits, f"quantizer integer bits must be in [0, bits), got {self.integer}")


@dataclass(frozen=True)
class ActivationQuantizerSpec:
    """A QKeras ``quantized_relu``: unsigned, ``bits`` total, ``integer`` left of the binary point.

    Hardware type ``ap_ufixed<bits, integer>``; e.g. bits=8, integer=3 covers [0, 8) in steps of 2⁻⁵.
    """

    bits: int = 8
    integer: int = 3

    def __post_init__(self) -> None:
        check(2 <= self.bits <= 32, f"activation quantizer bits must be in [2, 32], got {self.bits}")
        check(0 <= self.integer <= self.bits, f"activation integer bits must be in [0, bits], got {self.integer}")
