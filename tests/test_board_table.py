"""The one board table (fpgaflow_board.boards): its figures, lookups, readers, and no copies elsewhere."""

from __future__ import annotations

import ast
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from fpgaflow.config.strict import from_mapping, known_board
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.errors import ConfigError
from fpgaflow.estimate.estimator import AXI_WRAPPER, estimate_design_on_board
from fpgaflow.estimate.spec import DesignSpec, HlsLayerSpec
from fpgaflow.fit.config import FitConfig
from fpgaflow.vivado.config import BuildConfig
from fpgaflow.vivado.project import read_project
from fpgaflow.vivado.variables import BuildLayout, build_variables
from fpgaflow_board import boards
from fpgaflow_board.boards import BOARDS, DEFAULT_BOARD, DEFAULT_BUDGET, Board, get_board
from fpgaflow_board.errors import UnknownBoardError
from fpgaflow_board.manifest import Manifest

REPO = Path(__file__).resolve().parents[1]
STUBS = Path(__file__).resolve().parent / "tcl_stubs"


def test_pynq_z2_entry() -> None:
    b = get_board("pynq-z2")
    assert (b.part, b.board_part, b.hls4ml_board) == ("xc7z020clg400-1", "tul.com.tw:pynq-z2:part0:1.0", "pynq-z2")
    # xc7z020 (DS190): 53,200 LUT, 106,400 FF, 220 DSP48E1, 140 RAMB36 = 280 BRAM18.
    assert b.resources == {"lut": 53_200, "ff": 106_400, "dsp": 220, "bram18": 280}
    assert (b.clock_period_ns, b.stream_bits) == (10.0, 32)
    # hls4ml's pynq-z2 block design, synthesised IP by IP (hls4ml-live-demo pynqz2_rn06_v8, Vivado 2019.2.1):
    # AXI DMA + protocol converter + two width converters + crossbar + reset + PS7 wrapper.
    assert b.shell is not None and (b.shell.lut, b.shell.ff, b.shell.bram18, b.shell.dsp) == (
        1725 + 393 + 209 + 244 + 291 + 19 + 112,
        2271 + 430 + 322 + 265 + 353 + 40,
        10,
        0,
    )
    assert b.shell.measured
    assert b.source


def test_defaults_come_from_the_table() -> None:
    assert (DEFAULT_BOARD, DEFAULT_BUDGET) == ("pynq-z2", 0.70)
    assert DEFAULT_BOARD in BOARDS
    assert (ConvertConfig().board, ConvertConfig().dsp_budget) == (DEFAULT_BOARD, DEFAULT_BUDGET)
    assert (FitConfig().board, FitConfig().budget) == (DEFAULT_BOARD, DEFAULT_BUDGET)
    assert BuildConfig().board == DEFAULT_BOARD
    manifest = Manifest("p", (4, 4, 1), 16, 1, 0.01, "ap_ufixed<8,0>", "ap_fixed<16,6>")
    assert (manifest.board, manifest.clock_period_ns) == (DEFAULT_BOARD, get_board(DEFAULT_BOARD).clock_period_ns)
    assert ConvertConfig().clock_ns == get_board(DEFAULT_BOARD).clock_period_ns


KNOWN = "kv260, pynq-z1, pynq-z2, ultra96-v2, zcu104"


def test_unknown_board_is_one_line_with_did_you_mean() -> None:
    with pytest.raises(
        UnknownBoardError, match=rf"^unknown board 'zcu102' \(did you mean 'zcu104'\?\); known boards: {KNOWN} \(or"
    ):
        get_board("zcu102")
    with pytest.raises(ConfigError, match=r"unknown board 'pynqz2' \(did you mean 'pynq-z2'\?\)"):
        known_board("pynqz2")
    with pytest.raises(ConfigError, match=rf"^fit: unknown board 'de10-nano'; known boards: {KNOWN} \(or a full part"):
        from_mapping(FitConfig, {"board": "de10-nano"}, "fit")
    with pytest.raises(ConfigError, match=r"unknown board 'pynq'"):
        BuildConfig(board="pynq")


#: (board, part, LUT, FF, DSP, BRAM18, hls4ml board, PS): the figures each entry must carry (sources in boards.py).
BOARD_FIGURES = [
    ("pynq-z1", "xc7z020clg400-1", 53_200, 106_400, 220, 280, "pynq-z2", "ps7"),
    ("zcu104", "xczu7ev-ffvc1156-2-e", 230_400, 460_800, 1_728, 624, None, "ps8"),
    ("ultra96-v2", "xczu3eg-sbva484-1-i", 70_560, 141_120, 360, 432, None, "ps8"),
    ("kv260", "xck26-sfvc784-2LV-c", 117_120, 234_240, 1_248, 288, None, "ps8"),
]


@pytest.mark.parametrize("figures", BOARD_FIGURES, ids=[f[0] for f in BOARD_FIGURES])
def test_board_entries(figures: tuple) -> None:  # type: ignore[type-arg]
    name, part, lut, ff, dsp, bram18, hls4ml_board, ps = figures
    b = get_board(name)
    assert (b.part, b.hls4ml_board, b.processing_system) == (part, hls4ml_board, ps)
    assert b.resources == {"lut": lut, "ff": ff, "dsp": dsp, "bram18": bram18}
    assert (b.clock_period_ns, b.stream_bits) == (10.0, 32)
    assert b.board_part is not None and b.shell is not None and b.source
    # VivadoAccelerator only where hls4ml 1.3 has a design for the part (its supported_boards.json: pynq-z2)
    if hls4ml_board is None:
        with pytest.raises(ConfigError, match=r"has no hls4ml VivadoAccelerator board: use convert\.backend Vivado"):
            ConvertConfig(board=name)
        assert ConvertConfig(board=name, backend="Vivado").clock_ns == 10.0
    else:
        assert ConvertConfig(board=name).backend == "VivadoAccelerator"


def test_hls4ml_boards_exist_in_hls4ml_with_the_same_part() -> None:
    import json

    hls4ml = pytest.importorskip("hls4ml")
    path = Path(hls4ml.__file__).parent / "backends" / "vivado_accelerator" / "supported_boards.json"
    supported = json.loads(path.read_text())
    for b in BOARDS.values():
        if b.hls4ml_board is not None:
            assert supported[b.hls4ml_board]["part"] == b.part, b.name
    # no other board of the table has a design in hls4ml 1.3 for its part
    parts = {entry["part"] for entry in supported.values()}
    assert {b.name for b in BOARDS.values() if b.part in parts} == {"pynq-z1", "pynq-z2"}


def test_build_refuses_a_zynq_ultrascale_board() -> None:
    assert BuildConfig(board="pynq-z1").board == "pynq-z1"
    with pytest.raises(ConfigError, match=r"build\.board 'kv260' has a Zynq UltraScale\+ PS .* processing_system7"):
        BuildConfig(board="kv260")


@pytest.mark.parametrize(
    ("part", "device", "lut", "dsp", "bram18"),
    [
        ("xc7z010clg400-1", "xc7z010", 17_600, 80, 120),
        ("xc7z020clg484-1", "xc7z020", 53_200, 220, 280),
        ("xc7z030sbg485-1", "xc7z030", 78_600, 400, 530),
        ("xc7z045ffg900-2", "xc7z045", 218_600, 900, 1_090),
        ("xczu3eg-sbva484-1-e", "xczu3eg", 70_560, 360, 432),
        ("xczu7ev-ffvc1156-2-e", "xczu7ev", 230_400, 1_728, 624),
        ("xczu9eg-ffvb1156-2-e", "xczu9eg", 274_080, 2_520, 1_824),
        ("xcu50-fsvh2104-2-e", "xcu50", 871_680, 5_952, 2_688),
        ("xcu250-figd2104-2L-e", "xcu250", 1_728_000, 12_288, 5_376),
    ],
)
def test_bare_parts_from_the_part_table(part: str, device: str, lut: int, dsp: int, bram18: int) -> None:
    b = get_board(part)
    assert (b.name, b.part, b.lut, b.dsp, b.bram18) == (part, part, lut, dsp, bram18)
    assert b.ff == 2 * b.lut  # every listed family has two flip-flops per LUT
    assert (b.board_part, b.hls4ml_board, b.shell, b.processing_system) == (None, None, None, None)
    assert b.clock_period_ns == boards.BARE_PART_CLOCK_NS
    assert device in b.source
    assert ConvertConfig(board=part, backend="Vivado").board == part
    with pytest.raises(ConfigError, match="has no Vivado board part"):
        BuildConfig(board=part)


def test_unknown_part_names_the_known_devices() -> None:
    with pytest.raises(UnknownBoardError, match=r"^unknown part 'xc7z099clg400-1'; known devices .*xc7z010, xc7z020"):
        get_board("xc7z099clg400-1")
    with pytest.raises(UnknownBoardError, match=r"unknown part 'xczu7ev'"):  # the device alone is not a part
        get_board("xczu7ev")


def test_entries_are_validated() -> None:
    good = get_board("pynq-z2")
    with pytest.raises(ValueError, match="board 'x': dsp must be >= 1, got 0"):
        replace(good, name="x", dsp=0)
    with pytest.raises(ValueError, match="stream_bits must be a power of two >= 8, got 24"):
        replace(good, stream_bits=24)
    with pytest.raises(ValueError, match="clock_period_ns must be > 0"):
        replace(good, clock_period_ns=0.0)


@pytest.fixture
def bare_part(monkeypatch: pytest.MonkeyPatch) -> Board:
    """A bare-part entry as a later issue would add it: no board files, no hls4ml board, no shell."""
    # Illustrative figures only (a quarter of the xc7z020): this entry exists only inside this test.
    entry = Board(name="bare", part="xc7z020clg400-1", lut=13_300, ff=26_600, dsp=55, bram18=70, clock_period_ns=5.0)
    monkeypatch.setitem(boards.BOARDS, "bare", entry)
    return entry


def test_a_bare_part_is_data_and_each_stage_reads_it(bare_part: Board) -> None:
    with pytest.raises(ConfigError, match=r"has no hls4ml VivadoAccelerator board: use convert\.backend Vivado"):
        ConvertConfig(board="bare")
    cfg = ConvertConfig(board="bare", backend="Vivado")
    assert cfg.clock_ns == 5.0
    with pytest.raises(ConfigError, match=r"build\.board 'bare' has no Vivado board part"):
        BuildConfig(board="bare")
    relu = HlsLayerSpec(name="r", kind="elementwise", width_in=16, width_out=16, input_bits=8, output_bits=8)
    design = DesignSpec(name="d", layers=(relu,), io_type="io_stream")
    table = estimate_design_on_board(design, bare_part)
    assert [row.name for row in table.layers][-1] == AXI_WRAPPER.name  # no DMA shell row without a shell
    on_z2 = estimate_design_on_board(design, get_board("pynq-z2"))
    assert on_z2.total.lut - table.total.lut == pytest.approx(2993.0)


def test_build_takes_board_part_from_the_table_and_checks_the_part(tmp_path: Path, bare_part: Board) -> None:
    project = tmp_path / "hls"
    shutil.copytree(STUBS / "sample_project", project)
    words = build_variables(read_project(project), BuildConfig(), BuildLayout(project / "b"))
    assert words["board_part"] == get_board("pynq-z2").board_part
    other = replace(get_board("pynq-z2"), name="other", part="xc7z010clg400-1")
    boards.BOARDS["other"] = other
    try:
        with pytest.raises(ConfigError, match=r"targets part xc7z020clg400-1 but build.board 'other' carries xc7z010"):
            build_variables(read_project(project), BuildConfig(board="other"), BuildLayout(project / "b"))
    finally:
        del boards.BOARDS["other"]


# --- No copies of the table's facts elsewhere -------------------------------------------------------------

#: 0.7 literals that are not a resource budget.
NOT_A_BUDGET = {
    ("fpgaflow/data/toy.py", 0.7),  # spread of a toy cluster's charge sharing, rng.uniform(0.7, 1.3)
    ("fpgaflow/compress/config.py", 0.7),  # final sparsity of the pruning schedule
    ("fpgaflow/data/simulate/config.py", 0.7),  # δ-ray reach as a fraction of its CSDA range (detour factor)
}
TABLE = "board/fpgaflow_board/boards.py"
#: Parts of published designs the estimator is calibrated on: facts of those designs' reports, not of the table.
PUBLIC_DESIGN_PARTS = {
    ("fpgaflow/estimate/public_designs/mlps.py", "xc7z020clg400-1"),
    ("fpgaflow/estimate/public_designs/cnns.py", "xc7z020clg400-1"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _board_facts_outside_the_table(root: Path = REPO) -> set[tuple[str, str | float]]:
    """Every code literal (comments and docstrings aside) that names the default board's key or part, or
    is the 0.70 budget, in fpgaflow/ and board/ outside the table module."""
    board = get_board(DEFAULT_BOARD)
    names = {DEFAULT_BOARD, board.part, str(board.board_part)}
    found: set[tuple[str, str | float]] = set()
    for path in sorted([*root.glob("fpgaflow/**/*.py"), *root.glob("board/**/*.py")]):
        rel = path.relative_to(root).as_posix()
        if rel == TABLE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in skip:
                continue
            value = node.value
            names_board = isinstance(value, str) and (any(n in value for n in names) or "0.7" in value)
            is_budget = isinstance(value, float) and value == DEFAULT_BUDGET
            if names_board or is_budget:
                found.add((rel, value))
    return found


def test_no_board_name_part_or_budget_literal_outside_the_table() -> None:
    found = _board_facts_outside_the_table()
    assert found - NOT_A_BUDGET - PUBLIC_DESIGN_PARTS == set()  # the CLI's flags read defaults from the configs
    assert found >= NOT_A_BUDGET


def test_the_literal_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    (tmp_path / "fpgaflow").mkdir()
    (tmp_path / "fpgaflow" / "x.py").write_text(
        '"""pynq-z2 in a docstring is prose."""\n'
        "# pynq-z2 in a comment, 0.70 too\n"
        'BOARD = "pynq-z2"\n'
        'PART = f"{BOARD}: xc7z020clg400-1"\n'
        "def f(budget: float = 0.70) -> None:\n"
        '    """Default budget 0.7."""\n'
    )
    assert _board_facts_outside_the_table(tmp_path) == {
        ("fpgaflow/x.py", "pynq-z2"),
        ("fpgaflow/x.py", ": xc7z020clg400-1"),
        ("fpgaflow/x.py", 0.7),
    }


def _md_rows(text: str, first_cell: str) -> list[list[str]]:
    """Cells of the Markdown table rows whose first cell starts with ``first_cell``."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith(first_cell):
            rows.append(cells)
    return rows


def test_docs_board_and_part_tables_are_the_code_tables() -> None:
    """docs/boards.md's entry and part tables carry exactly the totals, clocks and names of boards.py."""
    text = (REPO / "docs" / "boards.md").read_text(encoding="utf-8")
    number = lambda cell: int(cell.replace(",", ""))  # noqa: E731
    entries = {cells[0].strip("`"): cells for cells in _md_rows(text, "`") if cells[0].strip("`") in BOARDS}
    assert set(entries) == set(BOARDS)
    for name, cells in entries.items():
        b = BOARDS[name]
        assert cells[1] == f"`{b.part}`", name
        assert [number(c) for c in cells[2:6]] == [b.lut, b.ff, b.dsp, b.bram18], name
        assert cells[6] == f"{b.clock_period_ns:g} ns" and number(cells[7]) == b.stream_bits, name
        assert cells[8] == f"`{b.board_part}`" and cells[10] == b.processing_system, name
        assert cells[11], f"{name}: no source"
    parts = {cells[0]: cells for cells in _md_rows(text, "xc") if cells[0] in boards.PARTS}
    assert set(parts) == set(boards.PARTS)
    for device, cells in parts.items():
        p = boards.PARTS[device]
        assert [number(c) for c in cells[2:6]] == [p.lut, p.ff, p.dsp, p.bram18], device
        assert cells[6] == p.source, device
