"""The hook for the bit-exact emulator (``fpgaflow.emulate``, its own issue).

``verify.backend: emulator`` (or ``auto`` on large sets) runs the test set through the emulator and confirms
identity with the C simulation on a sample.  :mod:`fpgaflow.emulate` provides ``load_emulator(project_dir)``
returning an object with ``predict(x) -> (n, n_out)``; an installation without it raises
:class:`EmulatorNotAvailableError`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from fpgaflow.errors import StepError


class EmulatorNotAvailableError(StepError):
    """The emulator backend was requested but fpgaflow.emulate is not installed or has no loader."""


def load_emulator(project_dir: Path) -> Any:
    """``fpgaflow.emulate.load_emulator(project_dir)``, or a clear error that says to use ``csim``."""
    try:
        module = importlib.import_module("fpgaflow.emulate")
    except ImportError:
        module = None
    loader = getattr(module, "load_emulator", None)
    if loader is None:
        raise EmulatorNotAvailableError(
            "verify.backend 'emulator' is not available: fpgaflow.emulate (the bit-exact emulator) is not part "
            "of this installation yet; use verify.backend 'csim'"
        )
    return loader(Path(project_dir))
