"""Bit-exact numpy emulation of a converted hls4ml design (the C simulation's numbers at Keras speed).

>>> emu = Emulator.from_hls_model(hls_model)          # doctest: +SKIP
>>> y = emu.predict(maps)                             # == hls_model.predict(maps), bit for bit
"""

from __future__ import annotations

from fpgaflow.emulate.emulator import Emulator
from fpgaflow.emulate.errors import EmulationMismatchError, UnsupportedLayerError, UnsupportedPrecisionError
from fpgaflow.emulate.fixed import FixedType

__all__ = [
    "EmulationMismatchError",
    "Emulator",
    "FixedType",
    "UnsupportedLayerError",
    "UnsupportedPrecisionError",
]
