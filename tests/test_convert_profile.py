"""The one activation probe: batched layer outputs, shared by profiling, the range count and the trace."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from fpgaflow.convert.profile import layer_outputs, probe_layers, profile_max_abs  # noqa: E402


@pytest.fixture(scope="module")
def model() -> Any:
    tf.keras.utils.set_random_seed(3)
    inp = tf.keras.Input((6,), name="x")
    h = tf.keras.layers.Dense(4, name="d1")(inp)
    out = tf.keras.layers.ReLU(name="r1")(h)
    return tf.keras.Model(inp, out)


def test_batches_cover_every_map_in_order(model: Any) -> None:
    x = np.random.default_rng(0).normal(size=(11, 6)).astype(np.float32)
    batches = list(probe_layers(model, x, ["d1", "r1"], batch_size=4))
    assert [len(b["d1"]) for b in batches] == [4, 4, 3]
    whole = layer_outputs(model, x, ["d1", "r1"], batch_size=4)
    reference = x @ model.get_layer("d1").kernel.numpy() + model.get_layer("d1").bias.numpy()
    np.testing.assert_allclose(whole["d1"], reference, rtol=1e-6, atol=1e-6)
    assert np.array_equal(whole["r1"], np.maximum(whole["d1"], 0))
    assert whole["d1"].dtype == np.float32
    # One layer asked for: the probe still yields a mapping.
    assert list(next(probe_layers(model, x, ["r1"]))) == ["r1"]


def test_profile_is_the_peak_over_all_batches(model: Any) -> None:
    x = np.random.default_rng(1).normal(size=(9, 6)).astype(np.float32)
    peaks = profile_max_abs(model, x, batch_size=2)
    whole = layer_outputs(model, x, ["d1", "r1"])
    assert peaks == {n: float(np.max(np.abs(whole[n]))) for n in ("d1", "r1")}
