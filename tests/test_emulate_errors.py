"""Every layer or precision the emulator cannot reproduce exactly raises an error naming it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("hls4ml")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fpgaflow.emulate import Emulator, UnemulatedLayerError, UnsupportedPrecisionError
from fpgaflow.emulate.reference_models import convert
from fpgaflow.errors import DataError, FpgaflowError

pytestmark = [
    # Python 3.10+ deprecation triggered by a float passed to random.randint inside the TF/hls4ml stack
    pytest.mark.filterwarnings("ignore:non-integer arguments to randrange:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


def _model(last: str) -> Any:
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input((8, 8, 1), name="maps")
    x = tf.keras.layers.Conv2D(2, 3, name="conv")(inp)
    x = tf.keras.layers.Flatten(name="flat")(x)
    x = tf.keras.layers.Dense(3, name="dense")(x)
    x = tf.keras.layers.Activation(last, name="act")(x)
    return tf.keras.Model(inp, x)


def _convert(model: Any, path: Path, **kwargs: Any) -> Any:
    return convert(
        model,
        path / "prj",
        backend="Vivado",
        input_precision=None,
        trace=False,
        compile_model=False,
        **kwargs,
    )


@pytest.mark.parametrize("activation", ["selu", "softsign"])
def test_unsupported_activation_names_layer(tmp_path: Path, activation: str) -> None:
    hls_model = _convert(_model(activation), tmp_path)
    with pytest.raises(UnemulatedLayerError, match=rf"layer 'act'.*activation '{activation}'"):
        Emulator.from_hls_model(hls_model)


def test_softmax_latency_implementation_is_rejected(tmp_path: Path) -> None:
    hls_model = _convert(_model("softmax"), tmp_path, overrides={"act": {"Implementation": "latency"}})
    with pytest.raises(UnemulatedLayerError, match=r"layer 'act': softmax implementation 'latency'"):
        Emulator.from_hls_model(hls_model)


def test_unsupported_layer_class_names_layer(tmp_path: Path) -> None:
    import tensorflow as tf

    inp = tf.keras.Input((8, 8, 2), name="maps")
    x = tf.keras.layers.DepthwiseConv2D(3, name="dw")(inp)
    hls_model = _convert(tf.keras.Model(inp, x), tmp_path)
    with pytest.raises(UnemulatedLayerError, match=r"layer 'dw' of class 'DepthwiseConv2D'"):
        Emulator.from_hls_model(hls_model)


def test_resource_strategy_with_a_saturating_accumulator_is_rejected(tmp_path: Path) -> None:
    """dense_resource interleaves the products: its order matters only when a partial sum can saturate."""
    overrides = {
        "dense": {"Strategy": "Resource", "ReuseFactor": 2, "Precision": {"accum": "ap_fixed<8,2,AP_TRN,AP_SAT>"}}
    }
    hls_model = _convert(_model("sigmoid"), tmp_path, overrides=overrides)
    with pytest.raises(UnemulatedLayerError, match=r"layer 'dense': accumulator .* summation order of this strategy"):
        Emulator.from_hls_model(hls_model)


def test_io_parallel_conv_is_rejected(tmp_path: Path) -> None:
    hls_model = _convert(_model("sigmoid"), tmp_path, io_type="io_parallel")
    with pytest.raises(UnemulatedLayerError, match=r"layer 'conv'.*io_stream only"):
        Emulator.from_hls_model(hls_model)


def test_float_precision_is_rejected(tmp_path: Path) -> None:
    hls_model = _convert(_model("sigmoid"), tmp_path, overrides={"dense": {"Precision": {"accum": "float"}}})
    with pytest.raises(UnsupportedPrecisionError, match=r"layer 'dense' accum_t"):
        Emulator.from_hls_model(hls_model)


def test_bad_input_is_a_data_error(tmp_path: Path) -> None:
    emu = Emulator.from_hls_model(_convert(_model("sigmoid"), tmp_path))
    with pytest.raises(DataError, match=r"not a whole number of maps of shape \(8, 8, 1\)"):
        emu.predict(np.zeros((3, 7)))
    bad = np.zeros((2, 8, 8, 1))
    bad[1, 3, 3, 0] = np.nan
    with pytest.raises(DataError, match="map 1 holds a NaN"):
        emu.predict(bad)
    assert issubclass(UnemulatedLayerError, FpgaflowError)


def test_precisions_beyond_int64_or_wrap_sm_are_unsupported() -> None:
    """The emulator refuses what its int64 arithmetic cannot compute exactly (the type itself allows it; AP_WRAP_SM,
    which hls4ml 1.3.0 cannot express, is refused by the arithmetic: tests/test_fixed_point.py)."""
    from hls4ml.model.types import FixedPrecisionType, IntegerPrecisionType

    from fpgaflow.emulate.from_hls import fixed_type
    from fpgaflow_board.fixed_point import FixedType, int_type

    with pytest.raises(UnsupportedPrecisionError, match=r"layer 'd' accum: ap_fixed<64,10>: width 64"):
        fixed_type(FixedPrecisionType(64, 10), "layer 'd' accum")
    assert fixed_type(FixedPrecisionType(62, 10), "x") == FixedType(62, 10)
    assert fixed_type(IntegerPrecisionType(6), "x") == int_type(6)  # ap_int<6>: C-cast truncation toward zero
