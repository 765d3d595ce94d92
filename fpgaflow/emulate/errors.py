"""Errors of the bit-exact emulator: each names the layer or type it cannot model exactly."""

from __future__ import annotations

from fpgaflow.errors import FpgaflowError


class UnemulatedLayerError(FpgaflowError, NotImplementedError):
    """A layer (or a layer option) of the converted design has no bit-exact emulation; names the layer."""


class UnsupportedPrecisionError(FpgaflowError, NotImplementedError):
    """A precision type or mode (width > 62 bits, AP_WRAP_SM, saturation bits, float types) cannot be emulated
    exactly (see :func:`fpgaflow_board.fixed_point.check_int64`)."""


class EmulationMismatchError(FpgaflowError, AssertionError):
    """Emulator and C simulation disagree; the message names the first differing layer."""
