"""Model registry: build a model by name from its typed config and check it against the data.

Saving and loading (with the input scale) is :mod:`fpgaflow.modelio`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fpgaflow.config.strict import suggest
from fpgaflow.errors import ConfigError, DataError
from fpgaflow.train.config import ModelConfig
from fpgaflow.train.models_qcnn import build_qcnn
from fpgaflow.train.models_study import build_base_cnn, build_reduced_cnn

Builder = Callable[[ModelConfig, tuple[int, int, int]], Any]

MODEL_BUILDERS: dict[str, Builder] = {
    "qcnn": build_qcnn,
    "base": build_base_cnn,
    "reduced": build_reduced_cnn,
}


def check_model_name(name: str) -> Builder:
    """The builder registered as ``name``; an unknown name raises ConfigError with a did-you-mean hint."""
    try:
        return MODEL_BUILDERS[name]
    except KeyError:
        raise ConfigError(
            f"unknown model {name!r}{suggest(name, MODEL_BUILDERS)}; known models: {', '.join(sorted(MODEL_BUILDERS))}"
        ) from None


def build_model(cfg: ModelConfig, input_shape: tuple[int, int, int]) -> Any:
    """Build the (uncompiled) model named by ``cfg.name`` for maps of ``input_shape`` (rows, cols, channels)."""
    if len(input_shape) != 3 or min(input_shape) < 1:
        raise DataError(f"model input shape must be (rows, cols, channels), got {input_shape}")
    builder = check_model_name(cfg.name)
    try:
        return builder(cfg, tuple(int(v) for v in input_shape))  # type: ignore[arg-type]
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        # Keras raises ValueError when a 'valid' conv or pool would produce an empty map.
        raise ConfigError(f"model {cfg.name!r} cannot be built for input {input_shape}: {exc}") from None


def check_input_shape(model: Any, map_shape: tuple[int, ...], what: str = "training data") -> None:
    """Raise DataError when ``model``'s input does not accept maps of ``map_shape``."""
    expected = tuple(model.input_shape[1:])
    if len(expected) != len(map_shape) or any(
        e is not None and e != m for e, m in zip(expected, map_shape, strict=True)
    ):
        raise DataError(f"model {model.name!r} expects input {expected} but the {what} has maps of {tuple(map_shape)}")
