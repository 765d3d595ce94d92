"""Per-layer trace: the comparison rules on known arrays, and a real tracing build that saturates one layer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from convert_models import adc_maps, tiny_qcnn

from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.hls import convert, split_output_activation
from fpgaflow.convert.plan_precision import Choice, LayerPrecision, PrecisionPlan
from fpgaflow.convert.precision import input_type_for_adc
from fpgaflow.convert.profile import layer_outputs
from fpgaflow.verify.trace import compare_layer, trace_design
from fpgaflow_board.fixed_point import FixedType


def _plan(t: FixedType) -> PrecisionPlan:
    return PrecisionPlan((LayerPrecision("l", "conv2d", Choice(t, "test")),), 0)


def test_saturating_type_clips_the_reference_and_counts() -> None:
    t = FixedType(6, 2, True, "TRN", "SAT")  # range [-2, 1.9375], step 1/16
    keras = np.array([[0.5, 3.0, -2.5, 1.9375, -2.0]])
    csim = np.array([[0.5, 1.9375, -2.0, 1.9375, -2.0]])
    row = compare_layer("l", _plan(t), csim, keras)
    assert (row.n_values, row.max_abs_diff, row.bit_exact_fraction, row.beyond_lsb) == (5, 0.0, 1.0, 0)
    assert (row.at_max, row.at_min, row.outside) == (2, 2, 2)


def test_wrapping_type_difference_is_beyond_one_lsb() -> None:
    t = FixedType(6, 2)  # WRAP: 3.0 becomes -1.0 in hardware
    row = compare_layer("l", _plan(t), np.array([[0.5, -1.0]]), np.array([[0.5, 3.0]]))
    assert (row.max_abs_diff, row.beyond_lsb, row.outside, row.bit_exact_fraction) == (4.0, 1, 1, 0.5)
    half_lsb = compare_layer("l", _plan(t), np.array([[0.5]]), np.array([[0.5 + 1 / 32]]))
    assert half_lsb.beyond_lsb == 0
    assert half_lsb.bit_exact_fraction == 0.0


@pytest.fixture(scope="module")
def model() -> Any:
    return split_output_activation(tiny_qcnn(np.random.default_rng(8)))[0]


def test_trace_finds_saturation_and_the_first_departure(model: Any, tmp_path: Path) -> None:
    """conv1's result forced to ap_fixed<…,1,TRN,SAT> (range [-1, 1)): the C-sim saturates the values QKeras
    has outside that range (conv1 itself stays exact after clipping), and relu1, whose quantiser range
    reaches 8, is the first layer that departs from QKeras."""
    x = adc_maps(np.random.default_rng(9), 60)
    base = convert(model, ConvertConfig(), tmp_path / "base", 1 / 256, x).pinned_config()
    frac = base.layers["conv1"].accum.fractional  # type: ignore[union-attr]
    narrow = FixedType(frac + 1, 1, True, "TRN", "SAT")
    layers = dict(base.layers)
    layers["conv1"] = replace(layers["conv1"], result=narrow)
    pinned = replace(base, layers=layers)
    result = trace_design(model, pinned, x)
    rows = {r.layer: r for r in result.layers}
    keras_conv1 = layer_outputs(model, x, ["conv1"])["conv1"]
    expected_outside = int(np.count_nonzero((keras_conv1 > narrow.max_value) | (keras_conv1 < narrow.min_value)))
    assert np.count_nonzero(keras_conv1 >= 1.0 + 2.0**-5) > 0  # some positive values change relu1's output
    conv1 = rows["conv1"]
    assert conv1.outside == expected_outside
    assert conv1.at_max + conv1.at_min >= expected_outside
    assert conv1.bit_exact_fraction == 1.0
    assert rows["relu1"].beyond_lsb > 0
    assert result.first_departure == "relu1"
    assert "conv1" in result.exact_layers
    assert "relu1" not in result.exact_layers


def test_range_count_on_the_whole_set(model: Any) -> None:
    from fpgaflow.convert.hls import plan
    from fpgaflow.verify.overflow import count_out_of_range

    x = adc_maps(np.random.default_rng(10), 150)
    narrow = FixedType(16, 1, True, "TRN", "SAT")
    cfg = ConvertConfig(layers={"conv1": LayerOverride(result=narrow)})
    precision = plan(model, cfg, input_type_for_adc(1 / 256))[1]
    rows = {r.layer: r for r in count_out_of_range(model, precision, x, batch_size=64)}
    conv1 = layer_outputs(model, x, ["conv1"])["conv1"]
    assert rows["conv1"].outside == int(np.count_nonzero((conv1 > narrow.max_value) | (conv1 < narrow.min_value)))
    assert rows["conv1"].outside > 0
    assert (rows["conv1"].n_values, rows["conv1"].overflow) == (150 * 6 * 6 * 3, "SAT")
    assert rows["conv1"].max_abs == pytest.approx(float(np.max(np.abs(conv1))))
    assert rows["relu1"].outside == 0  # a quantiser's output always fits its own type
