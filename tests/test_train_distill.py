"""Distillation from the two-stage cluster tree (``train.distill_weight``): out-of-fold teacher scores, soft
targets whose rounding is the label, the hard-label training accuracy, and the settings it refuses."""

from __future__ import annotations

import numpy as np
import pytest

from fpgaflow.augment import AugmentConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.data import HitMapSet, generate_toy, split
from fpgaflow.data.toy import ToyConfig
from fpgaflow.errors import ConfigError, DataError
from fpgaflow.train import distill
from fpgaflow.train.config import ModelConfig, TrainConfig
from fpgaflow.train.trainer import _accuracy_metric, train_classifier


@pytest.fixture(scope="module")
def data() -> tuple[HitMapSet, HitMapSet]:
    rng = np.random.default_rng(3)
    maps = generate_toy(ToyConfig(rows=16, cols=16), 400, 0.5, rng)
    train, val, _ = split(maps, 0.2, 0.1, rng)
    return train, val


def test_the_teacher_scores_every_training_map_out_of_fold(data: tuple[HitMapSet, HitMapSet]) -> None:
    train, _ = data
    p = distill.teacher_scores(train, seed=1)
    assert p.shape == (len(train),) and p.dtype == np.float32
    assert p.min() >= 0.0 and p.max() <= 1.0
    # the toy's particle maps hold a track cluster: a cluster tree that never saw a map still reads it
    assert np.mean((p > 0.5) == (train.labels == 1)) > 0.8
    np.testing.assert_array_equal(p, distill.teacher_scores(train, seed=1))  # seeded
    # out of fold: a teacher fitted on every map would score its own training maps otherwise
    assert not np.array_equal(p, distill.teacher_scores(train, seed=2))


def test_soft_targets_round_to_the_labels() -> None:
    labels = np.array([0, 1, 0, 1])
    teacher = np.array([0.9, 0.1, 0.0, 1.0])
    t = distill.soft_targets(labels, teacher, 0.3)
    np.testing.assert_allclose(t, [0.27, 0.73, 0.0, 1.0], rtol=1e-6)
    np.testing.assert_array_equal(np.round(t), labels)
    with pytest.raises(DataError, match=r"distillation weight must be in \[0, 0.5\), got 0.5"):
        distill.soft_targets(labels, teacher, 0.5)
    with pytest.raises(DataError, match="3 teacher scores for 4 labels"):
        distill.soft_targets(labels, teacher[:3], 0.2)


def test_the_training_accuracy_counts_the_labels_under_soft_targets() -> None:
    import tensorflow as tf

    y_true = tf.constant([[0.27], [0.73], [0.2], [0.9]])
    y_pred = tf.constant([[0.1], [0.8], [0.7], [0.6]])  # right, right, wrong, right
    metric = _accuracy_metric(soft=True)
    metric.update_state(y_true, y_pred)
    assert float(metric.result()) == pytest.approx(0.75)
    assert metric.name == "accuracy" and _accuracy_metric(soft=False) == "accuracy"


def test_distill_weight_out_of_range_and_with_class_balancing_is_refused(data: tuple[HitMapSet, HitMapSet]) -> None:
    with pytest.raises(ConfigError, match=r"train.distill_weight must be in \[0, 0.5\), got 0.5"):
        TrainConfig(distill_weight=0.5)
    with pytest.raises(ConfigError, match=r"train.distill_folds must be >= 2, got 1"):
        TrainConfig(distill_folds=1)
    train, val = data
    cfg = TrainConfig(epochs=1, batch_size=32, distill_weight=0.3)
    for augment in (AugmentConfig(class_weighting="ins"), AugmentConfig(balance_threshold=100)):
        with pytest.raises(ConfigError, match=r"train\.distill_weight > 0 needs augment\.balance_threshold: 0"):
            train_classifier(train, val, ModelConfig(conv_filters=(2,)), cfg, PruneConfig(), augment)


def test_both_training_phases_fit_the_soft_targets_of_one_teacher(
    data: tuple[HitMapSet, HitMapSet], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The float pre-training and the quantisation-aware training both fit ``(1 − w) · label + w · p``, with
    ``p`` computed once; validation keeps the labels; the training accuracy counts the labels."""
    from fpgaflow.augment import keras_adapter

    train, val = data
    calls: list[tuple[int, int]] = []
    real_teacher = distill.teacher_scores

    def counted_teacher(train_set: HitMapSet, folds: int = 5, seed: int = 0) -> np.ndarray:
        calls.append((folds, seed))
        return real_teacher(train_set, folds, seed)

    fitted: list[tuple[np.ndarray, np.ndarray]] = []
    real_fit = keras_adapter.fit_with_strategy

    def recording_fit(model, maps, labels, strategy, batch_size, **kwargs):  # type: ignore[no-untyped-def]
        fitted.append((np.array(labels), np.array(kwargs["validation_data"][1])))
        return real_fit(model, maps, labels, strategy, batch_size, **kwargs)

    monkeypatch.setattr(distill, "teacher_scores", counted_teacher)
    monkeypatch.setattr(keras_adapter, "fit_with_strategy", recording_fit)
    cfg = TrainConfig(
        epochs=2,
        batch_size=32,
        learning_rate=0.01,
        seed=4,
        distill_weight=0.3,
        distill_folds=3,
        float_pretrain_epochs=1,
    )
    result = train_classifier(
        train, val, ModelConfig(conv_filters=(2,)), cfg, PruneConfig(target_sparsity=0.5), AugmentConfig()
    )
    assert calls == [(3, 4)]
    expected = distill.soft_targets(train.labels, real_teacher(train, 3, seed=4), 0.3)
    assert len(fitted) == 2  # float pre-training, then QAT
    for targets, val_labels in fitted:
        np.testing.assert_array_equal(targets, expected)
        np.testing.assert_array_equal(val_labels, val.labels.astype(np.float32))
    assert not np.isin(expected, (0.0, 1.0)).all()  # soft: the teacher is not the label
    # Keras' own accuracy against these targets would be 0 on every map whose target is not 0 or 1
    assert all(0.0 <= a <= 1.0 for a in result.history["accuracy"]) and max(result.history["accuracy"]) > 0.3
