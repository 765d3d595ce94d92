"""One rule per layer kind: multipliers (LUT shift-add vs DSP48), adder trees, memories, cycles."""

from __future__ import annotations

import typing

import pytest

from fpgaflow.errors import StepError
from fpgaflow.estimate.coefficients import load_coefficients
from fpgaflow.estimate.memory import bram18_for, in_bram, luts_for, place
from fpgaflow.estimate.model import estimate_design
from fpgaflow.estimate.rules import RULES, Context, LayerCost, Memory, cost_of, register
from fpgaflow.estimate.rules.mult import (
    constant_in_dsp,
    multiplier_limit,
    shift_add_bits,
    variable_dsp,
)
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec, LayerKind
from fpgaflow.estimate.weights import WeightProfile

PAR = Context(io_type="io_parallel", clock_period_ns=10.0)
STREAM = Context(io_type="io_stream", clock_period_ns=10.0)


def dense(codes: list[int], a: int = 16, w: int = 16, acc: int = 16, n_out: int = 1, **kw: typing.Any) -> HlsLayerSpec:
    profile = WeightProfile.from_codes(codes, w)
    return HlsLayerSpec(
        name="fc",
        kind="mult",
        width_in=len(codes) // n_out,
        width_out=n_out,
        input_bits=a,
        weight_bits=w,
        accum_bits=acc,
        n_weights=len(codes),
        weights=profile,
        terms=len(codes) // n_out,
        **kw,
    )


def test_zero_weights_cost_nothing_and_powers_of_two_only_an_adder() -> None:
    zero = cost_of(dense([0] * 8), PAR)
    assert (zero.dsp, zero.shift_add_bits, zero.adder_bits, zero.dsp_adder_bits) == (0, 0, 0, 0)
    shifts = cost_of(dense([1, 2, -4, 64]), PAR)
    assert (shifts.dsp, shifts.shift_add_bits) == (0, 0)  # wiring
    assert shifts.adder_bits == 4 * 16  # each shifted input still enters the 16-bit accumulation


def test_constant_product_goes_to_a_dsp_only_with_three_digits_and_a_wide_product() -> None:
    # 16-bit input x 6-bit weight 11 (3 CSD digits, 4 significant bits): 20-bit product -> DSP48 (the first
    # convolution of a QKeras CNN: the reports put it in DSPs).
    assert constant_in_dsp(WeightProfile.from_codes([11], 6), 16) == 1
    assert cost_of(dense([11, 11, 5], a=16, w=6), PAR).dsp == 2  # 5 = 4 + 1: two digits, shift-add
    # 6-bit input x 16-bit weight 0b101101011 (9 significant bits, 3+ digits): 15-bit product -> LUTs; one
    # more significant bit (10) makes it 16 bits wide -> DSP48 (the kdd CNN's dense layer: 2 of 128).
    narrow, wide = 0b101101011, 0b1011010111
    assert constant_in_dsp(WeightProfile.from_codes([narrow], 16), 6) == 0
    assert constant_in_dsp(WeightProfile.from_codes([wide], 16), 6) == 1
    # Random 6-bit weights within +-7/32 (|code| <= 7, at most 2 digits) never reach a DSP48: the untrained
    # 98-20-1 MLP on the xczu9eg uses none.
    assert constant_in_dsp(WeightProfile.from_codes(list(range(-7, 8)), 6), 16) == 0


@pytest.mark.parametrize(
    ("a", "w", "code", "bits"), [(4, 4, 5, 4 + 3), (6, 6, 11, 2 * (6 + 4)), (8, 8, 87, 3 * (8 + 7))]
)
def test_lut_multiplier_adder_bits_grow_with_both_widths_and_the_digits(a: int, w: int, code: int, bits: int) -> None:
    profile = WeightProfile.from_codes([code], w)
    assert shift_add_bits(profile, a) == bits  # (digits - 1) x (input bits + significant bits)


def test_a_low_bit_product_costs_at_most_36_luts_all_included() -> None:
    """The issue's bound from real reports: an 8-bit x 8-bit product with its adder, after synthesis, for
    weights spread over every 8-bit code (2.6 CSD digits on average); the 6-bit and 4-bit QKeras MLPs in the
    reports cost 17 and 6.5 LUTs per product."""
    coeffs = load_coefficients()
    codes = [c for c in range(-128, 128) if c]
    layer = dense(codes, a=8, w=8, acc=16, n_out=5)
    table = estimate_design(DesignSpec("one", (layer,), io_type="io_parallel"), coeffs, "synth")
    per_product = (table.total.lut - coeffs.synth.lut.control) / len(codes)
    assert per_product <= 36


def test_shared_multipliers_are_variable_products() -> None:
    assert variable_dsp(16, 16) == 1.0
    assert variable_dsp(16, 6) == 1.0  # PYNQ_IA jet MLP, first layer (Resource): 128 DSP48 for 128 multipliers
    assert variable_dsp(6, 6) == 0.5  # its later layers: 32 DSP48 for 64 multipliers
    assert variable_dsp(3, 5) == 0.0  # PYNQ_IA MNIST CNN dense: no DSP48
    assert variable_dsp(30, 20) == 4.0  # wider than 25 x 18: several slices
    layer = dense([3] * 96 + [0] * 32, n_out=8, reuse=8)
    assert multiplier_limit(layer) == 16 - 32 // 8  # hls4ml: ceil(128 / 8) - floor(zeros / 8)
    assert cost_of(layer, PAR).dsp == 12
    res = dense([3] * 96 + [0] * 32, n_out=8, reuse=8, strategy="resource")
    cost = cost_of(res, PAR)
    assert cost.dsp == 16  # zeros stay in the ROM
    assert cost.memories == (Memory("weights", depth=8, width=16 * 16),)


def test_memory_placement_per_level() -> None:
    small = Memory("fifo", depth=16, width=16)  # 256 bits: shift registers everywhere
    medium = Memory("fifo", depth=36, width=16)  # 576 bits: BRAM for HLS, LUTs after synthesis
    deep = Memory("fifo", depth=676, width=16)  # 10,816 bits: BRAM18 at both levels
    assert [in_bram(m, "hls") for m in (small, medium, deep)] == [False, True, True]
    assert [in_bram(m, "synth") for m in (small, medium, deep)] == [False, False, True]
    rom = Memory("weights", depth=16, width=1152 * 16)  # neutrino CNN, reuse 16: BRAM in HLS, LUTs after synth
    assert in_bram(rom, "hls") and not in_bram(rom, "synth")
    assert in_bram(Memory("weights", depth=128, width=256), "synth")
    assert luts_for(Memory("fifo", depth=36, width=16, count=4)) == 4 * 16 * 2  # SRLC32E: 32 words per LUT
    assert luts_for(Memory("table", depth=256, width=18)) == 18 * 4  # LUT ROM: 64 words per LUT
    assert bram18_for(1024, 18) == 1 and bram18_for(128, 256) == 8
    placed = place([small, medium, deep], "synth")
    assert (placed.bram18, placed.fifos, placed.bram_fifos) == (1, 2, 1)


def test_stream_convolution_line_buffer_window_and_interval() -> None:
    conv = HlsLayerSpec(
        name="c",
        kind="mult",
        pixels_in=28 * 28,
        width_in=4,
        pixels_out=26 * 26,
        width_out=8,
        n_weights=3 * 3 * 4 * 8,
        weights=WeightProfile.from_codes([3] * 288, 16),
        terms=36,
        kernel=(3, 3),
        row_in=28,
    )
    cost = cost_of(conv, STREAM)
    assert cost.memories == (Memory("linebuffer", depth=28, width=16, count=2 * 4),)
    assert cost.register_bits == 3 * 3 * 4 * 16  # the window
    assert cost.interval_cycles == 28 * 28  # one input pixel per cycle
    shared = cost_of(
        HlsLayerSpec(**{**conv.__dict__, "reuse": 16, "weights": WeightProfile.from_codes([11] * 288, 16)}), STREAM
    )
    # Shared multipliers: ceil(288 real multiplies / 18 multipliers) + 1 cycles per pixel.
    assert shared.interval_cycles == 28 * 28 * (16 + 1)


def test_softmax_tables_and_products() -> None:
    sm = HlsLayerSpec(name="s", kind="softmax", width_in=10, width_out=10, table_size=1024, table_bits=18)
    par = cost_of(sm, PAR)
    assert par.dsp == 10
    assert place(par.memories, "hls").bram18 == 5 + 1  # exp table per two lookups, one inverse table
    stream = cost_of(HlsLayerSpec(**{**sm.__dict__, "reuse": 16}), STREAM)
    assert stream.dsp == 1


@pytest.mark.parametrize(("gates", "tables"), [(3, 30), (4, 40)])
def test_recurrent_tables_match_the_top_tagging_reports(gates: int, tables: int) -> None:
    """GRU(20) and LSTM(20): 30 and 40 BRAM18 of sigmoid/tanh tables in the reports' recurrent instances."""
    cell = HlsLayerSpec(
        name="rnn",
        kind="recurrent",
        width_in=6,
        width_out=20,
        n_weights=gates * 20 * 26,
        weights=WeightProfile.dense(gates * 20 * 26, 16),
        terms=26,
        timesteps=20,
        gates=gates,
        table_size=1024,
    )
    cost = cost_of(cell, PAR)
    assert place(cost.memories, "hls").bram18 == tables
    assert cost.timing.repeat == 20
    assert cost.dsp >= 3 * 20  # gate products


def test_every_layer_kind_has_exactly_one_rule() -> None:
    cost_of(HlsLayerSpec(name="r", kind="reshape"), PAR)  # loads the rule modules
    assert set(RULES) == set(typing.get_args(LayerKind))
    with pytest.raises(ValueError, match="already registered"):
        register("pad")(lambda layer, ctx: LayerCost(name=layer.name))


def test_a_kind_without_rule_is_a_step_error(monkeypatch: pytest.MonkeyPatch) -> None:
    cost_of(HlsLayerSpec(name="r", kind="reshape"), PAR)
    monkeypatch.delitem(RULES, "pad")
    with pytest.raises(StepError, match="no resource rule for layer kind 'pad'"):
        cost_of(HlsLayerSpec(name="z", kind="pad"), PAR)
