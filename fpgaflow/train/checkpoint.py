"""Per-epoch training checkpoints and resume after interruption.

After every epoch the model's variables (weights, batch-norm statistics, pruning masks and step) and
the optimizer's (slots, iteration count) are written with ``tf.train.Checkpoint`` into
``epoch_NNNN/``; then ``state.json`` — the epoch count, the history so far, the early-stopping counters
and a hash of the configs and of the training and validation maps' contents — is replaced atomically.
``state.json`` is written last, so a process killed at any moment leaves either the previous complete
checkpoint or the new one.  On resume the model is rebuilt from the same config and seed, the variables
restored, and ``fit`` continues at ``initial_epoch``; the augmentation plan is a pure function of
(seed, epoch), so the data match too.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpgaflow_board import atomic

log = logging.getLogger(__name__)

STATE_FILE = "state.json"


@dataclass
class TrainState:
    """What a resumed run needs besides the variables: epochs done, history, early-stopping state."""

    epochs_done: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)
    best: float | None = None
    best_epoch: int | None = None
    wait: int = 0
    stopped: bool = False
    config_hash: str = ""
    prefix: str = ""


def load_state(directory: Path, config_hash: str) -> TrainState | None:
    """The last complete state in ``directory``, or ``None``.  A state written for other settings is not
    resumed: it is logged and ignored (the next epoch's save replaces it)."""
    path = directory / STATE_FILE
    if not path.is_file():
        return None
    try:
        state = TrainState(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:  # not JSON, or not a state fpgaflow wrote
        log.warning("%s: unreadable training checkpoint (%s); starting afresh", path, exc)
        return None
    if state.config_hash != config_hash:
        log.warning(
            "%s: checkpoint is for other model/train/prune/augment settings or other maps (%s, now %s); "
            "starting afresh",
            path,
            state.config_hash,
            config_hash,
        )
        return None
    return state


def save(directory: Path, checkpoint: Any, state: TrainState) -> None:
    """Write the variables for ``state.epochs_done`` and then, atomically, ``state.json``."""
    sub = f"epoch_{state.epochs_done:04d}"
    prefix = checkpoint.write(str(directory / sub / "ckpt"))
    state.prefix = str(Path(prefix).relative_to(directory))
    atomic.write_json(directory / STATE_FILE, state.__dict__, allow_nan=False)
    for old in directory.glob("epoch_*"):
        if old.name != sub:
            shutil.rmtree(old, ignore_errors=True)
    keep = None if state.best_epoch is None else best_weights_path(directory, state.best_epoch).name
    for old in directory.glob("best_epoch_*.npz"):
        if old.name != keep:
            old.unlink(missing_ok=True)


def best_weights_path(directory: Path, epoch: int) -> Path:
    """Where the weights of best epoch ``epoch`` (0-based) are kept for early stopping to restore."""
    return directory / f"best_epoch_{epoch:04d}.npz"


def save_best_weights(directory: Path, epoch: int, weights: list[Any]) -> None:
    """Write a new best epoch's weights (``model.get_weights()`` order).  ``state.json`` names the best epoch
    once it is written, so a run killed in between resumes with the previous best and its own file."""
    atomic.write_npz(best_weights_path(directory, epoch), **{f"w{i:04d}": w for i, w in enumerate(weights)})


def load_best_weights(directory: Path, state: TrainState) -> list[Any] | None:
    """The best epoch's weights of a resumed run, or ``None`` (no best epoch yet, or its file is missing)."""
    if state.best_epoch is None:
        return None
    path = best_weights_path(directory, state.best_epoch)
    if not path.is_file():
        log.warning("%s: the best epoch's weights are missing; early stopping starts its search afresh", path)
        return None
    import numpy as np

    with np.load(path) as z:
        return [z[k] for k in sorted(z.files)]


def restore(directory: Path, checkpoint: Any, state: TrainState) -> None:
    """Read the variables of ``state`` into ``checkpoint``'s objects (which must already be built)."""
    status = checkpoint.read(str(directory / state.prefix))
    status.assert_existing_objects_matched()
    log.info("resumed from %s after epoch %d", directory, state.epochs_done)


def checkpoint_callback(directory: Path, checkpoint: Any, state: TrainState, early_stop: Any | None) -> Any:
    """A Keras callback that appends the epoch's logs to ``state.history`` and saves after every epoch.

    Put it after the early-stopping callback so the saved counters include this epoch.
    """
    import tensorflow as tf

    class SaveEveryEpoch(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            for key, value in (logs or {}).items():
                state.history.setdefault(key, []).append(float(value))
            state.epochs_done = epoch + 1
            if early_stop is not None:
                state.wait = int(early_stop.wait)
                state.best = None if early_stop.best is None else float(early_stop.best)
                state.best_epoch = early_stop.best_epoch
                state.stopped = bool(early_stop.model.stop_training)
            save(directory, checkpoint, state)

    return SaveEveryEpoch()
