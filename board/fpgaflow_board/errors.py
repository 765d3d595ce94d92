"""Errors raised by the on-board driver (standard library only: this runs on the PYNQ-Z2).

They mirror the host's ``fpgaflow.errors`` style — one specific message naming what was expected — but do
not import it, because the board has no ``fpgaflow`` host package.
"""

from __future__ import annotations


class BoardError(RuntimeError):
    """Base class of every error the board driver raises on purpose."""


class DesignMismatchError(BoardError):
    """The loaded overlay lacks an IP block the driver needs (names what is missing and what was found)."""


class DmaError(BoardError):
    """The AXI DMA flagged an error (DMAIntErr/DMASlvErr/DMADecErr); the message decodes both channels."""


class DmaTimeoutError(BoardError, TimeoutError):
    """A DMA channel did not go idle within the timeout; the message decodes both status registers."""


class InputShapeError(BoardError, ValueError):
    """Hit maps handed to the driver do not match the design's input shape (names the source/index)."""


class UnknownBoardError(ValueError):
    """A board name that is not in :data:`fpgaflow_board.boards.BOARDS` (the message suggests the closest)."""


class FixedPointError(ValueError):
    """A fixed-point type that is malformed, or that an operation cannot handle (names the type)."""


class BundleError(BoardError, ValueError):
    """A board bundle the driver refuses: no or malformed manifest, a path outside the bundle, a file
    without a checksum or with a wrong one (the message names the bundle and the entry)."""


class HostOnlyError(BoardError):
    """A host-only tool (the simulated board, the x86-64 C-simulation library) was asked for on the board."""


class RecoveryNeededError(DmaError):
    """The last transfer timed out or failed: the network IP's state is unknown until :meth:`recover`."""
