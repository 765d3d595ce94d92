"""Run the C-simulation library on many maps in a pool of processes (one loaded library per process).

The library runs one map per call in C++; on two cores two processes halve the wall time.  Workers are
started with ``spawn`` (TensorFlow in the parent is never forked) and import only numpy and
:mod:`fpgaflow_board.csim`.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from fpgaflow_board.csim import CSimLibrary

#: Below this many maps one in-process library is faster than starting workers (~1 s each).
MIN_PARALLEL_MAPS = 2000

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
    """``(outputs (n, n_out) float32, processes used)`` for inputs ``x`` in network units."""
    flat = np.ascontiguousarray(np.asarray(x, dtype=np.float32).reshape(len(x), -1))
    if workers <= 1 or len(flat) < MIN_PARALLEL_MAPS:
        return CSimLibrary(library, n_in, n_out, project).predict(flat), 1
    chunks = np.array_split(flat, workers * 4)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init, initargs=(str(library), n_in, n_out, project)
    ) as ex:
        outs = list(ex.map(_predict, chunks))
    return np.concatenate(outs, axis=0), workers
