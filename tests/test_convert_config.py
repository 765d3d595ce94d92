"""ConvertConfig from YAML-like mappings: per-layer overrides, 'auto' reuse, typo and range errors."""

from __future__ import annotations

import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.errors import ConfigError
from fpgaflow_board.fixed_point import FixedType


def test_overrides_and_auto_reuse_load() -> None:
    cfg = from_mapping(
        ConvertConfig,
        {
            "reuse_factor": "auto",
            "layers": {
                "conv2": {"reuse_factor": 4, "strategy": "Resource"},
                "output_dense": {"result": {"width": 18, "integer": 6, "overflow": "SAT"}},
            },
        },
    )
    assert cfg.reuse_factor == "auto"
    assert cfg.override("conv2") == LayerOverride(reuse_factor=4, strategy="Resource")
    assert cfg.override("output_dense").result == FixedType(18, 6, True, "TRN", "SAT")
    assert cfg.override("conv1") == LayerOverride()
    assert cfg.clock_ns == 10.0
    assert cfg.default_type == FixedType(16, 6)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"reuse_factor": "atuo"}, "convert.reuse_factor: 'atuo' matches none of"),
        ({"reuse_factor": 0}, "convert.reuse_factor must be >= 1 or 'auto', got 0"),
        ({"layers": {"c": {"reuse": 3}}}, "unknown key 'convert.layers.c.reuse'"),
        ({"layers": {"c": {"strategy": "Resources"}}}, "did you mean 'Resource'"),
        ({"default_precision": "float"}, "not a fixed-point type: 'float'"),
        ({"dsp_budget": 1.5}, r"convert.dsp_budget must be in \(0, 1\]"),
        ({"board": "pynq-z3"}, "unknown board 'pynq-z3' \\(did you mean 'pynq-z2'\\?\\)"),
    ],
)
def test_bad_values_are_specific(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_mapping(ConvertConfig, mapping, "convert")
