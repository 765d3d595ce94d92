"""board/notebooks/classify_hitmaps.ipynb, executed top to bottom by nbclient in a real kernel, simulated board."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from fpgaflow.verify.check import check_results

NOTEBOOKS = Path(__file__).resolve().parents[1] / "board" / "notebooks"


def test_notebook_is_generated_from_its_script() -> None:
    spec = importlib.util.spec_from_file_location("make_notebook", NOTEBOOKS / "make_notebook.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = nbformat.read(NOTEBOOKS / "classify_hitmaps.ipynb", as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in module.build().cells]


def test_notebook_runs_on_the_simulated_board(
    tiny_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tiny_bundle / "classify_hitmaps.ipynb"  # the copy `fpgaflow run` put into the bundle
    assert shipped.read_text() == (NOTEBOOKS / "classify_hitmaps.ipynb").read_text()
    results = tmp_path / "results.npz"
    monkeypatch.setenv("FPGAFLOW_BUNDLE", str(tiny_bundle))
    monkeypatch.setenv("FPGAFLOW_RESULTS", str(results))
    monkeypatch.setenv("FPGAFLOW_SIMULATED_BOARD", "1")
    nb = nbformat.read(shipped, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "board: simulated; design myproject" in text
    assert "agreement with the C simulation: decisions 1.0000, raw outputs bit-exact 1.0000" in text
    assert "confusion matrix" in text
    assert "batch  256:" in text
    # Speeds of the simulated board are the host's, and say so wherever they are printed.
    assert "HOST SIMULATION of the board" in text
    assert text.count("(host simulation, not board throughput)") == 4
    # The design beside the baselines shipped in the bundle, each with its paired counts on these maps.
    baselines = json.loads((tiny_bundle / "baselines.json").read_text())
    assert "this design on the simulated board" in text
    for family, b in baselines["families"].items():
        assert f"{family}: {b['working_point']}" in text
    assert f"on the host: {baselines['headline']}" in text
    assert images == 2  # confusion matrix and the hit maps
    report = check_results(tiny_bundle, results)
    assert report.passed
    assert report.raw_bit_exact_fraction == 1.0
    assert json.dumps(report.to_dict())  # serialisable for --json
