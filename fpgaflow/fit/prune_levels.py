"""Pruning levels for the fit search: fine-tune a copy of the model to a target sparsity (tfmot).

Each level is a copy of the given model (its weights, not a fresh initialisation), wrapped for magnitude
pruning with a polynomial schedule that reaches ``sparsity`` halfway through ``epochs`` epochs, fine-tuned on
the training maps and stripped.  In hardware each zeroed weight removes one multiplier under the Latency
strategy at any reuse factor (hls4ml skips zero products), so higher sparsity trades accuracy for LUTs.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from fpgaflow.compress import prune
from fpgaflow.compress.config import PruneConfig

log = logging.getLogger(__name__)


def prune_to(
    model: Any,
    sparsity: float,
    maps: np.ndarray,
    labels: np.ndarray,
    epochs: int,
    seed: int,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
) -> Any:
    """A fine-tuned copy of ``model`` (sigmoid output) with ``sparsity`` of every Conv2D/Dense kernel zero.

    ``maps``: network-input maps (ADC × input scale); ``labels``: 0/1.  ``seed`` seeds TensorFlow's
    generators (shuffling, dropout-free training is otherwise deterministic on CPU).
    """
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    copy = tf.keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    steps = int(np.ceil(len(maps) / batch_size)) * epochs
    cfg = PruneConfig(target_sparsity=sparsity, begin_fraction=0.0, end_fraction=0.5, frequency_steps=10)
    wrapped = prune.wrap_for_pruning(copy, cfg, total_steps=steps)
    wrapped.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss="binary_crossentropy")
    wrapped.fit(
        maps,
        labels.astype(np.float32),
        batch_size=batch_size,
        epochs=epochs,
        callbacks=prune.pruning_callbacks(),
        shuffle=True,
        verbose=0,
    )
    stripped = prune.strip(wrapped)
    # The pruning clone shares its unwrapped layers (input, activations, pooling) with ``copy``, so their
    # ``.output`` belongs to another graph: rebuild fresh layers and carry the weights over.
    clean = tf.keras.models.clone_model(stripped)
    clean.set_weights(stripped.get_weights())
    log.info("fit: pruned to %.2f (measured %.3f) in %d epochs", sparsity, prune.total_sparsity(clean), epochs)
    return clean
