"""Typed model and training configs.

``model.name`` picks the architecture; each architecture reads only its own options:

* ``qcnn`` — the FPGA-sized QKeras CNN (top-level keys ``conv_filters``, ``pool_sizes``, ``weights`` ...);
  presets are shipped as ``models/default.yaml`` (the 128×128 flagship), ``models/quick.yaml`` (32×32) and
  ``models/qcnn_128.yaml``.
* ``base`` — the study's base CNN (options under ``model.base``), 12,942,273 parameters at 128×128×3.
* ``reduced`` — the study's reduced CNN (options under ``model.reduced``), 115,905 parameters at 128×128×3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from fpgaflow.compress.config import ActivationQuantizerSpec, QuantizerSpec
from fpgaflow.config.strict import check
from fpgaflow.modelio import DEFAULT_INPUT_SCALE

ModelName = Literal["qcnn", "base", "reduced"]
#: how the ``qcnn`` turns its last feature map into the output layer's input
GlobalPool = Literal["none", "max", "average"]
#: 'valid' (no padding: the map shrinks by ``kernel − 1``) or 'same' (zeros around the map: ``ceil(n / stride)``)
ConvPadding = Literal["valid", "same"]
#: largest conv kernel of the ``qcnn`` (an 8 × 8 patchify layer; io_stream keeps kernel − 1 line buffers)
MAX_KERNEL = 8
MODEL_NAMES: tuple[str, ...] = ("qcnn", "base", "reduced")


@dataclass(frozen=True)
class BaseCNNOptions:
    """The study's base CNN (float Keras): per ``filters`` entry a ``kernel_size`` conv ('valid', ReLU),
    batch-norm, ``pool_size`` max-pool and dropout ``dropout``; then dense ``dense_units`` (ReLU) +
    batch-norm + dropout ``dense_dropout`` and one sigmoid unit.  At 128×128×3 with the defaults:
    126→63→61→30→28→14, flatten 14·14·128 = 25,088, and 12,942,273 parameters (trainable + BN statistics).
    """

    filters: tuple[int, ...] = (32, 64, 128)
    kernel_size: int = 3
    pool_size: int = 2
    dropout: float = 0.25
    dense_units: int = 512
    dense_dropout: float = 0.5

    def __post_init__(self) -> None:
        check(len(self.filters) >= 1 and all(f >= 1 for f in self.filters), "model.base.filters must be >= 1")
        check(self.kernel_size >= 1, f"model.base.kernel_size must be >= 1, got {self.kernel_size}")
        check(self.pool_size >= 1, f"model.base.pool_size must be >= 1, got {self.pool_size}")
        check(self.dense_units >= 1, f"model.base.dense_units must be >= 1, got {self.dense_units}")
        for name in ("dropout", "dense_dropout"):
            v = getattr(self, name)
            check(0.0 <= v < 1.0, f"model.base.{name} must be in [0, 1), got {v}")


@dataclass(frozen=True)
class ReducedCNNOptions:
    """The study's reduced CNN (float Keras): one ``kernel_size`` conv of ``filters`` ('valid', ReLU) +
    batch-norm, ``pool_size`` max-pool, dense ``dense_units`` (ReLU) + batch-norm, one sigmoid unit.
    At 128×128×3: 126 → 15 after the 8×8 pool, flatten 3,600, 115,905 parameters.
    """

    filters: int = 16
    kernel_size: int = 3
    pool_size: int = 8
    dense_units: int = 32
    dropout: float = 0.0

    def __post_init__(self) -> None:
        check(self.filters >= 1, f"model.reduced.filters must be >= 1, got {self.filters}")
        check(self.kernel_size >= 1, f"model.reduced.kernel_size must be >= 1, got {self.kernel_size}")
        check(self.pool_size >= 1, f"model.reduced.pool_size must be >= 1, got {self.pool_size}")
        check(self.dense_units >= 1, f"model.reduced.dense_units must be >= 1, got {self.dense_units}")
        check(0.0 <= self.dropout < 1.0, f"model.reduced.dropout must be in [0, 1), got {self.dropout}")


@dataclass(frozen=True)
class ModelConfig:
    """Which architecture, and the QKeras CNN's options (``name: qcnn``).

    ``qcnn``: one quantised ``kernel_sizes[i]`` conv ('valid'; ``kernel_size`` where ``kernel_sizes`` is empty;
    stride ``conv_strides[i]``, default 1) + quantised ReLU + ``pool_sizes[i]`` max-pool (default 2) block per
    ``conv_filters`` entry — a first conv whose stride equals its kernel size (a *patchify* layer: 4 × 4,
    stride 4) reads every pixel exactly once; ``dense_units``: hidden quantised
    dense layers after flattening; the output is one sigmoid unit (probability that the map holds a
    particle).  ``batch_norm`` uses QKeras ``QConv2DBatchnorm`` (batch-norm fused into the conv during
    training, folded into its weights and bias for hls4ml).  ``quantized: false`` builds the same
    architecture with float Keras layers (the float reference for QAT).  ``input_scale`` maps ADC counts to
    the network input (1/256 maps 0–255 ADC into [0, 1), exactly representable in ``ap_ufixed<8,0>``); it is
    saved inside the trained model file and every later stage reads it from there (:mod:`fpgaflow.modelio`).
    ``space_to_depth``: the model is trained on ``(rows / by, cols / bx, by · bx)`` inputs, each ``by × bx``
    block of the hit map one input pixel (issue 20: the wire carries a block per beat, so the first layer
    consumes ``by · bx`` pixels per clock; :mod:`fpgaflow.modelio.input_layout`); ``[1, 1]``: the map as is.
    ``input_quantizer``: a ``quantized_relu`` on the network input (hardware ``ap_ufixed<bits, integer>``),
    for scales that are not a power of two: the scaled counts then carry up to 24 significant bits, which
    QKeras' float32 first layer rounds while the FPGA computes exactly; on this short grid both are exact.
    ``conv_paddings``: per block 'valid' (default) or 'same' (Keras pads ``kernel − 1`` zeros, hls4ml inserts a
    ZeroPadding2D: the padded map streams through the conv, ``(n + kernel − 1)²`` pixels a map at stride 1).
    ``global_pool``: ``none`` flattens the last map into the output layer; ``max`` / ``average`` reduce each
    channel over every position of the last map (the largest value: "is there such a cluster"; the mean:
    how many there are, divided by the number of positions), so the output layer has one weight per channel and
    weighs every position alike.  hls4ml divides the average's sum by H·W in fixed point, exact (bit for bit
    with QKeras) only when H·W is a power of two: the builder refuses any other last map for ``average``.
    """

    name: ModelName = "qcnn"
    conv_filters: tuple[int, ...] = (4, 8)
    kernel_size: int = 3
    kernel_sizes: tuple[int, ...] = ()
    conv_strides: tuple[int, ...] = ()
    pool_sizes: tuple[int, ...] = ()
    dense_units: tuple[int, ...] = ()
    batch_norm: bool = False
    quantized: bool = True
    weights: QuantizerSpec = field(default_factory=QuantizerSpec)
    activations: ActivationQuantizerSpec = field(default_factory=ActivationQuantizerSpec)
    input_scale: float = DEFAULT_INPUT_SCALE
    input_quantizer: ActivationQuantizerSpec | None = None
    space_to_depth: tuple[int, int] = (1, 1)
    conv_paddings: tuple[ConvPadding, ...] = ()
    global_pool: GlobalPool = "none"
    base: BaseCNNOptions = field(default_factory=BaseCNNOptions)
    reduced: ReducedCNNOptions = field(default_factory=ReducedCNNOptions)

    def __post_init__(self) -> None:
        check(len(self.conv_filters) >= 1, "model.conv_filters needs at least one conv block")
        check(all(f >= 1 for f in self.conv_filters), f"model.conv_filters must be >= 1, got {self.conv_filters}")
        check(all(u >= 1 for u in self.dense_units), f"model.dense_units must be >= 1, got {self.dense_units}")
        for k in (self.kernel_size, *self.kernel_sizes):
            check(1 <= k <= MAX_KERNEL, f"model.kernel_size(s) must be in [1, {MAX_KERNEL}], got {k}")
        check(self.input_scale > 0, f"model.input_scale must be > 0, got {self.input_scale}")
        check(
            len(self.space_to_depth) == 2 and min(self.space_to_depth) >= 1,
            f"model.space_to_depth must be [rows, cols] >= 1, got {list(self.space_to_depth)}",
        )
        for key in ("kernel_sizes", "conv_strides", "pool_sizes", "conv_paddings"):
            values = getattr(self, key)
            check(
                len(values) in (0, len(self.conv_filters)),
                f"model.{key} needs one entry per conv block ({len(self.conv_filters)}) or none, got {list(values)}",
            )
            if key != "conv_paddings":
                check(all(v >= 1 for v in values), f"model.{key} entries must be >= 1, got {list(values)}")

    def kernels(self) -> tuple[int, ...]:
        """Conv kernel size per block (``kernel_size`` where ``kernel_sizes`` is not given)."""
        return self.kernel_sizes or (self.kernel_size,) * len(self.conv_filters)

    def strides(self) -> tuple[int, ...]:
        """Conv stride per block (1 where not given)."""
        return self.conv_strides or (1,) * len(self.conv_filters)

    def pools(self) -> tuple[int, ...]:
        """Max-pool size per block (2 where not given; 1 = no pooling)."""
        return self.pool_sizes or (2,) * len(self.conv_filters)

    def paddings(self) -> tuple[ConvPadding, ...]:
        """Conv padding per block ('valid' where not given)."""
        if self.conv_paddings:
            return self.conv_paddings
        return tuple("valid" for _ in self.conv_filters)


LRSchedule = Literal["constant", "cosine", "step"]


@dataclass(frozen=True)
class TrainConfig:
    """Keras ``fit`` settings.

    ``lr_schedule``: ``constant``; ``cosine`` decays from ``learning_rate`` to ``learning_rate ×
    lr_min_fraction`` over ``epochs``; ``step`` multiplies by ``lr_step_factor`` every ``lr_step_epochs``.
    The rate is a function of the epoch only, so a resumed run follows the same schedule.
    ``early_stopping_patience`` 0 disables early stopping (it watches ``early_stopping_monitor``); with it,
    ``restore_best_weights`` gives the model the weights of its best epoch at the end (only epochs after pruning
    has reached its target compete).  ``float_pretrain_epochs``: first train the same architecture in float
    (``model.quantized: false``, no pruning) for this many epochs (at ``float_pretrain_learning_rate``, default
    ``learning_rate``, same schedule), then start quantisation-aware training from its weights (0 = QAT from
    a random initialisation).
    ``deterministic`` turns on TensorFlow op determinism (see docs/train.md for what that covers).
    ``distill_weight`` (0 = off, below ½): train on ``(1 − w) · label + w · p``, ``p`` the out-of-fold probability
    of the two-stage cluster tree for each training map, each map scored by a tree fitted on the other
    ``distill_folds − 1`` of ``distill_folds`` folds (:mod:`fpgaflow.train.distill`); the deployed network is
    unchanged.
    """

    epochs: int = 12
    batch_size: int = 64
    learning_rate: float = 3e-3
    lr_schedule: LRSchedule = "constant"
    lr_min_fraction: float = 0.01
    lr_step_epochs: int = 5
    lr_step_factor: float = 0.5
    early_stopping_patience: int = 0
    early_stopping_monitor: Literal["val_loss", "val_accuracy"] = "val_loss"
    restore_best_weights: bool = True
    float_pretrain_epochs: int = 0
    float_pretrain_learning_rate: float | None = None
    deterministic: bool = True
    distill_weight: float = 0.0
    distill_folds: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        check(0.0 <= self.distill_weight < 0.5, f"train.distill_weight must be in [0, 0.5), got {self.distill_weight}")
        check(self.distill_folds >= 2, f"train.distill_folds must be >= 2, got {self.distill_folds}")
        check(self.epochs >= 1, f"train.epochs must be >= 1, got {self.epochs}")
        check(self.batch_size >= 1, f"train.batch_size must be >= 1, got {self.batch_size}")
        check(self.learning_rate > 0, f"train.learning_rate must be > 0, got {self.learning_rate}")
        check(
            0.0 <= self.lr_min_fraction <= 1.0, f"train.lr_min_fraction must be in [0, 1], got {self.lr_min_fraction}"
        )
        check(self.lr_step_epochs >= 1, f"train.lr_step_epochs must be >= 1, got {self.lr_step_epochs}")
        check(0.0 < self.lr_step_factor <= 1.0, f"train.lr_step_factor must be in (0, 1], got {self.lr_step_factor}")
        check(self.early_stopping_patience >= 0, "train.early_stopping_patience must be >= 0")
        check(self.float_pretrain_epochs >= 0, "train.float_pretrain_epochs must be >= 0")
        check(
            self.float_pretrain_learning_rate is None or self.float_pretrain_learning_rate > 0,
            f"train.float_pretrain_learning_rate must be > 0, got {self.float_pretrain_learning_rate}",
        )

    def learning_rate_at(self, epoch: int) -> float:
        """Learning rate for 0-based ``epoch`` under ``lr_schedule``."""
        if self.lr_schedule == "cosine":
            frac = epoch / max(1, self.epochs - 1)
            low = self.learning_rate * self.lr_min_fraction
            return low + 0.5 * (self.learning_rate - low) * (1.0 + math.cos(math.pi * frac))
        if self.lr_schedule == "step":
            return self.learning_rate * self.lr_step_factor ** (epoch // self.lr_step_epochs)
        return self.learning_rate
