"""ADC counts → network input: the one definition, in float32, shared by training and every later stage.

The network input is ``adc × float32(input_scale)``, rounded once to float32 — what the model was trained
on, what the QKeras reference, the C simulation, the emulator and the board driver are fed.  Scaling in
float64 instead gives other values for most scales that are not a power of two (at 0.01, 70 of the 256
ADC values of 8-bit counts differ in their last bit), and the hardware then sees other inputs than the
model was trained on.  The scale itself is stored with the trained model (``fpgaflow.modelio``) and in
the board bundle's manifest.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def scale_inputs(
    maps: npt.ArrayLike, input_scale: float, out: npt.NDArray[np.float32] | None = None
) -> npt.NDArray[np.float32]:
    """``maps × float32(input_scale)`` as float32 (a new array, or written into ``out``, e.g. a DMA buffer).

    Exact products rounded once: for float32 or integer ADC counts the same bits as a float32 multiply.
    """
    scale = np.float32(input_scale)
    if out is not None:
        np.multiply(maps, scale, out=out, casting="unsafe")
        return out
    scaled: npt.NDArray[Any] = np.multiply(maps, scale)
    return scaled.astype(np.float32, copy=False)


def same_input_scale(a: float, b: float) -> bool:
    """True when two scales give the same network inputs (equal once rounded to float32)."""
    return bool(np.float32(a) == np.float32(b))
