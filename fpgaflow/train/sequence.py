"""Feed hit maps to Keras: shuffle per epoch, augment training batches only, scale ADC to network input."""

from __future__ import annotations

from typing import Any

import numpy as np

from fpgaflow.augment import Compose


def make_training_sequence(
    maps: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    input_scale: float,
    augment: Compose | None,
    seed: int,
) -> Any:
    """A ``keras.utils.Sequence`` over training maps.

    Epoch ``e``'s order and batch ``b``'s augmentation come from generators seeded with ``(seed, e)``
    and ``(seed, e, b)``, so a run is reproducible regardless of the order Keras asks for batches.
    """
    import tensorflow as tf

    class HitMapSequence(tf.keras.utils.Sequence):
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.order = np.random.default_rng([seed, 0]).permutation(len(labels))

        def __len__(self) -> int:
            return int(np.ceil(len(labels) / batch_size))

        def __getitem__(self, b: int) -> tuple[np.ndarray, np.ndarray]:
            idx = self.order[b * batch_size : (b + 1) * batch_size]
            x = maps[idx]
            if augment is not None:
                x = augment(x, np.random.default_rng([seed, self.epoch, b]))
            return (x * np.float32(input_scale)).astype(np.float32), labels[idx].astype(np.float32)

        def on_epoch_end(self) -> None:
            self.epoch += 1
            self.order = np.random.default_rng([seed, self.epoch]).permutation(len(labels))

    return HitMapSequence()


def scale_inputs(maps: np.ndarray, input_scale: float) -> np.ndarray:
    """ADC counts → network input (no augmentation: validation, test and inference data)."""
    return (maps * np.float32(input_scale)).astype(np.float32)
