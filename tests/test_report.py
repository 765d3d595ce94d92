"""The run report (report.md + self-contained report.html) from a run directory: every section, every figure
embedded, no external address (stdlib html.parser), numbers written with units and their errors."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_run import N_TEST, make_run

from fpgaflow.cli import main
from fpgaflow.pipeline.report import SECTION_IDS, write_reports


class Page(HTMLParser):
    """What the report page holds: section ids and their h2 titles, images, every URL-valued attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.classes: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self.images: list[dict[str, str]] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.style = ""
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self._in.append(tag)
        if tag == "section":
            self.sections.append(a["id"])
            self.classes[a["id"]] = a.get("class", "")
        if tag == "img":
            self.images.append(a)
        for key in ("src", "href", "action", "data", "poster"):
            if key in a:
                self.urls.append(a[key])

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "h2" and self.sections:
            self.titles.setdefault(self.sections[-1], data.strip())
        if self._in and self._in[-1] == "style":
            self.style += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Page, str]:
    """The fake run's report, written by ``fpgaflow report RUN``."""
    run = tmp_path_factory.mktemp("report") / "run"
    make_run(run)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", str(run)]) == 0
    assert f"page:   {run / 'report.html'} (11 of 11 sections filled)" in printed.getvalue()
    html = (run / "report.html").read_text(encoding="utf-8")
    return run, parse(html), html


def test_every_section_is_present_and_filled(report: tuple[Path, Page, str]) -> None:
    _, page, _ = report
    assert page.sections == list(SECTION_IDS)
    assert all(page.titles[s] for s in SECTION_IDS)
    assert set(page.classes.values()) == {"available"}  # the fake run has every artefact


def test_every_figure_is_an_embedded_png(report: tuple[Path, Page, str]) -> None:
    from PIL import Image

    _, page, _ = report
    names = {img["alt"] for img in page.images}
    assert len(page.images) == 7, names  # gallery, distributions, curves, scores, ROC, confusion, resources
    for img in page.images:
        assert img["src"].startswith("data:image/png;base64,"), img["src"][:40]
        png = Image.open(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1])))
        assert png.format == "PNG" and png.width > 300 and png.height > 150
        assert img["alt"]


def test_no_external_address(report: tuple[Path, Page, str]) -> None:
    _, page, html = report
    for url in page.urls:
        assert url.startswith(("data:", "#")), url
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert "url(" not in page.style and "@import" not in page.style
    assert "http://" not in html and "https://" not in html


def test_numbers_carry_units_errors_and_separators(report: tuple[Path, Page, str]) -> None:
    run, _, html = report
    md = (run / "report.md").read_text(encoding="utf-8")
    for text in (md, html):
        assert "97,700 maps/s" in text  # not 9.766e+04
        assert "e+0" not in re.sub(r"data:image/png;base64,[^\"]+", "", text)
        assert "{'" not in text  # no raw Python dict
        assert "90.0 ± 2.1" in text  # 180 of 200 right: Wilson 68.3 % half-width 2.1 pp
        assert "21,480" in text  # LUT estimate with a thousands separator
        assert "no interval" in text  # the fake run's estimate carries none
    assert f"| deployed design (C simulation) | {N_TEST} | 90.0 ± 2.1 |" in md


def test_baselines_beside_the_model(report: tuple[Path, Page, str]) -> None:
    run = report[0]
    md = (run / "report.md").read_text(encoding="utf-8")
    assert "Against the baselines: the deployed CNN (90.0 ± 2.1 %) is LEVEL with the single cut." in md
    row = next(line for line in md.splitlines() if line.startswith("| single_cut: total_adc"))
    # working point from the run's summary, ε_S / ε_B measured on the same maps, paired Δ and McNemar p
    assert "`total_adc > 108`" in row or "total_adc > 108" in row
    assert "| -1.2 ± 2.0 | 0.4 | LEVEL |" in row
    any_row = next(line for line in md.splitlines() if line.startswith("| any_pixel"))
    assert "| 90.0 ± 2.1 |" in any_row and "| 100.0 | 20.0 |" in any_row


def test_truth_ceiling_written_once_in_both_reports(tmp_path: Path) -> None:
    """A run on simulated window maps (summary ``baselines.truth``, docs/baselines.md) gets the truth ceiling
    and the label ambiguity in the ROC section, in the words of the one sentence writer."""
    import html

    from fpgaflow.baselines.measure_truth import truth_sentence

    run = tmp_path / "run"
    summary = make_run(run)
    truth = {
        "ceiling": {
            "accuracy": 0.915,
            "accuracy_error": 0.0197,
            "roc_auc": 0.9712,
            "n_train": 200,
            "n_test": N_TEST,
            "n_patterns": 37,
            "unseen_fraction": 0.02,
        },
        "ambiguity": {
            "one_track": 0.62,
            "n_one_track": 50,
            "no_track": 0.01,
            "n_no_track": 120,
            "by_track_count": [0.01, 0.62, 0.9, None, None, None, None],
        },
    }
    summary["baselines"]["truth"] = truth
    (run / "summary.json").write_text(json.dumps(summary))
    done = write_reports(run)
    sentence = truth_sentence(truth).replace("**", "")
    assert "Truth ceiling (a classifier told every cluster's true source but not its pT" in sentence
    assert "91.5 ± 2.0 % on the 200 test maps, ROC AUC 0.971" in sentence
    assert "is a particle map 62 % of the time (50 maps)" in sentence
    md = done.markdown.read_text(encoding="utf-8")
    page = html.unescape(done.html.read_text(encoding="utf-8"))
    assert md.count(sentence) == 1 and page.count(sentence) == 1
    roc = md.split("## ROC and the baselines", 1)[1].split("\n## ", 1)[0]
    assert sentence in roc


def test_estimate_interval_shown_when_the_estimate_carries_one(tmp_path: Path) -> None:
    from fpgaflow.estimate.plot import RANGE_LABEL
    from fpgaflow.pipeline.report.hardware import resources_section
    from fpgaflow.pipeline.report.markdown import render_markdown
    from fpgaflow.pipeline.report.record import RunRecord

    make_run(tmp_path / "run", estimate_range=True)
    section = resources_section(RunRecord.read(tmp_path / "run"))
    md = render_markdown("r", [section])
    lut = next(line for line in md.splitlines() if line.startswith("| LUT |"))
    assert "17,000–26,000" in lut and "no interval" not in lut
    assert lut.endswith("| fits |")  # 26,000 LUT at the top of the range: within 70 % of 53,200 (37,240)
    assert "error bars: the estimator's expected range" in section.figures[0].caption
    assert "8 of 10 designs held out" in md and RANGE_LABEL.startswith("expected range")


def test_a_partial_run_says_what_is_missing(tmp_path: Path) -> None:
    run = tmp_path / "run"
    summary = make_run(run, baselines=False)
    summary["steps_status"] = {"convert": "not run", "data": "ran", "train": "ran", "verify": "not run"}  # as read back
    summary["complete"] = False
    for key in ("scores", "verification", "conversion_report"):
        del summary["files"][key]
    for key in ("estimate", "modelled_maps_per_second", "csim_agreement"):
        del summary[key]
    (run / "summary.json").write_text(json.dumps(summary))
    done = write_reports(run)
    page = parse(done.html.read_text(encoding="utf-8"))
    assert page.sections == list(SECTION_IDS)
    unavailable = {s.id for s in done.sections if not s.available}
    assert unavailable == {"metrics", "roc", "confusion", "precision", "resources", "throughput", "verification"}
    md = done.markdown.read_text(encoding="utf-8")
    assert "Incomplete run: steps not run: convert, verify." in md
    summary["steps_status"].update(train="failed")
    md = write_reports(run, summary).markdown.read_text(encoding="utf-8")
    assert "Incomplete run: steps failed: train; steps not run: convert, verify." in md
    steps = re.findall(r"^\| (\w+) \| (?:ran|failed|not run) \|", md, re.M)
    assert steps == ["data", "train", "convert", "verify"]  # the pipeline's order, not summary.json's sorted keys
    assert "step verify not run" in md


def test_cli_report_refuses_a_run_in_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fpgaflow.outdir import hold_lock

    run = tmp_path / "run"
    make_run(run)
    with hold_lock(run):  # as `fpgaflow run` holds it while it writes the directory
        assert main(["report", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{run} is in use by fpgaflow pid {os.getpid()} " in err[0]
    assert not (run / "report.html").exists()


def test_cli_report_of_a_directory_that_is_no_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a finished fpgaflow run" in err[0]


def test_a_page_written_while_a_step_runs_draws_no_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fpgaflow.figures import canvas

    run = tmp_path / "run"
    summary = make_run(run)
    summary["steps_status"]["package"] = "running"

    def never(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a figure was drawn")

    monkeypatch.setattr(canvas, "png_bytes", never)
    done = write_reports(run, summary, draw=False)
    html = done.html.read_text(encoding="utf-8")
    page = parse(html)
    assert page.sections == list(SECTION_IDS) and page.images == []
    pending = "Figure not drawn: step package is running; the page written when the run stops draws the figures"
    assert html.count(pending) == 7  # in each figure's place, with its caption
    assert html.count("<figcaption>") == 7
    assert "90.0 ± 2.1" in done.markdown.read_text(encoding="utf-8")  # the tables are all there
