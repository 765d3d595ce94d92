"""Candidate enumeration of the fit search: reuse mapping, balancing, trimming (no TensorFlow)."""

from __future__ import annotations

import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.convert.layers import KerasLayerSpec
from fpgaflow.convert.plan_reuse import valid_reuse_factors
from fpgaflow.errors import ConfigError
from fpgaflow.fit.candidates import (
    PrecisionVariant,
    enumerate_candidates,
    layer_cycles,
    layer_reuse,
    nearest_reuse,
    trim,
)
from fpgaflow.fit.config import FitConfig
from fpgaflow_board.fixed_point import FixedType

# The default model at 32×32: conv1 (3×3×1 → 4), conv2 (3×3×4 → 8), dense 6·6·8 = 288 → 1.
SPECS = [
    KerasLayerSpec("hit_map", "InputLayer", "input", None, (32, 32, 1), (32, 32, 1)),
    KerasLayerSpec("conv1", "QConv2D", "conv2d", "hit_map", (32, 32, 1), (30, 30, 4), 9, 4),
    KerasLayerSpec("relu1", "QActivation", "activation", "conv1", (30, 30, 4), (30, 30, 4)),
    KerasLayerSpec("pool1", "MaxPooling2D", "pool", "relu1", (30, 30, 4), (15, 15, 4)),
    KerasLayerSpec("conv2", "QConv2D", "conv2d", "pool1", (15, 15, 4), (13, 13, 8), 36, 8),
    KerasLayerSpec("relu2", "QActivation", "activation", "conv2", (13, 13, 8), (13, 13, 8)),
    KerasLayerSpec("pool2", "MaxPooling2D", "pool", "relu2", (13, 13, 8), (6, 6, 8)),
    KerasLayerSpec("flatten", "Flatten", "flatten", "pool2", (6, 6, 8), (288,)),
    KerasLayerSpec("output_dense", "QDense", "dense", "flatten", (288,), (1,), 288, 1),
]


def test_nearest_reuse_is_log_nearest_valid_factor() -> None:
    valid = valid_reuse_factors(9, 4)
    assert valid == (1, 3, 9, 18, 36)
    assert nearest_reuse(valid, 2) == 3  # |log 3/2| = 0.41 < |log 2/1| = 0.69
    assert nearest_reuse((2, 8), 4) == 2  # a tie on the log scale goes to the smaller (faster) factor
    assert nearest_reuse(valid, 4) == 3
    assert nearest_reuse(valid, 16) == 18
    assert nearest_reuse(valid, 1000) == 36


def test_uniform_reuse_maps_each_layer_to_a_valid_factor() -> None:
    assert layer_reuse(SPECS, 4, "uniform") == {"conv1": 3, "conv2": 4, "output_dense": 4}


def test_balanced_reuse_fills_the_interval_without_slowing_the_design() -> None:
    # Interval at R=1: conv1 reads 32·32 = 1024 pixels → 1024 cycles.  conv2 reads 225 pixels: R ≤ 4.55 → 4;
    # the dense layer takes R cycles: the largest valid R ≤ 1024 is 288 (its whole multiplier array).
    reuse = layer_reuse(SPECS, 1, "balanced")
    assert reuse == {"conv1": 1, "conv2": 4, "output_dense": 288}
    interval = max(layer_cycles(s, reuse.get(s.name, 1)) for s in SPECS)
    assert interval == 1024


def test_trim_removes_fractional_bits_only() -> None:
    t = FixedType(19, 4, True, "TRN", "SAT")
    assert trim(t, 3) == FixedType(16, 4, True, "TRN", "SAT")
    assert trim(t, 40) == FixedType(4, 4, True, "TRN", "SAT")  # never below 0 fractional bits


def test_candidates_are_deduplicated() -> None:
    variant = PrecisionVariant(0, 1, {"conv1": (FixedType(19, 4), FixedType(19, 4))})
    cands = enumerate_candidates(SPECS, [variant], (1, 1000), ("uniform", "balanced"), ("Latency", "Resource"))
    # R=1000 puts every layer at its largest valid factor: balancing cannot raise any, so the balanced
    # point duplicates the uniform one and is dropped.
    assert [c.layer_reuse for c in cands if c.strategy == "Latency"] == [
        {"conv1": 1, "conv2": 1, "output_dense": 1},
        {"conv1": 1, "conv2": 4, "output_dense": 288},
        {"conv1": 36, "conv2": 288, "output_dense": 288},
    ]
    assert len(cands) == 6


def test_fit_config_is_strict() -> None:
    with pytest.raises(ConfigError, match="did you mean 'budget'"):
        from_mapping(FitConfig, {"budgte": 0.5}, "fit")
    with pytest.raises(ConfigError, match=r"fit.budget must be in \(0, 1\]"):
        FitConfig(budget=1.5)
    with pytest.raises(ConfigError, match="not one of"):
        from_mapping(FitConfig, {"strategies": ["Latncy"]}, "fit")


# The packed 128×128 preset (models/qcnn_128_packed.yaml): 2×4 space-to-depth input 64×32×8.
PACKED_SPECS = [
    KerasLayerSpec("hit_map", "InputLayer", "input", None, (64, 32, 8), (64, 32, 8)),
    KerasLayerSpec("conv1", "QConv2D", "conv2d", "hit_map", (64, 32, 8), (62, 30, 4), 72, 4),
    KerasLayerSpec("pool1", "MaxPooling2D", "pool", "conv1", (62, 30, 4), (31, 15, 4)),
    KerasLayerSpec("conv2", "QConv2D", "conv2d", "pool1", (31, 15, 4), (29, 13, 8), 36, 8),
    KerasLayerSpec("pool2", "MaxPooling2D", "pool", "conv2", (29, 13, 8), (14, 6, 8)),
    KerasLayerSpec("conv3", "QConv2D", "conv2d", "pool2", (14, 6, 8), (12, 4, 8), 72, 8),
    KerasLayerSpec("pool3", "MaxPooling2D", "pool", "conv3", (12, 4, 8), (6, 2, 8)),
    KerasLayerSpec("flatten", "Flatten", "flatten", "pool3", (6, 2, 8), (96,)),
    KerasLayerSpec("output_dense", "QDense", "dense", "flatten", (96,), (1,), 96, 1),
]


def test_balanced_reuse_of_the_packed_preset_keeps_every_layer_within_the_first() -> None:
    """conv1 reads the 64·32 = 2,048 beats of a space-to-depth map, one per clock at reuse 1: every later layer
    is balanced to at most 2,048 cycles — no slower than a 64-bit adc8 wire (2,048 words per map), and twice as
    fast as a 32-bit one (4,096 words), which then bounds the design (the preset's factors)."""
    reuse = layer_reuse(PACKED_SPECS, 1, "balanced")
    assert reuse == {"conv1": 1, "conv2": 4, "conv3": 24, "output_dense": 96}
    cycles = {s.name: layer_cycles(s, reuse.get(s.name, 1)) for s in PACKED_SPECS}
    assert (cycles["conv1"], cycles["conv2"], cycles["conv3"], cycles["output_dense"]) == (2048, 1860, 2016, 96)
    assert max(cycles.values()) == 2048
