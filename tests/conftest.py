"""Shared fixtures.  The tiny end-to-end run is built once per session and reused by several tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]

TINY_CONFIG = """\
data:
  source: simulate
  n_maps: 1600
  select_particle_fraction: true
  seed: 11
  simulate:
    tracks: {pileup: 20.0}
    labels: {reco_pt_cut_gev: 0.3}
    window: {region: crop, crop_rows: 16, crop_cols: 16, placement: random}
model:
  conv_filters: [4]
train:
  epochs: 6
  batch_size: 32
  learning_rate: 0.01
prune:
  target_sparsity: 0.5
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the end-to-end tiny run is ``slow``: the fixture trains, converts and compiles
    (about a minute on the shared 2-core machine), so ``pytest -m "not slow"`` must not build it."""
    for item in items:
        if "tiny_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def calibration_root() -> Path:
    """The real Vivado / Vivado HLS reports (``../shared/calibration`` or ``$FPGAFLOW_CALIBRATION``), found by
    the library's one helper; tests that read them skip where they are absent."""
    from fpgaflow.errors import DataError
    from fpgaflow.estimate.calibration import find_calibration_root

    try:
        return find_calibration_root()
    except DataError:
        pytest.skip("calibration reports (../shared/calibration) not present on this machine")


@pytest.fixture(scope="session")
def tiny_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "tiny.yaml"
    path.write_text(TINY_CONFIG)
    return path


@pytest.fixture(scope="session")
def tiny_run(tiny_config: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete `fpgaflow run` on the tiny config (real TF training, real hls4ml, real g++)."""
    from fpgaflow.cli import main

    out = tmp_path_factory.mktemp("runs") / "tiny"
    assert main(["run", str(tiny_config), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def tiny_bundle(tiny_run: Path) -> Path:
    """The board bundle (``RUN_DIR/board``) of the tiny run: manifest, test maps, expected outputs, C-sim."""
    return tiny_run / "board"
