"""Bit-exact numpy emulation of a converted hls4ml design (the C simulation's numbers at Keras speed).

>>> emu = Emulator.from_hls_model(hls_model)          # doctest: +SKIP
>>> y = emu.predict(maps)                             # == hls_model.predict(maps), bit for bit
>>> compare_to_csim(emu, hls_model, maps[:100], per_layer=True).raise_if_different()  # doctest: +SKIP
"""

from __future__ import annotations

from fpgaflow.emulate.compare import EmulatorCsimComparison, compare_to_csim
from fpgaflow.emulate.emulator import Emulator
from fpgaflow.emulate.errors import EmulationMismatchError, UnemulatedLayerError, UnsupportedPrecisionError
from fpgaflow.emulate.project import load_emulator

__all__ = [
    "EmulationMismatchError",
    "Emulator",
    "EmulatorCsimComparison",
    "UnemulatedLayerError",
    "UnsupportedPrecisionError",
    "compare_to_csim",
    "load_emulator",
]
