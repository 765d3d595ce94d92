"""The study's executors (also the policy search's and active learning's): the local process pool is the
default, its workers get their share of the cores as thread limits, and a job that fails in a worker stops the
grid with one line naming it while the jobs that finished stay saved."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fpgaflow.errors import StepError
from fpgaflow.study.config import ExecutorConfig
from fpgaflow.study.executors import (
    THREAD_VARIABLES,
    WorkerError,
    execute,
    pool_size,
    run_cached,
    thread_limits,
    usable_cores,
)


@dataclass(frozen=True)
class EchoJob:
    """A job whose worker reports its process id and thread environment, or fails as told."""

    name: str
    fail: str = ""  # "" | "raise" | "user" | "die"

    @property
    def job_id(self) -> str:
        return self.name

    @property
    def digest(self) -> str:
        return f"{self.name}-{self.fail}"


def echo(job: EchoJob) -> dict[str, Any]:
    """Module level, so spawned workers can unpickle it."""
    if job.fail == "raise":
        raise ValueError("the hit maps of this job are 16 x 16, the model wants 128 x 128\nsecond line")
    if job.fail == "user":
        from fpgaflow.errors import DataError

        raise DataError("pool.npz: map 7 has shape (16, 16), expected (128, 128)")
    if job.fail == "die":
        os._exit(9)  # a worker killed (by the OOM killer, say)
    return {"job_id": job.name, "pid": os.getpid(), "env": {v: os.environ.get(v, "") for v in THREAD_VARIABLES}}


def test_the_local_process_pool_is_the_default_with_one_worker_per_core() -> None:
    ex = ExecutorConfig()
    assert (ex.kind, ex.workers) == ("process", 0)
    assert pool_size(ex, 100) == usable_cores()
    assert pool_size(ex, 1) == 1  # never more workers than jobs
    assert pool_size(ExecutorConfig(workers=3), 2) == 2
    assert pool_size(ExecutorConfig(workers=3), 10) == 3


def test_each_worker_gets_its_share_of_the_cores_as_thread_limits() -> None:
    cores = usable_cores()
    assert thread_limits(2) == dict.fromkeys(THREAD_VARIABLES, str(max(1, cores // 2)))
    assert thread_limits(1) == dict.fromkeys(THREAD_VARIABLES, str(cores))
    assert thread_limits(4 * cores) == dict.fromkeys(THREAD_VARIABLES, "1")  # never 0 threads


def test_pool_workers_run_with_the_thread_limits_set(tmp_path: Path) -> None:
    jobs = [EchoJob(f"j{i}") for i in range(4)]
    results = run_cached(echo, jobs, ExecutorConfig(kind="process", workers=2), tmp_path, prefix="test")
    assert [r["job_id"] for r in results] == ["j0", "j1", "j2", "j3"]
    pids = {r["pid"] for r in results}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    expected = str(max(1, usable_cores() // 2))
    for r in results:
        assert r["env"] == dict.fromkeys(THREAD_VARIABLES, expected)
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["j0.json", "j1.json", "j2.json", "j3.json"]


def test_one_worker_runs_in_this_process() -> None:
    (result,) = execute(echo, [EchoJob("only")], ExecutorConfig(kind="process", workers=2), "test")
    assert result["pid"] == os.getpid()


def test_a_job_failing_in_a_worker_is_one_line_naming_it_and_the_finished_jobs_stay(tmp_path: Path) -> None:
    jobs = [EchoJob("ok0"), EchoJob("bad", "raise")]
    with pytest.raises(WorkerError) as info:
        run_cached(echo, jobs, ExecutorConfig(kind="process", workers=2), tmp_path, prefix="fpgaflow-active")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(
        "fpgaflow-active job bad failed in a worker: ValueError: the hit maps of this job are 16 x 16, "
        "the model wants 128 x 128 (traceback: "
    )
    assert isinstance(info.value, StepError)  # a user-facing error: the CLI prints it as one line, status 2
    trace = (tmp_path / "bad.error.txt").read_text()
    assert "ValueError" in trace and "in echo" in trace  # the worker's own traceback, for the bug report
    assert str(tmp_path / "bad.error.txt") in message
    if (tmp_path / "ok0.json").exists():  # finished before the failure: kept
        assert json.loads((tmp_path / "ok0.json").read_text())["job_id"] == "ok0"
    # fixed and rerun: every job done, the failure's traceback gone (the directory holds no stale error)
    fixed = [EchoJob("ok0"), EchoJob("bad")]
    results = run_cached(echo, fixed, ExecutorConfig(kind="inprocess"), tmp_path, prefix="fpgaflow-active")
    assert [r["job_id"] for r in results] == ["ok0", "bad"]
    assert not (tmp_path / "bad.error.txt").exists()


def test_a_user_error_in_a_worker_keeps_its_one_line(tmp_path: Path) -> None:
    with pytest.raises(WorkerError, match=r"^x job u: pool\.npz: map 7 has shape \(16, 16\), expected \(128, 128\)"):
        run_cached(echo, [EchoJob("u", "user"), EchoJob("v")], ExecutorConfig(workers=2), tmp_path, prefix="x")


def test_a_worker_that_dies_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(StepError, match=r"^x: a worker process died abruptly .* rerun to resume$"):
        run_cached(echo, [EchoJob("d", "die"), EchoJob("e")], ExecutorConfig(workers=2), tmp_path, prefix="x")
