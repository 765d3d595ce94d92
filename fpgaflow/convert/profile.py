"""Profile activations: the largest |value| every layer produces on calibration maps (in TensorFlow)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


def _probe(model: Any, names: list[str]) -> Any:
    import tensorflow as tf

    return tf.keras.Model(model.inputs, [model.get_layer(n).output for n in names])


def layer_outputs(model: Any, x: np.ndarray, names: list[str], batch_size: int = 512) -> dict[str, np.ndarray]:
    """Every named layer's output on ``x`` (QKeras in TensorFlow, float32), keyed by layer name."""
    outs = _probe(model, names).predict(x, batch_size=batch_size, verbose=0)
    if len(names) == 1:
        outs = [outs]
    return {n: np.asarray(o) for n, o in zip(names, outs, strict=True)}


def profile_max_abs(model: Any, x: np.ndarray, batch_size: int = 512) -> dict[str, float]:
    """``{layer: max |output|}`` over the calibration maps ``x`` for every non-input layer.

    Maps go through in batches so the memory stays bounded for any calibration-set size.
    """
    names = [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"]
    probe = _probe(model, names)
    peak = dict.fromkeys(names, 0.0)
    for start in range(0, len(x), batch_size):
        outs = probe(x[start : start + batch_size], training=False)
        if len(names) == 1:
            outs = [outs]
        for n, o in zip(names, outs, strict=True):
            arr = np.asarray(o)
            peak[n] = max(peak[n], float(np.max(np.abs(arr))) if arr.size else 0.0)
    log.info("profiled %d layers on %d calibration maps", len(names), len(x))
    return peak
