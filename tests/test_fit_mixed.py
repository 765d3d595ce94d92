"""fit's reuse mode ``mixed``: per-layer strategies found on the estimate, designs the one-strategy grid lacks."""

from __future__ import annotations

from typing import Any

import pytest
from test_fit_search import SCALE, tiny_model_and_maps

from fpgaflow.fit import FitConfig, FitResult, fit_model
from fpgaflow.fit.mix_strategies import binding
from fpgaflow_board.boards import get_board


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    model, maps, labels = tiny_model_and_maps()
    cfg = FitConfig(reuse_factors=(1, 8), reuse_modes=("balanced", "mixed"), trim_bits=(0,), csim_maps=0)
    return fit_model(model, cfg, tmp_path_factory.mktemp("work"), maps, labels, calibration=maps, input_scale=SCALE)


def _point(result: FitResult, label: str) -> Any:
    return next(p for p in result.points if p.label == label)


def test_mixed_finds_a_per_layer_design_at_the_latency_rate_with_fewer_resources(result: FitResult) -> None:
    """At R8, conv1 (9 × 3 products, 14 × 14 pixels) stays on Latency at reuse 9 and the dense layer (147 products,
    once per map) moves to Resource: as fast as the all-Latency design, cheaper in LUTs and in its binding resource,
    3.2x faster than the all-Resource one."""
    mixed = _point(result, "R8-mixed/trim0/margin1")
    latency = _point(result, "R8-balanced/Latency/trim0/margin1")
    resource = _point(result, "R8-balanced/Resource/trim0/margin1")
    assert mixed.candidate.layer_reuse == {"conv1": 9, "output_dense": 147}
    assert mixed.candidate.strategies == {"conv1": "Latency", "output_dense": "Resource"}
    assert mixed.to_dict()["strategy"] == "mixed"
    assert mixed.maps_per_s == latency.maps_per_s > 3 * resource.maps_per_s
    board = get_board("pynq-z2")
    assert binding(mixed, board) < binding(latency, board)
    assert mixed.resources["lut"] < 0.8 * latency.resources["lut"]
    assert mixed.accuracy == latency.accuracy == 1.0 and mixed.verdict == "fits"


def test_a_mixed_design_the_grid_already_has_is_not_repeated(result: FitResult) -> None:
    """At R1 the search moves both layers to Resource: the grid's R1-balanced/Resource point, listed once."""
    assert [p.label for p in result.points] == [
        "R1-balanced/Latency/trim0/margin1",
        "R8-balanced/Latency/trim0/margin1",
        "R1-balanced/Resource/trim0/margin1",
        "R8-balanced/Resource/trim0/margin1",
        "R8-mixed/trim0/margin1",
    ]


def test_mixed_is_a_reuse_mode_of_the_config() -> None:
    from fpgaflow.config.strict import from_mapping
    from fpgaflow.errors import ConfigError

    assert from_mapping(FitConfig, {"reuse_modes": ["mixed"]}, "fit").reuse_modes == ("mixed",)
    with pytest.raises(ConfigError, match="did you mean 'mixed'"):
        from_mapping(FitConfig, {"reuse_modes": ["mixd"]}, "fit")
