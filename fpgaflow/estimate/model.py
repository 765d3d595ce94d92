"""Resource and cycle estimate of an hls4ml design at one level: HLS report, post-synthesis or implementation.

The structure comes from the rules (:mod:`fpgaflow.estimate.rules`: one per layer kind) and the design
(:mod:`fpgaflow.estimate.design_cost`: FIFOs, memory placement, DSP48 cap, cycles); the calibrated
coefficients (:mod:`fpgaflow.estimate.coefficients`) turn its bit counts into LUTs and FFs.

* DSP48: counted by the binding rules, capped at the part's DSP48s after synthesis (the excess becomes
  LUT multipliers, as Vivado does when a design asks for more than the device has).
* BRAM18: counted per memory, placed per level (:mod:`fpgaflow.estimate.memory`).
* LUT, FF: linear in the design's bit counts with a coefficient set per level (HLS and synthesis);
  ``impl`` = synthesis x the measured implementation ratio (the shell is added by
  :func:`fpgaflow.estimate.estimator.estimate_design_on_board`).
* Cycles: :mod:`fpgaflow.estimate.timing`.
"""

from __future__ import annotations

from fpgaflow.estimate.coefficients import Coefficients, Level
from fpgaflow.estimate.design_cost import FIFOS_ROW, OVERFLOW_ROW, DesignCost, design_cost
from fpgaflow.estimate.memory import place
from fpgaflow.estimate.spec import DesignSpec
from fpgaflow.estimate.table import LayerResources, ResourceTable

LEVEL_NAMES = {
    "hls": "Vivado HLS C-synthesis report",
    "synth": "Vivado post-synthesis utilisation",
    "impl": "post-implementation utilisation",
}


def _row(
    name: str,
    features: dict[str, float],
    coeffs: Coefficients,
    level: Level,
    bram: float,
    interval: float | None = None,
) -> LayerResources:
    model = coeffs.level(level)
    lut, ff = model.lut.apply(features), model.ff.apply(features)
    if level == "impl":
        lut, ff = lut * coeffs.impl_lut, ff * coeffs.impl_ff
    return LayerResources(name=name, lut=lut, ff=ff, dsp=features["dsp"], bram18=bram, interval_cycles=interval)


def cost_of_design(design: DesignSpec, coeffs: Coefficients, device_dsp: int | None = None) -> DesignCost:
    """The design in hardware units with the calibrated delays (``device_dsp``: the part's DSP48 count)."""
    return design_cost(design, coeffs.delays, device_dsp)


def estimate_design(
    design: DesignSpec, coeffs: Coefficients, level: Level = "synth", device_dsp: int | None = None
) -> ResourceTable:
    """Per-layer and total estimate of the network core (no AXI wrapper or shell) at ``level``.

    ``device_dsp``: DSP48 slices of the part (``None``: no cap); rows for the stream FIFOs and for products
    moved out of DSP48s follow the layers.  Cycles are at the design's clock."""
    cost = cost_of_design(design, coeffs, device_dsp)
    place_level = "synth" if level == "impl" else level
    rows = [
        _row(
            layer.name,
            cost.layer_features(i, place_level),
            coeffs,
            level,
            place(cost.layers[i].memories, place_level).bram18,
            cost.layers[i].interval_cycles,
        )
        for i, layer in enumerate(design.layers)
    ]
    if cost.fifos:
        rows.append(
            _row(FIFOS_ROW, cost.fifo_features(place_level), coeffs, level, place(cost.fifos, place_level).bram18)
        )
    if cost.overflow(place_level) > 0:
        rows.append(_row(OVERFLOW_ROW, cost.overflow_features(place_level), coeffs, level, 0.0))
    total = LayerResources(
        name="total",
        lut=sum(r.lut for r in rows),
        ff=sum(r.ff for r in rows),
        dsp=cost.dsp(place_level),
        bram18=sum(r.bram18 for r in rows),
        latency_cycles=cost.latency_cycles,
        interval_cycles=cost.interval_cycles,
    )
    return ResourceTable(
        source=f"estimate (analytical model, predicts the {LEVEL_NAMES[level]})",
        total=total,
        layers=tuple(rows),
        clock_period_ns=design.clock_period_ns,
        notes=design.notes,
    )
