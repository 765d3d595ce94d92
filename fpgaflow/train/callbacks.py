"""Keras callbacks of the training stage: epoch logging, the typed LR schedule, resumable early stopping."""

from __future__ import annotations

import logging
from typing import Any

from fpgaflow.train.config import TrainConfig

log = logging.getLogger(__name__)


def log_epochs(epochs: int, initial_epoch: int = 0) -> Any:
    """Show every epoch's loss/accuracy: a progress bar over the epochs on a terminal, an INFO line per
    epoch otherwise (:mod:`fpgaflow.progress`)."""
    import tensorflow as tf

    from fpgaflow.progress import Progress

    class LogEpoch(tf.keras.callbacks.Callback):
        bar: Progress | None = None

        def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
            self.bar = Progress(epochs, "train", "epochs", logger=log, log_every=0, initial=initial_epoch)

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            logs = logs or {}
            nan = float("nan")
            note = (
                f"loss {logs.get('loss', nan):.4f} acc {logs.get('accuracy', nan):.4f} | "
                f"val_loss {logs.get('val_loss', nan):.4f} val_acc {logs.get('val_accuracy', nan):.4f}"
            )
            if self.bar is not None:
                self.bar.update(1, note=note)

        def on_train_end(self, logs: dict[str, float] | None = None) -> None:
            if self.bar is not None:
                self.bar.close()

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
