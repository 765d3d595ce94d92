"""Check the emulator against hls4ml's compiled C simulation, layer by layer.

``hls_model.trace(x)`` (hls4ml 1.3) recompiles the project with tracing and returns every traced
layer's output (layers whose hls4ml config has ``Trace: True``).  Inputs are passed as float64 so the
traced values come back exactly (a float32 trace would round results wider than 24 bits).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.emulate.emulator import Emulator
from fpgaflow.emulate.errors import EmulationMismatchError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmulatorCsimComparison:
    """Outcome of one emulator-vs-C-sim check on ``n_maps`` maps.

    ``n_output_mismatch``: maps whose final outputs differ in any bit.  ``first_bad_layer``: the first
    layer (in graph order) whose traced output differs, ``None`` when all agree; ``layers_checked``:
    the layers compared through tracing (empty when tracing was not requested).
    """

    n_maps: int
    n_output_mismatch: int
    max_abs_diff: float
    first_bad_layer: str | None
    layers_checked: tuple[str, ...]

    @property
    def identical(self) -> bool:
        return self.n_output_mismatch == 0 and self.first_bad_layer is None

    def raise_if_different(self) -> None:
        if not self.identical:
            where = f"first differing layer {self.first_bad_layer!r}" if self.first_bad_layer else "final output"
            raise EmulationMismatchError(
                f"emulator differs from the C simulation on {self.n_output_mismatch}/{self.n_maps} maps "
                f"(max |diff| {self.max_abs_diff:g}); {where}"
            )


def compare_to_csim(
    emulator: Emulator, hls_model: Any, x: npt.ArrayLike, per_layer: bool = False, dtype: type = np.float32
) -> EmulatorCsimComparison:
    """Run ``hls_model.predict`` (and ``hls_model.trace`` when ``per_layer``) on ``x`` cast to ``dtype``,
    and the emulator on the same values; report the first layer that differs."""
    arr: npt.NDArray[np.floating[Any]] = np.ascontiguousarray(np.asarray(x, dtype=dtype))
    csim = np.asarray(hls_model.predict(arr)).reshape(arr.shape[0] if arr.ndim > 1 else 1, -1)
    emu = emulator.predict(arr)
    diff = np.abs(csim.astype(np.float64) - emu.astype(np.float64))
    bad_maps = int(np.count_nonzero(np.any(csim != emu, axis=1)))
    first_bad: str | None = None
    checked: list[str] = []
    if per_layer:
        _, traced = hls_model.trace(np.ascontiguousarray(arr.astype(np.float64)))
        mine = emulator.trace(arr.astype(np.float64))
        for name, values in mine.items():
            if name not in traced:
                continue
            checked.append(name)
            ref = np.asarray(traced[name]).reshape(values.shape)
            if not np.array_equal(ref, values):
                first_bad = name
                log.warning("layer %r differs on %d values", name, int(np.count_nonzero(ref != values)))
                break
    return EmulatorCsimComparison(
        n_maps=int(csim.shape[0]),
        n_output_mismatch=bad_maps,
        max_abs_diff=float(diff.max(initial=0.0)),
        first_bad_layer=first_bad,
        layers_checked=tuple(checked),
    )
