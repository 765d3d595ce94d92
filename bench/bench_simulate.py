"""Simulator throughput: maps per second on one core, for module-sized maps and model-input windows.

Run: ``PYTHONPATH=. OMP_NUM_THREADS=1 python bench/bench_simulate.py [--maps N] [--pileup MU]``.
Two rates per window: the batch kernel alone (``simulate_batch``) and the full in-memory path
(``iter_batches``: HitMapSet construction and its validation included).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fpgaflow.data.simulate import SimulatorConfig, TrackConfig, WindowConfig, iter_batches
from fpgaflow.data.simulate.simulator import batch_rng, module_hot_pixels, simulate_batch


def _rate(fn, n: int, repeats: int) -> float:  # type: ignore[no-untyped-def]
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--maps", type=int, default=2048)
    parser.add_argument("--pileup", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    windows = {
        "module 160x416": WindowConfig(region="module"),
        "2x2 ROCs 160x104": WindowConfig(region="roc2x2"),
        "crop 128x128": WindowConfig(region="crop", crop_rows=128, crop_cols=128),
        "crop 32x32": WindowConfig(region="crop", crop_rows=32, crop_cols=32),
    }
    print(f"maps per run: {args.maps}, pileup {args.pileup:g}, best of {args.repeats}")
    print(f"{'window':<20} {'batch':>6} {'kernel maps/s':>14} {'HitMapSet maps/s':>17} {'particle frac':>14}")
    for name, window in windows.items():
        batch = 256
        cfg = SimulatorConfig(window=window, tracks=TrackConfig(pileup=args.pileup), batch_size=batch)
        hot = module_hot_pixels(cfg, 1)
        n_batches = max(1, args.maps // batch)

        def kernel(cfg: SimulatorConfig = cfg, hot: tuple[np.ndarray, np.ndarray] = hot, nb: int = n_batches) -> None:
            for b in range(nb):
                simulate_batch(cfg, cfg.batch_size, batch_rng(1, b), hot)

        labels: list[np.ndarray] = []

        def full(cfg: SimulatorConfig = cfg, nb: int = n_batches) -> None:
            labels.clear()
            labels.extend(s.labels for s in iter_batches(cfg, nb * cfg.batch_size, seed=1))

        n = n_batches * batch
        k = _rate(kernel, n, args.repeats)
        f = _rate(full, n, args.repeats)
        frac = float(np.concatenate(labels).mean())
        print(f"{name:<20} {batch:>6} {k:>14.0f} {f:>17.0f} {frac:>14.3f}")


if __name__ == "__main__":
    main()
