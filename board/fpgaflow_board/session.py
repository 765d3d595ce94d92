"""Open a bundle on whatever board is there: the PYNQ-Z2, or the simulated one on the build host.

Rule (also used by the notebook): ``FPGAFLOW_SIMULATED_BOARD=1`` forces the simulated board and ``=0``
forces the real one; unset, the real board is used when the bundle has a bitstream and ``pynq`` imports
and finds a device, and otherwise the simulated board — if this bundle and this machine can run it (a
bundle written before the Vivado build, on the build host's CPU), with a warning in the log.  When neither
works, one :class:`BoardError` line says why for both (on the board's ARM CPU the x86-64 C simulation is
never loaded).
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fpgaflow_board.driver import HitMapClassifier
from fpgaflow_board.errors import BoardError, HostOnlyError
from fpgaflow_board.manifest import Manifest, read_manifest

if TYPE_CHECKING:
    from fpgaflow_board.simulated import SimulatedBoard

log = logging.getLogger(__name__)
ENV_SIMULATED = "FPGAFLOW_SIMULATED_BOARD"
#: Keyword arguments of :func:`open_bundle` that configure the simulated board, not the driver.
SIMULATION_OPTIONS = ("stall", "coherent", "buffer_offset", "channels")


@dataclass
class BoardSession:
    """The classifier plus what it runs on (``board``: the manifest's board name, or "simulated")."""

    classifier: HitMapClassifier
    manifest: Manifest
    bundle_dir: Path
    board: str
    simulated: SimulatedBoard | None = None


def real_board_reason(manifest: Manifest) -> str | None:
    """None if a real board can be used, else why not (one clause)."""
    if not manifest.bitstream:
        return f"the bundle has no bitstream ({manifest.bitstream_note or 'not built'})"
    try:
        pynq = importlib.import_module("pynq")
    except ImportError:
        return "pynq is not installed (this is not a PYNQ board image)"
    try:
        devices = list(pynq.Device.devices)
    except (AttributeError, RuntimeError, OSError) as exc:
        return f"pynq finds no device ({exc})"
    return None if devices else "pynq finds no device"


def simulated_board_reason(bundle_dir: Path, manifest: Manifest) -> str | None:
    """None if the simulated board can run this bundle here, else why not (one clause; nothing is loaded)."""
    if not manifest.csim_library:
        return "a board bundle carries no C simulation for the simulated board (a host-only tool)"
    try:
        importlib.import_module("fpgaflow_board.simulated")
        from fpgaflow_board.csim import check_loadable
    except ImportError:
        return "the simulated board's modules are not in this bundle"
    try:
        check_loadable(bundle_dir / manifest.csim_library)
    except (BoardError, OSError) as exc:
        return f"the simulated board is a host-only tool ({str(exc).split(':', 1)[0]})"
    return None


def _choose(bundle_dir: Path, manifest: Manifest, simulated: bool | None) -> bool:
    """True for the simulated board, False for the real one; BoardError when the choice cannot run."""
    if simulated is None:
        env = os.environ.get(ENV_SIMULATED, "").strip()
        if env not in ("", "0", "1"):
            raise BoardError(f"{ENV_SIMULATED}={env!r}: expected 1 (simulated board), 0 (real board) or unset")
        if env:
            simulated = env == "1"
    if simulated is False:
        reason = real_board_reason(manifest)
        if reason:
            raise BoardError(f"{bundle_dir}: cannot use the real board: {reason}")
        return False
    if simulated is True:
        return True
    real = real_board_reason(manifest)
    if real is None:
        return False
    sim = simulated_board_reason(bundle_dir, manifest)
    if sim is not None:
        raise BoardError(f"{bundle_dir}: no board to run on: {real}; and {sim}")
    log.warning("using the simulated PYNQ-Z2: %s", real)
    return True


def open_bundle(bundle_dir: str | Path, simulated: bool | None = None, **kwargs: Any) -> BoardSession:
    """Classifier for ``bundle_dir``; ``kwargs`` go to :class:`HitMapClassifier` (and on to ``Overlay``),
    except :data:`SIMULATION_OPTIONS`, which configure the simulated board."""
    bundle_dir = Path(bundle_dir).resolve()
    manifest = read_manifest(bundle_dir)
    if not _choose(bundle_dir, manifest, simulated):
        assert manifest.bitstream is not None  # real_board_reason refuses a bundle without one
        clf = HitMapClassifier(
            bundle_dir / manifest.bitstream, manifest, hwh=bundle_dir / manifest.hwh if manifest.hwh else None, **kwargs
        )
        return BoardSession(clf, manifest, bundle_dir, manifest.board)
    reason = simulated_board_reason(bundle_dir, manifest)
    if reason is not None:
        raise HostOnlyError(f"{bundle_dir}: cannot use the simulated board: {reason}")
    from fpgaflow_board.simulated import SimulatedBoard

    sim_opts = {k: kwargs.pop(k) for k in SIMULATION_OPTIONS if k in kwargs}
    board = SimulatedBoard.from_bundle(bundle_dir, **sim_opts)
    bit = board.write_overlay(tempfile.mkdtemp(prefix="fpgaflow_sim_overlay_"))
    clf = HitMapClassifier(bit, manifest, pynq=board.pynq, **kwargs)
    return BoardSession(clf, manifest, bundle_dir, "simulated", board)
