"""The deployed design of run configs before training: each config's model built at 128 × 128 with random weights on
the 8-bit grid, half of every kernel zeroed (as 50 % pruning leaves it), converted with the config's per-layer reuse
factors and strategies, and estimated on its board (resources with the estimate's range, modelled maps/s).

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/estimate_configs.py models/flagship_*.yaml

Prints one Markdown row per config (the candidates of bench/results_search.md).  Random weights stand in for trained
ones: the trained design's own estimate is in its run's summary.json (within a few % of these, e.g. the
flagship's LUTs).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from fpgaflow.convert.hls import convert, split_output_activation
from fpgaflow.estimate import check_budget, estimate_model, throughput
from fpgaflow.estimate.describe import describe_hls_model
from fpgaflow.pipeline.config import load_run_config
from fpgaflow.train.models import build_model
from fpgaflow_board.boards import get_board


def estimate_row(path: Path) -> str:
    """One Markdown row: the config, its parameters, each resource as estimate (top of range, share of the board
    at the top), the verdict, maps/s and the reuse factors."""
    cfg = load_run_config(path)
    model = build_model(cfg.model, (128, 128, 1))
    rng = np.random.default_rng(0)
    weights = []
    for w in model.get_weights():
        v = np.clip(np.round(rng.normal(0.0, 0.3, w.shape) * 128) / 128, -1.0, 127 / 128)
        if w.ndim > 1:
            v[rng.random(w.shape) < 0.5] = 0.0
        weights.append(v.astype(np.float32))
    model.set_weights(weights)
    deployed, _ = split_output_activation(model)
    hits = rng.random((64, 128, 128, 1)) < 0.01
    maps = (rng.integers(0, 40, hits.shape) * hits / 256).astype(np.float32)
    board = get_board(cfg.convert.board)
    with tempfile.TemporaryDirectory() as tmp:
        conversion = convert(deployed, cfg.convert, Path(tmp), cfg.model.input_scale, maps)
    table = estimate_model(conversion.hls_model, board)
    budget = check_budget(table, board)
    rate = throughput(table, board, describe_hls_model(conversion.hls_model).input_elements)
    assert [u.resource for u in budget.rows] == ["lut", "ff", "dsp", "bram18"], "the header's column order"
    cells = [
        f"{u.used:,.0f} ({(u.high or u.used):,.0f}, {100 * (u.high or u.used) / board.resources[u.resource]:.0f} %)"
        for u in budget.rows
    ]
    reuse = ", ".join(f"{lr.layer} {lr.reuse_factor}" for lr in conversion.reuse.layers)
    return (
        f"| `{path}` | {model.count_params():,} | {' | '.join(cells)} | {budget.status} | {rate.maps_per_s:,.0f} |"
        f" {reuse} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("configs", type=Path, nargs="+")
    args = ap.parse_args()
    print(
        "| config | parameters | LUT (top of range, share) | FF | DSP48 | BRAM18 | verdict | maps/s | reuse factors |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---|")
    for path in args.configs:
        print(estimate_row(path), flush=True)


if __name__ == "__main__":
    main()
