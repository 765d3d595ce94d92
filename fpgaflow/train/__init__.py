"""Models and training. TensorFlow/QKeras are imported lazily inside functions.

Public entry points: :class:`ModelConfig`, :class:`TrainConfig`, :func:`train_classifier` (build, train,
prune and strip a classifier: a :class:`TrainResult`) and :func:`make_splits` (a data config's train /
validation / test maps, split as ``fpgaflow run`` splits them).  The last three load on first use, so
reading the configs (``fpgaflow --help``) does not import the training loop.
"""

from typing import Any

from fpgaflow.train.config import ModelConfig, TrainConfig

__all__ = ["ModelConfig", "TrainConfig", "TrainResult", "make_splits", "train_classifier"]


def __getattr__(name: str) -> Any:
    if name in ("TrainResult", "train_classifier"):
        from fpgaflow.train import trainer

        return getattr(trainer, name)
    if name == "make_splits":
        from fpgaflow.train.datasets import make_splits

        return make_splits
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
