"""The ``qcnn``'s global pooling (``model.global_pool``) through hls4ml: the flagship's layout in miniature
(patchify conv, 3 × 3 convs, global max or average pool, one dense unit) converted, compiled, and compared bit
for bit with QKeras and with the emulator on random hit maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from convert_models import adc_maps, tiny_qcnn

from fpgaflow.convert.config import ConvertConfig, LayerOverride
from fpgaflow.convert.csim_build import build_csim_library
from fpgaflow.convert.hls import convert, split_output_activation
from fpgaflow.convert.report import write_conversion_report
from fpgaflow.emulate import Emulator
from fpgaflow.verify.compare_paths import verify_design
from fpgaflow.verify.config import VerifyConfig

pytestmark = pytest.mark.slow  # each case converts and compiles an hls4ml project

SHAPE = (32, 32, 1)
#: 32 → 8 (4 × 4 stride 4) → 6 → 4 (3 × 3 'valid', max) or → 8 → 8 (3 × 3 'same', average over 64 positions)
LAYOUTS = {
    "max": {"conv_paddings": ("valid", "valid", "valid")},
    "average": {"conv_paddings": ("valid", "same", "same")},
}


def _model(pool: str) -> Any:
    return tiny_qcnn(
        np.random.default_rng(31),
        SHAPE,
        (4, 4, 4),
        kernel_sizes=(4, 3, 3),
        conv_strides=(4, 1, 1),
        pool_sizes=(1, 1, 1),
        global_pool=pool,
        **LAYOUTS[pool],
    )


@pytest.mark.parametrize("pool", ["max", "average"])
def test_global_pool_qcnn_is_bit_exact_in_csim_and_emulator(pool: str, tmp_path: Path) -> None:
    model = _model(pool)
    assert model.get_layer("global_pool").output_shape == (None, 4)
    rng = np.random.default_rng(32)
    x = adc_maps(rng, 200, SHAPE)
    labels = rng.integers(0, 2, 200)
    deployed, activation = split_output_activation(model)
    # conv3 under the Resource strategy, as the flagship deploys its later convs
    cfg = ConvertConfig(layers={"conv3": LayerOverride(reuse_factor=4, strategy="Resource")})
    conversion = convert(deployed, cfg, tmp_path, 1 / 256, x[:100])
    write_conversion_report(conversion, extra={"input_scale": 1 / 256, "output_activation": activation})
    build_csim_library(tmp_path, tmp_path / "firmware" / "myproject_csim.so")
    rep = verify_design(model, tmp_path, x, labels, VerifyConfig(trace_maps=0, float_twin=False))
    cmp = rep.comparisons["qkeras_vs_hw"]
    assert (rep.n_maps, rep.hw_bit_exact_fraction, cmp.max_abs_diff) == (200, 1.0, 0.0)
    # the raw (pre-sigmoid) outputs spread: the pooled features are not all saturated or zero
    assert np.unique(rep.raw["hw"]).size > 50
    emulated = Emulator.from_hls_model(conversion.hls_model).predict(x)
    np.testing.assert_array_equal(emulated.reshape(rep.raw["hw"].shape), rep.raw["hw"])
