"""Calibration: the report reader, the stored coefficients, and the held-out error bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpgaflow.errors import ConfigError, DataError
from fpgaflow.estimate.calibration import (
    CALIBRATION_ENV,
    calibrate,
    find_calibration_root,
    read_instances,
    read_report,
    relative_error,
)
from fpgaflow.estimate.calibration_cases import HELD_OUT, all_cases
from fpgaflow.estimate.coefficients import MODEL_VERSION, load_coefficients


def test_reader_extracts_report_totals(calibration_root: Path) -> None:
    svhn = read_report(calibration_root / "tutorial-svhn-cnn-pruned/myproject_csynth.rpt", "hls_rpt")
    assert (svhn.lut, svhn.ff, svhn.dsp, svhn.bram18) == (245466, 52549, 5414, 100)
    assert (svhn.latency_cycles, svhn.interval_cycles) == (1044, 1028)
    synth = read_report(calibration_root / "tutorial-svhn-cnn-pruned/vivado_synth.rpt", "vivado_synth")
    assert (synth.lut, synth.ff, synth.dsp, synth.bram18) == (123948, 43435, 5386, 84)
    js = read_report(
        calibration_root / "hls4ml-vivado-2020.1/test_keras_api_test_dense_io_stream-Vivado.json", "hls_json"
    )
    assert (js.lut, js.ff, js.dsp, js.bram18) == (304, 51, 2, 1)
    inst = read_instances(calibration_root / "pynqia_mnist_cnn_z020/myproject.verbose.rpt")
    assert inst[6].lut == 14437
    assert inst[11].bram18 == 28


def test_missing_report_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="calibration report not found"):
        read_report(tmp_path / "nope.rpt", "hls_rpt")


def test_every_case_report_exists(calibration_root: Path) -> None:
    names = [c.design.name for c in all_cases()]
    assert len(names) == len(set(names))
    assert set(HELD_OUT) <= set(names)
    for case in all_cases():
        assert (calibration_root / case.report).is_file(), case.report


def test_stored_coefficients_match_a_fresh_calibration(calibration_root: Path) -> None:
    stored = load_coefficients()
    fresh, _ = calibrate(calibration_root)
    assert stored.version == MODEL_VERSION
    assert stored.held_out == HELD_OUT
    assert fresh.lut.as_tuple() == pytest.approx(stored.lut.as_tuple(), rel=1e-6)
    assert fresh.ff.as_tuple() == pytest.approx(stored.ff.as_tuple(), rel=1e-6)
    assert fresh.dsp_constant_fraction == pytest.approx(stored.dsp_constant_fraction)


def test_held_out_error_stays_under_the_measured_bound(calibration_root: Path) -> None:
    """Bounds = errors measured when the coefficients were stored (bench/results_estimate.md) plus margin.

    Measured mean relative error on the 6 held-out designs: LUT 81 %, FF 45 %, DSP 17 %, BRAM18 1 %.
    """
    coeffs, results = calibrate(calibration_root)
    errors = {e.resource: e.mean for e in coeffs.held_out_error}
    assert errors["lut"] < 0.90
    assert errors["ff"] < 0.55
    assert errors["dsp"] < 0.25
    assert errors["bram18"] < 0.05
    held = [r for r in results if r.held_out]
    assert {r.name for r in held} == set(HELD_OUT)
    # The fixed-point BRAM structure (FIFOs, weight ROMs, tables) is exact on the jet MLP it never saw.
    jet = next(r for r in held if r.name == "jet_qkeras_pruned")
    assert jet.error("bram18") < 0.05


def test_relative_error_floors_the_denominator() -> None:
    assert relative_error(3.0, 0.0) == 3.0
    assert relative_error(110.0, 100.0) == pytest.approx(0.1)


def test_outdated_coefficients_file_is_refused(tmp_path: Path) -> None:
    text = load_coefficients.__defaults__[0].read_text(encoding="utf-8")  # type: ignore[index]
    bad = tmp_path / "c.yaml"
    bad.write_text(text.replace(f"version: {MODEL_VERSION}", "version: 0"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rerun bench/calibrate_estimator\.py"):
        load_coefficients(bad)


def test_calibration_root_is_found_beside_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one helper: ``shared/calibration`` in any folder above ``start``, or the environment override."""
    monkeypatch.delenv(CALIBRATION_ENV, raising=False)
    reports = tmp_path / "shared" / "calibration"
    reports.mkdir(parents=True)
    start = tmp_path / "checkout" / "fpgaflow" / "estimate" / "calibration.py"
    assert find_calibration_root(start) == reports
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.setenv(CALIBRATION_ENV, str(other))
    assert find_calibration_root(start) == other
    monkeypatch.setenv(CALIBRATION_ENV, str(tmp_path / "missing"))
    with pytest.raises(DataError, match=r"\$FPGAFLOW_CALIBRATION = .*missing: not a folder"):
        find_calibration_root(start)


def test_calibration_root_missing_says_how_to_point_at_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CALIBRATION_ENV, raising=False)
    with pytest.raises(DataError, match=r"set \$FPGAFLOW_CALIBRATION"):
        find_calibration_root(Path("/"))
