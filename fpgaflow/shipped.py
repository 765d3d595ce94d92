"""Files fpgaflow ships beside its code: the run configs, the Vivado TCL and the board notebook.

In a checkout they are the top-level folders ``models/``, ``vivado_scripts/`` and ``board/notebooks/``; in an
installed wheel they are package data under ``fpgaflow/_shipped/<name>/`` (``pyproject.toml`` maps the folders
there).  :func:`shipped_dir` is the one place that knows both layouts.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from fpgaflow.errors import StepError

ShippedFolder = Literal["models", "vivado_scripts", "notebooks"]

#: Where each shipped folder sits in a checkout, relative to the repository root.
CHECKOUT_FOLDERS: dict[str, str] = {
    "models": "models",
    "vivado_scripts": "vivado_scripts",
    "notebooks": "board/notebooks",
}


def shipped_dir(name: ShippedFolder) -> Path:
    """The folder ``name`` of the installed wheel, else of the checkout this package was imported from.

    Raises :class:`StepError` naming both places when neither holds it (a broken install).
    """
    installed = resources.files("fpgaflow") / "_shipped" / name
    checkout = Path(__file__).resolve().parents[1] / CHECKOUT_FOLDERS[name]
    for candidate in (installed, checkout):
        # Wheels install unpacked, so the folder is a real directory Vivado and shutil can read.
        if isinstance(candidate, Path) and candidate.is_dir():
            return candidate
    raise StepError(
        f"fpgaflow's shipped folder {name!r} is missing (looked in {installed} and {checkout}); reinstall fpgaflow"
    )
