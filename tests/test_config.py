from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from fpgaflow.config.strict import check, from_mapping, load_yaml, to_mapping
from fpgaflow.errors import ConfigError
from fpgaflow.pipeline.config import RunConfig, load_run_config


@dataclass(frozen=True)
class Inner:
    bits: int = 8
    mode: Literal["TRN", "RND"] = "TRN"

    def __post_init__(self) -> None:
        check(self.bits >= 2, f"bits must be >= 2, got {self.bits}")


@dataclass(frozen=True)
class Outer:
    name: str = "x"
    scale: float = 1.0
    shape: tuple[int, ...] = (1, 2)
    inner: Inner = field(default_factory=Inner)
    path: str | None = None


def test_defaults_and_nested_values() -> None:
    cfg = from_mapping(Outer, {"scale": 2, "shape": [3, 4, 5], "inner": {"bits": 4, "mode": "RND"}})
    assert cfg == Outer(scale=2.0, shape=(3, 4, 5), inner=Inner(bits=4, mode="RND"))
    assert isinstance(cfg.scale, float)
    assert to_mapping(cfg) == {
        "name": "x",
        "scale": 2.0,
        "shape": [3, 4, 5],
        "inner": {"bits": 4, "mode": "RND"},
        "path": None,
    }


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"nmae": "y"}, r"unknown key 'nmae' \(did you mean 'name'\?\)"),
        ({"inner": {"bitz": 3}}, r"unknown key 'inner.bitz' \(did you mean 'bits'\?\)"),
        ({"inner": {"mode": "RNDD"}}, r"inner.mode: 'RNDD' is not one of \['TRN', 'RND'\] \(did you mean 'RND'\?\)"),
        ({"scale": "big"}, r"scale: expected a number, got 'big'"),
        ({"shape": 3}, r"shape: expected a list"),
        ({"shape": [1, "a"]}, r"shape\[1\]: expected an integer"),
        ({"inner": {"bits": True}}, r"inner.bits: expected an integer, got True"),
        ({"inner": {"bits": 1}}, r"inner: bits must be >= 2, got 1"),
        ({"inner": 5}, r"inner: expected a mapping for Inner"),
    ],
)
def test_rejections_name_the_key(mapping: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_mapping(Outer, mapping)


def test_load_yaml_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_yaml(Outer, tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: not valid YAML"):
        load_yaml(Outer, bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("inner:\n  bitss: 3\n")
    with pytest.raises(ConfigError, match=r"typo.yaml: unknown key 'inner.bitss' \(did you mean 'bits'\?\)"):
        load_yaml(Outer, typo)
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_yaml(Outer, lst)


def test_default_run_config_loads_and_matches_the_walking_skeleton_contract() -> None:
    cfg = load_run_config()
    assert cfg.convert.backend == "VivadoAccelerator"
    assert cfg.convert.board == "pynq-z2"
    assert cfg.convert.io_type == "io_stream"
    assert cfg.convert.clock_ns == 10.0
    assert cfg.prune.target_sparsity >= 0.5
    assert cfg.model.weights.bits <= 8
    assert cfg.augment.strategy != "none"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"trian": {}}, r"did you mean 'train'"),
        ({"prune": {"target_sparsity": 1.0}}, r"prune.target_sparsity must be in \[0, 1\)"),
        ({"model": {"weights": {"bits": 1}}}, r"model.weights: quantizer bits must be in \[2, 32\]"),
        ({"convert": {"board": "pynq-z3"}}, r"unknown board 'pynq-z3' \(did you mean 'pynq-z2'\?\)"),
        ({"data": {"val_fraction": 0.6, "test_fraction": 0.5}}, r"must be < 1"),
        ({"augment": {"horizontal_flip": 1.5}}, r"augment.horizontal_flip is a probability"),
    ],
)
def test_run_config_rejections(mapping: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_mapping(RunConfig, mapping)


def test_section_hash_tracks_only_named_sections() -> None:
    a = RunConfig()
    b = from_mapping(RunConfig, {"train": {"epochs": 99}})
    assert a.section_hash("data") == b.section_hash("data")
    assert a.section_hash("train") != b.section_hash("train")
