"""Parse real Xilinx reports into :class:`~fpgaflow.estimate.table.ResourceTable` (same table as estimates).

The one reader of synthesis reports (the build's summary and the estimator's calibration both use it).
Supported: Vivado HLS ``<top>_csynth.rpt`` and ``<top>_csynth.xml`` (2019.1 to 2020.1; 2019.1 latency
tables lack the absolute-time columns; Vitis HLS text reports share the layout with a ``DSP`` column instead
of ``DSP48E``), Vivado ``report_utilization`` text reports (7-series ``Slice LUTs``/``Register as Flip
Flop`` and UltraScale ``CLB LUTs``/``CLB Registers``) and hls4ml's test-baseline JSON (``CSynthesisReport``).
Latency is the worst case in cycles, interval the largest initiation interval in cycles; a Vivado
``Block RAM Tile`` is a RAMB36, counted as 2 BRAM18 (``RAMB18`` halves included).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from fpgaflow.errors import DataError
from fpgaflow.estimate.table import LayerResources, ResourceTable

_HLS_COLUMNS = {"BRAM_18K": "bram18", "DSP48E": "dsp", "DSP": "dsp", "FF": "ff", "LUT": "lut"}
_VERSION = re.compile(r"^\* Version:\s*(\S+)", re.MULTILINE)
_TOOL = re.compile(r"^== (Vivado|Vitis) HLS Report for '(\w+)'", re.MULTILINE)
_CLOCK_ROW = re.compile(r"^\s*\|ap_clk\s*\|\s*([\d.]+)\s*ns\s*\|\s*([\d.]+)\s*ns", re.MULTILINE)


def _read(path: Path) -> str:
    if not path.is_file():
        raise DataError(f"{path}: report not found")
    return path.read_text(encoding="utf-8", errors="replace")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _number(text: str) -> float:
    """A report cell: ``-``/empty/``N/A`` read as 0; Vitis HLS prints ``~0`` for a rounded-down fraction."""
    text = text.lstrip("~")
    return 0.0 if text in ("-", "", "N/A") else float(text)


def _section(text: str, title: str, path: Path) -> str:
    """Text from the ``== <title>`` banner to the next banner."""
    start = text.find(f"== {title}")
    if start < 0:
        raise DataError(f"{path}: no '== {title}' section (not a Vivado HLS csynth report?)")
    end = text.find("\n================", text.find("\n", text.find("\n", start) + 1) + 1)
    return text[start : end if end > 0 else len(text)]


def _resource_table(lines: list[str], first_header: str) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows of the first ``|...|`` table whose header starts with ``first_header``."""
    for i, line in enumerate(lines):
        cells = _cells(line) if line.strip().startswith("|") else []
        if cells and cells[0] == first_header:
            rows = []
            for row in lines[i + 1 :]:
                stripped = row.strip()
                if stripped.startswith("+"):
                    continue
                if not stripped.startswith("|"):
                    break
                rows.append(_cells(row))
            return cells, rows
    return [], []


def _resources(header: list[str], row: list[str]) -> dict[str, float]:
    values = {}
    for name, cell in zip(header, row, strict=False):
        if name in _HLS_COLUMNS:
            values[_HLS_COLUMNS[name]] = _number(cell)
    return values


def _latency_rows(block: list[str]) -> list[list[str]]:
    """Data rows of a latency table (cells that start with a digit after the optional instance columns)."""
    return [_cells(line) for line in block if line.strip().startswith("|") and re.search(r"\|\s*\d+\|", line)]


def _latency_interval(row: list[str], first: int) -> tuple[float, float]:
    """(worst latency, largest interval) of a latency-table row whose numbers start at cell ``first``.

    Columns are latency min/max, [absolute min/max (2019.2 and later)], interval min/max, pipeline type:
    the worst latency is cell ``first + 1`` and the largest interval always the next-to-last cell.
    """
    return _number(row[first + 1]), _number(row[-2])


def _csynth_text(path: Path) -> tuple[str, re.Match[str]]:
    text = _read(path)
    tool = _TOOL.search(text)
    if tool is None:
        raise DataError(f"{path}: no '== Vivado HLS Report for ...' banner (not a csynth report)")
    return text, tool


def parse_csynth_summary(path: Path | str) -> dict[str, LayerResources]:
    """The utilisation summary of a ``*_csynth.rpt`` by category (``DSP``, ``Expression``, ``FIFO``,
    ``Instance``, ``Memory``, ``Multiplexer``, ``Register``, ``Total``); ``-`` cells read as 0."""
    path = Path(path)
    text, _ = _csynth_text(path)
    header, rows = _resource_table(_section(text, "Utilization Estimates", path).splitlines(), "Name")
    return {row[0]: LayerResources(name=row[0], **_resources(header, row)) for row in rows if row and row[0]}


def parse_csynth_rpt(path: Path | str) -> ResourceTable:
    """Read a Vivado/Vitis HLS ``*_csynth.rpt``: totals, per-instance rows, latency, interval, clock."""
    path = Path(path)
    text, tool = _csynth_text(path)
    perf = _section(text, "Performance Estimates", path)
    util = _section(text, "Utilization Estimates", path)

    clock = _CLOCK_ROW.search(perf)
    summary, _, detail = perf.partition("+ Detail:")
    top_rows = _latency_rows(summary.splitlines())
    if not top_rows:
        raise DataError(f"{path}: no latency summary row under '+ Latency:'")
    latency, interval = _latency_interval(top_rows[0], 0)
    instance_latency = {row[0]: row for row in _latency_rows(detail.split("* Loop:")[0].splitlines())}

    util_lines = util.splitlines()
    header, rows = _resource_table(util_lines, "Name")
    total_row = next((r for r in rows if r[0] == "Total"), None)
    if total_row is None:
        raise DataError(f"{path}: no 'Total' row in the utilisation summary")
    detail_lines = util.partition("+ Detail:")[2].splitlines()
    inst_header, inst_rows = _resource_table(detail_lines, "Instance")
    layers = []
    for row in inst_rows:
        if row[0] == "Total":
            break
        timing = _latency_interval(instance_latency[row[0]], 2) if row[0] in instance_latency else (None, None)
        layers.append(
            LayerResources(
                name=row[1] or row[0],
                **_resources(inst_header, row),
                latency_cycles=timing[0],
                interval_cycles=timing[1],
            )
        )
    version = _VERSION.search(text)
    notes = [f"{tool.group(1)} HLS {version.group(1) if version else '?'} report for {tool.group(2)}"]
    if clock:
        notes.append(f"estimated clock {clock.group(2)} ns")
    return ResourceTable(
        source=f"{tool.group(1).lower()}_hls csynth",
        total=LayerResources(
            name="total",
            **_resources(header, total_row),
            latency_cycles=latency,
            interval_cycles=interval,
        ),
        layers=tuple(layers),
        clock_period_ns=float(clock.group(1)) if clock else None,
        notes=tuple(notes),
    )


def _xml_number(root: ET.Element, path: str, file: Path) -> float:
    node = root.find(path)
    if node is None or node.text is None:
        raise DataError(f"{file}: no <{path}> element")
    return _number(node.text.strip())


def parse_csynth_xml(path: Path | str) -> ResourceTable:
    """Read a Vivado HLS or Vitis HLS ``*_csynth.xml``: totals, worst-case latency, largest interval, target clock."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: report not found")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise DataError(f"{path}: not valid XML: {exc}") from None
    resources = root.find("AreaEstimates/Resources")
    if resources is None:
        raise DataError(f"{path}: no <AreaEstimates><Resources> (not a csynth.xml?)")
    values = {}
    for child in resources:
        if child.tag in _HLS_COLUMNS and child.text is not None:
            values[_HLS_COLUMNS[child.tag]] = _number(child.text.strip())
    latency = "PerformanceEstimates/SummaryOfOverallLatency"
    version = root.findtext("ReportVersion/Version", default="?")
    top = root.findtext("UserAssignments/TopModelName", default="?")
    estimated = root.findtext("PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod")
    # Vitis HLS (2020.2+) records its flow target; Vivado HLS has no such element.
    tool = "vitis_hls" if root.find("UserAssignments/FlowTarget") is not None else "vivado_hls"
    notes = [f"{'Vitis' if tool == 'vitis_hls' else 'Vivado'} HLS {version} report for {top}"]
    if estimated:
        notes.append(f"estimated clock {estimated} ns")
    return ResourceTable(
        source=f"{tool} csynth",
        total=LayerResources(
            name="total",
            **values,
            latency_cycles=_xml_number(root, f"{latency}/Worst-caseLatency", path),
            interval_cycles=_xml_number(root, f"{latency}/Interval-max", path),
        ),
        clock_period_ns=_xml_number(root, "UserAssignments/TargetClockPeriod", path),
        notes=tuple(notes),
    )


_UTIL_ROWS = {
    "lut": ("Slice LUTs", "CLB LUTs"),
    "ff": ("Register as Flip Flop",),
    "ff_total": ("Slice Registers", "CLB Registers"),
    "bram36": ("Block RAM Tile",),
    "dsp": ("DSPs",),
}
_HEADER_FIELD = re.compile(r"^\|\s*(Design State|Device|Tool Version)\s*:\s*(.+?)\s*$", re.MULTILINE)


def parse_utilization_rpt(path: Path | str, clock_period_ns: float | None = None) -> ResourceTable:
    """Read a flat Vivado ``report_utilization`` text report (post-synthesis or post-implementation)."""
    path = Path(path)
    text = _read(path)
    found: dict[str, float] = {}
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if len(cells) < 2:
            continue
        name = cells[0].rstrip("*").strip()
        for key, names in _UTIL_ROWS.items():
            if key not in found and name in names:
                try:
                    found[key] = float(cells[1])
                except ValueError:
                    continue
    missing = [k for k in ("lut", "bram36", "dsp") if k not in found]
    if missing or ("ff" not in found and "ff_total" not in found):
        raise DataError(f"{path}: no {', '.join(missing) or 'register'} row (not a flat report_utilization file?)")
    header = dict(_HEADER_FIELD.findall(text))
    state = header.get("Design State", "?")
    stage = "impl" if state.lower() in ("routed", "placed", "implemented") else "synth"
    notes = [f"{header.get('Tool Version', 'Vivado ?')}, device {header.get('Device', '?')}, {state}"]
    return ResourceTable(
        source=f"vivado {stage}",
        total=LayerResources(
            name="total",
            lut=found["lut"],
            ff=found.get("ff", found.get("ff_total", 0.0)),
            dsp=found["dsp"],
            bram18=2 * found["bram36"],
        ),
        clock_period_ns=clock_period_ns,
        notes=tuple(notes),
    )


def parse_hls_report(path: Path | str) -> ResourceTable:
    """Dispatch on the suffix: ``.xml`` to :func:`parse_csynth_xml`, anything else to the text parser."""
    path = Path(path)
    return parse_csynth_xml(path) if path.suffix == ".xml" else parse_csynth_rpt(path)


def parse_hls4ml_baseline_json(path: Path | str) -> ResourceTable:
    """Read an hls4ml test-baseline JSON (``{"CSynthesisReport": {...}}``: the totals of a Vivado HLS run)."""
    path = Path(path)
    try:
        rep = json.loads(_read(path))["CSynthesisReport"]
        total = LayerResources(
            name="total",
            lut=float(rep["LUT"]),
            ff=float(rep["FF"]),
            dsp=float(rep["DSP"]),
            bram18=float(rep["BRAM_18K"]),
            latency_cycles=float(rep["WorstLatency"]),
            interval_cycles=float(rep["IntervalMax"]),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{path}: not an hls4ml baseline report ({type(exc).__name__}: {exc})") from None
    return ResourceTable(
        source="vivado_hls csynth (hls4ml baseline)", total=total, notes=(f"hls4ml baseline {path.name}",)
    )
