"""C-simulation throughput: one process vs the verify process pool, on a finished `fpgaflow run`.

Usage: python bench/verify_csim_pool.py RUN_DIR [N_MAPS] [WORKERS]
Prints maps/s for both and checks that the outputs are identical.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from fpgaflow.data import load_npz
from fpgaflow.verify import csim_pool
from fpgaflow_board.csim import CSimLibrary


def main() -> None:
    run = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    s = json.loads((run / "summary.json").read_text())
    lib = run / s["files"]["csim_library"]
    maps = load_npz(run / s["files"]["test_maps"]).maps
    x = (np.resize(maps, (n, *maps.shape[1:])) / 256.0).astype(np.float32)
    t0 = time.perf_counter()
    single = CSimLibrary(lib, s["n_in"], s["n_out"]).predict(x)
    t1 = time.perf_counter()
    pooled, procs = csim_pool.predict_csim(lib, s["n_in"], s["n_out"], "myproject", x, workers)
    t2 = time.perf_counter()
    print(f"maps: {n} of {tuple(maps.shape[1:])}")
    print(f"one process:      {n / (t1 - t0):8.1f} maps/s")
    print(f"pool, {procs} processes: {n / (t2 - t1):8.1f} maps/s (process start-up included)")
    print(f"identical outputs: {bool(np.array_equal(single, pooled))}")


if __name__ == "__main__":
    main()
