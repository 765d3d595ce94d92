"""fpgaflow.progress: a bar on a terminal, plain log lines elsewhere, nothing when INFO is off."""

from __future__ import annotations

import logging
import sys

import pytest

from fpgaflow.progress import ENV_PROGRESS, Progress, choose_form

LOG = logging.getLogger("fpgaflow.test_progress")


def test_log_lines_at_every_tenth(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_PROGRESS, raising=False)
    caplog.set_level(logging.INFO, logger=LOG.name)
    with Progress(1000, "simulate", "maps", logger=LOG) as bar:
        assert bar.form == "log"  # pytest's stderr is not a terminal
        for _ in range(40):
            bar.update(25)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [f"simulate: {k} / 1000 maps" for k in range(100, 1001, 100)]


def test_every_update_with_its_note_when_asked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOG.name)
    with Progress(3, "train", "epochs", logger=LOG, log_every=0, initial=1) as bar:
        bar.update(1, note="loss 0.5")
        bar.update(1, note="loss 0.4")
    assert [r.getMessage() for r in caplog.records] == [
        "train: 2 / 3 epochs (loss 0.5)",
        "train: 3 / 3 epochs (loss 0.4)",
    ]
    caplog.clear()
    with Progress(None, "jobs", logger=LOG, log_every=0) as bar:  # an unknown total
        for _ in "abc":
            bar.update()
    assert [r.getMessage() for r in caplog.records] == ["jobs: 1 it", "jobs: 2 it", "jobs: 3 it"]


def test_silent_when_info_is_off(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.WARNING, logger=LOG.name)
    with Progress(10, "C-sim", "maps", logger=LOG) as bar:
        bar.update(10)
    assert caplog.records == []
    assert capsys.readouterr().err == ""


def test_a_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(ENV_PROGRESS, raising=False)
    LOG.setLevel(logging.INFO)
    try:
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        assert choose_form(LOG) == "bar"
        LOG.setLevel(logging.WARNING)
        assert choose_form(LOG) == "log"  # -q: no bar either
        LOG.setLevel(logging.INFO)
        monkeypatch.setitem(sys.modules, "tqdm", None)
        assert choose_form(LOG) == "log"  # the base install (no tqdm) logs
    finally:
        LOG.setLevel(logging.NOTSET)
    monkeypatch.setenv(ENV_PROGRESS, "bar")
    monkeypatch.delitem(sys.modules, "tqdm")
    with Progress(8, "fit", "points", logger=LOG) as bar:
        assert bar.form == "bar"
        bar.update(8, note="R1-uniform: fits")
        assert (bar._bar.n, bar._bar.total, bar._bar.postfix) == (8, 8, "R1-uniform: fits")
    err = capsys.readouterr().err
    assert "\rfit:   0%|" in err and "0/8 [" in err and " points/s]" in err  # tqdm draws on stderr
    assert err.endswith("\r")  # and clears its line when the loop ends (leave=False)
