"""Simulator throughput in maps per second on one core, for module-sized maps and model-input windows.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=. python bench/bench_simulate.py [--maps N] [--pileup MU]
[--keep-memory]``

Rates are maps / CPU-second of this (single-threaded) process, best of ``--repeats``: on a shared machine
CPU time is a fairer per-core figure than wall time (both are printed).  Two paths per window: the batch
kernel alone (``simulate_batch``) and the in-memory API (``iter_batches``: HitMapSet construction and its
validation included).  ``--keep-memory`` applies the glibc tuning that ``fpgaflow data simulate`` uses
(:mod:`fpgaflow.data.simulate.allocator`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from fpgaflow.data.simulate import SimulatorConfig, TrackConfig, WindowConfig, iter_batches
from fpgaflow.data.simulate.allocator import keep_freed_memory
from fpgaflow.data.simulate.simulator import batch_rng, simulate_batch


def _rate(fn: Callable[[], None], n: int, repeats: int) -> tuple[float, float]:
    best_cpu, best_wall = np.inf, np.inf
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return n / best_cpu, n / best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--maps", type=int, default=2048)
    parser.add_argument("--pileup", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep-memory", action="store_true", help="glibc mallopt tuning (as the CLI does)")
    parser.add_argument("--module-only", action="store_true", help="only module-sized maps (for A/B runs)")
    args = parser.parse_args()
    tuned = keep_freed_memory() if args.keep_memory else False
    windows = {
        "module 160x416": WindowConfig(region="module"),
        "2x2 ROCs 160x104": WindowConfig(region="roc2x2"),
        "crop 128x128": WindowConfig(region="crop", crop_rows=128, crop_cols=128),
        "crop 32x32": WindowConfig(region="crop", crop_rows=32, crop_cols=32),
    }
    if args.module_only:
        windows = {"module 160x416": windows["module 160x416"]}
    print(f"maps per run: {args.maps}, pileup {args.pileup:g}, best of {args.repeats}, glibc tuning: {tuned}")
    print(
        f"{'window':<18} {'batch':>5} {'kernel maps/s':>14} {'(wall)':>8} {'API maps/s':>11} {'(wall)':>8} "
        f"{'particle frac':>13}"
    )
    for name, window in windows.items():
        cfg = SimulatorConfig(window=window, tracks=TrackConfig(pileup=args.pileup))
        batch = cfg.effective_batch_size
        n_batches = max(1, args.maps // batch)
        n = n_batches * batch
        labels: list[np.ndarray] = []

        def kernel(cfg: SimulatorConfig = cfg, nb: int = n_batches) -> None:
            for b in range(nb):
                simulate_batch(cfg, cfg.effective_batch_size, batch_rng(1, b))

        def full(cfg: SimulatorConfig = cfg, n: int = n, out: list[np.ndarray] = labels) -> None:
            out.clear()
            out.extend(s.labels for s in iter_batches(cfg, n, seed=1))

        full()  # warm-up: the allocator settles after the first batches (see bench/results_data.md)
        k_cpu, k_wall = _rate(kernel, n, args.repeats)
        f_cpu, f_wall = _rate(full, n, args.repeats)
        frac = float(np.concatenate(labels).mean())
        print(f"{name:<18} {batch:>5} {k_cpu:>14.0f} {k_wall:>8.0f} {f_cpu:>11.0f} {f_wall:>8.0f} {frac:>13.3f}")


if __name__ == "__main__":
    main()
