"""The emulator of a converted project directory (the project is reloaded by :mod:`fpgaflow.convert.project`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpgaflow.convert.project import load_hls_project

__all__ = ["load_emulator", "load_hls_project"]


def load_emulator(project_dir: Path | str) -> Any:
    """The :class:`~fpgaflow.emulate.Emulator` of a converted project (what ``fpgaflow verify`` calls)."""
    from fpgaflow.emulate.emulator import Emulator

    return Emulator.from_hls_model(load_hls_project(project_dir))
