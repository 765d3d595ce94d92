"""Run the C-simulation library on many maps in a pool of processes (one loaded library per process).

The library runs one map per call in C++; on two cores two processes halve the wall time.  Workers are
started with ``spawn`` (TensorFlow in the parent is never forked) and import only numpy and
:mod:`fpgaflow_board.csim`.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from fpgaflow.progress import Progress
from fpgaflow_board.csim import CSimLibrary

log = logging.getLogger(__name__)

#: Below this many maps one in-process library is faster than starting workers (~1 s each).
MIN_PARALLEL_MAPS = 2000
#: The maps are run in this many pieces, so the progress shows (one library call per map either way).
PROGRESS_CHUNKS = 20

_worker_lib: CSimLibrary | None = None


def _init(path: str, n_in: int, n_out: int, project: str) -> None:
    global _worker_lib  # noqa: PLW0603 - one library per worker process
    _worker_lib = CSimLibrary(path, n_in, n_out, project)


def _predict(chunk: np.ndarray) -> np.ndarray:
    assert _worker_lib is not None
    return _worker_lib.predict(chunk)


def predict_csim(
    library: Path, n_in: int, n_out: int, project: str, x: np.ndarray, workers: int = 2
) -> tuple[np.ndarray, int]:
    """``(outputs (n, n_out) float32, processes used)`` for inputs ``x`` in network units (with progress)."""
    flat = np.ascontiguousarray(np.asarray(x, dtype=np.float32).reshape(len(x), -1))
    parallel = workers > 1 and len(flat) >= MIN_PARALLEL_MAPS
    chunks = np.array_split(flat, max(1, min(len(flat), PROGRESS_CHUNKS)))
    outs: list[np.ndarray] = []
    with Progress(len(flat), "C-sim", "maps", logger=log) as bar:
        if not parallel:
            lib = CSimLibrary(library, n_in, n_out, project)
            for chunk in chunks:
                outs.append(lib.predict(chunk))
                bar.update(len(chunk))
            return np.concatenate(outs, axis=0), 1
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init, initargs=(str(library), n_in, n_out, project)
        ) as ex:
            for out in ex.map(_predict, chunks):
                outs.append(out)
                bar.update(len(out))
    return np.concatenate(outs, axis=0), workers
