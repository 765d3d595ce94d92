"""RandAugment, TrivialAugment and AutoAugment-style policy files over the hit-map transform set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fpgaflow.augment.policies import (
    PolicyFile,
    PolicyOp,
    RandAugment,
    SubPolicyAugment,
    TrivialAugment,
    load_policy,
)
from fpgaflow.augment.registry import DEFAULT_POLICY_OPS, SHAPE_SAFE_OPS, TRANSFORMS
from fpgaflow.data.toy import ToyConfig, generate_toy
from fpgaflow.errors import ConfigError


@pytest.fixture(scope="module")
def maps() -> np.ndarray:
    return generate_toy(ToyConfig(rows=16, cols=16), 64, 0.5, np.random.default_rng(3)).maps


def test_default_op_sets() -> None:
    assert set(SHAPE_SAFE_OPS) == set(TRANSFORMS) - {"rotate90"}
    assert set(DEFAULT_POLICY_OPS) == set(TRANSFORMS) - {"rotate90", "roc_dropout"}
    assert RandAugment().ops == DEFAULT_POLICY_OPS
    assert TrivialAugment().ops == DEFAULT_POLICY_OPS


def test_randaugment_deterministic_and_bounded(maps: np.ndarray) -> None:
    ra = RandAugment(2, 6)
    a = ra(maps, np.random.default_rng(5))
    np.testing.assert_array_equal(a, ra(maps, np.random.default_rng(5)))
    assert a.shape == maps.shape
    assert a.min() >= 0.0
    assert a.max() <= 255.0
    assert not np.array_equal(a, maps)


def test_randaugment_applies_exactly_n_ops_per_map(maps: np.ndarray) -> None:
    # With a single conserving op, every map is flipped N times: N = 2 horizontal flips is the identity.
    ra = RandAugment(2, 5, ops=("horizontal_flip",))
    np.testing.assert_array_equal(ra(maps, np.random.default_rng(0)), maps)
    ra = RandAugment(1, 5, ops=("horizontal_flip",))
    np.testing.assert_array_equal(ra(maps, np.random.default_rng(0)), maps[:, :, ::-1])


def test_randaugment_chooses_ops_uniformly() -> None:
    ra = RandAugment(2, 5, ops=("gain", "shift", "crop", "threshold"))
    choice = ra.sample_params(4000, np.random.default_rng(1))["choice"]
    counts = np.bincount(choice.ravel(), minlength=4) / choice.size
    np.testing.assert_allclose(counts, 0.25, atol=0.02)  # 8000 draws: σ ≈ 0.005


def test_trivialaugment_one_op_uniform_magnitude(maps: np.ndarray) -> None:
    ta = TrivialAugment(ops=("gain", "vertical_flip"))
    group = ta.sample_params(11000, np.random.default_rng(2))["group"]
    op, mag = np.divmod(group, 11)
    np.testing.assert_allclose(np.bincount(op) / group.size, 0.5, atol=0.02)
    np.testing.assert_allclose(np.bincount(mag, minlength=11) / group.size, 1 / 11, atol=0.01)
    a = ta(maps, np.random.default_rng(4))
    np.testing.assert_array_equal(a, ta(maps, np.random.default_rng(4)))


def test_policy_p_zero_leaves_maps(maps: np.ndarray) -> None:
    np.testing.assert_array_equal(RandAugment(3, 9, p=0.0)(maps, np.random.default_rng(0)), maps)
    np.testing.assert_array_equal(TrivialAugment(p=0.0)(maps, np.random.default_rng(0)), maps)


def test_policy_file_round_trip(tmp_path: Path, maps: np.ndarray) -> None:
    f = tmp_path / "policy.yaml"
    f.write_text(
        "sub_policies:\n"
        "  - [{op: vertical_flip, probability: 1.0, magnitude: 0}]\n"
        "  - [{op: horizontal_flip, probability: 1.0, magnitude: 0},\n"
        "     {op: shift, probability: 0.0, magnitude: 9}]\n"
    )
    pol = load_policy(f)
    assert isinstance(pol, SubPolicyAugment)
    assert pol.policy.sub_policies[1][1] == PolicyOp("shift", 0.0, 9)
    params = pol.sample_params(maps.shape[0], np.random.default_rng(0))
    out = pol.apply(maps, **params)
    which = params["which"]
    np.testing.assert_array_equal(out[which == 0], maps[which == 0][:, ::-1])
    np.testing.assert_array_equal(out[which == 1], maps[which == 1][:, :, ::-1])  # shift never fires (p=0)


def test_policy_file_unknown_op_suggests(tmp_path: Path) -> None:
    f = tmp_path / "policy.yaml"
    f.write_text("sub_policies:\n  - [{op: spilover, probability: 0.5, magnitude: 3}]\n")
    with pytest.raises(
        ConfigError, match=r"policy\.yaml.*unknown augmentation op 'spilover'.*did you mean 'spillover'"
    ):
        load_policy(f)


def test_policy_file_bad_values(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("sub_policies:\n  - [{op: gain, probability: 1.5, magnitude: 3}]\n")
    with pytest.raises(ConfigError, match=r"probability must be in \[0, 1\]"):
        load_policy(f)
    f.write_text("sub_policies:\n  - [{op: gain, probability: 0.5, magnitude: 12}]\n")
    with pytest.raises(ConfigError, match=r"magnitude must be an integer in 0\.\.10"):
        load_policy(f)
    f.write_text("sub_policies:\n  - [{op: gain, probabilty: 0.5, magnitude: 2}]\n")
    with pytest.raises(ConfigError, match="did you mean 'probability'"):
        load_policy(f)
    with pytest.raises(ConfigError, match="at least one sub-policy"):
        PolicyFile(())


def test_randaugment_bad_args() -> None:
    with pytest.raises(ConfigError, match="n_ops"):
        RandAugment(0, 5)
    with pytest.raises(ConfigError, match="magnitude"):
        RandAugment(1, 11)
    with pytest.raises(ConfigError, match="did you mean 'gain'"):
        RandAugment(1, 5, ops=("gian",))
    with pytest.raises(ConfigError, match="op set is empty"):
        TrivialAugment(ops=())
