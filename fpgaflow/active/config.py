"""Typed config of ``fpgaflow active`` (see ``models/active_32.yaml``)::

data: {source: simulate, n_maps: 6000, ...}     # pool = the training split; validation/test never labelled
model: {conv_filters: [8, 8], ...}              # every round trains this (deployed-size QKeras) model
train: {epochs: 12, batch_size: 64, ...}        # per round
prune: {enabled: true, target_sparsity: 0.5}
augments:
  - {label: none, augment: {strategy: none}}
  - {label: randaugment, augment: {policy: randaugment, horizontal_flip: 0, vertical_flip: 0}}
acquisitions: [random, entropy, margin, coreset]
initial_labels: 100                             # random start (the same for every method at one seed)
batch: 100                                      # maps labelled per round
budget: 800                                     # labelled maps at the end
seeds: [0, 1, 2]
executor: {kind: process, workers: 2}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fpgaflow.active.acquire import ACQUISITIONS, AcquisitionName
from fpgaflow.augment.config import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import check, suggest
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.data.config import DataConfig
from fpgaflow.study.config import ExecutorConfig, StrategyVariant
from fpgaflow.train.config import ModelConfig, TrainConfig


@dataclass(frozen=True)
class ActiveConfig:
    """Pool-based active learning: every (augmentation, acquisition, seed) is one run of rounds.

    Round 0 labels ``initial_labels`` random pool maps (the same maps for every method at one seed); each
    round trains ``model`` on the labelled maps — from the same seeded initialisation, or with ``warm_start``
    from the previous round's weights — for ``train.epochs`` epochs of at least ``min_steps`` optimizer steps in
    all (a small labelled set is passed over several times per epoch),
    scores the test split, and — until ``budget`` maps are labelled — acquires ``batch`` more.  ``pool_size`` > 0 draws
    the pool from the training split (0: the whole split).  ``control``: the augmentation label whose random
    acquisition is the reference (empty: the first of ``augments``).  ``estimate_chosen``: convert the chosen
    model (best validation accuracy at the full budget) with ``convert`` and estimate its resources.  ``executor``:
    where the jobs run (default: a local process pool, one worker per core).
    """

    augments: tuple[StrategyVariant, ...] = (StrategyVariant("none", AugmentConfig(strategy="none")),)
    acquisitions: tuple[AcquisitionName, ...] = ("random", "entropy", "margin", "coreset")
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    prune: PruneConfig = field(default_factory=lambda: PruneConfig(enabled=False))
    convert: ConvertConfig = field(default_factory=ConvertConfig)
    pool_size: int = 0
    initial_labels: int = 100
    batch: int = 100
    budget: int = 800
    warm_start: bool = False
    min_steps: int = 0
    seeds: tuple[int, ...] = (0, 1, 2)
    control: str = ""
    estimate_chosen: bool = True
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)

    def __post_init__(self) -> None:
        check(len(self.augments) >= 1, "active.augments needs at least one augmentation variant")
        labels = [a.label for a in self.augments]
        check(len(set(labels)) == len(labels), f"active.augments: duplicate labels {labels}")
        check(len(set(self.acquisitions)) == len(self.acquisitions), "active.acquisitions has duplicates")
        check(
            "random" in self.acquisitions,
            f"active.acquisitions must include 'random' (the control); got {list(self.acquisitions)} "
            f"(known: {', '.join(ACQUISITIONS)})",
        )
        check(
            not self.control or self.control in labels,
            f"active.control: unknown augmentation label {self.control!r}{suggest(self.control, labels)}",
        )
        check(self.initial_labels >= 2, f"active.initial_labels must be >= 2, got {self.initial_labels}")
        check(self.batch >= 1, f"active.batch must be >= 1, got {self.batch}")
        check(self.min_steps >= 0, f"active.min_steps must be >= 0, got {self.min_steps}")
        check(
            self.budget >= self.initial_labels,
            f"active.budget ({self.budget}) must be >= active.initial_labels ({self.initial_labels})",
        )
        check(
            self.pool_size == 0 or self.pool_size >= self.budget,
            f"active.pool_size must be 0 (the whole training split) or >= budget ({self.budget}), got {self.pool_size}",
        )
        check(len(self.seeds) >= 1 and len(set(self.seeds)) == len(self.seeds), "active.seeds: >= 1 distinct seed")

    @property
    def control_label(self) -> str:
        """The augmentation label of the control (random acquisition with it is the reference)."""
        return self.control or self.augments[0].label

    def schedule(self) -> list[int]:
        """Labelled maps after each round: initial, +batch, ..., budget."""
        out = [self.initial_labels]
        while out[-1] < self.budget:
            out.append(min(out[-1] + self.batch, self.budget))
        return out
