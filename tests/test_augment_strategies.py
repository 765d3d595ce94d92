"""Exact per-epoch semantics of each training strategy, determinism, and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow.augment.strategies import (
    STRATEGIES,
    DoublingCombinational,
    DoublingSameBatch,
    Exclusive,
    MixingRandomFull,
    MixingRandomInBatch,
    MixingSystematic,
    NoAugmentation,
    Strategy,
)
from fpgaflow.errors import ConfigError


def mark(maps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A visible 'augmentation': adds 1000 to every pixel (so augmented entries are recognisable)."""
    return maps + 1000.0


def dataset(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Map i holds the value i in every pixel; labels alternate."""
    maps = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None, None], (n, 3, 3, 1)).copy()
    return maps, (np.arange(n) % 2).astype(np.int8)


def seen(strategy: Strategy, maps: np.ndarray, labels: np.ndarray, epoch: int, bs: int) -> list[np.ndarray]:
    """Per batch: the base index of each entry, negative (−1 − index) when augmented."""
    out = []
    for x, _ in strategy.epoch_batches(maps, labels, epoch, bs):
        v = x[:, 0, 0, 0]
        out.append(np.where(v >= 1000, -1 - (v - 1000), v).astype(np.int64))
    return out


ALL = {
    "none": NoAugmentation(mark, seed=1),
    "exclusive": Exclusive(mark, seed=1),
    "mixing_systematic": MixingSystematic(mark, seed=1, shards=3),
    "mixing_random_full": MixingRandomFull(mark, seed=1, fraction=0.5),
    "mixing_random_in_batch": MixingRandomInBatch(mark, seed=1, fraction=0.5),
    "doubling_same_batch": DoublingSameBatch(mark, seed=1),
    "doubling_combinational": DoublingCombinational(mark, seed=1),
}


def test_every_strategy_is_tested() -> None:
    assert set(ALL) == set(STRATEGIES)
    for name, s in ALL.items():
        assert type(s) is STRATEGIES[name]
        assert s.name == name


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_deterministic_and_epochs_differ(name: str) -> None:
    maps, labels = dataset(60)
    s = ALL[name]
    e1 = seen(s, maps, labels, 1, 8)
    again = seen(type(s)(mark, seed=1, **_extra(s)), maps, labels, 1, 8)
    assert all(np.array_equal(a, b) for a, b in zip(e1, again, strict=True))
    e2 = seen(s, maps, labels, 2, 8)
    assert not all(np.array_equal(a, b) for a, b in zip(e1, e2, strict=True))  # reshuffled each epoch
    assert len(e1) == s.steps_per_epoch(labels, 8)


def _extra(s: Strategy) -> dict[str, object]:
    if isinstance(s, MixingSystematic):
        return {"shards": s.shards}
    if isinstance(s, MixingRandomFull):
        return {"fraction": s.fraction}
    return {}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_training_arrays_not_modified(name: str) -> None:
    maps, labels = dataset(20)
    before = maps.copy()
    for _ in ALL[name].epoch_batches(maps, labels, 0, 6):
        pass
    np.testing.assert_array_equal(maps, before)


def test_none_and_exclusive() -> None:
    maps, labels = dataset(50)
    flat = np.concatenate(seen(ALL["none"], maps, labels, 0, 16))
    np.testing.assert_array_equal(np.sort(flat), np.arange(50))
    flat = np.concatenate(seen(ALL["exclusive"], maps, labels, 0, 16))
    np.testing.assert_array_equal(np.sort(-1 - flat), np.arange(50))  # every map once, all augmented


def test_labels_follow_their_maps() -> None:
    maps, labels = dataset(40)
    for x, y in ALL["doubling_combinational"].epoch_batches(maps, labels, 3, 7):
        np.testing.assert_array_equal(y, (x[:, 0, 0, 0] % 1000).astype(np.int64) % 2)


@pytest.mark.parametrize("shards", [2, 3, 5])
def test_systematic_skips_shard_e_mod_s(shards: int) -> None:
    maps, labels = dataset(60)
    s = MixingSystematic(mark, seed=4, shards=shards)
    shard = s.shard_of(60)
    np.testing.assert_array_equal(np.bincount(shard), np.full(shards, 60 // shards))
    np.testing.assert_array_equal(s.shard_of(60), shard)  # shards fixed across epochs
    for epoch in range(2 * shards):
        flat = np.concatenate(seen(s, maps, labels, epoch, 16))
        original = np.sort(flat[flat >= 0])
        np.testing.assert_array_equal(original, np.flatnonzero(shard == epoch % shards))
        assert s.skipped_shard(epoch) == epoch % shards
        assert (flat < 0).sum() == 60 - 60 // shards  # (S-1)/S augmented
        np.testing.assert_array_equal(np.sort(np.where(flat < 0, -1 - flat, flat)), np.arange(60))


def test_systematic_s3_leaves_one_third_original() -> None:
    maps, labels = dataset(90)
    flat = np.concatenate(seen(MixingSystematic(mark, seed=0, shards=3), maps, labels, 7, 10))
    assert (flat >= 0).sum() == 30


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.5, 1.0])
def test_random_full_fraction_exact(fraction: float) -> None:
    maps, labels = dataset(101)
    for epoch in range(3):
        flat = np.concatenate(
            seen(MixingRandomFull(mark, seed=2, fraction=fraction), maps, labels, epoch, 16)
        )
        assert (flat < 0).sum() == round(fraction * 101)
        np.testing.assert_array_equal(np.sort(np.where(flat < 0, -1 - flat, flat)), np.arange(101))


def test_random_full_is_not_per_batch() -> None:
    # Over the full set, batches carry different augmented counts (otherwise it would be in-batch mixing).
    maps, labels = dataset(200)
    counts = {
        int((b < 0).sum()) for b in seen(MixingRandomFull(mark, seed=3, fraction=0.5), maps, labels, 0, 10)
    }
    assert len(counts) > 1


def test_random_in_batch_fraction_exact_per_batch() -> None:
    maps, labels = dataset(103)
    batches = seen(MixingRandomInBatch(mark, seed=2, fraction=0.25), maps, labels, 0, 20)
    assert [int((b < 0).sum()) for b in batches] == [5, 5, 5, 5, 5, 1]  # last batch of 3: round(0.75) = 1


def test_doubling_same_batch_pairs_in_same_batch() -> None:
    maps, labels = dataset(50)
    batches = seen(ALL["doubling_same_batch"], maps, labels, 0, 8)
    assert len(batches) == 13 == ALL["doubling_same_batch"].steps_per_epoch(labels, 8)
    everything = []
    for b in batches:
        originals = b[b >= 0]
        copies = -1 - b[b < 0]
        np.testing.assert_array_equal(np.sort(originals), np.sort(copies))  # each original with its copy
        assert originals.size == b.size // 2
        everything.extend(originals)
    np.testing.assert_array_equal(np.sort(everything), np.arange(50))


def test_doubling_same_batch_needs_even_batch() -> None:
    _maps, labels = dataset(10)
    with pytest.raises(ConfigError, match="even batch size"):
        ALL["doubling_same_batch"].plan_epoch(labels, 0, 7)


def test_doubling_combinational_copies_spread_across_batches() -> None:
    maps, labels = dataset(64)
    batches = seen(ALL["doubling_combinational"], maps, labels, 0, 16)
    flat = np.concatenate(batches)
    assert flat.size == 128
    assert len(batches) == 8
    np.testing.assert_array_equal(np.sort(flat[flat >= 0]), np.arange(64))
    np.testing.assert_array_equal(np.sort(-1 - flat[flat < 0]), np.arange(64))
    same = sum(int(np.isin(-1 - b[b < 0], b[b >= 0]).sum()) for b in batches)
    assert same < 32  # independent shuffles: most copies land in a different batch than their original


def test_balancing_in_strategy() -> None:
    maps, labels = dataset(40)
    labels = np.r_[np.zeros(34, np.int8), np.ones(6, np.int8)]
    s = Exclusive(mark, seed=0, balance_threshold=10)
    assert s.epoch_length(labels) == 20
    assert s.steps_per_epoch(labels, 8) == 3
    y = np.concatenate([y for _, y in s.epoch_batches(maps, labels, 0, 8)])
    np.testing.assert_array_equal(np.bincount(y), [10, 10])
    n = NoAugmentation(mark, seed=0, balance_threshold=10)
    flat = np.concatenate(seen(n, maps, labels, 0, 8))
    assert (flat >= 0).all()  # strategy none never augments, even up-sampled copies
    s2 = MixingSystematic(mark, seed=0, balance_threshold=10, shards=2)
    flat = np.concatenate(seen(s2, maps, labels, 0, 8))
    _, forced = s2._base(labels, 0)
    assert forced.sum() == 4  # the minority class's 4 up-sampled duplicates
    skipped = s2.shard_of(20) == 0
    # augmented: the non-skipped shard, plus the forced duplicates that fall in the skipped shard
    assert (flat < 0).sum() == 10 + int((forced & skipped).sum())


@pytest.mark.parametrize("shards", [1, 0, -2])
def test_systematic_rejects_s_below_2(shards: int) -> None:
    with pytest.raises(ConfigError, match="shards S >= 2"):
        MixingSystematic(mark, shards=shards)


@pytest.mark.parametrize("fraction", [-0.01, 1.01])
def test_random_mixing_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ConfigError, match="fraction must be a probability"):
        MixingRandomFull(mark, fraction=fraction)
    with pytest.raises(ConfigError, match="fraction must be a probability"):
        MixingRandomInBatch(mark, fraction=fraction)


def test_bad_batch_size_rejected() -> None:
    _, labels = dataset(10)
    with pytest.raises(ConfigError, match="batch_size must be >= 1"):
        ALL["exclusive"].steps_per_epoch(labels, 0)


def test_batches_are_random_access() -> None:
    # Batch i depends only on (seed, epoch, i): building them in reverse order gives the same arrays,
    # which is what lets a keras Sequence (or a resumed run) fetch any batch.
    from fpgaflow.augment.gain import GainJitter

    maps = np.random.default_rng(0).integers(0, 200, size=(30, 6, 6, 1)).astype(np.float32)
    labels = (np.arange(30) % 2).astype(np.int8)
    s = MixingSystematic(GainJitter(1.0, 0.3), seed=8, shards=3)
    plan = s.plan_epoch(labels, 4, 8)
    forward = [s.make_batch(maps, labels, b, 4, i)[0] for i, b in enumerate(plan)]
    backward = [s.make_batch(maps, labels, plan[i], 4, i)[0] for i in reversed(range(len(plan)))]
    for a, b in zip(forward, reversed(backward), strict=True):
        np.testing.assert_array_equal(a, b)
