"""Runner semantics with fast fake steps: checkpoints, fingerprints, --from/--to, atomic staging."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from fpgaflow.config.strict import from_mapping
from fpgaflow.errors import ConfigError, OutputDirError
from fpgaflow.pipeline import runner, steps
from fpgaflow.pipeline.artefacts import Artefacts
from fpgaflow.pipeline.config import RunConfig

FAIL_AT: set[str] = set()


@pytest.fixture
def fake_steps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    FAIL_AT.clear()

    def make(name: str, fail: bool = False):
        def fn(art: Artefacts, cfg: RunConfig) -> Artefacts:
            calls.append(name)
            art.add(f"{name}_out", "out.txt").write_text(f"{name} {cfg.train.epochs}")
            art.metrics[f"{name}_metric"] = cfg.train.epochs
            if name in FAIL_AT:
                raise RuntimeError("boom")
            return art

        return fn

    fake = tuple(steps.Step(s.name, make(s.name), s.directory, s.sections) for s in steps.STEPS)
    monkeypatch.setattr(runner, "STEPS", fake)
    return calls


def test_checkpoints_and_fingerprints(tmp_path: Path, fake_steps: list[str]) -> None:
    out = tmp_path / "run"
    cfg = RunConfig()
    r1 = runner.run_pipeline(cfg, out)
    assert fake_steps == ["data", "train", "convert", "verify", "baselines", "package"]
    assert set(r1.status.values()) == {"ran"}
    assert (out / "hls" / "out.txt").read_text() == f"convert {cfg.train.epochs}"
    fake_steps.clear()
    runner.run_pipeline(cfg, out)
    assert fake_steps == []
    # A change in the train section invalidates train and everything after it, not data.
    cfg2 = from_mapping(RunConfig, {"train": {"epochs": 3}})
    r3 = runner.run_pipeline(cfg2, out)
    assert fake_steps == ["train", "convert", "verify", "baselines", "package"]
    assert r3.status["data"] == "skipped"
    assert r3.summary["train_metric"] == 3
    # The baselines come after the model: a change there re-measures them and re-packages, nothing else.
    fake_steps.clear()
    runner.run_pipeline(from_mapping(RunConfig, {"train": {"epochs": 3}, "baselines": {"seed": 5}}), out)
    assert fake_steps == ["baselines", "package"]


def test_to_and_from(tmp_path: Path, fake_steps: list[str]) -> None:
    out = tmp_path / "run"
    r = runner.run_pipeline(RunConfig(), out, to_step="train")
    assert fake_steps == ["data", "train"]
    assert r.summary["complete"] is False
    assert r.status["convert"] == "not run"
    fake_steps.clear()
    runner.run_pipeline(RunConfig(), out, from_step="train", to_step="convert")
    assert fake_steps == ["train", "convert"]


def test_from_without_earlier_checkpoint_is_an_error(tmp_path: Path, fake_steps: list[str]) -> None:
    with pytest.raises(OutputDirError, match="step 'data' has no valid checkpoint"):
        runner.run_pipeline(RunConfig(), tmp_path / "run", from_step="train")
    assert fake_steps == []


def test_unknown_step_names_suggest(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown step 'verfy' \(did you mean 'verify'\?\)"):
        runner.run_pipeline(RunConfig(), tmp_path / "run", from_step="verfy")


def test_foreign_output_dir_is_refused(tmp_path: Path, fake_steps: list[str]) -> None:
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(OutputDirError, match="not an fpgaflow run"):
        runner.run_pipeline(RunConfig(), tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "precious"
    assert fake_steps == []


def test_failed_step_leaves_no_artefact_presented_as_complete(tmp_path: Path, fake_steps: list[str]) -> None:
    out = tmp_path / "run"
    FAIL_AT.add("verify")
    with pytest.raises(RuntimeError, match="boom"):
        runner.run_pipeline(RunConfig(), out)
    assert not (out / "verify").exists()  # never the final name
    assert not (out / "verify.partial").exists()  # and the failed step's stage is removed
    assert not (out / ".fpgaflow" / "checkpoints" / "verify.json").exists()
    assert json.loads((out / ".fpgaflow" / "checkpoints" / "convert.json").read_text())["step"] == "convert"
    # The rerun resumes at the failed step.
    FAIL_AT.clear()
    fake_steps.clear()
    runner.run_pipeline(RunConfig(), out)
    assert fake_steps == ["verify", "baselines", "package"]


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_run_files_get_the_umask_mode_like_their_neighbours(
    tmp_path: Path, fake_steps: list[str], mask: int, expected: int
) -> None:
    old = os.umask(mask)
    try:
        out = tmp_path / "run"
        runner.run_pipeline(RunConfig(), out, to_step="train")
    finally:
        os.umask(old)
    written = [
        out / "summary.json",
        out / "report.md",
        out / "report.html",
        out / ".fpgaflow" / "run.json",
        out / ".fpgaflow" / "checkpoints" / "train.json",
        out / "model" / "out.txt",  # written by the step itself, not by the atomic writer
    ]
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {p.name: expected for p in written}


def test_the_report_draws_its_figures_when_the_run_stops(
    tmp_path: Path, fake_steps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before each step the summary and report are rewritten without drawing figures (seconds each); the
    report written last, after success or failure, draws them."""
    drawn: list[tuple[str, bool]] = []

    def record(run_dir: Path, summary: dict[str, object], cfg: RunConfig, *, draw: bool) -> None:
        status = summary["steps_status"]
        assert isinstance(status, dict)
        drawn.append((next((k for k, v in status.items() if v in ("running", "failed")), "-"), draw))

    monkeypatch.setattr(runner, "write_reports", record)
    runner.run_pipeline(RunConfig(), tmp_path / "run", to_step="train")
    assert drawn == [("data", False), ("train", False), ("-", True)]
    drawn.clear()
    FAIL_AT.add("train")
    with pytest.raises(RuntimeError, match="boom"):
        runner.run_pipeline(from_mapping(RunConfig, {"train": {"epochs": 2}}), tmp_path / "run", to_step="train")
    assert drawn == [("train", False), ("train", True)]


def test_steps_reused_from_other_code_are_named_not_redone(
    tmp_path: Path, fake_steps: list[str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "run"
    first = runner.run_pipeline(RunConfig(), out)
    made_by = runner.source_digest()
    assert "steps_from_other_code" not in first.summary
    assert json.loads((out / ".fpgaflow" / "checkpoints" / "train.json").read_text())["code"] == made_by
    # The code changes (a development checkout), the version does not: nothing is retrained, all is said.
    monkeypatch.setattr(runner, "source_digest", lambda: "0123456789abcdef")
    fake_steps.clear()
    with caplog.at_level("WARNING", logger="fpgaflow.pipeline.runner"):
        again = runner.run_pipeline(RunConfig(), out)
    assert fake_steps == []
    assert again.summary["steps_from_other_code"] == dict.fromkeys(runner.STEP_NAMES, made_by)
    assert json.loads((out / "summary.json").read_text())["steps_from_other_code"]["data"] == made_by
    assert f"source digest {made_by}; now 0123456789abcdef" in caplog.text
    assert "fpgaflow run --from data" in caplog.text
    # Redoing from train leaves only the data step as the other code's.
    redone = runner.run_pipeline(RunConfig(), out, from_step="train")
    assert fake_steps == ["train", "convert", "verify", "baselines", "package"]
    assert redone.summary["steps_from_other_code"] == {"data": made_by}
    # A checkpoint written before digests were recorded reads "unrecorded".
    ckpt = out / ".fpgaflow" / "checkpoints" / "data.json"
    ckpt.write_text(json.dumps({k: v for k, v in json.loads(ckpt.read_text()).items() if k != "code"}))
    assert runner.run_pipeline(RunConfig(), out).summary["steps_from_other_code"] == {"data": "unrecorded"}
