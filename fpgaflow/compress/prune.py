"""Magnitude pruning of quantised conv/dense layers with tensorflow-model-optimization.

Only the multiplying layers (QConv2D, QDense, Conv2D, Dense) are wrapped; activations and pooling have no
weights.  After training, :func:`strip` removes the pruning wrappers so hls4ml sees plain (Q)Keras layers
whose zero weights it can skip.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import suggest
from fpgaflow.errors import ConfigError

log = logging.getLogger(__name__)

_PRUNABLE = ("QConv2D", "QConv2DBatchnorm", "QDense", "Conv2D", "Dense")


def wrap_for_pruning(model: Any, cfg: PruneConfig, total_steps: int) -> Any:
    """Return a clone of ``model`` whose conv/dense layers prune to ``cfg.target_sparsity``.

    The polynomial-decay schedule starts at ``begin_fraction × total_steps`` and reaches the target at
    ``end_fraction × total_steps`` optimizer steps.
    """
    import tensorflow as tf
    import tensorflow_model_optimization as tfmot

    selected = prunable_layers(model, cfg)
    begin = int(cfg.begin_fraction * total_steps)
    end = max(begin + 1, int(cfg.end_fraction * total_steps))
    # The mask only changes every `frequency` steps: on a short run use at least ~10 updates of the ramp
    # so the final sparsity is reached before `end`.
    frequency = max(1, min(cfg.frequency_steps, (end - begin) // 10))
    schedule = tfmot.sparsity.keras.PolynomialDecay(
        initial_sparsity=cfg.initial_sparsity,
        final_sparsity=cfg.target_sparsity,
        begin_step=begin,
        end_step=end,
        frequency=frequency,
    )

    def clone(layer: Any) -> Any:
        if layer.name in selected:
            return tfmot.sparsity.keras.prune_low_magnitude(layer, pruning_schedule=schedule)
        return layer

    return tf.keras.models.clone_model(model, clone_function=clone)


def prunable_layers(model: Any, cfg: PruneConfig) -> list[str]:
    """Names of the layers ``cfg`` prunes in ``model``; raises ConfigError for a name that is not a
    conv/dense layer of the model (with a did-you-mean hint)."""
    candidates = [layer.name for layer in model.layers if type(layer).__name__ in _PRUNABLE]
    if not cfg.layers:
        return candidates
    for name in cfg.layers:
        if name not in candidates:
            raise ConfigError(
                f"prune.layers: {name!r} is not a conv/dense layer of model {model.name!r}"
                f"{suggest(name, candidates)}; prunable layers: {', '.join(candidates)}"
            )
    return list(cfg.layers)


def pruning_callbacks() -> list[Any]:
    """The callback tfmot needs to advance the pruning step."""
    import tensorflow_model_optimization as tfmot

    return [tfmot.sparsity.keras.UpdatePruningStep()]


def strip(model: Any) -> Any:
    """Remove pruning wrappers (weights keep their zeros)."""
    import tensorflow_model_optimization as tfmot

    return tfmot.sparsity.keras.strip_pruning(model)


def layer_sparsity(model: Any) -> dict[str, float]:
    """Fraction of exactly-zero kernel weights per conv/dense layer (biases excluded)."""
    out: dict[str, float] = {}
    for layer in model.layers:
        if type(layer).__name__ in _PRUNABLE:
            kernel = np.asarray(layer.get_weights()[0])
            out[layer.name] = float(np.mean(kernel == 0))
    return out


def total_sparsity(model: Any) -> float:
    """Fraction of zero kernel weights over all conv/dense layers (weighted by their sizes)."""
    zeros = total = 0
    for layer in model.layers:
        if type(layer).__name__ in _PRUNABLE:
            kernel = np.asarray(layer.get_weights()[0])
            zeros += int(np.sum(kernel == 0))
            total += kernel.size
    return zeros / total if total else 0.0
