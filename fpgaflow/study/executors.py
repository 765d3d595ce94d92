"""Where training jobs run — in this process, on a local process pool, or on dask.distributed — and the cache
that lets an interrupted grid resume.

A job is any picklable description ``J`` and a module-level function ``fn(J) -> dict`` (JSON-safe).  The study,
the augmentation-policy search and active learning all hand their jobs to :func:`run_cached`: finished
results are kept as ``JOB_DIR/<job id>.json`` (with the job's digest, so a changed setting re-runs it), the
others run on the configured executor and are saved atomically as they arrive.  No scheduling of its own:
``concurrent.futures`` or dask do that.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Protocol, TypeVar

from fpgaflow.errors import ConfigError, install_hint
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


def _run_inprocess(fn: Callable[[J], Result], jobs: Sequence[J]) -> Iterator[Result]:
    for job in jobs:
        yield fn(job)


def _run_process_pool(fn: Callable[[J], Result], jobs: Sequence[J], workers: int) -> Iterator[Result]:
    ctx = multiprocessing.get_context("spawn")  # TensorFlow does not survive fork()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(fn, job) for job in jobs]
        for fut in as_completed(futures):
            yield fut.result()


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
        cluster = LocalCluster(
            n_workers=ex.workers, threads_per_worker=1, processes=ex.processes, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = client.map(fn, list(jobs), key=[f"{prefix}-{j.job_id}" for j in jobs], pure=False)
        for fut in dask_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def execute(fn: Callable[[J], Result], jobs: Sequence[J], ex: ExecutorConfig, prefix: str) -> Iterable[Result]:
    """Run ``fn`` on every job on executor ``ex``; results arrive in completion order.  ``prefix`` names the
    dask tasks (``<prefix>-<job id>``)."""
    if not jobs:
        return []
    if ex.kind == "dask":
        return _run_dask(fn, jobs, ex, prefix)
    if ex.kind == "process" and ex.workers > 1:
        return _run_process_pool(fn, jobs, ex.workers)
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
        for result in execute(fn, todo, ex, prefix):
            job = by_id[result["job_id"]]
            result["digest"] = job.digest
            atomic.write_json(job_dir / f"{job.job_id}.json", result, allow_nan=False)
            done[job.job_id] = result
            bar.update(1, note=note(result) if note is not None else "")
            if progress is not None:
                progress(result)
    return [done[i] for i in ids]
