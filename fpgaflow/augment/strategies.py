"""How augmented data enters training: per-epoch, seeded batch plans over the training set.

A :class:`Strategy` knows maps, not models.  For epoch ``e`` it makes a *plan*: a list of
:class:`BatchPlan` (indices into the training set, and which entries are augmented).  The plan is a pure
function of ``(seed, epoch, labels, batch_size)``; the augmentation of batch ``i`` uses its own
generator seeded by ``(seed, epoch, i)``, so batch ``i`` can be built in any order (random access from
a ``keras.utils.Sequence`` with worker threads) and a seed reproduces every batch exactly.

Strategies (``m`` = maps per epoch, ``b`` = batch size):

* ``none`` — originals only, shuffled each epoch.
* ``exclusive`` — every map augmented.
* ``mixing_systematic`` — ``S`` fixed shards (``S >= 2``); epoch ``e`` leaves shard ``e mod S`` un-augmented
  and augments the others (``(S-1)/S`` augmented), then shuffles everything.
* ``mixing_random_full`` — exactly ``round(p·m)`` maps, drawn over the whole set, augmented.
* ``mixing_random_in_batch`` — inside each batch exactly ``round(p·len(batch))`` entries augmented.
* ``doubling_same_batch`` — ``2m`` entries: each batch holds ``b/2`` originals followed by their augmented
  copies (``b`` must be even).
* ``doubling_combinational`` — ``2m`` entries: the originals and an augmented copy of each, shuffled
  independently across batches.

With artificial class balancing (``balance_threshold > 0``, see :mod:`fpgaflow.augment.imbalance`) the
epoch's base set is re-drawn each epoch and up-sampled duplicates are always augmented.

Call contract for training::

    strategy = build_strategy(cfg)              # from fpgaflow.augment
    steps = strategy.steps_per_epoch(labels, batch_size)
    for x, y in strategy.epoch_batches(maps, labels, epoch, batch_size): ...

or :class:`fpgaflow.augment.keras_adapter.StrategySequence` for ``model.fit``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.base import check_probability
from fpgaflow.augment.imbalance import balanced_indices
from fpgaflow.data.hitmaps import IndexArray, MapArray, TargetArray
from fpgaflow.errors import ConfigError, DataError

#: Anything that maps ``(maps, rng) -> augmented maps`` (a Compose, a policy, a single transform).
Augmenter = Callable[[MapArray, np.random.Generator], MapArray]

_PLAN, _AUGMENT, _BALANCE, _SHARDS = 0, 1, 2, 3


@dataclass(frozen=True)
class BatchPlan:
    """One batch: ``index`` into the training set; ``augment`` (bool, same length) marks what to augment."""

    index: IndexArray
    augment: npt.NDArray[np.bool_]


def _chunks(index: IndexArray, augment: npt.NDArray[np.bool_], batch_size: int) -> list[BatchPlan]:
    return [BatchPlan(index[i : i + batch_size], augment[i : i + batch_size]) for i in range(0, index.size, batch_size)]


class Strategy:
    """Base: shuffled originals, nothing augmented (the ``none`` strategy)."""

    name: ClassVar[str] = "none"
    #: Entries per epoch per base map (2 for the doubling strategies).
    multiplicity: ClassVar[int] = 1

    def __init__(self, augmenter: Augmenter | None = None, seed: int = 0, balance_threshold: int = 0) -> None:
        if balance_threshold < 0:
            raise ConfigError(f"balance_threshold must be >= 0 (0 = off), got {balance_threshold}")
        self.augmenter = augmenter
        self.seed = int(seed)
        self.balance_threshold = int(balance_threshold)

    # -- what an epoch holds -------------------------------------------------------------------------------
    def _rng(self, *stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *stream])

    def _base(self, labels: TargetArray, epoch: int) -> tuple[IndexArray, npt.NDArray[np.bool_]]:
        """The epoch's base set: all maps, or a balanced re-draw (indices, forced-augment flags)."""
        if self.balance_threshold > 0:
            return balanced_indices(labels, self.balance_threshold, self._rng(_BALANCE, epoch))
        return np.arange(labels.shape[0], dtype=np.int64), np.zeros(labels.shape[0], dtype=bool)

    def epoch_length(self, labels: TargetArray) -> int:
        """Entries (maps fed to the network) per epoch."""
        if self.balance_threshold > 0:
            base = self.balance_threshold * np.unique(labels).size
        else:
            base = int(labels.shape[0])
        return base * self.multiplicity

    def steps_per_epoch(self, labels: TargetArray, batch_size: int) -> int:
        """Batches per epoch (the last batch may be short); the same for every epoch."""
        _check_batch(batch_size)
        return math.ceil(self.epoch_length(labels) / batch_size)

    def plan_epoch(self, labels: TargetArray, epoch: int, batch_size: int) -> list[BatchPlan]:
        """The batches of epoch ``epoch`` (pure function of seed, epoch, labels and batch size)."""
        _check_batch(batch_size)
        if labels.shape[0] == 0:
            raise DataError("the training set is empty: nothing to plan")
        base, forced = self._base(labels, epoch)
        return self._arrange(base, forced, epoch, batch_size, self._rng(_PLAN, epoch))

    def _arrange(
        self, base: IndexArray, forced: npt.NDArray[np.bool_], epoch: int, batch_size: int, rng: np.random.Generator
    ) -> list[BatchPlan]:
        perm = rng.permutation(base.size)
        return _chunks(base[perm], np.zeros(base.size, dtype=bool), batch_size)

    # -- building batches ------------------------------------------------------------------------------------
    def make_batch(
        self, maps: MapArray, labels: TargetArray, plan: BatchPlan, epoch: int, step: int
    ) -> tuple[MapArray, TargetArray]:
        """Gather batch ``step`` of ``epoch``; augment its marked entries (seeded by (seed, epoch, step))."""
        x = maps[plan.index]
        y = labels[plan.index]
        if self.augmenter is not None and plan.augment.any():
            x[plan.augment] = self.augmenter(x[plan.augment], self._rng(_AUGMENT, epoch, step))
        return x, y

    def epoch_batches(
        self, maps: MapArray, labels: TargetArray, epoch: int, batch_size: int
    ) -> Iterator[tuple[MapArray, TargetArray]]:
        """Yield ``(x, y)`` for every batch of ``epoch``."""
        if maps.shape[0] != labels.shape[0]:
            raise DataError(f"{maps.shape[0]} training maps but {labels.shape[0]} labels")
        for step, plan in enumerate(self.plan_epoch(labels, epoch, batch_size)):
            yield self.make_batch(maps, labels, plan, epoch, step)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(seed={self.seed}, balance_threshold={self.balance_threshold}, "
            f"augmenter={self.augmenter!r})"
        )


def _check_batch(batch_size: int) -> None:
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")


class NoAugmentation(Strategy):
    """``none``: originals only."""

    def __init__(self, augmenter: Augmenter | None = None, seed: int = 0, balance_threshold: int = 0) -> None:
        super().__init__(None, seed, balance_threshold)


class Exclusive(Strategy):
    """``exclusive``: every entry augmented."""

    name = "exclusive"

    def _arrange(
        self, base: IndexArray, forced: npt.NDArray[np.bool_], epoch: int, batch_size: int, rng: np.random.Generator
    ) -> list[BatchPlan]:
        perm = rng.permutation(base.size)
        return _chunks(base[perm], np.ones(base.size, dtype=bool), batch_size)


class MixingSystematic(Strategy):
    """``mixing_systematic``: ``shards`` fixed shards; shard ``epoch % shards`` stays original."""

    name = "mixing_systematic"

    def __init__(
        self, augmenter: Augmenter | None = None, seed: int = 0, balance_threshold: int = 0, shards: int = 3
    ) -> None:
        super().__init__(augmenter, seed, balance_threshold)
        if shards < 2:
            raise ConfigError(f"mixing_systematic needs shards S >= 2 (S = 1 would never augment), got {shards}")
        self.shards = int(shards)

    def shard_of(self, m: int) -> npt.NDArray[np.int64]:
        """Shard number of each of ``m`` base positions (fixed across epochs: depends only on the seed)."""
        shard = np.empty(m, dtype=np.int64)
        order = self._rng(_SHARDS).permutation(m)
        for k, part in enumerate(np.array_split(order, self.shards)):
            shard[part] = k
        return shard

    def skipped_shard(self, epoch: int) -> int:
        """The shard left un-augmented in ``epoch``."""
        return epoch % self.shards

    def _arrange(
        self, base: IndexArray, forced: npt.NDArray[np.bool_], epoch: int, batch_size: int, rng: np.random.Generator
    ) -> list[BatchPlan]:
        augment = (self.shard_of(base.size) != self.skipped_shard(epoch)) | forced
        perm = rng.permutation(base.size)
        return _chunks(base[perm], augment[perm], batch_size)


class MixingRandomFull(Strategy):
    """``mixing_random_full``: exactly ``round(fraction · m)`` entries augmented, drawn over the epoch."""

    name = "mixing_random_full"

    def __init__(
        self,
        augmenter: Augmenter | None = None,
        seed: int = 0,
        balance_threshold: int = 0,
        fraction: float = 0.5,
    ) -> None:
        super().__init__(augmenter, seed, balance_threshold)
        self.fraction = check_probability(self.name, "fraction", fraction)

    def _arrange(
        self, base: IndexArray, forced: npt.NDArray[np.bool_], epoch: int, batch_size: int, rng: np.random.Generator
    ) -> list[BatchPlan]:
        augment = forced.copy()
        augment[rng.choice(base.size, size=round(self.fraction * base.size), replace=False)] = True
        perm = rng.permutation(base.size)
        return _chunks(base[perm], augment[perm], batch_size)


class MixingRandomInBatch(MixingRandomFull):
    """``mixing_random_in_batch``: exactly ``round(fraction · len(batch))`` of each batch augmented."""

    name = "mixing_random_in_batch"

    def _arrange(
        self, base: IndexArray, forced: npt.NDArray[np.bool_], epoch: int, batch_size: int, rng: np.random.Generator
    ) -> list[BatchPlan]:
        perm = rng.permutation(base.size)
        plans = _chunks(base[perm], forced[perm], batch_size)
        out = []
        for plan in plans:
            augment = plan.augment.copy()
            augment[rng.choice(plan.index.size, size=round(self.fraction * plan.index.size), replace=False)] = True
            out.append(BatchPlan(plan.index, augment))
        return out


class DoublingSameBatch(Strategy):
    """``doubling_same_batch``: each batch = ``b/2`` originals followed by their augmented copies."""

    name = "doubling_same_batch"
    multiplicity = 2

    def steps_per_epoch(self, labels: TargetArray, batch_size: int) -> int:
        _check_even(batch_size)
        return math.ceil(self.epoch_length(labels) // 2 / (batch_size // 2))

    def _arrange(
        self, base: IndexArray, forced: npt.NDArray[np.bool_], epoch: int, batch_size: int, rng: np.random.Generator
    ) -> list[BatchPlan]:
        _check_even(batch_size)
        perm = rng.permutation(base.size)
        out = []
        for half in _chunks(base[perm], forced[perm], batch_size // 2):
            out.append(
                BatchPlan(
                    np.concatenate([half.index, half.index]),
                    np.concatenate([half.augment, np.ones(half.index.size, dtype=bool)]),
                )
            )
        return out


def _check_even(batch_size: int) -> None:
    if batch_size < 2 or batch_size % 2:
        raise ConfigError(f"doubling_same_batch needs an even batch size >= 2 (original + copy), got {batch_size}")


class DoublingCombinational(Strategy):
    """``doubling_combinational``: originals and augmented copies shuffled independently across batches."""

    name = "doubling_combinational"
    multiplicity = 2

    def _arrange(
        self, base: IndexArray, forced: npt.NDArray[np.bool_], epoch: int, batch_size: int, rng: np.random.Generator
    ) -> list[BatchPlan]:
        index = np.concatenate([base, base])
        augment = np.concatenate([forced, np.ones(base.size, dtype=bool)])
        perm = rng.permutation(index.size)
        return _chunks(index[perm], augment[perm], batch_size)


#: Strategy name → class.
STRATEGIES: dict[str, type[Strategy]] = {
    "none": NoAugmentation,
    "exclusive": Exclusive,
    "mixing_systematic": MixingSystematic,
    "mixing_random_full": MixingRandomFull,
    "mixing_random_in_batch": MixingRandomInBatch,
    "doubling_same_batch": DoublingSameBatch,
    "doubling_combinational": DoublingCombinational,
}
