"""``fpgaflow emulate``: reload a converted project from disk and write the emulated outputs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("hls4ml")
pytest.importorskip("qkeras")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fpgaflow.cli import main
from fpgaflow.emulate import Emulator
from fpgaflow.emulate.reference_models import convert, default_like

pytestmark = [
    pytest.mark.filterwarnings("ignore:non-integer arguments to randrange:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(autouse=True)
def _only_this_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register only ``emulate`` (other subcommands live on other branches)."""
    import fpgaflow.cli

    monkeypatch.setattr(fpgaflow.cli, "COMMAND_MODULES", ("emulate",))


def _project_and_maps(tmp_path: Path, n: int) -> tuple[object, Path, np.ndarray]:
    hls_model = convert(default_like(seed=9), tmp_path / "prj", trace=False, compile_model=False)
    hls_model.write()  # what a conversion leaves on disk: hls4ml_config.yml, keras_model.keras, firmware
    rng = np.random.default_rng(4)
    adc = (rng.integers(0, 256, (n, 32, 32, 1)) * (rng.random((n, 32, 32, 1)) < 0.3)).astype(np.float32)
    maps_file = tmp_path / "maps.npz"
    np.savez(maps_file, maps=adc, labels=np.zeros(n, np.int64))
    return hls_model, maps_file, adc


def test_cli_emulate_matches_in_memory_emulator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hls_model, maps_file, adc = _project_and_maps(tmp_path, 64)
    out = tmp_path / "out" / "emulated.npz"
    assert main(["emulate", str(tmp_path / "prj"), "--maps", str(maps_file), "--out", str(out)]) == 0
    with np.load(out) as z:
        got = z["outputs"]
    expected = Emulator.from_hls_model(hls_model).predict(adc / np.float32(256))
    assert got.shape == (64, 1)
    np.testing.assert_array_equal(got, expected)
    assert "64 maps" in capsys.readouterr().out


def test_cli_emulate_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    maps_file = tmp_path / "maps.npz"
    np.savez(maps_file, images=np.zeros((2, 4, 4, 1)))
    assert main(["emulate", str(tmp_path), "--maps", str(maps_file), "--out", str(tmp_path / "o.npz")]) == 2
    assert "expected an array 'maps'" in capsys.readouterr().err
    np.savez(maps_file, maps=np.zeros((2, 4, 4, 1), np.float32), labels=np.zeros(2, np.int8))
    assert main(["emulate", str(tmp_path), "--maps", str(maps_file), "--out", str(tmp_path / "o.npz")]) == 2
    assert "no hls4ml_config.yml" in capsys.readouterr().err


def _emulate_each(tmp_path: Path, sources: tuple[Path, ...]) -> list[np.ndarray]:
    """``fpgaflow emulate`` of the project in ``tmp_path/prj`` on each maps file: their outputs."""
    outs = []
    for i, src in enumerate(sources):
        out = tmp_path / f"out_{i}.npz"
        assert main(["emulate", str(tmp_path / "prj"), "--maps", str(src), "--out", str(out)]) == 0
        with np.load(out) as z:
            outs.append(z["outputs"])
    return outs


def test_cli_emulate_takes_unlabelled_8bit_maps(tmp_path: Path) -> None:
    """Maps a detector read out are not yet classified: an npz of uint8 counts without labels emulates to the
    same outputs as the float32 labelled file."""
    _, maps_file, adc = _project_and_maps(tmp_path, 16)
    raw = tmp_path / "raw.npz"
    np.savez(raw, maps=adc[..., 0].astype(np.uint8))  # (n, rows, cols) 8-bit readout, no labels
    outs = _emulate_each(tmp_path, (maps_file, raw))
    assert outs[1].shape == (16, 1)
    np.testing.assert_array_equal(outs[0], outs[1])


def test_cli_emulate_reads_hdf5_maps_like_npz(tmp_path: Path) -> None:
    from fpgaflow.data import load_file
    from fpgaflow.data.hdf5 import save_h5

    _, maps_file, _ = _project_and_maps(tmp_path, 16)
    h5 = save_h5(load_file(maps_file), tmp_path / "maps.h5")
    outs = _emulate_each(tmp_path, (maps_file, h5))
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.slow
def test_cli_emulate_check_csim(tmp_path: Path) -> None:
    _, maps_file, _ = _project_and_maps(tmp_path, 40)
    out = tmp_path / "emulated.npz"
    args = [
        "emulate",
        str(tmp_path / "prj"),
        "--maps",
        str(maps_file),
        "--out",
        str(out),
        "--check-csim",
        "40",
    ]
    assert main(args) == 0
