"""Typed augmentation config used by the training stage.

Existing keys (``strategy``, ``horizontal_flip``, ``vertical_flip``, ``seed``) keep their meaning; the
others default to "off", so an old config builds the same flip pipeline as before.  Example::

    augment:
      strategy: mixing_systematic   # none | exclusive | mixing_systematic | mixing_random_full |
                                    # mixing_random_in_batch | doubling_same_batch | doubling_combinational
      shards: 3                     # mixing_systematic: S >= 2, 1/S of the data stays original each epoch
      fraction: 0.5                 # mixing_random_*: fraction augmented
      horizontal_flip: 0.5          # flips are applied first, with these probabilities (0 = off)
      vertical_flip: 0.5
      policy: list                  # list | randaugment | trivialaugment | file
      transforms:                   # policy: list — ops from fpgaflow.augment.registry, in order
        - {op: shift, p: 0.5, magnitude: 3}
        - {op: gain, p: 0.5, magnitude: 4}
      randaugment_n: 2              # policy: randaugment — N ops per map at magnitude M (0..10)
      randaugment_m: 5
      policy_ops: []                # randaugment/trivialaugment op set; empty = DEFAULT_POLICY_OPS
      policy_file: ""               # policy: file — AutoAugment-style YAML (see fpgaflow.augment.policies)
      balance_threshold: 0          # > 0: artificial balancing to this many maps per class per epoch
      class_weighting: none         # none | ins | isns | ens (fpgaflow.augment.imbalance)
      ens_beta: 0.999
      seed: 0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpgaflow.augment.registry import MAX_MAGNITUDE, check_op
from fpgaflow.config.strict import check

StrategyName = Literal[
    "none",
    "exclusive",
    "mixing_systematic",
    "mixing_random_full",
    "mixing_random_in_batch",
    "doubling_same_batch",
    "doubling_combinational",
]


@dataclass(frozen=True)
class TransformSpec:
    """One op of a ``policy: list`` pipeline: registry name, probability per map, magnitude 0..10."""

    op: str
    p: float = 0.5
    magnitude: int = 5

    def __post_init__(self) -> None:
        check_op(self.op, "augment.transforms")
        check(0.0 <= self.p <= 1.0, f"augment.transforms[{self.op}].p must be in [0, 1], got {self.p}")
        check(
            0 <= self.magnitude <= MAX_MAGNITUDE,
            f"augment.transforms[{self.op}].magnitude must be in 0..{MAX_MAGNITUDE}, got {self.magnitude}",
        )


@dataclass(frozen=True)
class AugmentConfig:
    """Which transforms augment the *training* data (never validation/test data), and how they are mixed in.

    ``strategy``: ``none`` trains on original maps only; ``exclusive`` augments every training map; the
    mixing and doubling strategies are described in :mod:`fpgaflow.augment.strategies`.
    """

    strategy: StrategyName = "exclusive"
    horizontal_flip: float = 0.5
    vertical_flip: float = 0.5
    seed: int = 0
    policy: Literal["list", "randaugment", "trivialaugment", "file"] = "list"
    transforms: tuple[TransformSpec, ...] = ()
    randaugment_n: int = 2
    randaugment_m: int = 5
    policy_ops: tuple[str, ...] = ()
    policy_file: str = ""
    shards: int = 3
    fraction: float = 0.5
    balance_threshold: int = 0
    class_weighting: Literal["none", "ins", "isns", "ens"] = "none"
    ens_beta: float = 0.999

    def __post_init__(self) -> None:
        for name in ("horizontal_flip", "vertical_flip", "fraction"):
            v = getattr(self, name)
            check(0.0 <= v <= 1.0, f"augment.{name} is a probability and must be in [0, 1], got {v}")
        check(self.shards >= 2, f"augment.shards (S) must be >= 2 for mixing_systematic, got {self.shards}")
        check(self.randaugment_n >= 1, f"augment.randaugment_n must be >= 1, got {self.randaugment_n}")
        check(
            0 <= self.randaugment_m <= MAX_MAGNITUDE,
            f"augment.randaugment_m must be in 0..{MAX_MAGNITUDE}, got {self.randaugment_m}",
        )
        for op in self.policy_ops:
            check_op(op, "augment.policy_ops")
        check(
            self.policy != "file" or bool(self.policy_file), "augment.policy: file needs augment.policy_file"
        )
        check(
            self.balance_threshold >= 0,
            f"augment.balance_threshold must be >= 0, got {self.balance_threshold}",
        )
        check(0.0 <= self.ens_beta < 1.0, f"augment.ens_beta must be in [0, 1), got {self.ens_beta}")
