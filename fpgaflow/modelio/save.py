"""Save a trained model as ``.h5`` with its input scale, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow.errors import require
from fpgaflow.modelio.input_scale import INPUT_SCALE_ATTR
from fpgaflow_board.atomic import atomic_file


def save_model(model: Any, path: Path | str, input_scale: float | None) -> Path:
    """Write ``model`` to ``path`` (``.h5``) with ``input_scale`` as the root attribute ``fpgaflow_input_scale``.

    ``input_scale`` ``None`` writes no attribute (a design converted from pinned types, whose scale is not
    known here).  The file appears whole or not at all (:func:`fpgaflow_board.atomic.atomic_file`: Keras
    and h5py write a temporary file beside ``path``, whose mode follows the umask, renamed over it once
    complete).
    """
    path = Path(path)
    if path.suffix != ".h5":
        raise ValueError(f"{path}: fpgaflow saves models as .h5 (QKeras' QActivation does not round-trip .keras)")
    if input_scale is not None and not input_scale > 0:
        raise ValueError(f"input scale must be > 0, got {input_scale!r}")
    require("h5py", "host")
    import h5py

    with atomic_file(path) as tmp:
        model.save(tmp)
        if input_scale is not None:
            with h5py.File(tmp, "a") as f:
                f.attrs[INPUT_SCALE_ATTR] = float(input_scale)
    return path
