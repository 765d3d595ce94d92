"""Feed a :class:`~fpgaflow.augment.strategies.Strategy` to Keras ``model.fit`` — training data only.

Importing this module does not import TensorFlow; the Keras classes are built on first use.

* ``StrategySequence(maps, labels, strategy, batch_size, x_transform=None, initial_epoch=0)`` — a
  ``keras.utils.Sequence``: ``len()`` = ``strategy.steps_per_epoch``; ``seq[i]`` = batch ``i`` of the
  current epoch (random access, deterministic); ``on_epoch_end`` advances the epoch, which re-plans
  (new shuffle, new augmentation draws, next systematic shard).  Fit it with ``shuffle=False`` (the plan
  already shuffles; Keras' own shuffle uses global random state) and ``workers=1``: Keras 2.15's
  multi-worker enqueuer may call ``on_epoch_end`` twice per epoch, which would skip an epoch's plan.
* :func:`strategy_dataset` — the same batches as a ``tf.data.Dataset`` with ``prefetch`` (a background
  thread builds the next batches while the model trains on the current one).
* :func:`fit_with_strategy` — the call the training stage makes: builds the training input (Sequence or
  dataset), and passes validation data through ``x_transform`` only — **never augmented**.

``x_transform`` maps ADC counts to the network input (the trainer passes
``lambda x: scale_inputs(x, model_cfg.input_scale)``, :mod:`fpgaflow_board.scaling`); it is applied after
augmentation, which always works on ADC counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.augment.strategies import Strategy
from fpgaflow.data.hitmaps import MapArray, TargetArray
from fpgaflow.errors import ConfigError, DataError

XTransform = Callable[[MapArray], npt.NDArray[np.floating[Any]]]

_CACHE: dict[str, type] = {}


def _check_inputs(maps: MapArray, labels: TargetArray) -> None:
    if maps.ndim != 4 or maps.shape[0] != labels.shape[0]:
        raise DataError(f"maps must be (n, rows, cols, 1) with one label each, got {maps.shape} and {labels.shape}")


def _sequence_class() -> type:
    if "StrategySequence" in _CACHE:
        return _CACHE["StrategySequence"]
    from tensorflow import keras

    class StrategySequence(keras.utils.Sequence):  # type: ignore[misc]  # TensorFlow ships no type hints
        """Training batches of a strategy, one epoch at a time (see module docstring)."""

        def __init__(
            self,
            maps: MapArray,
            labels: TargetArray,
            strategy: Strategy,
            batch_size: int,
            *,
            x_transform: XTransform | None = None,
            initial_epoch: int = 0,
        ) -> None:
            super().__init__()
            _check_inputs(maps, labels)
            self.maps = maps
            self.labels = labels
            self.strategy = strategy
            self.batch_size = int(batch_size)
            self.x_transform = x_transform
            self.epoch = int(initial_epoch)
            self._plan = strategy.plan_epoch(labels, self.epoch, self.batch_size)

        def __len__(self) -> int:
            return len(self._plan)

        def __getitem__(self, index: int) -> tuple[npt.NDArray[np.floating[Any]], TargetArray]:
            if not 0 <= index < len(self._plan):
                raise IndexError(f"batch {index} out of range 0..{len(self._plan) - 1}")
            x, y = self.strategy.make_batch(self.maps, self.labels, self._plan[index], self.epoch, index)
            return (x if self.x_transform is None else self.x_transform(x)), y

        def on_epoch_end(self) -> None:
            self.epoch += 1
            self._plan = self.strategy.plan_epoch(self.labels, self.epoch, self.batch_size)

    _CACHE["StrategySequence"] = StrategySequence
    return StrategySequence


def __getattr__(name: str) -> Any:
    if name == "StrategySequence":
        return _sequence_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def iterate_epochs(
    maps: MapArray,
    labels: TargetArray,
    strategy: Strategy,
    batch_size: int,
    epochs: int,
    *,
    x_transform: XTransform | None = None,
    initial_epoch: int = 0,
) -> Iterator[tuple[npt.NDArray[np.floating[Any]], TargetArray]]:
    """Every batch of epochs ``initial_epoch .. epochs-1`` in order (the generator behind the dataset)."""
    _check_inputs(maps, labels)
    for epoch in range(initial_epoch, epochs):
        for x, y in strategy.epoch_batches(maps, labels, epoch, batch_size):
            yield (x if x_transform is None else x_transform(x)), y


def strategy_dataset(
    maps: MapArray,
    labels: TargetArray,
    strategy: Strategy,
    batch_size: int,
    epochs: int,
    *,
    x_transform: XTransform | None = None,
    initial_epoch: int = 0,
    prefetch: int = 2,
) -> Any:
    """A ``tf.data.Dataset`` of all training batches of the run, prefetched ``prefetch`` batches ahead.

    Fit it with ``steps_per_epoch=strategy.steps_per_epoch(labels, batch_size)`` and the same ``epochs``.
    """
    import tensorflow as tf

    if prefetch < 0:
        raise ConfigError(f"prefetch must be >= 0, got {prefetch}")
    probe = maps[:1] if x_transform is None else x_transform(maps[:1])
    signature = (
        tf.TensorSpec(shape=(None, *probe.shape[1:]), dtype=tf.as_dtype(probe.dtype)),
        tf.TensorSpec(shape=(None,), dtype=tf.as_dtype(labels.dtype)),
    )
    ds = tf.data.Dataset.from_generator(
        lambda: iterate_epochs(
            maps, labels, strategy, batch_size, epochs, x_transform=x_transform, initial_epoch=initial_epoch
        ),
        output_signature=signature,
    )
    return ds.prefetch(prefetch) if prefetch else ds


def fit_with_strategy(
    model: Any,
    maps: MapArray,
    labels: TargetArray,
    strategy: Strategy,
    batch_size: int,
    *,
    epochs: int,
    validation_data: tuple[npt.NDArray[np.floating[Any]], TargetArray] | None = None,
    x_transform: XTransform | None = None,
    initial_epoch: int = 0,
    use_dataset: bool = False,
    **fit_kwargs: Any,
) -> Any:
    """``model.fit`` on the strategy's training batches; validation maps only pass through ``x_transform``.

    ``use_dataset`` picks :func:`strategy_dataset` (prefetching) instead of ``StrategySequence``;
    ``fit_kwargs`` go to ``model.fit`` (callbacks, class_weight, verbose...).  Returns the History.
    """
    for banned in ("shuffle", "workers", "use_multiprocessing", "x", "y", "steps_per_epoch"):
        if banned in fit_kwargs:
            raise ConfigError(f"fit_with_strategy sets {banned!r} itself; do not pass it")
    val = None
    if validation_data is not None:
        vx, vy = validation_data
        _check_inputs(vx, vy)
        val = ((vx if x_transform is None else x_transform(vx)), vy)  # never augmented
    if use_dataset:
        ds = strategy_dataset(
            maps, labels, strategy, batch_size, epochs, x_transform=x_transform, initial_epoch=initial_epoch
        )
        return model.fit(
            ds,
            epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=strategy.steps_per_epoch(labels, batch_size),
            validation_data=val,
            **fit_kwargs,
        )
    seq = _sequence_class()(maps, labels, strategy, batch_size, x_transform=x_transform, initial_epoch=initial_epoch)
    return model.fit(
        seq,
        epochs=epochs,
        initial_epoch=initial_epoch,
        validation_data=val,
        shuffle=False,
        workers=1,
        **fit_kwargs,
    )
