"""``estimate_model(hls_model, board)``: the whole deployed design's estimate, shell included.

The NN core comes from the calibrated analytical model (:mod:`fpgaflow.estimate.model`).  On a board
(VivadoAccelerator) the core sits in a shell: hls4ml's AXI-stream wrapper, an AXI DMA and the AXI
interconnect to the Zynq PS.  The wrapper's cost is measured (HLS reports of two PYNQ-Z2 designs with and
without it: +452 and +2,618 LUT, +793 and +1,658 FF, +4 and +1 BRAM18); the DMA, interconnect and PS reset
figures are the board's shell cost in the board table (:mod:`fpgaflow_board.boards`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fpgaflow.estimate.coefficients import Coefficients, load_coefficients
from fpgaflow.estimate.describe import describe_hls_model
from fpgaflow.estimate.model import Target, estimate_design
from fpgaflow.estimate.spec import DesignSpec
from fpgaflow.estimate.table import LayerResources, ResourceTable
from fpgaflow_board.boards import Board

#: hls4ml's AXI-stream wrapper (``myproject_axi``), mean of the two measured HLS differences, post-synthesis.
AXI_WRAPPER = LayerResources(name="axi_wrapper", lut=1535 * 0.5, ff=1225 * 0.83, dsp=0.0, bram18=2.0)


def shell_row(board: Board) -> LayerResources | None:
    """The board's block-design shell (AXI DMA, interconnects, PS reset) as a table row; ``None`` without one."""
    if board.shell is None:
        return None
    s = board.shell
    name = "axi_dma+interconnect" + ("" if s.measured else " (nominal)")
    return LayerResources(name=name, lut=s.lut, ff=s.ff, dsp=s.dsp, bram18=s.bram18)


def error_note(coeffs: Coefficients) -> str:
    """One line stating that the figures are estimates and their measured held-out error."""
    parts = [f"{e.resource} {100 * e.mean:.0f} % (worst {100 * e.worst:.0f} %)" for e in coeffs.held_out_error]
    n = coeffs.held_out_error[0].n_designs if coeffs.held_out_error else 0
    measured = ", ".join(parts) if parts else "not measured"
    return (
        "ESTIMATE from an analytical model, not a synthesis result. Mean relative error against Vivado HLS "
        f"reports on {n} held-out designs: {measured}."
    )


def add_shell(table: ResourceTable, rows: tuple[LayerResources, ...]) -> ResourceTable:
    """``table`` with the shell rows appended and added to the total (cycles unchanged)."""
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
    target: Target = "synth",
) -> ResourceTable:
    """Estimate ``design``; with a board, add the AXI wrapper, DMA and interconnect of the deployed shell."""
    coeffs = coeffs or load_coefficients()
    table = estimate_design(design, coeffs, target=target)
    notes = [error_note(coeffs), *table.notes]
    if target == "synth":
        notes.append(
            "LUT/FF/DSP/BRAM scaled from HLS-estimate to post-synthesis level by the ratios measured on "
            f"the one design with both reports (LUT x{coeffs.synth_lut:.2f}, FF x{coeffs.synth_ff:.2f}, "
            f"DSP x{coeffs.synth_dsp:.2f}, BRAM18 x{coeffs.synth_bram18:.2f})."
        )
    if board is not None:
        shell = shell_row(board)
        table = add_shell(table, (AXI_WRAPPER,) if shell is None else (AXI_WRAPPER, shell))
        note = f"includes the {board.name} shell: hls4ml AXI-stream wrapper (measured)"
        if board.shell is not None:
            note += f" and {board.shell.note}"
        notes.append(note)
    return replace(table, notes=tuple(notes))


def estimate_model(
    hls_model: Any,
    board: Board | None,
    coeffs: Coefficients | None = None,
    target: Target = "synth",
) -> ResourceTable:
    """Per-layer and total LUT, FF, DSP48, BRAM18, latency and interval of a converted hls4ml model.

    ``board``: adds the deployed shell (``None`` for the NN core alone).  ``target``: ``"synth"`` predicts
    Vivado synthesis figures, ``"hls"`` Vivado HLS C-synthesis figures.  Cycles are at the model's HLS clock.
    """
    design = describe_hls_model(hls_model, name=str(hls_model.config.get_config_value("ProjectName")))
    return estimate_design_on_board(design, board, coeffs, target)
