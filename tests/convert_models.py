"""Tiny QKeras models for the convert/verify tests (random weights from a seeded generator)."""

from __future__ import annotations

from typing import Any

import numpy as np


def tiny_qcnn(
    rng: np.random.Generator,
    shape: tuple[int, int, int] = (8, 8, 1),
    filters: tuple[int, ...] = (3,),
    **options: Any,
) -> Any:
    """fpgaflow's QKeras CNN (conv 3×3 + quantized_relu + pool per block, dense 1 + sigmoid; ``options``: other
    :class:`~fpgaflow.train.config.ModelConfig` fields) with random weights drawn on the quantiser grid's range,
    so sums reach well past the relu's 8.0 limit."""
    from fpgaflow.train.config import ModelConfig
    from fpgaflow.train.models import build_qcnn

    model = build_qcnn(ModelConfig(conv_filters=filters, **options), shape)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights([rng.uniform(-1.0, 1.0, w.shape).astype(np.float32) for w in weights])
    return model


def adc_maps(rng: np.random.Generator, n: int, shape: tuple[int, int, int] = (8, 8, 1)) -> np.ndarray:
    """Network inputs on the exact ADC grid: counts 0..255 × 2^-8, mostly empty like hit maps."""
    counts = rng.integers(0, 256, size=(n, *shape)) * (rng.random((n, *shape)) < 0.4)
    return (counts / 256.0).astype(np.float32)
