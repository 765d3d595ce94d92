"""Penultimate-layer embeddings of a trained classifier: the features core-set acquisition measures distances
in (for the ``qcnn`` without hidden dense layers: the flattened last conv block, 8 filters × 6 × 6 = 288
values at 32 × 32 with ``models/default.yaml``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.errors import DataError
from fpgaflow_board.scaling import scale_inputs


def penultimate_layer(model: Any) -> Any:
    """The last layer that has weights (the output dense layer): its *input* is the embedding."""
    weighted = [layer for layer in model.layers if layer.get_weights()]
    if not weighted:
        raise DataError(f"model {model.name!r} has no layer with weights to take an embedding from")
    return weighted[-1]


def embeddings(model: Any, maps: np.ndarray, input_scale: float, batch_size: int = 1024) -> np.ndarray:
    """``(n, d)`` float64 inputs of the model's output layer for ADC ``maps`` ``(n, rows, cols, 1)``."""
    import tensorflow as tf

    # A stripped pruned model reuses layers of the graph it was cloned from (they have several inbound nodes);
    # a fresh clone with the same weights has one graph, so the head's input tensor is the one of this model.
    clean = tf.keras.models.clone_model(model)
    clean.set_weights(model.get_weights())
    head = penultimate_layer(clean)
    features = tf.keras.Model(clean.input, head.input)
    out = features.predict(scale_inputs(maps, input_scale), batch_size=batch_size, verbose=0)
    return np.asarray(out, dtype=np.float64).reshape(len(maps), -1)
