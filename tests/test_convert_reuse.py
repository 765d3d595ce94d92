"""Valid reuse factors (hls4ml 1.3.0's rule), the auto choice, and FIFO depths from geometry (no compile)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from convert_models import tiny_qcnn

from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.errors import InvalidReuseFactorError
from fpgaflow.convert.fifo import size_fifos
from fpgaflow.convert.layers import describe_model
from fpgaflow.convert.plan_reuse import nearest_valid, plan_reuse, valid_reuse_factors


def test_valid_set_equals_hls4ml_rule() -> None:
    from hls4ml.backends.fpga.fpga_backend import FPGABackend

    for n_in, n_out in itertools.product((1, 3, 9, 27, 36, 72, 100, 288), (1, 2, 3, 4, 8, 16)):
        reference = tuple(
            rf for rf in range(1, n_in * n_out + 1) if FPGABackend._validate_reuse_factor(None, n_in, n_out, rf)
        )
        assert valid_reuse_factors(n_in, n_out) == reference, (n_in, n_out)


def test_known_sets() -> None:
    # 3×3×1 kernel, 4 filters: R=2, 4, 6 leave a partial multiplier row, which hls4ml would replace.
    assert valid_reuse_factors(9, 4) == (1, 3, 9, 18, 36)
    assert valid_reuse_factors(288, 1)[:6] == (1, 2, 3, 4, 6, 8)
    assert nearest_valid((1, 3, 9, 18, 36), 5) == (3, 9)
    assert nearest_valid((1, 3, 9, 18, 36), 50) == (36,)


@pytest.fixture(scope="module")
def specs() -> list:
    return describe_model(tiny_qcnn(np.random.default_rng(1), shape=(16, 16, 1), filters=(4, 8)))


def test_invalid_reuse_factor_names_layer_and_nearest(specs: list) -> None:
    with pytest.raises(
        InvalidReuseFactorError,
        match=r"layer 'conv1' \(QConv2D, 9×4 multiplier array\): reuse factor 4 is not valid .* nearest valid: 3 or 9",
    ):
        plan_reuse(specs, ConvertConfig(reuse_factor=4))
    cfg = ConvertConfig(layers={"output_dense": LayerOverride(reuse_factor=7)})
    with pytest.raises(
        InvalidReuseFactorError, match=r"layer 'output_dense' .* nearest valid: 4 or 8; all valid: 1, 2, 4, 8, 16, 32$"
    ):
        plan_reuse(specs, cfg)


def test_fixed_plan_counts_multipliers(specs: list) -> None:
    cfg = ConvertConfig(reuse_factor=1, layers={"conv2": LayerOverride(reuse_factor=4, strategy="Resource")})
    plan = plan_reuse(specs, cfg)
    rows = {lr.layer: lr for lr in plan.layers}
    assert (rows["conv1"].n_in, rows["conv1"].n_out, rows["conv1"].multipliers) == (9, 4, 36)
    assert (rows["conv2"].reuse_factor, rows["conv2"].strategy, rows["conv2"].multipliers) == (4, "Resource", 72)
    assert rows["output_dense"].multipliers == 32  # flatten of the 2×2×8 pool output
    assert plan.multipliers == 36 + 72 + 32


def test_auto_fits_the_budget(specs: list) -> None:
    # 0.7 × 220 DSP48 = 154 multipliers; at R=1 the model needs 36 + 288 + 32 = 356.  conv2 is always the
    # largest: R 1 → 2 (144) → 3 (96) → 4 (72), total 140.
    plan = plan_reuse(specs, ConvertConfig(reuse_factor="auto"))
    assert plan.multipliers <= 154
    rows = {lr.layer: lr for lr in plan.layers}
    assert all(lr.reuse_factor in lr.valid for lr in plan.layers)
    assert (rows["conv2"].reuse_factor, rows["conv2"].strategy) == (4, "Resource")
    assert plan.multipliers == 140
    assert (rows["conv1"].reuse_factor, rows["conv1"].strategy) == (1, "Latency")


def test_fifo_depths_follow_the_documented_rule(specs: list) -> None:
    fifos = {f.layer: f for f in size_fifos(specs, plan_reuse(specs, ConvertConfig()))}
    # 16×16 input → conv1 14×14 → pool 7×7 → conv2 5×5 → pool 2×2 → flatten → dense.
    assert {k: (v.depth, v.default) for k, v in fifos.items()} == {
        "conv1": (15, 196),
        "relu1": (15, 196),
        "pool1": (8, 49),
        "conv2": (6, 25),
        "relu2": (6, 25),
        "pool2": (3, 4),
        "output_dense": (1, 1),  # into the final sigmoid: a one-entry tensor
    }
    # A slow consumer (conv2 at R=9 takes 49·9 = 441 cycles per map, upstream 256) gets a backlog-sized
    # FIFO: ceil(49·(1 − 256/441)) + one 7-pixel row + 1 = 21 + 8.
    slow = plan_reuse(specs, ConvertConfig(layers={"conv2": LayerOverride(reuse_factor=9)}))
    pool1 = next(f for f in size_fifos(specs, slow) if f.layer == "pool1")
    assert pool1.depth == 29


def test_interval_is_the_slowest_layer(specs: list) -> None:
    from fpgaflow.convert.plan_reuse import interval_cycles

    # At R=1 the first conv reads 16×16 pixels, one per cycle; at R=9 conv2 needs 7×7×9 = 441 cycles.
    assert interval_cycles(specs, plan_reuse(specs, ConvertConfig())) == 256
    slow = plan_reuse(specs, ConvertConfig(layers={"conv2": LayerOverride(reuse_factor=9)}))
    assert interval_cycles(specs, slow) == 441


def test_fifo_after_the_first_layer_knows_how_fast_the_wire_feeds_it() -> None:
    """The packed flagship (models/default_packed.yaml: 64×64×4 space-to-depth input, conv1 2×2 stride 2 → 32×32×8,
    conv2 3×3 → 30×30) with conv2 slowed to R=8 (1,024·8 = 8,192 cycles per map).  Four ADC counts per 32-bit
    word feed conv1 its 4,096 beats in 4,096 clocks, so the stream into conv2 backs up:
    ceil(1,024·(1 − 4,096/8,192)) + one 32-pixel row + 1 = 545 entries.  One count per word (16,384 words)
    feeds it slower than conv2 drains: one row + 1 = 33."""
    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_qcnn

    cfg = ModelConfig(conv_filters=(8, 8, 8), kernel_sizes=(2, 3, 3), conv_strides=(2, 1, 1), pool_sizes=(1, 1, 4))
    packed = describe_model(build_qcnn(cfg, (64, 64, 4)))
    slow = plan_reuse(packed, ConvertConfig(layers={"conv2": LayerOverride(reuse_factor=8)}))
    depth = {words: {f.layer: f.depth for f in size_fifos(packed, slow, words)} for words in (0, 4096, 16384)}
    assert (depth[4096]["relu1"], depth[16384]["relu1"]) == (545, 33)  # the stream into conv2
    assert depth[0] == depth[4096]  # without the wire: conv1's own 4,096 beats, as the 32-bit packed wire
    for layer, d in {"conv1": 33, "conv2": 31, "relu2": 31, "conv3": 29, "pool3": 8}.items():
        assert depth[4096][layer] == depth[16384][layer] == d  # consumers that keep up: one row + 1
