"""Where training jobs run — in this process, on a local process pool, or on dask.distributed — and the cache
that lets an interrupted grid resume.

A job is any picklable description ``J`` and a module-level function ``fn(J) -> dict`` (JSON-safe).  The study,
the augmentation-policy search and active learning all hand their jobs to :func:`run_cached`: finished
results are kept as ``JOB_DIR/<job id>.json`` (with the job's digest, so a changed setting re-runs it), the
others run on the configured executor and are saved atomically as they arrive.  No scheduling of its own:
``concurrent.futures`` or dask do that.

Threads: every worker process gets ``cores // workers`` threads (at least 1) through ``OMP_NUM_THREADS``,
``TF_NUM_INTRAOP_THREADS``, ``TF_NUM_INTEROP_THREADS`` (and the BLAS variables), set before it imports
TensorFlow — 2 workers on 2 cores run one thread each instead of each spreading over both cores.

Errors: a job that raises in a worker stops the grid with one line naming the job (the worker's traceback is
kept in ``JOB_DIR/<job id>.error.txt``); a worker that dies (killed, out of memory) is one line too.  Jobs not
yet started are cancelled; finished ones stay saved, so a rerun resumes.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol, TypeVar

from fpgaflow.errors import ConfigError, FpgaflowError, StepError, install_hint
from fpgaflow.progress import Progress
from fpgaflow.study.config import ExecutorConfig
from fpgaflow_board import atomic

log = logging.getLogger(__name__)


class Job(Protocol):
    """What :func:`run_cached` needs of a job: a file-name-safe id and a digest of its settings."""

    @property
    def job_id(self) -> str: ...

    @property
    def digest(self) -> str: ...


J = TypeVar("J", bound=Job)
Result = dict[str, Any]


#: Environment variables that cap a worker's threads (OpenMP, TensorFlow's two pools, the BLAS libraries).
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)


#: ``JOB_DIR/<job id>.error.txt``: the worker's traceback of a job that failed (removed when the job succeeds).
ERROR_SUFFIX = ".error.txt"


class WorkerError(StepError):
    """A job failed on a worker: one line naming the job; ``job_id`` and the worker's ``traceback`` text."""

    def __init__(self, message: str, job_id: str = "", traceback_text: str = "") -> None:
        super().__init__(message)
        self.job_id = job_id
        self.traceback_text = traceback_text


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def pool_size(ex: ExecutorConfig, n_jobs: int) -> int:
    """Workers to start: ``ex.workers`` (0: one per usable core), never more than there are jobs."""
    return max(1, min(ex.workers or usable_cores(), n_jobs))


def thread_limits(workers: int) -> dict[str, str]:
    """The environment of one of ``workers`` workers: each gets ``cores // workers`` threads (at least 1)."""
    threads = str(max(1, usable_cores() // workers))
    return dict.fromkeys(THREAD_VARIABLES, threads)


def _limit_threads(env: dict[str, str]) -> None:
    """Process-pool initializer: set the thread limits before the worker's first job imports TensorFlow."""
    os.environ.update(env)


def _worker_error(prefix: str, job_id: str, exc: BaseException) -> FpgaflowError:
    """One line for ``exc`` raised by job ``job_id`` on a worker (a user error keeps its type)."""
    text = "".join(traceback.format_exception(exc))
    cause = exc.__cause__
    if cause is not None and type(cause).__name__ == "_RemoteTraceback":  # concurrent.futures' worker traceback
        text = f"{cause}\n{text}"
    first = str(exc).strip().splitlines()
    what = first[0] if first else type(exc).__name__
    if isinstance(exc, FpgaflowError):
        return WorkerError(f"{prefix} job {job_id}: {what}", job_id, text)
    return WorkerError(f"{prefix} job {job_id} failed in a worker: {type(exc).__name__}: {what}", job_id, text)


def _run_inprocess(fn: Callable[[J], Result], jobs: Sequence[J]) -> Iterator[Result]:
    for job in jobs:
        yield fn(job)


def _run_process_pool(fn: Callable[[J], Result], jobs: Sequence[J], workers: int, prefix: str) -> Iterator[Result]:
    ctx = multiprocessing.get_context("spawn")  # TensorFlow does not survive fork()
    env = thread_limits(workers)
    log.info("%s: %d worker processes, %s threads each", prefix, workers, env["OMP_NUM_THREADS"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_limit_threads, initargs=(env,))
    futures: dict[Future[Result], J] = {}
    try:
        futures = {pool.submit(fn, job): job for job in jobs}
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except BrokenProcessPool as exc:
                raise StepError(
                    f"{prefix}: a worker process died abruptly (killed, or out of memory?) while running "
                    f"{futures[fut].job_id} or a job beside it; finished jobs are saved, rerun to resume"
                ) from exc
            except Exception as exc:
                raise _worker_error(prefix, futures[fut].job_id, exc) from exc
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(fn: Callable[[J], Result], jobs: Sequence[J], ex: ExecutorConfig, prefix: str) -> Iterator[Result]:
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as exc:
        raise install_hint(["dask.distributed"], "executor.kind: dask") from exc
    cluster = None
    if ex.scheduler_address:
        client = Client(ex.scheduler_address)
    else:
        workers = pool_size(ex, len(jobs))
        env = {"env": thread_limits(workers)} if ex.processes else {}
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=ex.processes, dashboard_address=None, **env
        )
        client = Client(cluster)
    try:
        keys = {f"{prefix}-{j.job_id}": j for j in jobs}
        futures = client.map(fn, list(jobs), key=list(keys), pure=False)
        for fut in dask_completed(futures):
            try:
                result = fut.result()
            except Exception as exc:
                raise _worker_error(prefix, keys[fut.key].job_id, exc) from exc
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def execute(fn: Callable[[J], Result], jobs: Sequence[J], ex: ExecutorConfig, prefix: str) -> Iterable[Result]:
    """Run ``fn`` on every job on executor ``ex``; results arrive in completion order.  ``prefix`` names the
    dask tasks (``<prefix>-<job id>``) and the errors.  A process pool of one worker runs in this process."""
    if not jobs:
        return []
    if ex.kind == "dask":
        return _run_dask(fn, jobs, ex, prefix)
    if ex.kind == "process" and (workers := pool_size(ex, len(jobs))) > 1:
        return _run_process_pool(fn, jobs, workers, prefix)
    return _run_inprocess(fn, jobs)


def load_result(path: Path, digest: str) -> Result | None:
    """A finished job's result, unless it was computed for different settings (its digest differs)."""
    if not path.is_file():
        return None
    result: Result = json.loads(path.read_text(encoding="utf-8"))
    if result.get("digest") != digest:
        log.info("%s is stale (settings changed), re-running", path.name)
        return None
    return result


def run_cached(
    fn: Callable[[J], Result],
    jobs: Sequence[J],
    ex: ExecutorConfig,
    job_dir: Path,
    *,
    prefix: str,
    progress: Callable[[Result], None] | None = None,
    note: Callable[[Result], str] | None = None,
) -> list[Result]:
    """Every job's result, in job order: cached ones read from ``job_dir``, the others run on ``ex`` and saved
    there (``<job id>.json``, with ``digest`` added) as each arrives; a progress bar (log lines when not a
    terminal) counts them, with ``note(result)`` beside the count."""
    ids = [j.job_id for j in jobs]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"job ids are not unique: {sorted({i for i in ids if ids.count(i) > 1})}")
    done = {j.job_id: r for j in jobs if (r := load_result(job_dir / f"{j.job_id}.json", j.digest)) is not None}
    todo = [j for j in jobs if j.job_id not in done]
    by_id = {j.job_id: j for j in todo}
    log.info("%s: %d jobs, %d already done, %d to run (%s)", prefix, len(jobs), len(done), len(todo), ex.kind)
    with Progress(len(todo), prefix.removeprefix("fpgaflow-"), "jobs", logger=log, log_every=0) as bar:
        try:
            for result in execute(fn, todo, ex, prefix):
                job = by_id[result["job_id"]]
                result["digest"] = job.digest
                atomic.write_json(job_dir / f"{job.job_id}.json", result, allow_nan=False)
                (job_dir / f"{job.job_id}{ERROR_SUFFIX}").unlink(missing_ok=True)  # an earlier failure's traceback
                done[job.job_id] = result
                bar.update(1, note=note(result) if note is not None else "")
                if progress is not None:
                    progress(result)
        except WorkerError as exc:
            if not exc.job_id:
                raise
            trace = atomic.write_text(job_dir / f"{exc.job_id}{ERROR_SUFFIX}", exc.traceback_text)
            raise type(exc)(f"{exc} (traceback: {trace})", exc.job_id, exc.traceback_text) from exc
    return [done[i] for i in ids]
