"""The augmentation study's own base and reduced CNNs (float Keras, batch-norm, dropout, fused ReLU) convert end to
end at 128 × 128 × 3, and the estimate says why they do not fit the PYNQ-Z2."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("hls4ml")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fpgaflow.cli import main
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.hls import convert
from fpgaflow.estimate.budget import check_budget
from fpgaflow.estimate.estimator import estimate_model
from fpgaflow.modelio import save_model
from fpgaflow.train.config import ModelConfig
from fpgaflow.train.models_study import build_base_cnn, build_reduced_cnn
from fpgaflow_board.boards import DEFAULT_BOARD, get_board

pytestmark = [
    pytest.mark.slow,  # 128×128×3 models: conversion 6-60 s, estimate and project reload on the shared machine
    pytest.mark.filterwarnings("ignore:non-integer arguments to randrange:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

SHAPE = (128, 128, 3)


def test_reduced_model_converts_and_the_estimate_says_it_does_not_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = build_reduced_cnn(ModelConfig(), SHAPE)
    path = save_model(model, tmp_path / "reduced.h5", 1 / 256)
    assert main(["convert", str(path), "--out", str(tmp_path / "prj"), "--no-csim"]) == 0
    assert (tmp_path / "prj" / "firmware" / "myproject.cpp").is_file()
    capsys.readouterr()
    # exit 1: the design does not fit the board's 70 % budget
    assert main(["estimate", str(tmp_path / "prj"), "--out", str(tmp_path / "est")]) == 1
    out = capsys.readouterr().out
    assert "does not fit the pynq-z2" in out, out
    report = (tmp_path / "est" / "estimate.md").read_text()
    assert "bn1" in report  # the batch-norm is a scale-shift layer of its own (it follows the ReLU)


def test_base_model_converts_and_does_not_fit(tmp_path: Path) -> None:
    model = build_base_cnn(ModelConfig(), SHAPE)
    assert model.count_params() == 12_942_273
    # write=False: the 13 M weights would be ~460 MB of text; the graph is what the estimate needs
    conversion = convert(model, ConvertConfig(), tmp_path / "prj", 1 / 256, write=False)
    kinds = {lp.layer: lp.kind for lp in conversion.precision.layers}
    assert [kinds[n] for n in ("conv1", "conv1_relu", "bn1", "pool1")] == ["conv2d", "activation", "batchnorm", "pool"]
    assert not any(name.startswith("drop") for name in kinds)  # dropout removed for inference
    assert max(lp.result.type.width for lp in conversion.precision.layers) <= 32
    board = get_board(DEFAULT_BOARD)
    table = estimate_model(conversion.hls_model, board)
    budget = check_budget(table, board)
    assert not budget.fits
    assert {"dsp", "bram18"} <= set(budget.over)
    assert np.isfinite(table.total.lut)
