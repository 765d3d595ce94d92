"""docs/python.md's worked example, run exactly as written (simulate → train → convert → verify → estimate →
bundle), so the documented Python API cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from fpgaflow_board.csim import CSimLibrary
from fpgaflow_board.manifest import read_manifest

DOC = Path(__file__).resolve().parents[1] / "docs" / "python.md"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text (```text blocks are illustrations, not run)."""
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_page_has_one_runnable_example() -> None:
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 1
    for call in (
        "load_dataset(",
        "train_classifier(",
        "convert_saved_model(",
        "verify_saved_design(",
        "write_estimate(",
    ):
        assert call in blocks[0], call
    assert "bundle_design(" in blocks[0]


@pytest.mark.slow
def test_the_worked_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "api_example").mkdir()
    namespace: dict[str, object] = {"__name__": "docs_python_example"}
    exec(compile(python_blocks(DOC.read_text(encoding="utf-8"))[0], str(DOC), "exec"), namespace)
    printed = capsys.readouterr().out
    verified = namespace["verified"]
    brief = verified.brief()  # type: ignore[attr-defined]
    assert brief["n_maps"] == 180  # 15 % of 1,200 maps
    assert brief["agreement_qkeras_hw"] == 1.0 and brief["hw_bit_exact_fraction"] == 1.0
    assert brief["accuracy"]["hw"] == brief["accuracy"]["qkeras"] > 0.7
    assert "fits the pynq-z2 within the 70 % budget" in printed
    # The bundle is complete: its C simulation reproduces the expected outputs it ships.
    bundle = tmp_path / "api_example" / "board"
    m = read_manifest(bundle)
    assert m.input_shape == (16, 16, 1) and m.input_precision == "ap_ufixed<8,0>"
    with np.load(bundle / "test_maps.npz") as z:
        maps = z["maps"]
    with np.load(bundle / "expected_outputs.npz") as z:
        expected = z["csim_raw"]
    raw = CSimLibrary(bundle / m.csim_library, m.n_in, m.n_out, m.project_name).predict(
        maps * np.float32(m.input_scale)
    )
    np.testing.assert_array_equal(raw.reshape(-1), expected)
    assert f"myproject (16, 16, 1) ap_ufixed<8,0> → {m.output_precision}" in printed
