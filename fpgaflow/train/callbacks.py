"""Keras callbacks of the training stage: epoch logging, the typed LR schedule, resumable early stopping."""

from __future__ import annotations

import logging
from typing import Any

from fpgaflow.train.config import TrainConfig

log = logging.getLogger(__name__)


def log_epochs() -> Any:
    """Log loss/accuracy of every epoch at INFO."""
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


def lr_schedule(cfg: TrainConfig) -> Any:
    """Set the optimizer's rate at the start of each epoch from :meth:`TrainConfig.learning_rate_at`."""
    import tensorflow as tf

    return tf.keras.callbacks.LearningRateScheduler(lambda epoch, _lr: cfg.learning_rate_at(epoch), verbose=0)


def early_stopping(cfg: TrainConfig, best: float | None, wait: int) -> Any:
    """Keras ``EarlyStopping`` on ``cfg.early_stopping_monitor`` that starts from a resumed ``best``/``wait``.

    The best weights are not restored at the end (they are not part of the checkpoint); the final model
    is the last epoch's.
    """
    import tensorflow as tf

    class ResumableEarlyStopping(tf.keras.callbacks.EarlyStopping):
        def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
            super().on_train_begin(logs)
            self.wait = wait
            if best is not None:
                self.best = best

    mode = "min" if cfg.early_stopping_monitor == "val_loss" else "max"
    return ResumableEarlyStopping(
        monitor=cfg.early_stopping_monitor, patience=cfg.early_stopping_patience, mode=mode, restore_best_weights=False
    )
