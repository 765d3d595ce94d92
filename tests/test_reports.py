"""Parsers of real Vivado HLS / Vivado reports, checked on the reports in ../shared/calibration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fpgaflow.errors import DataError
from fpgaflow.estimate.calibration import find_calibration_root
from fpgaflow.estimate.reports import (
    parse_csynth_rpt,
    parse_csynth_summary,
    parse_csynth_xml,
    parse_hls4ml_baseline_json,
    parse_hls_report,
    parse_utilization_rpt,
)
from fpgaflow.estimate.table import LayerResources

try:  # at import, not in a fixture: the parametrisation below reads the reports' index at collection time
    CAL = find_calibration_root()
except DataError:
    pytest.skip("calibration reports (../shared/calibration) not present on this machine", allow_module_level=True)

JET_PRUNED = CAL / "pynqia_jet_Qkeras_pruned_hls4ml_PYNQ_prj"


def test_csynth_rpt_axi_wrapper_on_the_z020() -> None:
    table = parse_csynth_rpt(JET_PRUNED / "myproject_axi_csynth.rpt")
    assert table.source == "vivado_hls csynth"
    assert table.total == LayerResources(
        name="total", lut=61044, ff=22076, dsp=202, bram18=52, latency_cycles=140, interval_cycles=140
    )
    assert table.clock_period_ns == 5.0
    assert table.notes == ("Vivado HLS 2020.1 report for myproject_axi", "estimated clock 4.304 ns")
    # The wrapper's instances: the network (with its latency/interval) and the AXI-Lite adapter.
    assert table.layers[0] == LayerResources(
        name="myproject", lut=60592, ff=21283, dsp=202, bram18=48, latency_cycles=117, interval_cycles=32
    )
    assert table.layers[1].name == "myproject_axi_AXILiteS_s_axi"
    assert table.layers[1].latency_cycles is None
    assert table.latency_us() == pytest.approx(0.700)


def test_csynth_rpt_per_layer_rows_of_the_svhn_cnn() -> None:
    table = parse_csynth_rpt(CAL / "tutorial-svhn-cnn-pruned" / "myproject_csynth.rpt")
    assert (table.total.bram18, table.total.dsp, table.total.ff, table.total.lut) == (
        100,
        5414,
        52549,
        245466,
    )
    assert (table.total.latency_cycles, table.total.interval_cycles) == (1044, 1028)
    assert len(table.layers) == 16
    conv2 = next(layer for layer in table.layers if layer.name.endswith("config2_s"))
    assert (conv2.dsp, conv2.ff, conv2.lut, conv2.latency_cycles) == (208, 3799, 6334, 1027)
    # FIFOs between dataflow stages are in the total but in no instance row.
    assert sum(layer.lut for layer in table.layers) == 231790


def test_csynth_rpt_vivado_hls_2019_2() -> None:
    table = parse_csynth_rpt(CAL / "yolov3tiny_modhls4ml_z020" / "myproject_axi_csynth.rpt")
    assert table.notes[0] == "Vivado HLS 2019.2 report for myproject_axi"
    assert (table.total.latency_cycles, table.total.interval_cycles) == (7861648, 4123601)
    assert (table.total.bram18, table.total.dsp) == (366, 42)


def test_csynth_rpt_vitis_layout_with_dsp_column() -> None:
    table = parse_csynth_rpt(CAL / "iris_mlp_z020" / "myproject.verbose.rpt")
    assert table.source == "vitis_hls csynth"
    assert (table.total.bram18, table.total.dsp, table.total.ff, table.total.lut) == (3, 110, 13240, 4725)
    assert (table.total.latency_cycles, table.total.interval_cycles) == (32, 1)


def test_csynth_xml_matches_the_text_report_where_both_exist() -> None:
    xml = parse_csynth_xml(JET_PRUNED / "myproject_csynth.xml")
    rpt = parse_csynth_rpt(JET_PRUNED / "myproject_csynth.rpt")
    assert xml.total == LayerResources(
        name="total", lut=60592, ff=21283, dsp=202, bram18=48, latency_cycles=117, interval_cycles=32
    )
    assert xml.total == rpt.total
    assert xml.clock_period_ns == 5.0
    # For a non-pipelined top the XML's Interval-max is latency + 1; the text table says latency.
    wrapper = parse_hls_report(CAL / "pynqia_jet_Keras_only_hls4ml_PYNQ_prj" / "myproject_axi_csynth.xml")
    assert (wrapper.total.latency_cycles, wrapper.total.interval_cycles) == (143, 144)
    assert (wrapper.total.lut, wrapper.total.dsp, wrapper.total.bram18) == (54114, 271, 128)


def test_vivado_utilization_ultrascale_post_synthesis() -> None:
    table = parse_utilization_rpt(CAL / "tutorial-svhn-cnn-pruned" / "vivado_synth.rpt", clock_period_ns=5.0)
    assert table.source == "vivado synth"
    # 42 Block RAM Tiles (RAMB36) = 84 BRAM18; LUTs far below the HLS estimate of 245,466.
    assert table.total == LayerResources(name="total", lut=123948, ff=43435, dsp=5386, bram18=84)
    assert "device xcu250figd2104-2L, Synthesized" in table.notes[0]


SEVEN_SERIES_ROUTED = """\
| Tool Version : Vivado v.2020.1 (lin64) Build 2902540 Wed May 27 19:54:35 MDT 2020
| Device       : 7z020clg400-1
| Design State : Routed
1. Slice Logic
+----------------------------+-------+-------+-----------+-------+
|          Site Type         |  Used | Fixed | Available | Util% |
+----------------------------+-------+-------+-----------+-------+
| Slice LUTs                 | 12034 |     0 |     53200 | 22.62 |
|   LUT as Logic             | 11234 |     0 |     53200 | 21.12 |
| Slice Registers            | 15110 |     0 |    106400 | 14.20 |
|   Register as Flip Flop    | 15102 |     0 |    106400 | 14.19 |
|   Register as Latch        |     8 |     0 |    106400 |  0.01 |
+----------------------------+-------+-------+-----------+-------+
2. Memory
| Block RAM Tile    |  9.5 |     0 |       140 |  6.79 |
|   RAMB36/FIFO*    |    8 |     0 |       140 |  5.71 |
|   RAMB18          |    3 |     0 |       280 |  1.07 |
3. DSP
| DSPs           |   57 |     0 |       220 | 25.91 |
"""


def test_vivado_utilization_seven_series_post_route(tmp_path: Path) -> None:
    path = tmp_path / "utilization_impl.rpt"
    path.write_text(SEVEN_SERIES_ROUTED)
    table = parse_utilization_rpt(path, clock_period_ns=10.0)
    assert table.source == "vivado impl"
    assert table.total == LayerResources(name="total", lut=12034, ff=15102, dsp=57, bram18=19)


def test_parsers_name_the_file_they_cannot_read(tmp_path: Path) -> None:
    bogus = tmp_path / "x_csynth.rpt"
    bogus.write_text("hello\n")
    with pytest.raises(DataError, match=r"x_csynth\.rpt: no .== Vivado HLS Report for"):
        parse_csynth_rpt(bogus)
    with pytest.raises(DataError, match=r"x_csynth\.rpt: no lut, bram36, dsp row"):
        parse_utilization_rpt(bogus)
    broken = tmp_path / "y.xml"
    broken.write_text("<profile><AreaEstimates>")
    with pytest.raises(DataError, match=r"y\.xml: not valid XML"):
        parse_csynth_xml(broken)


def test_csynth_rpt_vivado_hls_2019_1_latency_table_without_absolute_columns() -> None:
    """2019.1 latency tables have min/max latency and interval only; the calibration's old reader and this
    parser's old column indices both failed on them (DataError / IndexError)."""
    reports = CAL / "public-designs" / "vsman_toptag_gru_7vx690t" / "reports"
    table = parse_csynth_rpt(reports / "myproject_prj__solution1__syn__report__myproject_csynth.rpt")
    assert table.total == LayerResources(
        name="total", lut=95156, ff=66982, dsp=2336, bram18=31, latency_cycles=354, interval_cycles=354
    )
    gru = next(layer for layer in table.layers if layer.name.startswith("gru_stack"))
    assert (gru.latency_cycles, gru.interval_cycles) == (339, 339)


def _index_rows() -> list[tuple[str, str, str]]:
    """(design, HLS LUT/FF/DSP/BRAM18, post-synthesis LUT/FF/DSP/BRAM18) as copied into INDEX.md."""
    index = CAL / "public-designs" / "INDEX.md"
    if not index.is_file():
        return []
    rows = []
    for line in index.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| \d+ \| \[(\w+)\]", line)
        if m:
            cells = [c.strip() for c in line.split("|")]
            rows.append((m.group(1), cells[11], cells[12]))
    return rows


def _figures(t: LayerResources) -> str:
    return f"{t.lut:.0f}/{t.ff:.0f}/{t.dsp:.0f}/{t.bram18:.0f}"


@pytest.mark.parametrize(("design", "hls", "post"), _index_rows())
def test_every_public_design_reads_as_its_index_says(design: str, hls: str, post: str) -> None:
    """The figures INDEX.md copied by hand from each report (BRAM18 = 2 x Block RAM Tile) = what we parse."""
    reports = CAL / "public-designs" / design / "reports"
    csynth = sorted(reports.glob("*myproject_csynth.rpt"))[0]
    assert _figures(parse_csynth_rpt(csynth).total) == hls
    utilisation = [p for p in sorted(reports.glob("*.rpt")) if "csynth" not in p.name]
    assert post in [_figures(parse_utilization_rpt(p).total) for p in utilisation]


def test_index_lists_the_public_designs() -> None:
    assert len(_index_rows()) == 18


def test_csynth_summary_rows_by_category() -> None:
    rows = parse_csynth_summary(CAL / "tutorial-svhn-cnn-pruned" / "myproject_csynth.rpt")
    assert (rows["FIFO"].ff, rows["FIFO"].lut) == (5518, 13608)
    assert (rows["Total"].lut, rows["Total"].bram18) == (245466, 100)
    assert rows["Total"] == LayerResources(name="Total", lut=245466, ff=52549, dsp=5414, bram18=100)


def test_hls4ml_baseline_json() -> None:
    path = CAL / "hls4ml-vivado-2020.1" / "test_keras_api_test_dense_io_stream-Vivado.json"
    total = parse_hls4ml_baseline_json(path).total
    assert (total.lut, total.ff, total.dsp, total.bram18) == (304, 51, 2, 1)


def test_missing_report_is_a_data_error(tmp_path: Path) -> None:
    for parse in (parse_csynth_rpt, parse_csynth_xml, parse_utilization_rpt, parse_hls4ml_baseline_json):
        with pytest.raises(DataError, match=r"nope\.rpt: report not found"):
            parse(tmp_path / "nope.rpt")
    bad = tmp_path / "b.json"
    bad.write_text('{"other": 1}')
    with pytest.raises(DataError, match=r"b\.json: not an hls4ml baseline report \(KeyError"):
        parse_hls4ml_baseline_json(bad)
