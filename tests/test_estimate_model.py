"""Per-layer formulas of the analytical resource model on hand-checkable layers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fpgaflow.errors import ConfigError
from fpgaflow.estimate.coefficients import LinearCoefficients, default_coefficients, load_coefficients
from fpgaflow.estimate.model import (
    bram18_for,
    dsp_tiles,
    estimate_design,
    estimate_layer,
    layer_features,
    multipliers,
)
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec

# Coefficients with exactly one LUT per multiplier bit-product and nothing else: features read off directly.
UNIT = replace(
    default_coefficients(),
    lut=LinearCoefficients(mult_lut_bits=1.0),
    ff=LinearCoefficients(),
    dsp_constant_fraction=1.0,
    dsp_small_variable_fraction=0.5,
)


def dense(**kw: object) -> HlsLayerSpec:
    base = {
        "name": "fc",
        "kind": "mult",
        "width_in": 16,
        "width_out": 8,
        "input_bits": 16,
        "output_bits": 16,
        "weight_bits": 8,
        "accum_bits": 24,
        "n_weights": 128,
        "fifo_depth": 1,
    }
    base.update(kw)
    return HlsLayerSpec(**base)  # type: ignore[arg-type]


def test_dense_16_to_8_reuse_1_has_128_multipliers() -> None:
    assert multipliers(dense()) == 128


def test_pruned_weights_cost_nothing_in_latency_but_do_in_resource() -> None:
    assert multipliers(dense(n_zeros=96)) == 32
    # Resource strategy reads weights from a ROM: zeros still occupy a multiplier slot.
    assert multipliers(dense(n_zeros=96, strategy="resource", reuse=4)) == 32
    assert multipliers(dense(n_zeros=0, strategy="resource", reuse=4)) == 32


def test_reuse_factor_divides_multipliers_rounding_up() -> None:
    assert [multipliers(dense(reuse=r)) for r in (1, 2, 4, 8, 16, 128)] == [128, 64, 32, 16, 8, 1]
    assert multipliers(dense(reuse=3)) == 43  # ceil(128 / 3)


def test_8bit_constant_weights_go_to_luts_16bit_to_dsps() -> None:
    narrow = estimate_layer(dense(), UNIT, "io_parallel")
    assert narrow.dsp == 0
    assert narrow.lut == 128 * 8 * 16  # every multiplier built from LUTs: 8 x 16 bit-products each
    wide = estimate_layer(dense(weight_bits=16), UNIT, "io_parallel")
    assert wide.dsp == 128
    assert wide.lut == 0


def test_resource_strategy_uses_dsp_when_either_operand_is_wide() -> None:
    layer = dense(strategy="resource", reuse=4)  # 8-bit weights from ROM x 16-bit inputs: variable multiply
    assert estimate_layer(layer, UNIT, "io_parallel").dsp == 32
    small = dense(strategy="resource", reuse=4, input_bits=6, weight_bits=6)
    assert estimate_layer(small, UNIT, "io_parallel").dsp == pytest.approx(16.0)  # 0.5 DSP per 6x6 multiply


def test_dsp_tiles_for_wide_operands() -> None:
    assert dsp_tiles(16, 16) == 1
    assert dsp_tiles(25, 18) == 1
    assert dsp_tiles(32, 16) == 2
    assert dsp_tiles(32, 32) == 4


def test_bram18_aspect_ratios() -> None:
    assert bram18_for(1024, 18) == 1
    assert bram18_for(1024, 16) == 1
    assert bram18_for(676, 10) == 1  # 1K x 18 shape
    assert bram18_for(4, 256) == 8  # wide and shallow: 36 bits per block
    assert bram18_for(4096, 16) == 4
    assert bram18_for(0, 16) == 0


def test_resource_weights_in_bram_and_stream_fifos() -> None:
    # Jet-tagging fc1 (16 -> 64, RF 8, 16-bit): block factor 128 x 16 bits = 2048 bits wide -> 57 BRAM18,
    # exactly what Vivado HLS reported for that instance.
    fc1 = dense(width_out=64, n_weights=1024, weight_bits=16, strategy="resource", reuse=8, fifo_depth=0)
    assert estimate_layer(fc1, UNIT, "io_parallel").bram18 == 57
    # io_stream conv output: 16 channel FIFOs of 676 x 10 bits -> one BRAM18 each; 25 x 3 bits -> SRLs.
    conv = HlsLayerSpec(
        name="c",
        kind="mult",
        pixels_in=784,
        width_in=1,
        pixels_out=676,
        width_out=16,
        input_bits=8,
        output_bits=10,
        weight_bits=4,
        n_weights=144,
        kernel=(3, 3),
        row_in=28,
        fifo_depth=676,
    )
    assert estimate_layer(conv, UNIT, "io_stream").bram18 == 16
    assert estimate_layer(replace(conv, fifo_depth=25, output_bits=3), UNIT, "io_stream").bram18 == 0


def test_sigmoid_table_copies_and_softmax() -> None:
    sig = HlsLayerSpec(name="s", kind="table", width_in=64, width_out=64, table_size=1024)
    assert estimate_layer(sig, UNIT, "io_parallel").bram18 == 32  # one dual-port table per 2 lookups
    soft = HlsLayerSpec(name="sm", kind="softmax", width_in=5, width_out=5, table_size=1024)
    row = estimate_layer(soft, UNIT, "io_parallel")
    assert row.bram18 == 4  # 3 exp-table copies + 1 inversion table (Vivado HLS reported 4 for the jet MLP)
    assert row.dsp == 5


def test_stream_interval_scales_with_reuse() -> None:
    conv = HlsLayerSpec(
        name="c",
        kind="mult",
        pixels_in=32 * 32,
        width_in=3,
        pixels_out=900,
        width_out=16,
        n_weights=432,
        kernel=(3, 3),
        row_in=32,
        fifo_depth=900,
    )
    for reuse in (1, 2, 4):
        row = estimate_layer(replace(conv, reuse=reuse), UNIT, "io_stream")
        assert row.interval_cycles == 1024 * reuse


def test_design_interval_is_slowest_layer_and_last_fifo_is_a_port() -> None:
    conv = HlsLayerSpec(
        name="c",
        kind="mult",
        pixels_in=1024,
        width_in=3,
        pixels_out=900,
        width_out=16,
        n_weights=432,
        kernel=(3, 3),
        row_in=32,
        fifo_depth=900,
    )
    relu = HlsLayerSpec(
        name="r", kind="elementwise", pixels_in=900, width_in=16, pixels_out=900, width_out=16, fifo_depth=900
    )
    design = DesignSpec(name="d", layers=(conv, relu), io_type="io_stream", clock_period_ns=10.0)
    table = estimate_design(design, UNIT, target="hls")
    assert table.total.interval_cycles == 1024
    assert table.layers[0].bram18 == 16  # conv -> relu FIFOs
    assert table.layers[1].bram18 == 0  # relu's output is the top-level port, not a FIFO
    assert table.latency_us() == pytest.approx(table.total.latency_cycles * 10e-3)


def test_synth_target_scales_by_measured_ratio() -> None:
    coeffs = load_coefficients()
    design = DesignSpec(name="d", layers=(dense(weight_bits=16),), io_type="io_parallel")
    hls = estimate_design(design, coeffs, target="hls").total
    syn = estimate_design(design, coeffs, target="synth").total
    assert syn.lut == pytest.approx(hls.lut * coeffs.synth_lut)
    assert 0.3 < coeffs.synth_lut < 0.7  # tutorial SVHN: 123,948 synthesised vs 245,466 HLS-estimated LUTs


def test_reshape_costs_nothing() -> None:
    flat = HlsLayerSpec(name="f", kind="reshape", width_in=96, width_out=96)
    assert layer_features(flat, UNIT, "io_stream")["layer"] == 0
    assert estimate_layer(flat, load_coefficients(), "io_stream").lut == 0


def test_invalid_layer_specs_are_rejected() -> None:
    with pytest.raises(ConfigError, match="reuse factor must be >= 1"):
        dense(reuse=0)
    with pytest.raises(ConfigError, match="n_zeros 200 must lie in"):
        dense(n_zeros=200)


def test_stream_flatten_reads_one_pixel_per_cycle() -> None:
    flat = HlsLayerSpec(name="f", kind="reshape", pixels_in=225, width_in=16, width_out=3600)
    row = estimate_layer(flat, UNIT, "io_stream")
    assert (row.latency_cycles, row.interval_cycles) == (225, 225)
    assert estimate_layer(flat, UNIT, "io_parallel").interval_cycles == 1
