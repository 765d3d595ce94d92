"""Hit list vs packed dense input (issue 20's study, docs/hitlist.md): how many hits a 128 × 128 window holds in
each physics scenario, and what a zero-suppressed (row, col, ADC) input would cost on the wire and in the fabric.

    PYTHONPATH=$PWD:$PWD/board OMP_NUM_THREADS=1 .venv/bin/python bench/bench_hitlist.py --windows 300

Scenarios: the simulator's ``window-128`` task (CMS Phase-1 BPix layer 1, |η| < 0.2, 128 × 128 windows at random
places; every window kept, no class selection) at pile-up 20 (the project's default data), 60 (Run 3), 140 and
200 (HL-LHC), and the toy 128 × 128 maps of ``models/qcnn_128.yaml``.  A hit is a pixel read out with ADC > 0.

Cost model (stated, not measured on hardware): one hit = one 32-bit word (row 7 bits, col 7 bits, ADC 8 bits,
10 spare), or two per 64-bit word; an empty window still sends one end-of-map word.  The packed dense input
(``models/qcnn_128_packed.yaml``) is 16,384 bytes: 4,096 32-bit or 2,048 64-bit words.  One word per clock at
100 MHz.  Prints Markdown.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

DENSE_BYTES = 128 * 128
PILEUPS = (20.0, 60.0, 140.0, 200.0)


def window_hits(pileup: float, windows: int, seed: int) -> np.ndarray:
    from fpgaflow.config.strict import from_mapping
    from fpgaflow.data.config import DataConfig
    from fpgaflow.data.source import load_dataset

    mapping = DataConfig.expand_mapping(
        {
            "task": "window-128",
            "n_maps": windows,
            "seed": seed,
            "select_particle_fraction": False,
            "simulate": {"tracks": {"pileup": pileup}},
        },
        "data",
    )
    maps = load_dataset(from_mapping(DataConfig, mapping)).maps
    return np.asarray((maps.reshape(len(maps), -1) > 0).sum(axis=1))


def toy_hits(windows: int) -> np.ndarray:
    from dataclasses import replace
    from pathlib import Path

    from fpgaflow.data.source import load_dataset
    from fpgaflow.pipeline.config import load_run_config

    cfg = load_run_config(Path(__file__).resolve().parents[1] / "models" / "qcnn_128.yaml").data
    maps = load_dataset(replace(cfg, n_maps=windows)).maps
    return np.asarray((maps.reshape(len(maps), -1) > 0).sum(axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenarios: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    for pileup in PILEUPS:
        t0 = time.perf_counter()
        scenarios[f"simulated BPix L1, pile-up {pileup:.0f}"] = window_hits(pileup, args.windows, args.seed)
        seconds[f"simulated BPix L1, pile-up {pileup:.0f}"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scenarios["toy 128 × 128 (`models/qcnn_128.yaml`)"] = toy_hits(args.windows)
    seconds["toy 128 × 128 (`models/qcnn_128.yaml`)"] = time.perf_counter() - t0

    print(f"### Hits per 128 × 128 window ({args.windows} windows per scenario, seed {args.seed})\n")
    print("| scenario | mean | median | 90 % | 99 % | max | occupancy (mean) | empty windows |")
    print("|---|---|---|---|---|---|---|---|")
    for name, h in scenarios.items():
        q = np.percentile(h, [50, 90, 99])
        print(
            f"| {name} | {h.mean():.1f} | {q[0]:.0f} | {q[1]:.0f} | {q[2]:.0f} | {h.max()} | "
            f"{100 * h.mean() / DENSE_BYTES:.3f} % | {100 * np.mean(h == 0):.1f} % |"
        )

    print("\n### Transfer: hit list vs packed dense (one 32-bit word per hit; 16,384 bytes dense)\n")
    print(
        "| scenario | hit-list bytes/map (mean / 99 %) | DMA reduction vs packed dense (mean / 99 %) | "
        "wire cycles/map, 32-bit hit words (mean / 99 %) | maps/s if the wire bounds it (mean / 99 %) |"
    )
    print("|---|---|---|---|---|")
    for name, h in scenarios.items():
        words = np.maximum(h, 1)
        mean, p99 = float(words.mean()), float(np.percentile(words, 99))
        print(
            f"| {name} | {4 * mean:,.0f} / {4 * p99:,.0f} | {DENSE_BYTES / (4 * mean):,.0f}× / "
            f"{DENSE_BYTES / (4 * p99):,.0f}× | {mean:,.0f} / {p99:,.0f} | {1e8 / mean:,.0f} / {1e8 / p99:,.0f} |"
        )

    print("\n### Compute: what could consume a hit list (cycles per map at 100 MHz, modelled)\n")
    worst = max(float(np.percentile(h, 99)) for h in scenarios.values())
    frame_clear = DENSE_BYTES // 8  # clearing a 128 x 128 x 8-bit frame 64 bits per clock
    print(
        f"- scatter into an on-chip 128 × 128 × 8-bit frame (16 KiB = {math.ceil(DENSE_BYTES * 8 / 18432)} "
        f"BRAM18) then run the dense CNN: the CNN still streams 2,048–4,096 beats per map, so maps/s stay the "
        f"packed dense path's; only DDR/DMA traffic drops.  Clearing the frame for the next map costs "
        f"{frame_clear:,} cycles at 64 bits per clock unless the hits themselves are cleared (hits cycles) or "
        "two frames alternate."
    )
    print(
        f"- a per-hit network (deep sets / PointNet: an MLP φ(row, col, ADC) per hit, summed or max-pooled, "
        f"then a small MLP ρ): one hit per clock, interval ≈ hits + pipeline fill; at the worst scenario's "
        f"99th percentile ({worst:,.0f} hits) ≈ {1e8 / (worst + 32):,.0f} maps/s with a 32-cycle fill. "
        "φ with 3 → 16 → 16 units at reuse 1 is 304 products, about the 288 of the packed preset's first "
        "convolution at reuse 1, which the estimator places within the PYNQ-Z2's 70 % budget."
    )
    print(
        "- a sparse (submanifold) convolution: per hit, read its 3 × 3 neighbours from the frame (9 reads, "
        "dual-port BRAM: 5 cycles) and accumulate: ≈ 5 cycles per hit per layer; a GNN over hit pairs grows "
        "with hits² and does not fit a fixed-interval pipeline."
    )
    print(f"\nSimulation time per scenario (s): {', '.join(f'{s:.0f}' for s in seconds.values())}")


if __name__ == "__main__":
    main()
