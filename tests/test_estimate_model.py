"""The design model: levels, per-layer rows, DSP48 cap, FIFOs, cycles, the shell and the ranges."""

from __future__ import annotations

import pytest

from fpgaflow.estimate.budget import check_budget
from fpgaflow.estimate.coefficients import default_coefficients, load_coefficients
from fpgaflow.estimate.design_cost import FIFOS_ROW, OVERFLOW_ROW, design_cost
from fpgaflow.estimate.estimator import AXI_WRAPPER, estimate_design_on_board, shell_row
from fpgaflow.estimate.model import estimate_design
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec
from fpgaflow.estimate.timing import Delays
from fpgaflow.estimate.weights import WeightProfile
from fpgaflow_board.boards import get_board

COEFFS = load_coefficients()
BOARD = get_board("pynq-z2")


def fc(name: str, n_in: int, n_out: int, code: int = 11, **kw: object) -> HlsLayerSpec:
    n = n_in * n_out
    return HlsLayerSpec(
        name=name,
        kind="mult",
        width_in=n_in,
        width_out=n_out,
        n_weights=n,
        weights=WeightProfile.from_codes([code] * n, 16),
        terms=n_in,
        **kw,  # type: ignore[arg-type]
    )


def mlp(n_hidden: int = 32) -> DesignSpec:
    relu = HlsLayerSpec(name="relu", kind="elementwise", width_in=n_hidden, width_out=n_hidden)
    return DesignSpec(
        "mlp", (fc("fc1", 16, n_hidden), relu, fc("fc2", n_hidden, 5)), io_type="io_parallel", clock_period_ns=5.0
    )


def cnn() -> DesignSpec:
    conv = HlsLayerSpec(
        name="conv",
        kind="mult",
        pixels_in=32 * 32,
        width_in=1,
        pixels_out=30 * 30,
        width_out=4,
        n_weights=36,
        weights=WeightProfile.from_codes([11] * 36, 16),
        terms=9,
        kernel=(3, 3),
        row_in=32,
        fifo_depth=900,
    )
    relu = HlsLayerSpec(
        name="relu", kind="elementwise", pixels_in=900, width_in=4, pixels_out=900, width_out=4, fifo_depth=900
    )
    pool = HlsLayerSpec(
        name="pool",
        kind="pool",
        pixels_in=900,
        width_in=4,
        pixels_out=225,
        width_out=4,
        kernel=(2, 2),
        stride=(2, 2),
        row_in=30,
        fifo_depth=225,
    )
    return DesignSpec("cnn", (conv, relu, pool), io_type="io_stream", clock_period_ns=10.0)


def test_rows_add_up_to_the_total_at_every_level() -> None:
    for level in ("hls", "synth", "impl"):
        table = estimate_design(cnn(), COEFFS, level)
        names = [r.name for r in table.layers]
        assert names == ["conv", "relu", "pool", FIFOS_ROW]
        assert table.total.lut == pytest.approx(sum(r.lut for r in table.layers))
        assert table.total.bram18 == sum(r.bram18 for r in table.layers)
    # 8 FIFOs of 900 x 16 bits (14,400 bits: one BRAM18 each); the pool's output is the top-level port.
    assert estimate_design(cnn(), COEFFS, "synth").total.bram18 == 8
    hls, synth = (estimate_design(cnn(), COEFFS, lv).total for lv in ("hls", "synth"))
    assert synth.lut < hls.lut  # HLS overstates LUTs
    impl = estimate_design(cnn(), COEFFS, "impl").total
    assert impl.lut == pytest.approx(synth.lut * COEFFS.impl_lut)


def test_stream_interval_is_the_slowest_layer() -> None:
    cost = design_cost(cnn(), COEFFS.delays)
    conv_depth = cost.depths[0]
    assert cost.interval_cycles == 32 * 32 + conv_depth + 1  # one input pixel per cycle, plus the fill
    assert cost.latency_cycles > cost.interval_cycles


def test_parallel_latency_follows_the_chain_not_the_sum_of_layers() -> None:
    d = Delays(dsp=3.0, adder=0.5, boundary=0.0)
    cost = design_cost(mlp(), d)
    # fc1: 3 + 5 x 0.5 = 5.5 ns, relu 0.9 ns, fc2: 3 + 6 x 0.5 = 6 ns -> 12.4 ns chained at 4.375 ns: 3 stages,
    # where each layer rounded up on its own would take 2 + 1 + 2.
    assert cost.latency_cycles == 3
    assert cost.interval_cycles == 1


def test_dsp_cap_moves_products_to_luts_after_synthesis() -> None:
    big = DesignSpec("big", (fc("fc", 32, 10),), io_type="io_parallel")  # 320 products of 3 digits: 320 DSP48
    hls = estimate_design(big, COEFFS, "hls", device_dsp=220)
    assert hls.total.dsp == 320
    synth = estimate_design(big, COEFFS, "synth", device_dsp=220)
    assert synth.total.dsp == 220
    assert [r.name for r in synth.layers][-1] == OVERFLOW_ROW
    uncapped = estimate_design(big, COEFFS, "synth")
    assert synth.total.lut > uncapped.total.lut + 100 * 20  # 100 products of ~28-bit shift-adds


def test_board_adds_wrapper_and_measured_shell_and_core_only_does_not() -> None:
    shell = shell_row(BOARD)
    assert shell is not None and shell.name == "axi_dma+interconnect"  # measured, not nominal
    full = estimate_design_on_board(cnn(), BOARD, COEFFS)
    core = estimate_design_on_board(cnn(), BOARD, COEFFS, core_only=True)
    assert [r.name for r in full.layers][-2:] == [AXI_WRAPPER.name, shell.name]
    assert full.total.lut == pytest.approx(core.total.lut + AXI_WRAPPER.lut + shell.lut)
    assert any("core only" in n for n in core.notes)
    assert "ESTIMATE of the post-implementation utilisation" in full.notes[0]


def test_ranges_scale_the_model_part_by_the_measured_error() -> None:
    table = estimate_design_on_board(cnn(), BOARD, COEFFS)
    band = table.band("lut")
    err = COEFFS.error("synth", "lut")
    assert band is not None and err is not None
    fixed = AXI_WRAPPER.lut + BOARD.shell.lut  # type: ignore[union-attr]
    assert band.low == pytest.approx(fixed + (table.total.lut - fixed) * err.ratio_low)
    assert band.high == pytest.approx(fixed + (table.total.lut - fixed) * err.ratio_high)
    assert band.low <= table.total.lut <= band.high
    text = table.with_interval("lut")
    assert text.startswith("LUT ") and "(" in text and "–" in text
    # Before calibration there is no measured error: the range is the estimate itself.
    plain = estimate_design_on_board(cnn(), BOARD, default_coefficients())
    assert plain.band("lut") is not None and plain.band("lut").low == pytest.approx(plain.total.lut)  # type: ignore[union-attr]


def test_any_board_table_entry_caps_the_core(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from fpgaflow_board import boards

    small = replace(BOARD, name="small", dsp=100, shell=None)
    monkeypatch.setitem(boards.BOARDS, "small", small)
    big = DesignSpec("big", (fc("fc", 32, 10),), io_type="io_parallel")
    table = estimate_design_on_board(big, small, COEFFS, level="synth", core_only=True)
    assert table.total.dsp == 100
    assert check_budget(table, small).status == "does not fit"
