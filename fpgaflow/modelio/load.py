"""Load a saved (Q)Keras model, refusing layers whose Python code would run on load."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fpgaflow.errors import DataError, require

#: Layer classes whose saved config carries Python bytecode (run by Keras while it rebuilds the model,
#: even with ``safe_mode`` for ``.h5`` in TF 2.15).
UNSAFE_LAYERS = ("Lambda",)


def custom_objects() -> dict[str, Any]:
    """Objects Keras needs to reload a saved QKeras model."""
    from qkeras.utils import _add_supported_quantized_objects

    objects: dict[str, Any] = {}
    _add_supported_quantized_objects(objects)
    return objects


def read_model_config(path: Path | str) -> dict[str, Any]:
    """The model's architecture JSON, read without Keras: the ``model_config`` attribute of an ``.h5``
    file or ``config.json`` inside a ``.keras`` archive."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: model file not found")
    try:
        if path.suffix == ".h5":
            require("h5py", "host")
            import h5py

            with h5py.File(path, "r") as f:
                raw = f.attrs.get("model_config")
        elif path.suffix == ".keras":
            with zipfile.ZipFile(path) as z:
                raw = z.read("config.json") if "config.json" in z.namelist() else None
        else:
            raise DataError(f"{path}: expected a Keras model file (.h5 or .keras)")
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: not a readable Keras model file ({exc})") from None
    if raw is None:
        raise DataError(f"{path}: no model architecture inside (saved weights only?)")
    try:
        config = json.loads(raw.decode() if isinstance(raw, bytes) else str(raw))
    except ValueError as exc:
        raise DataError(f"{path}: model architecture is not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise DataError(f"{path}: model architecture is not a JSON object")
    return config


def _layers(node: Any) -> Iterator[dict[str, Any]]:
    """Every serialised object with a ``class_name`` in the config tree (nested models and wrappers too)."""
    if isinstance(node, dict):
        if "class_name" in node:
            yield node
        for value in node.values():
            yield from _layers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _layers(value)


def check_safe(config: dict[str, Any], path: Path | str) -> None:
    """Raise :class:`DataError` naming the file and layer if a layer would run stored Python code."""
    for layer in _layers(config):
        cfg = layer.get("config")
        carries_code = isinstance(cfg, dict) and cfg.get("function_type") == "lambda"
        if layer["class_name"] in UNSAFE_LAYERS or carries_code:
            name = layer.get("name") or (cfg.get("name") if isinstance(cfg, dict) else None) or "?"
            raise DataError(
                f"{path}: layer {name!r} is a {layer['class_name']} layer, whose Python code would run on load; "
                "fpgaflow does not load such models (rebuild the model without Lambda layers)"
            )


def load_model(path: Path | str) -> Any:
    """Load a saved (stripped) QKeras or Keras model (``.h5`` or ``.keras``), not compiled.

    The architecture is checked first (:func:`check_safe`); a file Keras then cannot rebuild (an unknown
    layer class, a truncated file) raises :class:`DataError` with Keras' first line.
    """
    check_safe(read_model_config(path), path)
    require("tensorflow", "host")
    import tensorflow as tf

    try:
        return tf.keras.models.load_model(str(path), custom_objects=custom_objects(), compile=False)
    except (ValueError, TypeError, KeyError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot load the model: {first}") from None
