"""Issue requirement: the default flow's model, at a 128 × 128 input, fits the PYNQ-Z2 under 70 % (estimate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpgaflow.estimate.table import RESOURCES
from fpgaflow.fit import FitConfig, FitError, fit_model


def test_default_architecture_at_128x128_fits_the_70_percent_budget(tmp_path: Path) -> None:
    import tensorflow as tf

    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_model

    tf.keras.utils.set_random_seed(0)
    # Random, unpruned weights: every multiplier is instantiated (the trained flow prunes 50 % of them).
    model = build_model(ModelConfig(), (128, 128, 1))
    cfg = FitConfig(trim_bits=(0,), csim_maps=0)
    # At reuse factor 1 everywhere the dense layer alone (7200 × 1 products) is far over the LUT budget.
    with pytest.raises(FitError, match="over budget: lut"):
        fit_model(
            model,
            FitConfig(
                reuse_factors=(1,), reuse_modes=("uniform",), strategies=("Latency",), trim_bits=(0,), csim_maps=0
            ),
            tmp_path / "r1",
            input_scale=1 / 256,
        )
    result = fit_model(model, cfg, tmp_path / "work", input_scale=1 / 256)
    c = result.chosen
    assert c.verdict == "fits"  # the whole expected range of every resource, not just the estimate
    assert all(c.ranges[r][1] <= 0.70 * result.board.resources[r] for r in RESOURCES), c.ranges
    # The Latency strategy holds every product of a shared layer in registers until its adder tree sums them:
    # at reuse 7,200 the dense layer's 7,200 held products alone are over the FF budget, so the fastest design
    # that fits uses the Resource strategy (weights in a ROM, one accumulator per output).  Its interval is
    # conv2's: 63 x 63 input words x (reuse 4 + 10 cycles of a streamed Resource convolution), plus the fill.
    assert c.candidate.strategy == "Resource"
    assert c.candidate.layer_reuse == {"conv1": 1, "conv2": 4, "output_dense": 7200}
    assert c.interval_cycles == 63 * 63 * (4 + 10) + 2
