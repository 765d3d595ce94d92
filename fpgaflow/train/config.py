"""Typed model and training configs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.compress.config import ActivationQuantizerSpec, QuantizerSpec
from fpgaflow.config.strict import check


@dataclass(frozen=True)
class ModelConfig:
    """A QKeras CNN sized for the PYNQ-Z2.

    ``conv_filters``: one quantised 3×3 conv + quantised ReLU + 2×2 max-pool block per entry;
    ``dense_units``: hidden quantised dense layers after flattening; the output is one sigmoid unit
    (probability that the map holds a particle).  ``input_scale`` maps ADC counts to the network input
    (1/256 maps 0–255 ADC into [0, 1) exactly representable in ``ap_ufixed<8,0>``).
    """

    name: Literal["qcnn"] = "qcnn"
    conv_filters: tuple[int, ...] = (4, 8)
    kernel_size: int = 3
    dense_units: tuple[int, ...] = ()
    weights: QuantizerSpec = field(default_factory=QuantizerSpec)
    activations: ActivationQuantizerSpec = field(default_factory=ActivationQuantizerSpec)
    input_scale: float = 1.0 / 256.0

    def __post_init__(self) -> None:
        check(len(self.conv_filters) >= 1, "model.conv_filters needs at least one conv block")
        check(all(f >= 1 for f in self.conv_filters), f"model.conv_filters must be >= 1, got {self.conv_filters}")
        check(all(u >= 1 for u in self.dense_units), f"model.dense_units must be >= 1, got {self.dense_units}")
        check(self.kernel_size in (1, 3, 5), f"model.kernel_size must be 1, 3 or 5, got {self.kernel_size}")
        check(self.input_scale > 0, f"model.input_scale must be > 0, got {self.input_scale}")


@dataclass(frozen=True)
class TrainConfig:
    """Keras ``fit`` settings. ``early_stopping_patience`` 0 disables early stopping."""

    epochs: int = 12
    batch_size: int = 64
    learning_rate: float = 3e-3
    early_stopping_patience: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        check(self.epochs >= 1, f"train.epochs must be >= 1, got {self.epochs}")
        check(self.batch_size >= 1, f"train.batch_size must be >= 1, got {self.batch_size}")
        check(self.learning_rate > 0, f"train.learning_rate must be > 0, got {self.learning_rate}")
        check(self.early_stopping_patience >= 0, "train.early_stopping_patience must be >= 0")
