"""Training: bad input rejected before the first step, LR schedules, seeded determinism, checkpoints,
the provenance card and curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.augment import AugmentConfig
from fpgaflow.compress.config import ActivationQuantizerSpec, PruneConfig, QuantizerSpec
from fpgaflow.config.strict import from_mapping
from fpgaflow.data import HitMapSet, generate_toy, split
from fpgaflow.data.toy import ToyConfig
from fpgaflow.errors import ConfigError, DataError
from fpgaflow.train.config import ModelConfig, TrainConfig
from fpgaflow.train.trainer import train_classifier

TINY_MODEL = ModelConfig(conv_filters=(2,))
TINY_TRAIN = TrainConfig(epochs=2, batch_size=32, learning_rate=0.01, seed=4)


@pytest.fixture(scope="module")
def data() -> tuple[HitMapSet, HitMapSet]:
    rng = np.random.default_rng(3)
    maps = generate_toy(ToyConfig(rows=16, cols=16), 240, 0.5, rng)
    train, val, _ = split(maps, 0.25, 0.1, rng)
    return train, val


def _train(data: tuple[HitMapSet, HitMapSet], **kwargs: object):  # type: ignore[no-untyped-def]
    args = {
        "model_cfg": TINY_MODEL,
        "train_cfg": TINY_TRAIN,
        "prune_cfg": PruneConfig(),
        "augment_cfg": AugmentConfig(),
    }
    args.update(kwargs)
    return train_classifier(data[0], data[1], **args)  # type: ignore[arg-type]


def test_lr_schedules() -> None:
    cos = TrainConfig(epochs=5, learning_rate=1.0, lr_schedule="cosine", lr_min_fraction=0.0)
    assert [round(cos.learning_rate_at(e), 6) for e in range(5)] == [1.0, 0.853553, 0.5, 0.146447, 0.0]
    step = TrainConfig(learning_rate=1.0, lr_schedule="step", lr_step_epochs=2, lr_step_factor=0.1)
    assert [step.learning_rate_at(e) for e in (0, 1, 2, 4)] == pytest.approx([1.0, 1.0, 0.1, 0.01])
    assert TrainConfig(learning_rate=0.5).learning_rate_at(7) == 0.5
    with pytest.raises(ConfigError, match=r"lr_schedule: 'cosin' is not one of .*did you mean 'cosine'"):
        from_mapping(TrainConfig, {"lr_schedule": "cosin"})


def test_sparsity_and_bit_widths_out_of_range_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"prune.target_sparsity must be in \[0, 1\), got 1.0"):
        PruneConfig(target_sparsity=1.0)
    with pytest.raises(ConfigError, match=r"prune.target_sparsity must be in \[0, 1\), got -0.1"):
        PruneConfig(target_sparsity=-0.1)
    with pytest.raises(ConfigError, match=r"quantizer bits must be in \[2, 32\], got 1"):
        QuantizerSpec(bits=1)
    with pytest.raises(ConfigError, match=r"activation quantizer bits must be in \[2, 32\], got 1"):
        ActivationQuantizerSpec(bits=1, integer=0)


def test_data_mismatch_is_rejected_before_training(data: tuple[HitMapSet, HitMapSet]) -> None:
    train, _val = data
    other = HitMapSet(np.zeros((4, 20, 20, 1), np.float32), np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=r"training maps are \(16, 16, 1\) but validation maps are \(20, 20, 1\)"):
        train_classifier(train, other, TINY_MODEL, TINY_TRAIN, PruneConfig(), AugmentConfig())


def test_unknown_pruned_layer_is_rejected_with_a_hint(data: tuple[HitMapSet, HitMapSet]) -> None:
    with pytest.raises(ConfigError, match=r"prune.layers: 'conv_1' is not a conv/dense layer.*did you mean 'conv1'"):
        _train(data, prune_cfg=PruneConfig(layers=("conv_1",)))


def test_doubling_same_batch_needs_an_even_batch(data: tuple[HitMapSet, HitMapSet]) -> None:
    with pytest.raises(ConfigError, match="even"):
        _train(
            data,
            train_cfg=TrainConfig(epochs=1, batch_size=31),
            augment_cfg=AugmentConfig(strategy="doubling_same_batch"),
        )


def test_same_seed_gives_identical_weights_and_only_named_layers_are_pruned(
    data: tuple[HitMapSet, HitMapSet],
) -> None:
    prune_cfg = PruneConfig(target_sparsity=0.5, layers=("conv1",))
    a = _train(data, prune_cfg=prune_cfg)
    b = _train(data, prune_cfg=prune_cfg)
    for wa, wb in zip(a.model.get_weights(), b.model.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert a.history == b.history
    assert a.layer_sparsity["conv1"] == pytest.approx(0.5, abs=0.06)  # 18 weights: 9 or 10 zeros
    assert a.layer_sparsity["output_dense"] < 0.2  # not pruned: only weights that are exactly 0 after QAT
    assert a.history["lr"] == pytest.approx([0.01, 0.01])


def test_finished_checkpoint_is_restored_without_training(data: tuple[HitMapSet, HitMapSet], tmp_path: Path) -> None:
    from fpgaflow.train.report import write_training_report

    first = _train(data, checkpoint_dir=tmp_path / "ck")
    state = json.loads((tmp_path / "ck" / "state.json").read_text())
    assert state["epochs_done"] == 2
    assert (tmp_path / "ck" / "epoch_0002").is_dir()
    again = _train(data, checkpoint_dir=tmp_path / "ck")
    assert again.resumed_from == 2
    assert again.history == first.history
    for wa, wb in zip(first.model.get_weights(), again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)

    metrics = write_training_report(
        tmp_path / "out",
        again,
        {"val": data[1]},
        {"source": "toy", "seed": 3},
        TINY_MODEL,
        TINY_TRAIN,
        PruneConfig(),
        AugmentConfig(strategy="exclusive", seed=9),
    )
    card = json.loads((tmp_path / "out" / "model_card.json").read_text())
    assert card["augmentation"]["strategy"] == "exclusive"
    assert card["augmentation"]["seed"] == 9
    assert card["data"] == {"source": "toy", "seed": 3}
    assert card["quantisation"]["weights"] == "quantized_bits(8,0,alpha=1) = ap_fixed<8,1>"
    assert card["metrics"]["val"] == metrics["val"]
    assert card["notes"] == ["resumed from a checkpoint after epoch 2"]
    assert 0.0 <= metrics["val"]["accuracy"] <= 1.0
    for png in ("history.png", "roc_val.png"):
        assert (tmp_path / "out" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| val |" in (tmp_path / "out" / "model_card.md").read_text()


@pytest.mark.slow
def test_warm_start_begins_from_the_given_weights(data: tuple[HitMapSet, HitMapSet]) -> None:
    """Active learning's rounds: with a negligible learning rate the warm-started model keeps the weights it
    was given (pruning on: the wrappers keep the layers' weights); another architecture is refused."""
    from fpgaflow.train.models import build_model

    first = _train(data, augment_cfg=AugmentConfig(strategy="none"))
    still = TrainConfig(epochs=1, batch_size=32, learning_rate=1e-12, seed=9)
    prune_late = PruneConfig(begin_fraction=0.9, end_fraction=1.0)  # no mask update in one short epoch
    warm = _train(data, train_cfg=still, prune_cfg=prune_late, warm_start=first.model)
    for a, b in zip(first.model.get_weights(), warm.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    init = build_model(TINY_MODEL, data[0].map_shape).get_weights()
    assert not np.allclose(init[0], warm.model.get_weights()[0])  # not a fresh initialisation
    other = build_model(ModelConfig(conv_filters=(3,)), data[0].map_shape)
    with pytest.raises(ConfigError, match="warm_start: model"):
        _train(data, warm_start=other)


def test_early_stopping_restores_the_best_epoch_even_without_stopping() -> None:
    """The callback alone, fed a known validation curve: it stops after `patience` epochs without progress and
    gives the model the weights it had at the best competing epoch (epochs before `first_epoch` never count)."""
    import tensorflow as tf

    from fpgaflow.train.callbacks import early_stopping

    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    saved: list[int] = []
    cfg = TrainConfig(epochs=8, early_stopping_patience=2, early_stopping_monitor="val_loss")
    stop = early_stopping(cfg, None, 0, first_epoch=1, on_improve=lambda e, _w: saved.append(e))
    stop.set_model(model)
    stop.on_train_begin()
    curve = [0.1, 0.5, 0.4, 0.45, 0.47, 0.3]  # epoch 0 is best but does not compete; 2 is the best that does
    for epoch, loss in enumerate(curve):
        model.set_weights([np.full((1, 1), float(epoch), np.float32), np.zeros(1, np.float32)])
        stop.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            break
    assert (epoch, stop.best_epoch, stop.best, saved) == (4, 2, 0.4, [1, 2])
    stop.on_train_end()
    assert model.get_weights()[0][0, 0] == 2.0

    # Monitoring accuracy (maximised), every epoch competing, no early stop: still the best epoch's weights.
    acc_cfg = TrainConfig(epochs=3, early_stopping_patience=5, early_stopping_monitor="val_accuracy")
    keep = early_stopping(acc_cfg, None, 0)
    keep.set_model(model)
    for epoch, acc in enumerate([0.6, 0.8, 0.7]):
        model.set_weights([np.full((1, 1), float(epoch), np.float32), np.zeros(1, np.float32)])
        keep.on_epoch_end(epoch, {"val_accuracy": acc})
    assert keep.stopped_epoch is None
    keep.on_train_end()
    assert model.get_weights()[0][0, 0] == 1.0
    # ... unless told not to
    last = early_stopping(TrainConfig(early_stopping_patience=5, restore_best_weights=False), None, 0)
    last.set_model(model)
    last.on_epoch_end(0, {"val_loss": 0.1})
    model.set_weights([np.full((1, 1), 9.0, np.float32), np.zeros(1, np.float32)])
    last.on_train_end()
    assert model.get_weights()[0][0, 0] == 9.0


def test_trained_model_is_the_best_pruned_epoch_and_a_resume_keeps_it(
    data: tuple[HitMapSet, HitMapSet], tmp_path: Path
) -> None:
    """Through the trainer: the model returned has the validation accuracy of the best epoch among those after
    pruning reached its target, is pruned to the target, and a finished checkpoint resumes to the same model."""
    import tensorflow as tf

    from fpgaflow.train.trainer import first_competing_epoch

    train_cfg = TrainConfig(
        epochs=6, batch_size=32, learning_rate=0.02, seed=4, early_stopping_patience=6,
        early_stopping_monitor="val_accuracy",
    )  # fmt: skip
    prune_cfg = PruneConfig(target_sparsity=0.5, end_fraction=0.5)
    result = _train(data, train_cfg=train_cfg, prune_cfg=prune_cfg, checkpoint_dir=tmp_path / "ck")
    first = first_competing_epoch(train_cfg, prune_cfg)
    assert first == 2
    val_acc = result.history["val_accuracy"]
    best = first + int(np.argmax(val_acc[first:]))
    assert result.best_epoch == best + 1
    val = data[1]
    model = result.model
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    x = val.maps / 256.0
    _, acc = model.evaluate(x, val.labels.astype(np.float32), batch_size=len(val), verbose=0)
    assert acc == pytest.approx(val_acc[best], abs=1e-6)
    assert result.layer_sparsity["conv1"] == pytest.approx(0.5, abs=0.06)
    assert (tmp_path / "ck" / f"best_epoch_{best:04d}.npz").is_file()
    assert len(list((tmp_path / "ck").glob("best_epoch_*.npz"))) == 1

    again = _train(data, train_cfg=train_cfg, prune_cfg=prune_cfg, checkpoint_dir=tmp_path / "ck")
    assert again.resumed_from == 6 and again.best_epoch == best + 1
    for wa, wb in zip(result.model.get_weights(), again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    tf.keras.backend.clear_session()


def test_float_pretraining_starts_qat_from_the_float_weights(data: tuple[HitMapSet, HitMapSet]) -> None:
    from fpgaflow.train.trainer import _copy_weights, pretrain_float

    train_cfg = TrainConfig(epochs=1, batch_size=32, learning_rate=0.01, seed=4, float_pretrain_epochs=2)
    float_result = pretrain_float(data[0], data[1], TINY_MODEL, train_cfg, AugmentConfig())
    assert float_result.epochs_run == 2
    assert float_result.model.name == "qcnn_float"
    assert float_result.sparsity < 0.1  # the float twin is not pruned
    # QAT from it: an unpruned, zero-learning-rate epoch leaves the float weights in place
    still = TrainConfig(epochs=1, batch_size=32, learning_rate=1e-12, seed=4)
    qat = _train(data, train_cfg=still, prune_cfg=PruneConfig(enabled=False), warm_start=float_result.model)
    for wa, wb in zip(float_result.model.get_weights(), qat.model.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, atol=1e-6)
    with pytest.raises(ConfigError, match=r"warm_start: model .* has weights"):
        _copy_weights(float_result.model, _train(data, model_cfg=ModelConfig(conv_filters=(3,))).model)
