"""A written policy file loads with ``augment.policy: file`` and reproduces the same transforms with the same
seed; RandAugment and TrivialAugment written as policy files have the sub-policies that make them equivalent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fpgaflow.augment import AugmentConfig, build_pipeline
from fpgaflow.augment.policies import PolicyFile, PolicyOp, RandAugment, SubPolicyAugment, load_policy
from fpgaflow.augment.registry import DEFAULT_POLICY_OPS, MAX_MAGNITUDE
from fpgaflow.augment.write_policy import (
    MAX_SUB_POLICIES,
    randaugment_policy,
    trivialaugment_policy,
    write_policy,
)
from fpgaflow.data.toy import ToyConfig, generate_toy
from fpgaflow.errors import ConfigError

POLICY = PolicyFile(
    (
        (PolicyOp("shift", 0.8, 4), PolicyOp("gain", 0.6, 7)),
        (PolicyOp("spillover", 0.5, 5),),
        (PolicyOp("pixel_dropout", 0.3, 10), PolicyOp("threshold", 1.0, 2)),
    )
)


@pytest.fixture(scope="module")
def maps() -> np.ndarray:
    return generate_toy(ToyConfig(rows=16, cols=16), 64, 0.5, np.random.default_rng(3)).maps


def test_round_trip_gives_the_same_policy_and_the_same_maps(tmp_path: Path, maps: np.ndarray) -> None:
    path = write_policy(tmp_path / "policy.yaml", POLICY, header="searched\nfor a test")
    assert path.read_text().startswith("# searched\n# for a test\nsub_policies:\n")
    loaded = load_policy(path)
    assert loaded.policy == POLICY
    original = SubPolicyAugment(POLICY)(maps, np.random.default_rng(11))
    again = loaded(maps, np.random.default_rng(11))
    np.testing.assert_array_equal(original, again)
    assert not np.array_equal(original, maps)  # it did augment
    other_seed = loaded(maps, np.random.default_rng(12))
    assert not np.array_equal(original, other_seed)


def test_the_file_drives_a_run_config_like_the_policy_object(tmp_path: Path, maps: np.ndarray) -> None:
    path = write_policy(tmp_path / "policy.yaml", POLICY)
    cfg = AugmentConfig(horizontal_flip=0.0, vertical_flip=0.0, policy="file", policy_file=str(path), seed=4)
    pipeline = build_pipeline(cfg)
    assert pipeline is not None
    np.testing.assert_array_equal(pipeline(maps), SubPolicyAugment(POLICY)(maps, np.random.default_rng(4)))


def test_randaugment_and_trivialaugment_as_policy_files(tmp_path: Path) -> None:
    k = len(DEFAULT_POLICY_OPS)
    ra = randaugment_policy(2, 5)
    assert len(ra.sub_policies) == k**2
    assert {len(s) for s in ra.sub_policies} == {2}
    assert {(s.probability, s.magnitude) for sub in ra.sub_policies for s in sub} == {(1.0, 5)}
    ta = trivialaugment_policy()
    assert len(ta.sub_policies) == k * (MAX_MAGNITUDE + 1)
    assert load_policy(write_policy(tmp_path / "ta.yaml", ta)).policy == ta
    with pytest.raises(ConfigError, match="at most 5000 sub-policies"):
        randaugment_policy(4, 5)  # 12**4 > MAX_SUB_POLICIES
    assert k**4 > MAX_SUB_POLICIES


def test_one_op_randaugment_file_augments_exactly_like_randaugment(maps: np.ndarray) -> None:
    # With a single op every draw is the same op: the file and the object give identical maps.
    direct = RandAugment(1, 7, ops=("horizontal_flip",))(maps, np.random.default_rng(0))
    via_file = SubPolicyAugment(randaugment_policy(1, 7, ops=("horizontal_flip",)))(maps, np.random.default_rng(0))
    np.testing.assert_array_equal(direct, via_file)
    np.testing.assert_array_equal(direct, maps[:, :, ::-1, :])
