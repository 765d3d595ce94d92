"""The one output-directory policy (fpgaflow.outdir): new, empty or an earlier output of the same kind;
nothing fpgaflow did not write is deleted; one-go outputs are staged in ``<dir>.partial`` and renamed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fpgaflow.errors import OutputDirError
from fpgaflow.outdir import (
    check_output_dir,
    claim_output_dir,
    locked_output_dir,
    marker_path,
    output_kind,
    staged_output_dir,
)


def _write_report(directory: Path, text: str = "one") -> None:
    (directory / "sub").mkdir()
    (directory / "report.md").write_text(text)
    (directory / "sub" / "table.json").write_text("{}")


def _enter(directory: Path, kind: str = "estimate") -> None:
    with staged_output_dir(directory, kind):
        pytest.fail("the policy must refuse before the block runs")


def _crash_inside(directory: Path, inside: Callable[[Path], None]) -> None:
    with staged_output_dir(directory, "estimate") as staging:
        inside(staging)
        raise RuntimeError("boom")


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_staged_output_is_renamed_into_place_with_a_marker_listing_its_files(tmp_path: Path) -> None:
    out = tmp_path / "est"
    with staged_output_dir(out, "estimate") as staging:
        assert staging == tmp_path / "est.partial"
        assert not out.exists()
        _write_report(staging)
    assert not staging.exists()
    assert output_kind(out) == "estimate"
    marker = json.loads(marker_path(out, "estimate").read_text())
    assert marker["files"] == ["report.md", "sub/table.json"]
    assert marker["kind"] == "estimate"


def test_an_empty_directory_is_accepted(tmp_path: Path) -> None:
    with staged_output_dir(tmp_path, "estimate") as staging:
        (staging / "report.md").write_text("x")
    assert (tmp_path / "report.md").read_text() == "x"


def test_an_earlier_output_of_the_same_kind_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "est"
    with staged_output_dir(out, "estimate") as staging:
        _write_report(staging, "one")
        (staging / "only_in_first.txt").write_text("x")
    with staged_output_dir(out, "estimate") as staging:
        _write_report(staging, "two")
    assert (out / "report.md").read_text() == "two"
    assert not (out / "only_in_first.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["est"]  # no staging or replaced copy left


def test_a_foreign_directory_is_refused_and_untouched(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputDirError, match=r"holds files that are not an fpgaflow estimate output; choose an empty"):
        _enter(tmp_path)
    assert _snapshot(tmp_path) == {"notes.txt": b"mine"}


def test_an_output_of_another_kind_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with staged_output_dir(out, "fit") as staging:
        (staging / "fit.json").write_text("{}")
    with pytest.raises(OutputDirError, match=r"holds an fpgaflow fit output"):
        check_output_dir(out, "estimate", replace=True)
    with pytest.raises(OutputDirError, match=r"holds an fpgaflow fit output"):
        claim_output_dir(out, "run")


def test_a_file_the_user_added_is_never_deleted(tmp_path: Path) -> None:
    out = tmp_path / "est"
    with staged_output_dir(out, "estimate") as staging:
        _write_report(staging)
    (out / "sub" / "NOTES.txt").write_text("my notes")
    before = _snapshot(out)
    with pytest.raises(OutputDirError, match=r"holds sub/NOTES\.txt, which fpgaflow did not write there"):
        _enter(out)
    assert _snapshot(out) == before


def test_nested_fpgaflow_outputs_count_as_fpgaflows(tmp_path: Path) -> None:
    """`fpgaflow verify --project P` writes P/verification; converting into P again may replace both."""
    project = tmp_path / "prj"
    with staged_output_dir(project, "convert") as staging:
        (staging / "conversion.json").write_text("{}")
    with staged_output_dir(project / "verification", "verify") as staging:
        (staging / "verification.json").write_text("{}")
    with staged_output_dir(project, "convert") as staging:
        (staging / "conversion.json").write_text('{"again": true}')
    assert json.loads((project / "conversion.json").read_text()) == {"again": True}
    assert not (project / "verification").exists()


def test_a_failure_leaves_the_earlier_output_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "est"
    with staged_output_dir(out, "estimate") as staging:
        _write_report(staging, "good")
    before = _snapshot(out)
    with pytest.raises(RuntimeError, match="boom"):
        _crash_inside(out, lambda staging: _write_report(staging, "half"))
    assert _snapshot(out) == before
    assert not (tmp_path / "est.partial").exists()


def test_a_stale_staging_directory_of_fpgaflow_is_cleared_a_foreign_one_kept(tmp_path: Path) -> None:
    out = tmp_path / "est"
    stale = tmp_path / "est.partial"
    with pytest.raises(RuntimeError, match="boom"):  # a crash that left the staging directory behind:
        _crash_inside(out, lambda staging: os.rename(staging, tmp_path / "keep"))
    os.rename(tmp_path / "keep", stale)
    with staged_output_dir(out, "estimate") as staging:
        (staging / "report.md").write_text("x")
    assert not stale.exists()
    stale.mkdir()
    (stale / "mine.txt").write_text("x")
    with pytest.raises(OutputDirError, match=r"est\.partial exists and is not fpgaflow's staging directory"):
        _enter(out)
    assert (stale / "mine.txt").read_text() == "x"


def test_claimed_outputs_resume_in_place(tmp_path: Path) -> None:
    out = tmp_path / "run"
    claim_output_dir(out, "run", {"config": {"a": 1}})
    (out / "data").mkdir()
    (out / "data" / "train.npz").write_bytes(b"x")
    claim_output_dir(out, "run", {"config": {"a": 2}})
    assert (out / "data" / "train.npz").read_bytes() == b"x"
    assert json.loads(marker_path(out, "run").read_text())["config"] == {"a": 2}
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputDirError, match=r"file exists and is not a directory"):
        claim_output_dir(tmp_path / "file", "run")


def test_the_marker_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with staged_output_dir(tmp_path / "o", "estimate") as staging:
            (staging / "x").write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(marker_path(tmp_path / "o", "estimate").stat().st_mode) == 0o644


_HOLDER = """
import sys, time
from pathlib import Path
from fpgaflow.outdir import hold_lock
with hold_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_the_lock_refuses_a_second_process_and_dies_with_its_holder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    claim_output_dir(out, "run")
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        refused = rf"run is in use by fpgaflow pid {holder.pid} on .* since "
        with pytest.raises(OutputDirError, match=refused), locked_output_dir(out, "run"):
            pytest.fail("a second holder got the lock")
    finally:
        holder.kill()  # SIGKILL: no cleanup code runs in the holder
        holder.communicate()
    with locked_output_dir(out, "run") as claimed:  # the kernel dropped the killed holder's flock
        assert (claimed / ".fpgaflow" / "lock").read_text().startswith(f"fpgaflow pid {os.getpid()} on ")
    assert (out / ".fpgaflow" / "lock").read_text() == ""


def test_a_claim_that_stopped_before_its_marker_is_not_foreign(tmp_path: Path) -> None:
    out = tmp_path / "run"
    (out / ".fpgaflow").mkdir(parents=True)
    (out / ".fpgaflow" / "lock").write_text("")
    with locked_output_dir(out, "run"):
        pass
    assert output_kind(out) == "run"
