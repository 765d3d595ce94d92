"""Keras adapter: Sequence/tf.data feed a strategy to model.fit; validation data are never augmented."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from fpgaflow.augment.keras_adapter import fit_with_strategy, iterate_epochs
from fpgaflow.augment.strategies import Exclusive, MixingSystematic, Strategy
from fpgaflow.errors import ConfigError

VAL_MARK = 77.0


class Recorder:
    """An augmenter that records every array it is asked to augment (and adds 1 to each pixel)."""

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    def __call__(self, maps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        self.seen.append(maps.copy())
        return maps + 1.0


class EpochLog(MixingSystematic):
    def __init__(self, augmenter: Recorder) -> None:
        super().__init__(augmenter, seed=3, shards=2)
        self.planned: list[int] = []

    def plan_epoch(self, labels: np.ndarray, epoch: int, batch_size: int):  # type: ignore[no-untyped-def]
        self.planned.append(epoch)
        return super().plan_epoch(labels, epoch, batch_size)


def data(n: int, value_from: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    maps = rng.integers(0, 50, size=(n, 8, 8, 1)).astype(np.float32) + value_from
    return maps, (np.arange(n) % 2).astype(np.int8)


def tiny_model():  # type: ignore[no-untyped-def]
    import tensorflow as tf

    # zero-initialised: deterministic without touching global seeds
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input((8, 8, 1)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros"),
        ]
    )
    model.compile("adam", "binary_crossentropy")
    return model


def test_module_import_does_not_load_tensorflow() -> None:
    code = "import sys, fpgaflow.augment.keras_adapter; assert 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sequence_batches_and_epochs() -> None:
    from fpgaflow.augment.keras_adapter import StrategySequence

    maps, labels = data(30)
    s = Exclusive(Recorder(), seed=1)
    seq = StrategySequence(maps, labels, s, 8, x_transform=lambda x: x / 256.0)
    assert len(seq) == 4 == s.steps_per_epoch(labels, 8)
    plan = s.plan_epoch(labels, 0, 8)
    x, y = seq[1]
    np.testing.assert_array_equal(y, labels[plan[1].index])
    np.testing.assert_array_equal(x, (maps[plan[1].index] + 1.0) / 256.0)
    np.testing.assert_array_equal(seq[1][0], x)  # random access is deterministic
    seq.on_epoch_end()
    assert seq.epoch == 1
    x1, _ = seq[1]
    np.testing.assert_array_equal(x1, (maps[s.plan_epoch(labels, 1, 8)[1].index] + 1.0) / 256.0)
    with pytest.raises(IndexError):
        seq[4]


@pytest.mark.parametrize("use_dataset", [False, True])
def test_fit_never_augments_validation(use_dataset: bool) -> None:
    maps, labels = data(40)
    val_maps = np.full((12, 8, 8, 1), VAL_MARK, np.float32)  # no training map is constant 77
    val_labels = (np.arange(12) % 2).astype(np.int8)
    rec = Recorder()
    strategy = EpochLog(rec)
    hist = fit_with_strategy(
        tiny_model(),
        maps,
        labels,
        strategy,
        8,
        epochs=3,
        validation_data=(val_maps, val_labels),
        x_transform=lambda x: x / 256.0,
        verbose=0,
        use_dataset=use_dataset,
    )
    assert len(hist.history["val_loss"]) == 3
    seen = np.concatenate(rec.seen)
    assert not (seen == VAL_MARK).all(axis=(1, 2, 3)).any()  # no validation map reached the augmenter
    train_keys = {m.tobytes() for m in maps}
    assert all(m.tobytes() in train_keys for m in seen)  # only training maps did
    # each epoch planned once, in order (the Sequence also plans the epoch after the last on_epoch_end)
    assert strategy.planned == ([0, 1, 2] if use_dataset else [0, 1, 2, 3])
    # S = 2 shards: 20 of 40 maps augmented per epoch; Keras peeks at batch 0 once to learn the shapes
    peek = 0 if use_dataset else int(strategy.plan_epoch(labels, 0, 8)[0].augment.sum())
    assert seen.shape[0] == 3 * 20 + peek


def test_iterate_epochs_matches_strategy() -> None:
    maps, labels = data(10)
    s: Strategy = Exclusive(Recorder(), seed=5)
    got = list(iterate_epochs(maps, labels, s, 4, 2, initial_epoch=1))
    assert len(got) == 3  # one epoch (epoch 1) of 3 batches
    want = list(s.epoch_batches(maps, labels, 1, 4))
    for (gx, gy), (wx, wy) in zip(got, want, strict=True):
        np.testing.assert_array_equal(gx, wx)
        np.testing.assert_array_equal(gy, wy)


def test_fit_rejects_keras_shuffle() -> None:
    maps, labels = data(10)
    with pytest.raises(ConfigError, match="sets 'shuffle' itself"):
        fit_with_strategy(object(), maps, labels, Exclusive(Recorder()), 4, epochs=1, shuffle=True)
