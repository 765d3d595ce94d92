"""bench/activation_ranges.py: the ADC share at the ceiling and the per-layer saturation counts, on maps and a model
whose answers are known."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest


@pytest.fixture(scope="module")
def ranges() -> ModuleType:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    return importlib.import_module("activation_ranges")


def test_adc_stats_counts_pixels_at_the_ceiling(ranges: ModuleType) -> None:
    maps = np.zeros((2, 4, 4, 1), dtype=np.float32)
    maps[0, 0, 0] = 255  # one of the four read-out pixels at the 8-bit ADC's ceiling
    maps[0, 1, 1] = 20
    maps[1, 2, 2] = 40
    maps[1, 3, 3] = 100
    a = ranges.adc_stats(maps)
    assert a["pixels_per_map"] == 2.0
    assert a["at_ceiling"] == 0.25
    assert a["max"] == 255.0
    assert a["median"] == 70.0


def test_activation_stats_finds_saturated_and_dead_channels(ranges: ModuleType) -> None:
    import tensorflow as tf

    inp = tf.keras.Input((2,))
    dense = tf.keras.layers.Dense(2, use_bias=False, name="d")
    model = tf.keras.Model(inp, tf.keras.layers.ReLU(name="r")(dense(inp)))
    dense.set_weights([np.array([[8.0, -1.0], [1.0, -1.0]], dtype=np.float32)])  # channel 1 never above 0
    x = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.0], [0.0, 0.5]], dtype=np.float32)
    (d, r) = ranges.activation_stats(model, x)
    assert (d["layer"], r["layer"]) == ("d", "r")
    assert r["nonzero"] == 0.5  # channel 0: 8, 1, 4, 0.5; channel 1: all <= 0
    assert r["saturated"] == 0.25  # of the four non-zero outputs only 8 reaches 7.96
    assert r["max"] == 8.0
    assert r["dead_channels"] == 1
