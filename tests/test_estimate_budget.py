"""Budget verdict, throughput model, Markdown table and PNG bar chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpgaflow.errors import ConfigError
from fpgaflow.estimate.budget import check_budget
from fpgaflow.estimate.coefficients import load_coefficients
from fpgaflow.estimate.estimator import AXI_WRAPPER, add_shell, error_note, shell_row
from fpgaflow.estimate.plot import plot_budget
from fpgaflow.estimate.report import render_markdown
from fpgaflow.estimate.table import LayerResources, ResourceTable
from fpgaflow.estimate.throughput import throughput
from fpgaflow_board.boards import get_board

BOARD = get_board("pynq-z2")  # 53,200 LUT, 106,400 FF, 220 DSP, 280 BRAM18, 10 ns


def table(lut: float, ff: float, dsp: float, bram: float, interval: float = 16384.0) -> ResourceTable:
    total = LayerResources(
        "total", lut=lut, ff=ff, dsp=dsp, bram18=bram, latency_cycles=interval + 30, interval_cycles=interval
    )
    return ResourceTable(
        source="estimate",
        total=total,
        layers=(total,),
        clock_period_ns=10.0,
        notes=(error_note(load_coefficients()),),
    )


def test_budget_verdict_at_70_percent() -> None:
    ok = check_budget(table(37_240, 10_000, 154, 196), BOARD)  # exactly 70 % of LUT, DSP and BRAM18
    assert ok.fits
    assert ok.verdict() == "fits the pynq-z2 within the 70 % budget"
    over = check_budget(table(200_000, 10_000, 100, 300), BOARD)
    assert not over.fits
    assert over.over == ("lut", "bram18")  # worst first: 376 % LUT, 107 % BRAM18
    assert "lut 376 %" in over.verdict()
    assert "bram18 107 %" in over.verdict()
    assert check_budget(table(50_000, 0, 0, 0), BOARD, budget_fraction=1.0).fits


def test_budget_fraction_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"budget fraction must lie in \(0, 1\]"):
        check_budget(table(1, 1, 1, 1), BOARD, budget_fraction=1.5)


def test_throughput_compute_vs_dma_bound() -> None:
    # 128x128x3 float32 maps: 49,152 32-bit words per map at 100 MHz -> 2,034.5 maps/s through the DMA;
    # a core interval of 16,384 cycles alone would allow 6,103.5 maps/s.
    rate = throughput(table(1, 1, 1, 1, interval=16_384), BOARD, 128 * 128 * 3)
    assert rate.words_per_map == 49_152
    assert rate.dma_maps_per_s == pytest.approx(1e8 / 49_152)
    assert rate.compute_maps_per_s == pytest.approx(1e8 / 16_384)
    assert rate.bound == "dma"
    assert rate.maps_per_s == pytest.approx(2034.5, abs=0.1)
    # Packing 8-bit inputs four to a word moves the bound to the core.
    packed = throughput(table(1, 1, 1, 1, interval=16_384), BOARD, 128 * 128 * 3, element_bits=8)
    assert packed.words_per_map == 12_288
    assert packed.bound == "compute"
    assert packed.latency_us == pytest.approx((16_384 + 30) * 10e-3)


def test_shell_is_added_to_the_total() -> None:
    dma = shell_row(BOARD)
    assert dma is not None
    # The PYNQ-Z2 shell from the board table: AXI DMA + interconnects + PS reset, nominal figures.
    assert (dma.name, dma.lut, dma.ff, dma.dsp, dma.bram18) == ("axi_dma+interconnect (nominal)", 3000, 4500, 0, 4)
    t = add_shell(table(1000, 1000, 10, 10), (AXI_WRAPPER, dma))
    assert t.total.lut == pytest.approx(1000 + AXI_WRAPPER.lut + dma.lut)
    assert t.total.bram18 == 10 + AXI_WRAPPER.bram18 + dma.bram18
    assert t.total.interval_cycles == 16384
    assert [r.name for r in t.layers][-2:] == [AXI_WRAPPER.name, dma.name]


def test_markdown_says_estimate_and_error(tmp_path: Path) -> None:
    t = table(200_000, 10_000, 100, 300)
    md = render_markdown(t, check_budget(t, BOARD), throughput(t, BOARD, 49_152))
    assert "ESTIMATE from an analytical model" in md
    assert "Mean relative error against Vivado HLS reports on 6 held-out designs" in md
    assert "| lut | 200,000 | 53,200 | 375.9 % **over** | 70 % |" in md
    assert "**2,035 maps/s**, bound by the dma" in md
    assert "latency 164.14 µs" in md


def test_png_is_written(tmp_path: Path) -> None:
    t = table(20_000, 10_000, 100, 300)
    path = plot_budget(check_budget(t, BOARD), tmp_path / "sub" / "u.png", load_coefficients())
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5_000
    assert [p.name for p in path.parent.iterdir()] == ["u.png"]  # no temp file left behind
