"""The flagship preset (issue 22): `fpgaflow run` with no config is the window-128 task at 128 × 128, `quick` keeps
the small flow, and the flagship's design fits the PYNQ-Z2 within the 70 % budget over the estimate's whole range
while streaming one pixel per clock."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fpgaflow.cli import main
from fpgaflow.errors import ConfigError
from fpgaflow.pipeline.config import PRESETS, load_run_config, preset_path, resolve_config


def test_the_default_run_is_the_window_128_flagship_and_quick_the_small_flow() -> None:
    flagship, quick = load_run_config(), load_run_config("quick")
    assert flagship.data.task == "window-128"
    assert flagship.data.simulate.window.pixel_shape == (128, 128)
    assert flagship.data.n_maps == 26667
    assert round(flagship.data.n_maps * flagship.data.test_fraction) == 4000  # >= 4,000 test maps
    assert flagship.prune.target_sparsity >= 0.5
    assert flagship.model.weights.bits <= 8 and flagship.model.activations.bits <= 8
    assert flagship.train.float_pretrain_epochs > 0 and flagship.train.restore_best_weights
    assert flagship.verify.backend == "csim" and flagship.verify.max_csim_maps == 0  # every test map
    assert quick.data.simulate.window.pixel_shape == (32, 32)
    assert quick.data.n_maps == 6000


def test_a_preset_is_named_on_the_command_line_and_a_file_of_that_name_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert PRESETS == ("default", "quick")
    assert resolve_config(None) == preset_path("default")
    assert resolve_config("quick") == preset_path("quick")
    assert main(["run", "quick", "--print-config"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == f"# {preset_path('quick')}"
    assert "crop_rows: 32" in printed
    monkeypatch.chdir(tmp_path)
    (tmp_path / "quick").write_text("train: {epochs: 1}\n")
    assert resolve_config("quick") == Path("quick")
    assert load_run_config("quick").train.epochs == 1
    with pytest.raises(ConfigError, match=r"unknown run preset 'fast'; the presets are default, quick"):
        preset_path("fast")


@pytest.mark.slow
def test_the_flagship_design_fits_the_pynq_z2_over_the_estimates_range_at_one_pixel_per_clock(
    tmp_path: Path,
) -> None:
    """The default preset's architecture and conversion (reuse factors and strategies per layer), with half of
    every kernel's weights zeroed as pruning leaves them: every resource's whole estimated range within 70 % of
    the xc7z020, DSP48 the largest share, and one map per 16,384 input pixels (+ the pipeline's few cycles)."""
    from fpgaflow.convert.hls import convert, split_output_activation
    from fpgaflow.estimate import check_budget, estimate_model, throughput
    from fpgaflow.estimate.describe import describe_hls_model
    from fpgaflow.train.models import build_model
    from fpgaflow_board.boards import get_board

    cfg = load_run_config()
    model = build_model(cfg.model, (128, 128, 1))
    rng = np.random.default_rng(0)
    model.set_weights([w * (rng.random(w.shape) >= 0.5) if w.ndim > 1 else w for w in model.get_weights()])
    deployed, _ = split_output_activation(model)
    maps = np.zeros((64, 128, 128, 1), np.float32)
    maps[:, ::9, ::7] = rng.integers(0, 256, (64, 15, 19, 1)) / 256.0
    conversion = convert(deployed, cfg.convert, tmp_path / "prj", cfg.model.input_scale, maps)
    board = get_board("pynq-z2")
    table = estimate_model(conversion.hls_model, board)
    budget = check_budget(table, board)
    assert budget.fits, budget.verdict()
    shares = {u.resource: u.utilisation for u in budget.rows}
    assert max(shares, key=lambda r: shares[r]) == "dsp"
    rate = throughput(table, board, describe_hls_model(conversion.hls_model).input_elements)
    assert rate.maps_per_s >= 6000
    assert {lr.layer: lr.reuse_factor for lr in conversion.reuse.layers} == {
        "conv1": 1,
        "conv2": 6,
        "conv3": 6,
        "conv4": 6,
        "conv5": 1,
        "output_dense": 392,
    }
