"""Per-layer trace: every layer's output in the C simulation vs QKeras, and saturation counts.

A tracing build (hls4ml ``Trace: True``; tracing code exists only in the C simulation, never in
synthesis) of the same design — the project's pinned config, so every type, reuse factor and FIFO is
the deployed one — records each layer's output on a sample of maps.  For each layer:

* ``max_abs_diff`` / ``bit_exact_fraction``: C-sim vs QKeras (TensorFlow, float32).  For a saturating
  (SAT) type QKeras values are first clipped to the type's range: saturation there is the design's
  intended behaviour and is counted apart;
* ``beyond_lsb``: values differing by more than one LSB of the layer's result type; the first layer
  with any is where the C simulation departs from QKeras beyond its precision;
* ``at_max`` / ``at_min``: C-sim values sitting on the type's limits (saturated, or exactly there);
  ``outside``: QKeras values outside the type's range (they saturate, or wrap for WRAP types).
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.plan_precision import PrecisionPlan
from fpgaflow_board.wire_format import WireFormat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LayerTrace:
    """One layer's comparison on ``n_values`` values (maps × output elements)."""

    layer: str
    type: str
    n_values: int
    max_abs_diff: float
    bit_exact_fraction: float
    beyond_lsb: int
    at_max: int
    at_min: int
    outside: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TraceResult:
    """Per-layer rows in graph order, the first layer beyond one LSB (``None`` if none), and whether the
    tracing build's final outputs equal the deployed library's on the same maps."""

    n_maps: int
    layers: tuple[LayerTrace, ...]
    first_departure: str | None
    exact_layers: tuple[str, ...]
    same_design: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_maps": self.n_maps,
            "layers": [lt.to_dict() for lt in self.layers],
            "first_departure": self.first_departure,
            "exact_layers": list(self.exact_layers),
            "same_design": self.same_design,
        }


def compare_layer(name: str, plan: PrecisionPlan, csim: np.ndarray, keras: np.ndarray) -> LayerTrace:
    """Compare one layer's C-sim and QKeras outputs against its planned result type."""
    t = plan.result_type(name)
    c = np.asarray(csim, dtype=np.float64).reshape(len(csim), -1)
    k = np.asarray(keras, dtype=np.float64).reshape(len(keras), -1)
    outside = int(np.count_nonzero((k > t.max_value) | (k < t.min_value)))
    ref = np.clip(k, t.min_value, t.max_value) if t.overflow == "SAT" else k
    diff = np.abs(c - ref)
    return LayerTrace(
        layer=name,
        type=t.hls(),
        n_values=int(c.size),
        max_abs_diff=float(diff.max()) if diff.size else 0.0,
        bit_exact_fraction=float(np.mean(diff == 0)) if diff.size else 1.0,
        beyond_lsb=int(np.count_nonzero(diff > t.lsb)),
        at_max=int(np.count_nonzero(c >= t.max_value)),
        at_min=int(np.count_nonzero(c <= t.min_value)) if t.signed else 0,
        outside=outside,
    )


def trace_design(
    model: Any, pinned: ConvertConfig, x: np.ndarray, deployed_out: np.ndarray | None = None
) -> TraceResult:
    """Build a tracing C simulation of ``model`` with the pinned config and compare every layer on ``x``.

    ``deployed_out``: the deployed library's outputs on ``x``; the tracing build must reproduce them.
    """
    from fpgaflow.convert.hls import convert
    from fpgaflow.convert.profile import layer_outputs

    # The trace runs the network alone (hls4ml's own bridge), never the AXI-Stream top: its wire is irrelevant,
    # and an adc8 wire would need an input scale the pinned config does not carry.
    network_only = replace(pinned, wire=WireFormat())
    with tempfile.TemporaryDirectory(prefix="fpgaflow-trace-") as tmp:
        conversion = convert(model, network_only, Path(tmp) / "prj", None, None, trace=True)
        hls_model = conversion.hls_model
        with contextlib.redirect_stdout(io.StringIO()) as said:  # hls4ml prints "Recompiling ... with tracing"
            final, traced = hls_model.trace(np.ascontiguousarray(x, dtype=np.float32))
        log.debug("hls4ml: %s", said.getvalue().strip())
    plan = conversion.precision
    names = [lp.layer for lp in plan.layers if lp.layer in traced]
    keras = layer_outputs(model, x, names)
    rows = tuple(compare_layer(n, plan, traced[n], keras[n]) for n in names)
    first = next((r.layer for r in rows if r.beyond_lsb), None)
    exact = tuple(r.layer for r in rows if r.bit_exact_fraction == 1.0)
    same = None
    if deployed_out is not None:
        same = bool(np.array_equal(np.asarray(final, np.float32).reshape(-1), np.asarray(deployed_out).reshape(-1)))
    log.info("trace: %d maps, %d layers, exact: %s, first departure: %s", len(x), len(rows), exact, first)
    return TraceResult(len(x), rows, first, exact, same)
