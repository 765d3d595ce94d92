"""Range check on the whole test set: how many QKeras values fall outside each layer's planned type.

Runs in TensorFlow (no C simulation), so it covers every test map; a value outside a SAT type saturates
in hardware, one outside a WRAP type wraps (and would show as a departure in the trace).  Layer outputs
come from the conversion's activation probe (:func:`fpgaflow.convert.profile.probe_layers`), batch by
batch, so memory stays bounded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from fpgaflow.convert.plan_precision import PrecisionPlan
from fpgaflow.convert.profile import probe_layers


@dataclass(frozen=True)
class RangeCount:
    """``outside`` of ``n_values`` QKeras values of ``layer`` lie beyond its ``type``'s range (``overflow``
    says what the hardware does with them: SAT clips, WRAP wraps)."""

    layer: str
    type: str
    overflow: str
    n_values: int
    outside: int
    max_abs: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def count_out_of_range(model: Any, plan: PrecisionPlan, x: np.ndarray, batch_size: int = 512) -> tuple[RangeCount, ...]:
    """Per non-input layer of ``plan`` present in ``model``: QKeras values outside the planned result type."""
    names = [lp.layer for lp in plan.layers if lp.kind != "input" and lp.layer in {ly.name for ly in model.layers}]
    outside = dict.fromkeys(names, 0)
    values = dict.fromkeys(names, 0)
    peak = dict.fromkeys(names, 0.0)
    for batch in probe_layers(model, x, names, batch_size):
        for n, out in batch.items():
            arr = out.astype(np.float64)
            t = plan.result_type(n)
            outside[n] += int(np.count_nonzero((arr > t.max_value) | (arr < t.min_value)))
            values[n] += int(arr.size)
            peak[n] = max(peak[n], float(np.max(np.abs(arr))) if arr.size else 0.0)
    return tuple(
        RangeCount(n, plan.result_type(n).hls(), plan.result_type(n).overflow, values[n], outside[n], peak[n])
        for n in names
    )
