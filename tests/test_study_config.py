"""Study config: the grid's axes, ensembles and executor are validated before any job runs."""

from __future__ import annotations

import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.errors import ConfigError
from fpgaflow.study.config import EnsembleSpec, ExecutorConfig, ImbalanceVariant, StudyConfig

BASE = {
    "strategies": [{"label": "original", "augment": {"strategy": "none"}}],
    "models": [{"label": "small", "model": {"conv_filters": [2]}}, {"label": "wide", "model": {"conv_filters": [4]}}],
}


def test_a_minimal_study_parses_with_defaults() -> None:
    cfg = from_mapping(StudyConfig, BASE)
    assert cfg.executor == ExecutorConfig(kind="process", workers=0)  # a local pool, one worker per core
    assert cfg.prune.enabled is False
    assert cfg.imbalance == (ImbalanceVariant(),)


def test_duplicate_labels_are_rejected() -> None:
    bad = {**BASE, "strategies": BASE["strategies"] * 2}
    with pytest.raises(ConfigError, match=r"study.strategies: duplicate labels \['original'\]"):
        from_mapping(StudyConfig, bad)


def test_ensemble_members_must_be_models_of_the_grid() -> None:
    bad = {**BASE, "ensembles": [{"label": "e", "kind": "stacking", "members": ["small", "wdie"]}]}
    with pytest.raises(ConfigError, match=r"unknown member model 'wdie' \(did you mean 'wide'\?\)"):
        from_mapping(StudyConfig, bad)
    with pytest.raises(ConfigError, match="bagging takes exactly one member"):
        EnsembleSpec("b", "bagging", ("small", "wide"))
    with pytest.raises(ConfigError, match="stacking needs >= 2 member models"):
        EnsembleSpec("s", "stacking", ("small",))


def test_unknown_keys_and_bad_executor_settings_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'batch_size'.*did you mean 'batch_sizes'"):
        from_mapping(StudyConfig, {**BASE, "batch_size": [32]})
    with pytest.raises(ConfigError, match=r"scheduler_address needs executor\.kind: dask"):
        ExecutorConfig(kind="process", scheduler_address="tcp://127.0.0.1:8786")
    with pytest.raises(ConfigError, match=r"particle_fraction must be 0 \(keep\) or in \(0, 1\)"):
        ImbalanceVariant(label="x", particle_fraction=1.0)


def test_shipped_augmentation_study_config_loads() -> None:
    from pathlib import Path

    from fpgaflow.config.strict import load_yaml

    cfg = load_yaml(StudyConfig, Path(__file__).resolve().parents[1] / "models" / "study_augmentation.yaml")
    labels = [s.label for s in cfg.strategies]
    assert labels[0] == "original"
    assert {s.augment.strategy for s in cfg.strategies} == {
        "none",
        "exclusive",
        "mixing_systematic",
        "mixing_random_full",
        "mixing_random_in_batch",
        "doubling_same_batch",
        "doubling_combinational",
    }
    # systematic mixing at 50/66/80/90 % augmented = S of 2, 3, 5, 10 shards
    assert sorted(s.augment.shards for s in cfg.strategies if s.augment.strategy == "mixing_systematic") == [
        2,
        3,
        5,
        10,
    ]


def test_equal_steps_control_differs_only_in_epochs_and_doubling() -> None:
    from pathlib import Path

    from fpgaflow.config.strict import load_yaml

    models = Path(__file__).resolve().parents[1] / "models"
    main = load_yaml(StudyConfig, models / "study_augmentation.yaml")
    control = load_yaml(StudyConfig, models / "study_augmentation_equal_steps.yaml")
    assert control.train.epochs == 2 * main.train.epochs
    assert control.data == main.data
    assert control.seeds == main.seeds
    assert control.strategies == tuple(s for s in main.strategies if not s.augment.strategy.startswith("doubling"))


def test_simulated_study_configs_match_the_toy_ones() -> None:
    import typing
    from pathlib import Path

    from fpgaflow.config.strict import load_yaml
    from fpgaflow.data.config import DataConfig

    if "simulate" not in typing.get_args(typing.get_type_hints(DataConfig)["source"]):
        pytest.skip("this checkout's data stage has no simulator (data.source: simulate)")
    models = Path(__file__).resolve().parents[1] / "models"
    toy = load_yaml(StudyConfig, models / "study_augmentation.yaml")
    sim = load_yaml(StudyConfig, models / "study_augmentation_sim.yaml")
    sim_control = load_yaml(StudyConfig, models / "study_augmentation_sim_equal_steps.yaml")
    assert sim.data.source == "simulate"
    assert (sim.strategies, sim.models, sim.train, sim.seeds) == (toy.strategies, toy.models, toy.train, toy.seeds)
    assert sim_control.train.epochs == 2 * sim.train.epochs
    assert sim_control.data == sim.data
    assert sim_control.strategies == tuple(s for s in sim.strategies if not s.augment.strategy.startswith("doubling"))


def test_window128_study_names_every_strategy_kind_on_the_flagship_task() -> None:
    from pathlib import Path

    from fpgaflow.config.strict import load_yaml

    cfg = load_yaml(StudyConfig, Path(__file__).resolve().parents[1] / "models" / "study_window128.yaml")
    assert cfg.data.task == "window-128"
    assert cfg.data.source == "simulate"
    assert cfg.data.map_shape == (128, 128)
    assert (cfg.data.simulate.tracks.pileup, cfg.data.simulate.labels.reco_pt_cut_gev) == (20.0, 0.5)
    assert [s.label for s in cfg.strategies] == [
        "original",
        "exclusive",
        "systematic 50 %",
        "systematic 90 %",
        "random 50 % full-batch",
        "random 50 % in-batch",
        "doubling same-batch",
        "doubling combinational",
    ]
    assert [s.augment.strategy for s in cfg.strategies] == [
        "none",
        "exclusive",
        "mixing_systematic",
        "mixing_systematic",
        "mixing_random_full",
        "mixing_random_in_batch",
        "doubling_same_batch",
        "doubling_combinational",
    ]
    assert [s.augment.shards for s in cfg.strategies if s.augment.strategy == "mixing_systematic"] == [2, 10]
    assert [s.augment.fraction for s in cfg.strategies if s.augment.strategy.startswith("mixing_random")] == [0.5, 0.5]
    # every augmenting strategy uses the same transforms: the flips, a shift and a gain jitter
    augmenting = {
        (s.augment.horizontal_flip, s.augment.vertical_flip, s.augment.transforms) for s in cfg.strategies[1:]
    }
    assert len(augmenting) == 1
    ((h_flip, v_flip, transforms),) = augmenting
    assert (h_flip, v_flip) == (0.5, 0.5)
    assert [(t.op, t.p, t.magnitude) for t in transforms] == [("shift", 0.5, 1), ("gain", 0.5, 3)]
    # the flagship's recipe: float pre-training, then QAT pruned to 50 %; 3 seeds; one pool worker
    assert (cfg.train.float_pretrain_epochs, cfg.train.epochs, cfg.train.early_stopping_patience) == (4, 8, 0)
    assert (cfg.prune.enabled, cfg.prune.target_sparsity) == (True, 0.5)
    assert cfg.seeds == (0, 1, 2)
    assert cfg.executor == ExecutorConfig(kind="process", workers=1)
    (variant,) = cfg.models
    model = variant.model
    assert (model.name, model.conv_filters, model.conv_strides, model.quantized) == ("qcnn", (8, 8, 8), (4, 1, 1), True)


def test_window128_equal_steps_control_doubles_the_epochs_of_the_main_study() -> None:
    import dataclasses
    from pathlib import Path

    from fpgaflow.config.strict import load_yaml

    models = Path(__file__).resolve().parents[1] / "models"
    main = load_yaml(StudyConfig, models / "study_window128.yaml")
    control = load_yaml(StudyConfig, models / "study_window128_equal_steps.yaml")
    assert (control.train.float_pretrain_epochs, control.train.epochs) == (8, 16)
    assert dataclasses.replace(control.train, float_pretrain_epochs=4, epochs=8) == main.train
    assert (control.data, control.models, control.prune, control.seeds) == (
        main.data,
        main.models,
        main.prune,
        main.seeds,
    )
    assert control.strategies == main.strategies[:2]
    assert [s.augment.strategy for s in control.strategies] == ["none", "exclusive"]
