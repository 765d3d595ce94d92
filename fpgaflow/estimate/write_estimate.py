"""Estimate a model file or hls4ml project and write the report directory (what ``fpgaflow estimate`` does)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fpgaflow.estimate.budget import BudgetReport
from fpgaflow.estimate.config import EstimateConfig
from fpgaflow.estimate.table import ResourceTable
from fpgaflow.estimate.throughput import Throughput
from fpgaflow.outdir import staged_output_dir


@dataclass(frozen=True)
class Estimate:
    """The estimated ``table`` (per layer and total), its ``budget`` verdict and modelled ``rate``, written
    to ``out`` (``estimate.md``, ``estimate.json``, ``estimate.png``)."""

    table: ResourceTable
    budget: BudgetReport
    rate: Throughput
    out: Path

    def lines(self) -> list[str]:
        """The model's error note, one line per resource (estimate with its range / available, % of the
        board), the verdict."""
        rows = [
            f"  {r.interval():28s} / {r.available:9,}  {100 * r.utilisation:7.1f} %  {r.verdict}"
            for r in self.budget.rows
        ]
        verdict = f"{self.budget.verdict()}; ~{self.rate.maps_per_s:,.0f} maps/s ({self.rate.bound}-bound)"
        return [self.table.notes[0], *rows, f"{verdict}; written to {self.out}"]


def write_estimate(source: Path, cfg: EstimateConfig, out: Path) -> Estimate:
    """Estimate ``source`` (an hls4ml project directory or a Keras .keras/.h5 file) on ``cfg.board`` and write
    the report into ``out`` (staged, see :mod:`fpgaflow.outdir`).  The figures are estimates, not synthesis."""
    from fpgaflow.config.strict import known_board, to_mapping
    from fpgaflow.convert.axis_wrapper import read_axis_wrapper
    from fpgaflow.estimate.budget import check_budget
    from fpgaflow.estimate.coefficients import load_coefficients
    from fpgaflow.estimate.describe import describe_hls_model
    from fpgaflow.estimate.estimator import estimate_design_on_board
    from fpgaflow.estimate.load import load_hls_model
    from fpgaflow.estimate.plot import plot_budget
    from fpgaflow.estimate.report import render_markdown
    from fpgaflow.estimate.throughput import throughput
    from fpgaflow_board.atomic import write_text

    with staged_output_dir(out, "estimate") as staging:
        board = known_board(cfg.board)
        coeffs = load_coefficients()
        hls_model = load_hls_model(source, board)
        design = describe_hls_model(hls_model, name=source.stem)
        # A Vitis-route project's own top says how many words a map takes and how its lanes are unpacked
        # (issue 20's packed 8-bit lanes).
        axis = read_axis_wrapper(source) if source.is_dir() else None
        table = estimate_design_on_board(design, board, coeffs, level=cfg.level, core_only=cfg.core_only, top=axis)
        budget = check_budget(table, board, cfg.budget)
        words = axis.in_words if axis is not None else None
        rate = throughput(table, board, design.input_elements, cfg.input_bits, words_per_map=words)
        payload = {
            "table": to_mapping(table),
            "level": cfg.level,
            "core_only": cfg.core_only,
            "fits": budget.fits,
            "status": budget.status,
            "verdict": budget.verdict(),
            "maps_per_s": rate.maps_per_s,
            "bound": rate.bound,
        }
        title = f"Resource estimate: {source.name}"
        write_text(staging / "estimate.md", render_markdown(table, budget, rate, title=title))
        write_text(staging / "estimate.json", json.dumps(payload, indent=2))
        plot_budget(budget, staging / "estimate.png")
    return Estimate(table, budget, rate, out)
