"""AugmentConfig: old keys still valid, every strategy and policy buildable, bad values rejected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fpgaflow.augment import (
    STRATEGIES,
    AugmentConfig,
    Compose,
    RandAugment,
    SubPolicyAugment,
    TrivialAugment,
    augment_provenance,
    build_class_weights,
    build_pipeline,
    build_strategy,
)
from fpgaflow.augment.flip import HorizontalFlip, VerticalFlip
from fpgaflow.augment.gain import GainJitter
from fpgaflow.augment.shift import Shift
from fpgaflow.config.strict import from_mapping
from fpgaflow.errors import ConfigError
from fpgaflow.pipeline.config import load_run_config


def test_skeleton_keys_build_the_same_flip_pipeline() -> None:
    cfg = from_mapping(
        AugmentConfig, {"strategy": "exclusive", "horizontal_flip": 0.5, "vertical_flip": 0.3, "seed": 2}
    )
    pipe = build_pipeline(cfg)
    assert isinstance(pipe, Compose)
    assert [type(t) for t in pipe.transforms] == [HorizontalFlip, VerticalFlip]
    assert [t.p for t in pipe.transforms] == [0.5, 0.3]
    assert pipe.seed == 2
    assert build_pipeline(AugmentConfig(strategy="none")) is None


def test_default_run_config_still_loads() -> None:
    cfg = load_run_config()
    assert cfg.augment.strategy == "exclusive"
    assert type(build_strategy(cfg.augment)).name == "exclusive"


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_name_builds(name: str) -> None:
    s = build_strategy(from_mapping(AugmentConfig, {"strategy": name, "shards": 4, "fraction": 0.25}))
    assert s.name == name
    assert (s.augmenter is None) == (name == "none")
    if name == "mixing_systematic":
        assert s.shards == 4  # type: ignore[attr-defined]
    if name.startswith("mixing_random"):
        assert s.fraction == 0.25  # type: ignore[attr-defined]


def test_transform_list_and_policies(tmp_path: Path) -> None:
    cfg = from_mapping(
        AugmentConfig,
        {"horizontal_flip": 0.0, "transforms": [{"op": "shift", "p": 0.4, "magnitude": 2}, {"op": "gain"}]},
    )
    pipe = build_pipeline(cfg)
    assert pipe is not None
    assert [type(t) for t in pipe.transforms] == [VerticalFlip, Shift, GainJitter]
    assert pipe.transforms[1].p == 0.4
    assert pipe.transforms[1].max_fraction == pytest.approx(0.1)  # type: ignore[attr-defined]
    ra = build_pipeline(AugmentConfig(policy="randaugment", randaugment_n=3, randaugment_m=7, policy_ops=("gain",)))
    assert ra is not None
    assert isinstance(ra.transforms[-1], RandAugment)
    assert (ra.transforms[-1].n_ops, ra.transforms[-1].magnitude, ra.transforms[-1].ops) == (3, 7, ("gain",))
    ta = build_pipeline(AugmentConfig(policy="trivialaugment"))
    assert ta is not None
    assert isinstance(ta.transforms[-1], TrivialAugment)
    f = tmp_path / "pol.yaml"
    f.write_text("sub_policies:\n  - [{op: crop, probability: 0.5, magnitude: 4}]\n")
    fp = build_pipeline(AugmentConfig(policy="file", policy_file=str(f)))
    assert fp is not None
    assert isinstance(fp.transforms[-1], SubPolicyAugment)


def test_class_weights_from_config() -> None:
    labels = np.r_[np.zeros(30, np.int8), np.ones(10, np.int8)]
    assert build_class_weights(AugmentConfig(), labels) is None
    w = build_class_weights(AugmentConfig(class_weighting="ins"), labels)
    assert w is not None
    assert w[1] / w[0] == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"transforms": [{"op": "zooom"}]}, "unknown augmentation op 'zooom' \\(did you mean 'zoom'\\?\\)"),
        ({"transforms": [{"op": "zoom", "p": 1.2}]}, "p must be in \\[0, 1\\]"),
        ({"transforms": [{"op": "zoom", "magnitude": 11}]}, "magnitude must be in 0..10"),
        ({"shards": 1}, "shards \\(S\\) must be >= 2"),
        ({"fraction": 1.5}, "fraction is a probability"),
        ({"horizontal_flip": -0.1}, "horizontal_flip is a probability"),
        ({"strategy": "mixing_sistematic"}, "did you mean .mixing_systematic."),
        ({"policy": "file"}, "needs augment.policy_file"),
        ({"policy_ops": ["nosie"]}, "unknown augmentation op 'nosie'"),
        ({"randaugment_m": 30}, "randaugment_m must be in 0..10"),
        ({"ens_beta": 1.0}, "ens_beta must be in \\[0, 1\\)"),
        ({"shard": 3}, "did you mean 'shards'"),
    ],
)
def test_bad_config_rejected(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_mapping(AugmentConfig, mapping)


def test_provenance_records_config_and_seed() -> None:
    card = augment_provenance(AugmentConfig(strategy="mixing_systematic", shards=5, seed=9))
    assert card["strategy"] == "mixing_systematic"
    assert card["seed"] == 9
    assert card["config"]["shards"] == 5
    assert card["evaluation_data_augmented"] is False
    assert "HorizontalFlip(p=0.5)" in card["pipeline"]
    assert augment_provenance(AugmentConfig(strategy="none"))["pipeline"] is None
