"""The input scale stored with a saved model, and the rule that resolves it against an override."""

from __future__ import annotations

import logging
import math
from pathlib import Path

from fpgaflow.errors import ConfigError, DataError, require
from fpgaflow_board.scaling import same_input_scale

log = logging.getLogger(__name__)

#: HDF5 root attribute of a saved ``.h5`` model: ADC counts × this = network input.
INPUT_SCALE_ATTR = "fpgaflow_input_scale"
#: The rule in one line, for the help of every command-line flag that overrides the stored scale.
OVERRIDE_HELP = (
    "ADC counts → network input, for a model that does not store it (default: the model's stored scale; "
    "a different value is refused)"
)
#: fpgaflow's training default (0–255 ADC → [0, 1), exact in ``ap_ufixed<8,0>``), and the scale assumed for
#: a model saved without :data:`INPUT_SCALE_ATTR`.
DEFAULT_INPUT_SCALE = 1.0 / 256.0


def stored_input_scale(path: Path | str) -> float | None:
    """The input scale saved in ``path`` (an ``.h5`` model), or ``None`` when it has none (or is ``.keras``)."""
    path = Path(path)
    if path.suffix != ".h5":
        return None
    if not path.is_file():
        raise DataError(f"{path}: model file not found")
    require("h5py", "host")
    import h5py

    try:
        with h5py.File(path, "r") as f:
            value = f.attrs.get(INPUT_SCALE_ATTR)
    except OSError as exc:
        raise DataError(f"{path}: not a readable HDF5 model file ({exc})") from None
    if value is None:
        return None
    scale = float(value)
    if not (math.isfinite(scale) and scale > 0):
        raise DataError(f"{path}: stored input scale {scale!r} is not a finite number > 0")
    return scale


def input_scale_for(path: Path | str, override: float | None = None, flag: str = "--input-scale") -> float:
    """The input scale of the model in ``path``.

    The stored scale wins; an ``override`` (a command-line flag, a run config) that disagrees with it
    raises :class:`ConfigError`.  Without a stored scale the ``override`` is used, else
    :data:`DEFAULT_INPUT_SCALE` with a warning that names the file.
    """
    stored = stored_input_scale(path)
    if stored is not None:
        if override is not None and not same_input_scale(override, stored):
            raise ConfigError(
                f"{path} was trained with input scale {stored!r}; {flag} {override!r} disagrees "
                "(leave it out: the model's own scale is used)"
            )
        return stored
    if override is not None:
        if not (math.isfinite(override) and override > 0):
            raise ConfigError(f"{flag} must be a finite number > 0, got {override!r}")
        return float(override)
    log.warning(
        "%s stores no input scale (saved by another tool or an older fpgaflow): assuming %g (1/256); "
        "give %s to state the scale it was trained with",
        path,
        DEFAULT_INPUT_SCALE,
        flag,
    )
    return DEFAULT_INPUT_SCALE
