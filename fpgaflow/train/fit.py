"""Train a (pruned, quantised) hit-map classifier with Keras ``fit``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from fpgaflow.augment import AugmentConfig, build_pipeline
from fpgaflow.compress import prune
from fpgaflow.compress.config import PruneConfig
from fpgaflow.data.hitmaps import HitMapSet
from fpgaflow.train.config import ModelConfig, TrainConfig
from fpgaflow.train.models import build_model
from fpgaflow.train.sequence import make_training_sequence, scale_inputs

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """The trained model (pruning stripped) and its per-epoch history."""

    model: Any
    history: dict[str, list[float]]
    sparsity: float
    layer_sparsity: dict[str, float]


def _log_callback() -> Any:
    import tensorflow as tf

    class LogEpoch(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            logs = logs or {}
            log.info(
                "epoch %d: loss %.4f acc %.4f | val_loss %.4f val_acc %.4f",
                epoch + 1,
                logs.get("loss", float("nan")),
                logs.get("accuracy", float("nan")),
                logs.get("val_loss", float("nan")),
                logs.get("val_accuracy", float("nan")),
            )

    return LogEpoch()


def train_classifier(
    train_set: HitMapSet,
    val_set: HitMapSet,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    prune_cfg: PruneConfig,
    augment_cfg: AugmentConfig,
) -> TrainResult:
    """Build, (prune-)train and strip a classifier.  Only ``train_set`` is augmented."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(train_cfg.seed)
    model = build_model(model_cfg, train_set.map_shape)
    seq = make_training_sequence(
        train_set.maps,
        train_set.labels,
        train_cfg.batch_size,
        model_cfg.input_scale,
        build_pipeline(augment_cfg),
        seed=augment_cfg.seed,
    )
    callbacks: list[Any] = [_log_callback()]
    if prune_cfg.enabled and prune_cfg.target_sparsity > 0:
        model = prune.wrap_for_pruning(model, prune_cfg, total_steps=len(seq) * train_cfg.epochs)
        callbacks += prune.pruning_callbacks()
    if train_cfg.early_stopping_patience:
        callbacks.append(
            tf.keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=train_cfg.early_stopping_patience, restore_best_weights=False
            )
        )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(train_cfg.learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    x_val = scale_inputs(val_set.maps, model_cfg.input_scale)
    hist = model.fit(
        seq,
        validation_data=(x_val, val_set.labels.astype(np.float32)),
        epochs=train_cfg.epochs,
        callbacks=callbacks,
        verbose=0,
        shuffle=False,  # the sequence shuffles itself, reproducibly
    )
    if prune_cfg.enabled and prune_cfg.target_sparsity > 0:
        model = prune.strip(model)
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    return TrainResult(model, history, prune.total_sparsity(model), prune.layer_sparsity(model))


def predict_scores(model: Any, maps: np.ndarray, input_scale: float, batch_size: int = 1024) -> np.ndarray:
    """Particle scores in [0, 1] for ADC maps, shape (n,)."""
    scores = model.predict(scale_inputs(maps, input_scale), batch_size=batch_size, verbose=0)
    return np.asarray(scores, dtype=np.float64).reshape(-1)
