"""Confirm the chosen design's accuracy path once with hls4ml's real C simulation.

The search scores each precision variant with the emulator on a Latency-strategy conversion.  Here the
chosen design itself (its own reuse factors and strategy, Resource included) is compiled and run on a
sample; its outputs must be bit-identical to the emulator's, which checks both the emulator and the
assumption that reuse factor and strategy change scheduling, not arithmetic.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.convert.csim_build import build_csim_library
from fpgaflow.convert.hls import Conversion, convert
from fpgaflow.fit.candidates import Candidate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CsimConfirmation:
    """C-sim vs emulator on ``n_maps`` maps: ``n_identical`` outputs bit-identical, ``max_abs_diff`` the
    largest logit difference, ``class_agreement`` the fraction with the same class.  ``emulated``: which
    design the emulator ran (the chosen one, or its Latency twin for a Resource-strategy design)."""

    n_maps: int
    n_identical: int
    max_abs_diff: float
    class_agreement: float
    emulated: str
    compile_s: float

    @property
    def identical(self) -> bool:
        return self.n_identical == self.n_maps

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_maps": self.n_maps,
            "n_identical": self.n_identical,
            "identical": self.identical,
            "max_abs_diff": self.max_abs_diff,
            "class_agreement": self.class_agreement,
            "emulated": self.emulated,
            "compile_s": round(self.compile_s, 1),
        }


def confirm_with_csim(
    logit_model: Any,
    conversion: Conversion,
    candidate: Candidate,
    maps: np.ndarray,
    work: Path,
) -> CsimConfirmation:
    """Compile ``conversion`` (the chosen design, already written) and compare its C-sim outputs on
    ``maps`` (network units) with the emulator's (Latency twin when the design uses Resource)."""
    from fpgaflow.emulate import Emulator
    from fpgaflow_board.csim import CSimLibrary

    name = conversion.config.project_name
    t0 = time.perf_counter()
    lib_path = build_csim_library(conversion.output_dir, conversion.output_dir / "firmware" / f"{name}_csim.so", name)
    compile_s = time.perf_counter() - t0
    x = np.ascontiguousarray(maps, dtype=np.float32)
    n_in = int(np.prod(x.shape[1:]))
    n_out = int(np.prod(logit_model.output_shape[1:]))
    hw = CSimLibrary(lib_path, n_in, n_out, name).predict(x)
    if candidate.strategy_label == "Latency":
        emu_model, emulated = conversion.hls_model, "the chosen design"
    else:
        twin = candidate.latency_twin.convert_config(conversion.config)
        emu_model = convert(logit_model, twin, work, conversion.input_scale).hls_model
        emulated = "its Latency-strategy twin, which fit scored"
    emu = Emulator.from_hls_model(emu_model).predict(x)
    same = np.all(hw.reshape(len(x), -1) == emu.reshape(len(x), -1), axis=1)
    agree = (hw[:, 0] >= 0) == (emu[:, 0] >= 0)
    diff = float(np.max(np.abs(hw.astype(np.float64) - emu.astype(np.float64)))) if len(x) else 0.0
    log.info("fit: C-sim vs emulator on %d maps: %d identical, max |Δ| %g", len(x), int(same.sum()), diff)
    return CsimConfirmation(
        len(x), int(same.sum()), diff, float(np.mean(agree)) if len(x) else 1.0, emulated, compile_s
    )
