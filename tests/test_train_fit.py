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
    with pytest.raises(ConfigError, match="exclude each other"):
        _train(data, warm_start=first.model, checkpoint_dir=Path("unused"))
