"""Keras callbacks of the training stage: epoch logging, the typed LR schedule, resumable early stopping that
restores the best epoch's weights."""

from __future__ import annotations

import logging
from collections.abc import Callable
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


def early_stopping(
    cfg: TrainConfig,
    best: float | None,
    wait: int,
    *,
    first_epoch: int = 0,
    best_epoch: int | None = None,
    best_weights: list[Any] | None = None,
    on_improve: Callable[[int, list[Any]], None] | None = None,
) -> Any:
    """Early stopping on ``cfg.early_stopping_monitor`` that keeps the best epoch's weights and puts them back
    at the end of training (``cfg.restore_best_weights``), whether it stopped early or ran every epoch.

    Only epochs from ``first_epoch`` (0-based) on compete and count towards the patience: the trainer passes
    the epoch at which pruning reaches its target sparsity, so the restored model is always pruned to the
    target.  ``best``/``wait``/``best_epoch``/``best_weights`` resume a checkpointed run's state;
    ``on_improve(epoch, weights)`` is called with every new best (the checkpoint saves them)."""
    import tensorflow as tf

    maximise = cfg.early_stopping_monitor != "val_loss"

    class BestEpochStopping(tf.keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.monitor = cfg.early_stopping_monitor
            self.best = best
            self.wait = wait
            self.best_epoch = best_epoch
            self.best_weights = best_weights
            self.stopped_epoch: int | None = None

        def _better(self, value: float) -> bool:
            if self.best is None:
                return True
            return value > self.best if maximise else value < self.best

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            value = (logs or {}).get(self.monitor)
            if value is None or epoch < first_epoch:
                return
            if self._better(float(value)):
                self.best, self.wait, self.best_epoch = float(value), 0, epoch
                self.best_weights = self.model.get_weights()
                if on_improve is not None:
                    on_improve(epoch, self.best_weights)
                return
            self.wait += 1
            if self.wait >= cfg.early_stopping_patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                log.info(
                    "early stopping after epoch %d: %s has not improved for %d epochs",
                    epoch + 1,
                    self.monitor,
                    self.wait,
                )

        def on_train_end(self, logs: dict[str, float] | None = None) -> None:
            if cfg.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)
                log.info(
                    "restored the weights of epoch %d (%s %.4f)", (self.best_epoch or 0) + 1, self.monitor, self.best
                )

    return BestEpochStopping()
