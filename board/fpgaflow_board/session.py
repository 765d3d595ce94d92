"""Open a bundle on whatever board is there: the PYNQ-Z2, or the simulated one.

Rule (also used by the notebook): ``FPGAFLOW_SIMULATED_BOARD=1`` forces the simulated board and ``=0``
forces the real one; unset, the real board is used when ``pynq`` imports, finds a device and the bundle
has a bitstream, and the simulated board otherwise (logged, never silent).
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow_board.driver import HitMapClassifier
from fpgaflow_board.errors import BoardError
from fpgaflow_board.manifest import Manifest, read_manifest
from fpgaflow_board.simulated import SimulatedBoard

log = logging.getLogger(__name__)
ENV_SIMULATED = "FPGAFLOW_SIMULATED_BOARD"


@dataclass
class BoardSession:
    """The classifier plus what it runs on (``board``: the manifest's board name, or "simulated")."""

    classifier: HitMapClassifier
    manifest: Manifest
    bundle_dir: Path
    board: str
    simulated: SimulatedBoard | None = None


def _real_board_reason(manifest: Manifest) -> str | None:
    """None if a real board can be used, else why not."""
    if not manifest.bitstream:
        return f"the bundle has no bitstream ({manifest.bitstream_note or 'not built'})"
    try:
        pynq = importlib.import_module("pynq")
    except ImportError:
        return "pynq is not installed"
    try:
        devices = list(pynq.Device.devices)
    except (AttributeError, RuntimeError, OSError) as exc:
        return f"pynq finds no device ({exc})"
    return None if devices else "pynq finds no device"


def open_bundle(bundle_dir: str | Path, simulated: bool | None = None, **kwargs: Any) -> BoardSession:
    """Classifier for ``bundle_dir``; ``kwargs`` go to :class:`HitMapClassifier` (and on to ``Overlay``)."""
    bundle_dir = Path(bundle_dir).resolve()
    manifest = read_manifest(bundle_dir)
    if simulated is None:
        env = os.environ.get(ENV_SIMULATED, "").strip()
        if env not in ("", "0", "1"):
            raise BoardError(f"{ENV_SIMULATED}={env!r}: expected 1 (simulated board), 0 (real board) or unset")
        if env:
            simulated = env == "1"
        else:
            reason = _real_board_reason(manifest)
            simulated = reason is not None
            if reason:
                log.warning("using the simulated PYNQ-Z2: %s", reason)
    if not simulated:
        if not manifest.bitstream:
            raise BoardError(f"{bundle_dir}: no bitstream to load on the board ({manifest.bitstream_note})")
        clf = HitMapClassifier(
            bundle_dir / manifest.bitstream, manifest, hwh=bundle_dir / manifest.hwh if manifest.hwh else None, **kwargs
        )
        return BoardSession(clf, manifest, bundle_dir, manifest.board)
    sim_opts = {k: kwargs.pop(k) for k in ("stall", "coherent", "buffer_offset", "channels") if k in kwargs}
    board = SimulatedBoard.from_bundle(bundle_dir, **sim_opts)
    bit = board.write_overlay(tempfile.mkdtemp(prefix="fpgaflow_sim_overlay_"))
    clf = HitMapClassifier(bit, manifest, pynq=board.pynq, **kwargs)
    return BoardSession(clf, manifest, bundle_dir, "simulated", board)
