"""``estimate_model(hls_model, board)``: the deployed design's estimate with its expected range per resource.

The network core comes from the calibrated model (:mod:`fpgaflow.estimate.model`) at one of three levels:
``hls`` (what Vivado HLS's C-synthesis report would say), ``synth`` (Vivado post-synthesis) and ``impl``
(post-implementation).  On a board, the ``impl`` estimate is the whole block design: the core plus
hls4ml's AXI-stream wrapper (``myproject_axi``) plus the board's shell (AXI DMA, interconnects, PS reset)
from the board table.  ``core_only=True`` estimates the core alone (synthesis-only studies on any part in
the table: its DSP48 count caps the core's).

Every table carries ``bands``: the range the real figure fell in for 8 of 10 designs the model was not
fitted on (leave-one-design-out, :mod:`fpgaflow.estimate.calibration`), widened for the shell's rows by
nothing (they are measured).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fpgaflow.estimate.coefficients import BAND_SHARE, Coefficients, Level, load_coefficients
from fpgaflow.estimate.describe import describe_hls_model
from fpgaflow.estimate.model import LEVEL_NAMES, estimate_design
from fpgaflow.estimate.spec import DesignSpec
from fpgaflow.estimate.table import RESOURCES, Band, LayerResources, ResourceTable
from fpgaflow.estimate.unpack import unpack_row
from fpgaflow_board.boards import Board

if TYPE_CHECKING:
    from fpgaflow.convert.axis_wrapper import AxisWrapper

#: hls4ml's AXI-stream wrapper (``myproject_axi``) around the core: the difference of the HLS reports of
#: two PYNQ-Z2 designs with and without it (+452 and +2,618 LUT, +793 and +1,658 FF, +4 and +1 BRAM18),
#: mean, at the synthesis level (x 0.5 LUT, x 0.83 FF: the HLS-to-synthesis ratio of the SVHN CNN).
AXI_WRAPPER = LayerResources(name="axi_wrapper", lut=1535 * 0.5, ff=1225 * 0.83, dsp=0.0, bram18=2.0)


def shell_row(board: Board) -> LayerResources | None:
    """The board's block-design shell (AXI DMA, interconnects, PS reset) as a table row; ``None`` without one."""
    if board.shell is None:
        return None
    s = board.shell
    name = "axi_dma+interconnect" + ("" if s.measured else " (nominal)")
    return LayerResources(name=name, lut=s.lut, ff=s.ff, dsp=s.dsp, bram18=s.bram18)


def error_note(coeffs: Coefficients, level: Level) -> str:
    """One line saying the figures are estimates, with the measured leave-one-design-out error at ``level``."""
    parts = []
    n = 0
    for resource in RESOURCES:
        e = coeffs.error(level, resource) or coeffs.error("synth", resource)
        if e is not None:
            parts.append(f"{resource} {100 * e.mean:.0f} % (worst {100 * e.worst:.0f} %)")
            n = max(n, e.n)
    measured = ", ".join(parts) if parts else "not measured"
    return (
        f"ESTIMATE of the {LEVEL_NAMES[level]} from an analytical model, not a synthesis result. Mean error "
        f"leave-one-design-out over {n} whole networks: {measured}; ranges in brackets hold {BAND_SHARE} of them."
    )


def _bands(table: ResourceTable, coeffs: Coefficients, level: Level, fixed: LayerResources) -> tuple[Band, ...]:
    """Expected range per resource: the model's part scaled by the measured report/estimate range, plus
    the measured rows (wrapper, shell) as they are."""
    out = []
    for resource in RESOURCES:
        e = coeffs.error(level, resource) or coeffs.error("synth", resource)
        modelled = table.total.get(resource) - fixed.get(resource)
        low, high = (e.ratio_low, e.ratio_high) if e is not None else (1.0, 1.0)
        out.append(Band(resource, fixed.get(resource) + modelled * low, fixed.get(resource) + modelled * high))
    return tuple(out)


def add_rows(table: ResourceTable, rows: tuple[LayerResources, ...]) -> ResourceTable:
    """``table`` with ``rows`` appended and added to the total (cycles unchanged)."""
    total = table.total
    total = replace(
        total,
        lut=total.lut + sum(r.lut for r in rows),
        ff=total.ff + sum(r.ff for r in rows),
        dsp=total.dsp + sum(r.dsp for r in rows),
        bram18=total.bram18 + sum(r.bram18 for r in rows),
    )
    return replace(table, total=total, layers=table.layers + rows)


def estimate_design_on_board(
    design: DesignSpec,
    board: Board | None,
    coeffs: Coefficients | None = None,
    level: Level = "impl",
    core_only: bool = False,
    top: AxisWrapper | None = None,
) -> ResourceTable:
    """Estimate ``design`` at ``level``; on a board (and not ``core_only``) add the AXI wrapper and the
    board's shell, and for fpgaflow's AXI-Stream ``top`` with an adc8 wire its lane unpacking
    (:func:`fpgaflow.estimate.unpack.unpack_row`).  The board's part caps the core's DSP48s; ``bands`` give each
    resource's expected range."""
    coeffs = coeffs or load_coefficients()
    device_dsp = board.dsp if board is not None else None
    table = estimate_design(design, coeffs, level, device_dsp)
    notes = [error_note(coeffs, level), *table.notes]
    fixed: list[LayerResources] = []
    if board is not None and not core_only:
        shell = shell_row(board)
        fixed = [AXI_WRAPPER] + ([shell] if shell is not None else [])
        unpack = unpack_row(top, design.layers[0].width_in if design.layers else 1) if top is not None else None
        if unpack is not None:
            fixed.append(unpack)
            notes.append(f"{unpack.name}: the adc8 top's lane unpacking, counted from its logic (no synthesis)")
        table = add_rows(table, tuple(fixed))
        note = f"includes the {board.name} block design: hls4ml AXI-stream wrapper (measured)"
        if board.shell is not None:
            note += f" and {board.shell.note}"
        notes.append(note)
    elif board is not None:
        notes.append(f"network core only on the {board.part} (no AXI wrapper, DMA or interconnect)")
    fixed_total = LayerResources(
        name="fixed",
        lut=sum(r.lut for r in fixed),
        ff=sum(r.ff for r in fixed),
        dsp=sum(r.dsp for r in fixed),
        bram18=sum(r.bram18 for r in fixed),
    )
    return replace(table, notes=tuple(notes), bands=_bands(table, coeffs, level, fixed_total))


def estimate_model(
    hls_model: Any,
    board: Board | None,
    coeffs: Coefficients | None = None,
    level: Level = "impl",
    core_only: bool = False,
    top: AxisWrapper | None = None,
) -> ResourceTable:
    """Per-layer and total LUT, FF, DSP48, BRAM18, latency and interval of a converted hls4ml model, with
    each resource's expected range (``bands``).  ``board``: the target (``None``: the core, uncapped);
    ``level``: ``hls``, ``synth`` or ``impl``; ``core_only``: leave the wrapper and shell out; ``top``: the
    Vitis route's AXI-Stream top record (its adc8 unpacking is added)."""
    design = describe_hls_model(hls_model, name=str(hls_model.config.get_config_value("ProjectName")))
    return estimate_design_on_board(design, board, coeffs, level, core_only, top)
