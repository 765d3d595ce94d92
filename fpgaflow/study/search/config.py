"""Typed config of ``fpgaflow augment search`` (see ``models/search_policy_32.yaml``)::

data: {source: simulate, n_maps: 6000, ...}       # the maps; the search trains on train_maps of its split
train_maps: 800                                   # the labelled-set size the policy is searched for
model: {conv_filters: [8, 8], ...}                # the deployed model
train: {epochs: 15, batch_size: 64, ...}
base_augment: {strategy: exclusive, horizontal_flip: 0.0, vertical_flip: 0.0}
randaugment: {n_ops: [1, 2, 3], magnitudes: [2, 5, 8]}
trivialaugment: true
density: {folds: 2, candidates: 100, ops_per_sub_policy: 2, keep: 5}
seeds: [0, 1, 2]
executor: {kind: process, workers: 2}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fpgaflow.augment.config import AugmentConfig
from fpgaflow.augment.registry import MAX_MAGNITUDE, check_op
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import check
from fpgaflow.data.config import DataConfig
from fpgaflow.study.config import ExecutorConfig
from fpgaflow.train.config import ModelConfig, TrainConfig


@dataclass(frozen=True)
class RandAugmentGrid:
    """RandAugment candidates: every (N, M) of ``n_ops`` × ``magnitudes`` (N ops per map at magnitude M, 0..10)."""

    n_ops: tuple[int, ...] = (1, 2, 3)
    magnitudes: tuple[int, ...] = (2, 5, 8)

    def __post_init__(self) -> None:
        check(all(n >= 1 for n in self.n_ops), f"randaugment.n_ops must be >= 1, got {list(self.n_ops)}")
        check(
            all(0 <= m <= MAX_MAGNITUDE for m in self.magnitudes),
            f"randaugment.magnitudes must be in 0..{MAX_MAGNITUDE}, got {list(self.magnitudes)}",
        )


@dataclass(frozen=True)
class DensitySearch:
    """The density-matching search (after Fast AutoAugment, Lim et al. 2019).

    The search's training maps are split into ``folds`` (K) stratified folds.  For fold k a model is trained
    once, without augmentation, on the other folds (D_M); then each of ``candidates`` (B) random sub-policies
    of ``ops_per_sub_policy`` ops is applied to fold k (D_A, ``repeats`` independent draws) and scored by the
    trained model's binary cross-entropy there — low loss: the augmented maps still look like the maps the
    model learned.  The ``keep`` (N) lowest-loss sub-policies of every fold are merged into the searched
    policy.  Fast AutoAugment explores with Bayesian optimisation (TPE); this search draws the B candidates
    uniformly at random.  Probabilities are drawn in steps of 0.1 from ``probability_range`` and magnitudes
    from ``magnitude_range``; the defaults leave out probability 0 and magnitude 0, which would make the
    identity the trivial winner of a loss criterion.
    """

    enabled: bool = True
    folds: int = 2
    candidates: int = 100
    ops_per_sub_policy: int = 2
    keep: int = 5
    repeats: int = 2
    probability_range: tuple[float, float] = (0.2, 1.0)
    magnitude_range: tuple[int, int] = (1, MAX_MAGNITUDE)
    seed: int = 0

    def __post_init__(self) -> None:
        check(self.folds >= 2, f"density.folds (K) must be >= 2, got {self.folds}")
        check(self.candidates >= 1, f"density.candidates (B) must be >= 1, got {self.candidates}")
        check(self.ops_per_sub_policy >= 1, "density.ops_per_sub_policy must be >= 1")
        check(
            1 <= self.keep <= self.candidates,
            f"density.keep (N) must be in 1..candidates ({self.candidates}), got {self.keep}",
        )
        check(self.repeats >= 1, f"density.repeats must be >= 1, got {self.repeats}")
        lo, hi = self.probability_range
        check(0.0 <= lo <= hi <= 1.0, f"density.probability_range must be 0 <= lo <= hi <= 1, got {[lo, hi]}")
        mlo, mhi = self.magnitude_range
        check(
            0 <= mlo <= mhi <= MAX_MAGNITUDE,
            f"density.magnitude_range must be 0 <= lo <= hi <= {MAX_MAGNITUDE}, got {[mlo, mhi]}",
        )


@dataclass(frozen=True)
class SearchConfig:
    """The whole search.  Every candidate trains ``model`` with ``train`` on ``train_maps`` maps of the
    training split (0 = all of it) and is scored on the never-augmented validation split, for each seed.

    ``base_augment`` gives every augmenting candidate its strategy and flips; its ``policy`` fields are
    replaced by the candidate's.  ``ops``: the op set of every candidate (empty = the hit-map-valid default,
    :data:`fpgaflow.augment.registry.DEFAULT_POLICY_OPS`).  ``no_augmentation`` adds the ``strategy: none``
    reference.  ``executor``: where the jobs run (default: a local process pool, one worker per core).
    """

    data: DataConfig = field(default_factory=DataConfig)
    train_maps: int = 0
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    prune: PruneConfig = field(default_factory=lambda: PruneConfig(enabled=False))
    base_augment: AugmentConfig = field(
        default_factory=lambda: AugmentConfig(strategy="exclusive", horizontal_flip=0.0, vertical_flip=0.0)
    )
    ops: tuple[str, ...] = ()
    no_augmentation: bool = True
    randaugment: RandAugmentGrid = field(default_factory=RandAugmentGrid)
    trivialaugment: bool = True
    density: DensitySearch = field(default_factory=DensitySearch)
    seeds: tuple[int, ...] = (0, 1, 2)
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)

    def __post_init__(self) -> None:
        check(self.train_maps >= 0, f"search.train_maps must be >= 0 (0 = the whole split), got {self.train_maps}")
        check(self.base_augment.strategy != "none", "search.base_augment.strategy must augment (not 'none')")
        for op in self.ops:
            check_op(op, "search.ops")
        check(len(self.seeds) >= 1, "search.seeds needs at least one seed")
        check(len(set(self.seeds)) == len(self.seeds), f"search.seeds has duplicates: {list(self.seeds)}")
        n_candidates = (
            int(self.no_augmentation)
            + len(self.randaugment.n_ops) * len(self.randaugment.magnitudes)
            + int(self.trivialaugment)
            + int(self.density.enabled)
        )
        check(n_candidates >= 1, "search: nothing to rank (no RandAugment grid, TrivialAugment or density search)")
