"""The emulator of a converted project directory (the project is reloaded by :mod:`fpgaflow.convert.project`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fpgaflow.convert.project import load_hls_project

if TYPE_CHECKING:
    from fpgaflow.emulate.emulator import Emulator


def load_emulator(project_dir: Path | str) -> Emulator:
    """The :class:`~fpgaflow.emulate.Emulator` of a converted project (what ``fpgaflow verify`` calls)."""
    from fpgaflow.emulate.emulator import Emulator

    return Emulator.from_hls_model(load_hls_project(project_dir))
