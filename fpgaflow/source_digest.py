"""Which code made a result: a digest of the Python source of ``fpgaflow`` and ``fpgaflow_board`` as imported.

A run's step checkpoint is keyed on its config and inputs and on ``fpgaflow.__version__``; between two
releases (a development checkout, a patched install) the code can change while the version does not.  The
runner records this digest with each checkpoint and says which reused steps another code made, so a summary
never passes an old model or an old C simulation off as this code's result without saying so.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path


def package_sources(package_dir: Path) -> list[Path]:
    """Every ``.py`` file under ``package_dir``, in a stable order (paths relative to it, sorted)."""
    return sorted(package_dir.rglob("*.py"), key=lambda p: p.relative_to(package_dir).as_posix())


@functools.cache
def source_digest() -> str:
    """16 hex digits of SHA-256 over the relative path and bytes of every source file of the two packages."""
    import fpgaflow
    import fpgaflow_board

    h = hashlib.sha256()
    for module in (fpgaflow, fpgaflow_board):
        root = Path(module.__file__ or "").parent
        for path in package_sources(root):
            h.update(f"{module.__name__}/{path.relative_to(root).as_posix()}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]
