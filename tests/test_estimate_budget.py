"""Budget verdict with the estimate's range, throughput model, Markdown table and PNG bar chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpgaflow.errors import ConfigError
from fpgaflow.estimate.budget import FITS, OVER, UNCERTAIN, check_budget
from fpgaflow.estimate.plot import plot_budget
from fpgaflow.estimate.report import render_markdown
from fpgaflow.estimate.table import Band, LayerResources, ResourceTable
from fpgaflow.estimate.throughput import throughput
from fpgaflow_board.boards import get_board

BOARD = get_board("pynq-z2")  # 53,200 LUT, 106,400 FF, 220 DSP, 280 BRAM18, 10 ns; 70 % = 37,240 LUT


def table(
    lut: float, ff: float, dsp: float, bram: float, interval: float = 16384.0, spread: float = 0.0
) -> ResourceTable:
    total = LayerResources(
        "total", lut=lut, ff=ff, dsp=dsp, bram18=bram, latency_cycles=interval + 30, interval_cycles=interval
    )
    bands = tuple(
        Band(r, total.get(r) * (1 - spread), total.get(r) * (1 + spread)) for r in ("lut", "ff", "dsp", "bram18")
    )
    return ResourceTable(
        source="estimate", total=total, layers=(total,), clock_period_ns=10.0, notes=("ESTIMATE",), bands=bands
    )


def test_verdict_uses_the_range() -> None:
    exact = check_budget(table(37_240, 10_000, 154, 196), BOARD)  # exactly 70 % of LUT, DSP and BRAM18
    assert exact.fits and exact.status == FITS
    assert exact.verdict() == "fits the pynq-z2 within the 70 % budget"
    # 30k LUT (56 %) +-30 %: the top of the range, 39k, is over 37,240: it fits only if the estimate is high.
    maybe = check_budget(table(30_000, 10_000, 10, 10, spread=0.3), BOARD)
    assert maybe.status == UNCERTAIN and not maybe.fits
    assert maybe.over == ("lut",)
    assert maybe.verdict() == (
        "fits the pynq-z2 within the 70 % budget only if the estimate is high: LUT 30k (21k–39k) of 37,240"
    )
    # 45k LUT +-10 %: even the bottom, 40.5k, is over.
    over = check_budget(table(45_000, 10_000, 10, 10, spread=0.1), BOARD)
    assert over.status == OVER
    assert over.verdict().startswith("does not fit the pynq-z2 within the 70 % budget: LUT 45k (40k–50k)")
    assert check_budget(table(50_000, 0, 0, 0), BOARD, budget_fraction=1.0).fits


def test_worst_resource_decides() -> None:
    mixed = check_budget(table(20_000, 10_000, 180, 10, spread=0.2), BOARD)  # DSP 180 of 154 allowed, range 144-216
    rows = {r.resource: r.verdict for r in mixed.rows}
    assert rows == {"lut": FITS, "ff": FITS, "dsp": UNCERTAIN, "bram18": FITS}
    assert mixed.status == UNCERTAIN


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
    packed = throughput(table(1, 1, 1, 1, interval=16_384), BOARD, 128 * 128 * 3, element_bits=8)
    assert packed.words_per_map == 12_288
    assert packed.bound == "compute"
    assert packed.latency_us == pytest.approx((16_384 + 30) * 10e-3)


def test_markdown_shows_ranges_and_verdicts() -> None:
    t = table(200_000, 10_000, 100, 300, spread=0.25)
    md = render_markdown(t, check_budget(t, BOARD), throughput(t, BOARD, 49_152))
    assert "> ESTIMATE" in md
    assert "| lut | LUT 200k (150k–250k) | 53,200 | 375.9 % | 70 % | does not fit |" in md
    assert "LUT 200k (150k–250k), FF 10k (7.5k–12k)" in md
    assert "**2,035 maps/s**, bound by the dma" in md


def test_png_is_written(tmp_path: Path) -> None:
    t = table(20_000, 10_000, 100, 300, spread=0.2)
    path = plot_budget(check_budget(t, BOARD), tmp_path / "sub" / "u.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5_000
    assert [p.name for p in path.parent.iterdir()] == ["u.png"]  # no temp file left behind


def test_cli_level_and_core_only_reach_the_config() -> None:
    import argparse

    from fpgaflow.cli import estimate

    parser = argparse.ArgumentParser()
    estimate.register(parser.add_subparsers())
    args = parser.parse_args(["estimate", "m.keras", "--out", "o", "--level", "synth", "--core-only"])
    cfg = args.options.config(args)
    assert (cfg.level, cfg.core_only) == ("synth", True)
    plain = parser.parse_args(["estimate", "m.keras", "--out", "o"])
    assert (plain.options.config(plain).level, plain.options.config(plain).core_only) == ("impl", False)
    with pytest.raises(SystemExit):
        parser.parse_args(["estimate", "m.keras", "--out", "o", "--level", "post"])


def test_packed_wire_words_set_the_dma_bound() -> None:
    """Issue 20: 16,384 inputs in 4,096 32-bit words (4 ADC lanes) or 2,048 64-bit words, one per clock."""
    for words, rate in ((16_384, 6_103.5), (4_096, 24_414.1), (2_048, 48_828.1)):
        t = throughput(table(1, 1, 1, 1, interval=2_048), BOARD, 16_384, words_per_map=words)
        assert (t.words_per_map, round(t.maps_per_s, 1)) == (words, rate)
        assert t.bound == ("compute" if words == 2_048 else "dma")
