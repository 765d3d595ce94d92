"""``fpgaflow check BUNDLE RESULTS`` (cli/check.py, verify/check.py) on results from the simulated board."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.cli import main
from fpgaflow.errors import DataError
from fpgaflow.verify.check import check_results
from fpgaflow_board.__main__ import main as board_main


@pytest.fixture(scope="module")
def results(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("board") / "results.npz"
    assert board_main([str(tiny_bundle), "--simulated", "--out", str(out), "--batch-size", "100"]) == 0
    return out


def _tamper(src: Path, dst: Path, **changes: object) -> Path:
    with np.load(src) as d:
        data = {k: d[k] for k in d.files}
    for index, delta in changes.items():
        data["raw"][int(index.lstrip("i")), 0] += delta
    np.savez(dst, **data)
    return dst


def test_board_results_pass(tiny_bundle: Path, results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tiny_bundle), str(results)]) == 0
    out = capsys.readouterr().out
    assert "board vs C-sim : class agreement 1.0000, raw bit-exact 1.0000, max |Δraw| 0," in out
    assert out.strip().endswith("verdict: PASS")
    with np.load(tiny_bundle / "test_maps.npz") as d, np.load(tiny_bundle / "expected_outputs.npz") as e:
        acc = float(np.mean((e["csim"] >= 0.5) == (d["labels"] == 1)))
    report = check_results(tiny_bundle, results)
    assert report.accuracy_board == report.accuracy_csim == acc
    assert report.n == 240
    assert report.board == "simulated"
    assert report.first_disagreements == ()


def test_flipped_decision_fails_and_is_listed(
    tiny_bundle: Path, results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with np.load(results) as d:
        raw7 = float(d["raw"][7, 0])
    bad = _tamper(results, tmp_path / "bad.npz", i7=-2 * raw7 - np.sign(raw7))  # logit → −logit − sign: flips
    assert main(["check", str(tiny_bundle), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "verdict: FAIL: board/C-sim class agreement 0.9958 < 1.0; board/C-sim max |Δraw|" in out
    report = check_results(tiny_bundle, bad)
    assert [d.index for d in report.first_disagreements] == [7]
    assert report.first_disagreements[0].csim_raw == pytest.approx(raw7)


def test_raw_difference_within_tolerance(
    tiny_bundle: Path, results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small = _tamper(results, tmp_path / "small.npz", i3=1 / 1024)
    assert main(["check", str(tiny_bundle), str(small)]) == 1  # default: bit-exact required
    assert "max |Δraw| 0.000976562 > tolerance 0" in capsys.readouterr().out
    assert main(["check", str(tiny_bundle), str(small), "--tolerance", "0.001", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is True
    assert report["raw_bit_exact_fraction"] == pytest.approx(239 / 240)


def test_wrong_results_are_user_errors(
    tiny_bundle: Path, results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short.npz"
    with np.load(results) as d:
        np.savez(short, raw=d["raw"][:10])
    assert main(["check", str(tiny_bundle), str(short)]) == 2
    assert "10 board outputs but the bundle expects 240" in capsys.readouterr().err
    np.savez(tmp_path / "other.npz", raw=np.zeros((240, 1), np.float32), project_name=np.str_("otherproject"))
    with pytest.raises(DataError, match=r"results of another design \('otherproject'\), but .* holds 'myproject'"):
        check_results(tiny_bundle, tmp_path / "other.npz")
    np.savez(tmp_path / "nothing.npz", scores=np.zeros(3))
    with pytest.raises(DataError, match=r"nothing.npz: missing array\(s\) \['raw'\]"):
        check_results(tiny_bundle, tmp_path / "nothing.npz")
