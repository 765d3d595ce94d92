"""fit scores the run's own configured design (per-layer reuse factors and strategies) as the point ``configured``:
its per-layer choices, its estimate against `fpgaflow estimate` of the same project, chosen or not by the same rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_fit_search import SCALE, tiny_model_and_maps

from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.estimate.table import RESOURCES
from fpgaflow.fit import FitConfig, FitResult, fit_model
from fpgaflow.fit.search import configured_sentence

#: conv1 (9 × 3 products) on hls4ml's Resource strategy at reuse 3, output_dense (147 × 1) Latency at reuse 1: a
#: per-layer mix no point of fit's grid (one rule, one strategy for every layer) can express.
MIXED = ConvertConfig(
    layers={
        "conv1": LayerOverride(reuse_factor=3, strategy="Resource"),
        "output_dense": LayerOverride(reuse_factor=1, strategy="Latency"),
    }
)
#: conv1 Latency at reuse 1 and the dense layer Resource at reuse 1: 147 shared multipliers in DSP48s.
DSP_HEAVY = ConvertConfig(
    layers={
        "conv1": LayerOverride(reuse_factor=1, strategy="Latency"),
        "output_dense": LayerOverride(reuse_factor=1, strategy="Resource"),
    }
)
GRID = {"reuse_factors": (1, 8), "reuse_modes": ("uniform", "balanced"), "csim_maps": 0}


@pytest.fixture(scope="module")
def tiny() -> tuple[Any, np.ndarray, np.ndarray]:
    return tiny_model_and_maps()


def _fit(tiny: tuple[Any, np.ndarray, np.ndarray], work: Path, configured: ConvertConfig, **space: Any) -> FitResult:
    model, maps, labels = tiny
    cfg = FitConfig(**(GRID | space))
    return fit_model(model, cfg, work, maps, labels, calibration=maps, input_scale=SCALE, configured=configured)


@pytest.fixture(scope="module")
def mixed(tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    return _fit(tiny, tmp_path_factory.mktemp("work"), MIXED, trim_bits=(0, 12))


def test_the_configured_point_has_the_configs_per_layer_reuse_factors_and_strategies(mixed: FitResult) -> None:
    p = mixed.configured
    assert p is not None and p.index == 0 and p.label == "configured"
    assert p.candidate.layer_reuse == {"conv1": 3, "output_dense": 1}
    assert p.candidate.strategies == {"conv1": "Resource", "output_dense": "Latency"}
    assert {n: (o.reuse_factor, o.strategy) for n, o in p.config.layers.items() if o.reuse_factor} == {
        "conv1": (3, "Resource"),
        "output_dense": (1, "Latency"),
    }
    row = p.to_dict()
    assert (row["label"], row["strategy"], row["trim_bits"]) == ("configured", "mixed", 0)
    assert row["layer_strategy"] == {"conv1": "Resource", "output_dense": "Latency"}
    # The untrimmed plan classifies like QKeras (labels are the model's own classes), as the grid's trim-0 points.
    assert p.accuracy == 1.0 == mixed.reference_accuracy
    assert p.accuracy_source == "emulator (Latency twin: same arithmetic)"
    assert len(mixed.points) == 1 + 16  # the configured design, then 2 trims × 2 strategies × 2 factors × 2 modes
    assert mixed.to_dict()["configured"] == "configured"


def test_the_configured_estimate_is_fpgaflow_estimate_of_the_same_project(
    mixed: FitResult, tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    """The run's convert step (its config, its calibration maps) writes a project; `fpgaflow estimate` of that
    project gives the configured point's LUT, FF, DSP48, BRAM18 and maps/s to the unit."""
    from fpgaflow.cli import main
    from fpgaflow.convert.hls import convert, split_output_activation

    model, maps, _ = tiny
    logit, _ = split_output_activation(model)
    convert(logit, MIXED, tmp_path / "hls", SCALE, maps)
    assert main(["-q", "estimate", str(tmp_path / "hls"), "--out", str(tmp_path / "estimate")]) == 0
    estimate = json.loads((tmp_path / "estimate" / "estimate.json").read_text())
    p = mixed.configured
    assert p is not None
    assert {r: estimate["table"]["total"][r] for r in RESOURCES} == p.resources
    assert estimate["maps_per_s"] == p.maps_per_s and estimate["status"] == p.verdict == "fits"
    # the mixed design is neither of the grid's all-Latency or all-Resource designs at the same factors
    assert all(q.resources != p.resources for q in mixed.points[1:])


def test_the_configured_design_is_chosen_when_it_is_the_most_accurate_that_fits(
    tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    result = _fit(tiny, tmp_path, MIXED, trim_bits=(12,))  # every grid point loses accuracy to 12 trimmed bits
    p = result.configured
    assert p is not None and p.fits
    assert max(q.accuracy or 0.0 for q in result.points[1:]) < p.accuracy == 1.0
    assert result.chosen is p
    assert configured_sentence(result) == (
        f"the configured design (the run's convert: section; 100.00 %, fits, {p.maps_per_s:,.0f} maps/s) is the "
        "chosen point"
    )
    assert result.chosen.config.layers["conv1"].strategy == "Resource"  # fit.yaml: the configured design pinned


def test_the_configured_design_is_not_chosen_when_it_does_not_fit(
    tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    """147 DSP48 multipliers do not fit a 25 % budget (55 of the 220 DSP48s): an equally accurate grid point
    that fits is chosen, and the sentence names the binding resource."""
    result = _fit(tiny, tmp_path, DSP_HEAVY, trim_bits=(0,), budget=0.25)
    p = result.configured
    assert p is not None and p.verdict == "does not fit" and p.over == ("dsp",)
    assert p.ranges["dsp"][0] > 0.25 * 220
    assert result.chosen is not p and result.chosen.fits and result.chosen.accuracy == p.accuracy == 1.0
    sentence = configured_sentence(result)
    assert sentence.startswith("the configured design (the run's convert: section; 100.00 %, does not fit, ")
    assert sentence.endswith(f"is not chosen: it does not fit (dsp {100 * p.utilisation['dsp']:.0f} %)")


def test_a_configured_design_for_another_board_is_left_out_and_said(
    tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    model, maps, labels = tiny
    other = ConvertConfig(board="xczu7ev-ffvc1156-2-e", backend="Vivado")
    cfg = FitConfig(reuse_factors=(1,), reuse_modes=("uniform",), strategies=("Latency",), trim_bits=(0,))
    result = fit_model(model, cfg, tmp_path, maps, labels, input_scale=SCALE, configured=other)
    assert result.configured is None and len(result.points) == 1
    assert configured_sentence(result) == (
        "no configured point: the run's convert: section targets the xczu7ev-ffvc1156-2-e, fit searches the pynq-z2"
    )


def test_a_configured_design_that_does_not_convert_is_left_out_and_said(
    tiny: tuple[Any, np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    """A convert: section for another model (a layer this one does not have) costs the configured point, not the
    grid: fit searches on and fit.md says why there is no configured point."""
    model, maps, labels = tiny
    other = ConvertConfig(layers={"conv9": LayerOverride(reuse_factor=4, strategy="Resource")})
    cfg = FitConfig(reuse_factors=(1,), reuse_modes=("uniform",), strategies=("Latency",), trim_bits=(0,))
    result = fit_model(model, cfg, tmp_path, maps, labels, input_scale=SCALE, configured=other)
    assert result.configured is None and len(result.points) == 1 and result.chosen is result.points[0]
    sentence = configured_sentence(result)
    assert sentence.startswith("no configured point: the run's convert: section does not convert this model (")
    assert "conv9" in sentence
