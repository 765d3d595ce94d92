"""``fpgaflow search RUN`` and ``fpgaflow fit RUN --out RUN/fit`` on a finished run: the search's ranked table, the
fit's accuracy-against-LUT plot with the run's baselines, and the run report showing it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fpgaflow.cli import main

SPACE = """\
search:
  filters: [2]
  train_maps: 400
  val_maps: 200
  float_pretrain_epochs: 0
  epochs: 1
  fit: {reuse_factors: [1], reuse_modes: [uniform], strategies: [Latency], trim_bits: [0], csim_maps: 0}
"""
FIT_SPACE = ["--reuse-factors", "1,4", "--reuse-modes", "balanced", "--strategies", "Latency", "--trim-bits", "0"]


def test_search_and_fit_of_a_finished_run(tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)  # the session's run stays as it was
    space = tmp_path / "space.yaml"
    space.write_text(SPACE)
    assert main(["-q", "search", str(run), "--out", str(tmp_path / "search"), "--config", str(space)]) == 0
    data = json.loads((tmp_path / "search" / "search.json").read_text())
    assert {r["label"] for r in data["ranked"]} == {"base", "filters=2"}
    assert (data["n_train"], data["n_val"]) == (400, 200)
    by = {r["label"]: r for r in data["ranked"]}
    assert by["base"]["n_parameters"] > by["filters=2"]["n_parameters"]  # the run's model has 4 filters
    assert all(0.3 <= r["accuracy"] <= 1.0 for r in data["ranked"])
    assert (tmp_path / "search" / "search_pareto.png").read_bytes()[:4] == b"\x89PNG"
    assert "table:" in capsys.readouterr().out
    # fit of the run into RUN/fit: the run's baselines become the plot's lines, and the run report shows it
    assert main(["-q", "fit", str(run), "--out", str(run / "fit"), "--csim-maps", "0", *FIT_SPACE]) == 0
    fit = json.loads((run / "fit" / "fit.json").read_text())
    measured = json.loads((run / "baselines" / "model_vs_baselines.json").read_text())
    lines = {b["label"]: b["accuracy"] for b in fit["baselines"]}
    assert lines["best single cut"] == measured["families"]["single_cut"]["accuracy"]
    assert lines["two-stage"] == measured["families"]["two_stage"]["accuracy"]
    assert (run / "fit" / "fit_accuracy_lut.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["-q", "report", str(run)]) == 0
    report = (run / "report.md").read_text()
    assert "fpgaflow fit (fit/)" in report and "fit_accuracy_lut" in report
    # the run's own design is among fit's points, and the report says what became of it
    assert fit["configured"] == "configured" and fit["points"][0]["label"] == "configured"
    said = fit["configured_sentence"]
    assert said.startswith("the configured design (the run's convert: section; ")
    assert f"{said[0].upper()}{said[1:]}." in report
