"""Profile activations: every layer's output on calibration maps, in TensorFlow, one batch at a time.

:func:`probe_layers` is the one activation probe (a Keras model over the named layers' outputs, run in
batches so memory stays bounded for any number of maps); profiling, the verify stage's range count and the
per-layer trace all read layer outputs through it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


def probe_layers(model: Any, x: np.ndarray, names: list[str], batch_size: int = 512) -> Iterator[dict[str, np.ndarray]]:
    """For each batch of ``batch_size`` maps of ``x``: every named layer's output (QKeras in TensorFlow,
    float32, inference mode), keyed by layer name."""
    import tensorflow as tf

    probe = tf.keras.Model(model.inputs, [model.get_layer(n).output for n in names])
    for start in range(0, len(x), batch_size):
        outs = probe(x[start : start + batch_size], training=False)
        if len(names) == 1:
            outs = [outs]
        yield {n: np.asarray(o) for n, o in zip(names, outs, strict=True)}


def layer_outputs(model: Any, x: np.ndarray, names: list[str], batch_size: int = 512) -> dict[str, np.ndarray]:
    """Every named layer's output on all of ``x`` (batches concatenated), keyed by layer name."""
    batches = list(probe_layers(model, x, names, batch_size))
    return {n: np.concatenate([b[n] for b in batches]) for n in names}


def profile_max_abs(model: Any, x: np.ndarray, batch_size: int = 512) -> dict[str, float]:
    """``{layer: max |output|}`` over the calibration maps ``x`` for every non-input layer."""
    names = [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"]
    peak = dict.fromkeys(names, 0.0)
    for batch in probe_layers(model, x, names, batch_size):
        for n, arr in batch.items():
            peak[n] = max(peak[n], float(np.max(np.abs(arr))) if arr.size else 0.0)
    log.info("profiled %d layers on %d calibration maps", len(names), len(x))
    return peak
