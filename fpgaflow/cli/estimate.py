"""``fpgaflow estimate MODEL_OR_PROJECT --board pynq-z2 --out DIR``: resources, cycles, maps/s, no Vivado."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "estimate",
        help="estimate LUT/FF/DSP/BRAM, latency and throughput of an hls4ml design without Vivado",
        description="Estimate an hls4ml design's resources (per layer and total), latency, interval, maps/s "
        "on a board from a calibrated analytical model. The figures are ESTIMATES; the output states "
        "their measured error.",
    )
    parser.add_argument("source", type=Path, help="hls4ml project directory, or a Keras .keras/.h5 model file")
    parser.add_argument("--board", default="pynq-z2", help="target board (default: pynq-z2)")
    parser.add_argument("--out", type=Path, required=True, help="directory for estimate.md/.json/.png")
    parser.add_argument("--budget", type=float, default=0.70, help="fraction of each resource allowed (0.70)")
    parser.add_argument(
        "--target",
        choices=("synth", "hls"),
        default="synth",
        help="predict Vivado synthesis (default) or Vivado HLS C-synthesis figures",
    )
    parser.add_argument(
        "--input-bits",
        type=int,
        default=32,
        help="bits per input element sent by the DMA (float32 by default)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from fpgaflow.config.strict import known_board, to_mapping
    from fpgaflow.estimate.budget import check_budget
    from fpgaflow.estimate.coefficients import load_coefficients
    from fpgaflow.estimate.describe import describe_hls_model
    from fpgaflow.estimate.estimator import estimate_design_on_board
    from fpgaflow.estimate.load import load_hls_model
    from fpgaflow.estimate.plot import plot_budget
    from fpgaflow.estimate.report import render_markdown
    from fpgaflow.estimate.throughput import throughput
    from fpgaflow_board.atomic import write_text

    board = known_board(args.board)
    coeffs = load_coefficients()
    hls_model = load_hls_model(args.source, board)
    design = describe_hls_model(hls_model, name=args.source.stem)
    table = estimate_design_on_board(design, board, coeffs, target=args.target)
    budget = check_budget(table, board, args.budget)
    rate = throughput(table, board, design.input_elements, args.input_bits)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_text(
        out / "estimate.md",
        render_markdown(table, budget, rate, title=f"Resource estimate: {args.source.name}"),
    )
    payload = {
        "table": to_mapping(table),
        "fits": budget.fits,
        "verdict": budget.verdict(),
        "maps_per_s": rate.maps_per_s,
        "bound": rate.bound,
    }
    write_text(out / "estimate.json", json.dumps(payload, indent=2))
    plot_budget(budget, out / "estimate.png", coeffs)
    print(table.notes[0])  # noqa: T201
    for row in budget.rows:
        print(f"  {row.resource:6s} {row.used:12,.0f} / {row.available:9,}  {100 * row.utilisation:7.1f} %")  # noqa: T201
    print(f"{budget.verdict()}; ~{rate.maps_per_s:,.0f} maps/s ({rate.bound}-bound); written to {out}")  # noqa: T201
    return 0 if budget.fits else 1
