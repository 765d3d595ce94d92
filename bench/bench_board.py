"""Driver host-side overhead per batch on the simulated PYNQ-Z2, against the design's modelled throughput.

    PYTHONPATH=$PWD:$PWD/board python bench/bench_board.py RUN_DIR/board [--maps 2048] [--interval-cycles N]

For each batch size 1..1024 the bundle's test maps go through ``HitMapClassifier.predict_raw`` (one
batch, one transfer pair) and through ``classify`` (streaming, double-buffered).  Columns:

* ``wall-csim``: everything outside the C-simulation call, per batch — the brief's definition; it still
  contains the simulator's own work (register model, stream FIFOs, the copies that emulate the cache);
* ``driver``: ``wall`` minus the time the simulator spends modelling hardware (DMA engine + network,
  C-sim included) and emulating cache flush/invalidate — the Python/numpy work the driver itself does;
* ``cap``: maps/s the driver alone would allow (batch / median driver time).

``--clock cpu`` (default) times everything with this thread's CPU time, so other processes on a shared
host do not land in the figures; ``--clock wall`` uses ``perf_counter``.  ``--stub-network`` swaps the C
simulation for a stub that returns zeros: the driver path is unchanged, but the CPU caches are no longer
flushed by ~50 ms of C++ per batch, which inflates the driver's own time.

The modelled board throughput is ``clock / interval``: with ``--interval-cycles`` (from an HLS report),
else the DMA bound — one 32-bit stream word per cycle at 100 MHz, ``n_in`` words per map.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fpgaflow_board.driver import HitMapClassifier
from fpgaflow_board.simulated import SimulatedBoard

BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class _ZeroNetwork:
    """Stands in for the C simulation: same shapes, no work."""

    def __init__(self, n_out: int) -> None:
        self.n_out = n_out

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.zeros((len(x), self.n_out), np.float32)


def measure(
    clf: HitMapClassifier,
    board: SimulatedBoard,
    maps: np.ndarray,
    batch: int,
    stream: bool,
    repeats: int,
    clock: Callable[[], float],
    evict: np.ndarray | None = None,
) -> dict[str, float]:
    """Median and minimum driver time per batch over ``repeats`` × (≥ 3) batches.

    ``predict_raw`` is timed batch by batch; a streamed run is timed whole and divided by its batches
    (its batches overlap).  The bench host is shared, so the median is the typical figure and the minimum
    the undisturbed one.
    """
    dma, mem = board.dmas[0], board.memory
    n_batches = max(3, len(maps) // batch)
    pool = np.concatenate([maps] * (n_batches * batch // len(maps) + 1))[: n_batches * batch]
    clf.predict_raw(pool[:batch])  # allocate the buffers outside the timed region
    outside, driver = [], []

    def span(work: object) -> None:
        csim0, busy0, copy0 = board.csim_seconds, dma.busy_seconds, mem.copy_seconds
        t0 = clock()
        k = work()  # type: ignore[operator]
        wall = clock() - t0
        outside.append((wall - (board.csim_seconds - csim0)) / k)
        driver.append((wall - (dma.busy_seconds - busy0) - (mem.copy_seconds - copy0)) / k)

    for _ in range(repeats):
        if stream:
            span(lambda: (clf.classify(pool, batch_size=batch), n_batches)[1])
        else:
            for i in range(n_batches):
                if evict is not None:
                    evict[::64] += 1  # one write per cache line, outside the timed region
                span(lambda i=i: (clf.predict_raw(pool[i * batch : (i + 1) * batch]), 1)[1])
    med = float(np.median(driver))
    return {
        "batch": batch,
        "wall_minus_csim_us": float(np.median(outside)) * 1e6,
        "driver_us": med * 1e6,
        "driver_min_us": float(np.min(driver)) * 1e6,
        "driver_per_map_us": med / batch * 1e6,
        "cap_maps_s": batch / med,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("bundle", type=Path)
    p.add_argument("--maps", type=int, default=2048, help="maps per batch size (default 2048)")
    p.add_argument("--repeats", type=int, default=3, help="runs per batch size; the fastest is reported")
    p.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: this thread's CPU time (default; immune to other processes), wall: perf_counter",
    )
    p.add_argument(
        "--evict-mib",
        type=int,
        default=0,
        help="touch this many MiB between predict_raw batches (what a long C-sim call does to the caches)",
    )
    p.add_argument(
        "--stub-network",
        action="store_true",
        help="replace the C simulation by a zero-cost stub (isolates the driver from C-sim cache effects)",
    )
    p.add_argument("--interval-cycles", type=int, default=None, help="network initiation interval per map")
    args = p.parse_args(argv)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    board = SimulatedBoard.from_bundle(args.bundle, clock=clock)
    m = board.manifest
    with np.load(args.bundle / (m.test_maps or "test_maps.npz")) as d:
        maps = d["maps"]
    maps = np.concatenate([maps] * (args.maps // len(maps) + 1))[: args.maps]
    clf = HitMapClassifier(board.write_overlay(tempfile.mkdtemp()), m, pynq=board.pynq)
    if args.stub_network:
        for net in board.networks:
            net.csim = _ZeroNetwork(m.n_out)
    clock_hz = 1e9 / m.clock_period_ns
    words_per_map = m.n_in
    interval = args.interval_cycles or words_per_map
    model = clock_hz / interval
    source = "--interval-cycles" if args.interval_cycles else f"DMA bound: {words_per_map} words/map, 1 word/cycle"
    host = platform.processor() or platform.machine()
    print(f"host: {host}, Python {sys.version.split()[0]}, numpy {np.__version__}")
    stream = m.stream_dtype
    print(f"design: {m.project_name}, input {m.input_shape}, stream {stream}, clock {clock_hz / 1e6:.0f} MHz")
    print(f"clock: {'CPU time of this thread (time.thread_time)' if args.clock == 'cpu' else 'wall (perf_counter)'}")
    print(f"network: {'zero-cost stub (driver isolated)' if args.stub_network else 'the bundle C simulation'}")
    print("HOST SIMULATION: every speed below is this computer's driver time on the simulated board, not the board's")
    print(f"modelled board throughput: {model:,.0f} maps/s ({source}); {1e6 / model:.2f} µs per map")
    evict = np.zeros(args.evict_mib << 20, np.uint8) if args.evict_mib else None
    if evict is not None:
        print(f"caches: {args.evict_mib} MiB touched between predict_raw batches")
    for stream in (False, True):
        print(f"\n{'classify (streaming, double-buffered)' if stream else 'predict_raw (one batch per call)'}")
        print(
            f"{'batch':>6} {'wall-csim µs/batch':>19} {'driver µs/batch':>16} {'(min)':>8} {'driver µs/map':>14} "
            f"{'cap maps/s':>12} {'≥ model':>8}"
        )
        for b in BATCHES:
            r = measure(clf, board, maps, b, stream, args.repeats, clock, evict)
            ok = "yes" if r["cap_maps_s"] >= model else "NO"
            print(
                f"{b:6d} {r['wall_minus_csim_us']:19.1f} {r['driver_us']:16.1f} {r['driver_min_us']:8.1f} "
                f"{r['driver_per_map_us']:14.3f} "
                f"{r['cap_maps_s']:12,.0f} {ok:>8}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
