"""HDF5 hit maps work wherever a command reads maps (``data simulate`` recommends ``.h5``), with the same
results as the npz they were converted from: convert's calibration, verify, emulate, fit, augment show and
the board driver."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from fpgaflow.cli import main
from fpgaflow.data import load_file
from fpgaflow.data.convert_file import convert_file
from fpgaflow_board.errors import BoardError
from fpgaflow_board.sources import iter_batches


@pytest.fixture(scope="module")
def h5_maps(tiny_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("h5")
    return {k: convert_file(tiny_run / "data" / f"{k}.npz", out / f"{k}.h5") for k in ("train", "test")}


def test_convert_calibration_verify_and_fit_read_hdf5(
    tiny_run: Path, h5_maps: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tiny_run / "model" / "model.h5"
    projects = {}
    for kind, cal in (("npz", tiny_run / "data" / "train.npz"), ("h5", h5_maps["train"])):
        projects[kind] = tmp_path / f"prj_{kind}"
        assert main(["convert", str(model), "--calibration", str(cal), "--out", str(projects[kind]), "--no-csim"]) == 0
    plans = [json.loads((p / "conversion.json").read_text())["precision"] for p in projects.values()]
    assert plans[0] == plans[1]  # the same calibration maps, whatever their storage

    summary = json.loads((tiny_run / "summary.json").read_text())
    capsys.readouterr()
    argv = ["verify", "--model", str(model), "--project", str(tiny_run / "hls"), "--maps", str(h5_maps["test"])]
    assert main([*argv, "--out", str(tmp_path / "v"), "--trace-maps", "0", "--no-float-twin"]) == 0
    brief = json.loads(capsys.readouterr().out.split("\nreport:")[0])
    assert brief["accuracy"]["hw"] == summary["accuracy_csim"]

    fit = ["fit", str(model), "--maps", str(h5_maps["test"]), "--calibration", str(h5_maps["train"])]
    small = ["--reuse-factors", "4", "--reuse-modes", "uniform", "--strategies", "Latency", "--trim-bits", "0"]
    assert main([*fit, *small, "--csim-maps", "0", "--out", str(tmp_path / "fit")]) == 0
    chosen = json.loads((tmp_path / "fit" / "fit.json").read_text())["chosen"]
    assert chosen["accuracy"] == summary["accuracy_csim"]  # the emulator on the .h5 maps = the C-sim on the npz


def test_augment_show_reads_hdf5(h5_maps: dict[str, Path], tmp_path: Path) -> None:
    png = tmp_path / "grid.png"
    assert main(["augment", "show", "--input", str(h5_maps["test"]), "--index", "3", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_board_driver_streams_hdf5(h5_maps: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    maps = load_file(h5_maps["test"]).maps
    got = np.concatenate(list(iter_batches(h5_maps["test"], maps.shape[1:], 100)))
    assert got.tobytes() == maps.tobytes()
    # A board image without h5py says so in one line, and how to get npz instead.
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(
        BoardError, match=r"test\.h5: reading HDF5 hit maps needs h5py.*fpgaflow data convert test\.h5 test\.npz"
    ):
        next(iter_batches(h5_maps["test"], maps.shape[1:], 100))
