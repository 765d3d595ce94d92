"""The run report: one set of sections, written as ``report.md`` (terminal) and ``report.html``
(self-contained page with the figures).

* :mod:`~fpgaflow.pipeline.report.record` reads the run directory;
* :mod:`~fpgaflow.pipeline.report.measures` computes the figures of merit with their errors;
* :mod:`~fpgaflow.pipeline.report.physics`, :mod:`~fpgaflow.pipeline.report.hardware` and
  :mod:`~fpgaflow.pipeline.report.overview` build the sections (:mod:`~fpgaflow.pipeline.report.content`);
* :mod:`~fpgaflow.pipeline.report.markdown` and :mod:`~fpgaflow.pipeline.report.html` render them.

``fpgaflow run`` writes both after every run; ``fpgaflow report RUN`` rewrites them for an existing run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpgaflow.pipeline.config import RunConfig
from fpgaflow.pipeline.report.content import Section
from fpgaflow.pipeline.report.record import RunRecord
from fpgaflow_board.atomic import write_text

log = logging.getLogger(__name__)

#: Section ids in page order (the browser and parser tests check each is present).
SECTION_IDS = (
    "summary",
    "data",
    "training",
    "metrics",
    "roc",
    "confusion",
    "precision",
    "resources",
    "throughput",
    "verification",
    "provenance",
)


def build_sections(rec: RunRecord) -> list[Section]:
    """Every section of the report, in :data:`SECTION_IDS` order."""
    from fpgaflow.pipeline.report import hardware, overview, physics

    figs = physics.model_figures(rec)
    sections = [
        overview.headline_section(rec, figs),
        physics.data_section(rec),
        physics.training_section(rec),
        physics.metrics_section(rec, figs),
        physics.roc_section(rec, figs),
        physics.confusion_section(figs),
        hardware.precision_section(rec),
        hardware.resources_section(rec),
        hardware.throughput_section(rec),
        hardware.verification_section(rec),
        overview.provenance_section(rec),
    ]
    assert tuple(s.id for s in sections) == SECTION_IDS
    return sections


@dataclass(frozen=True)
class WrittenReport:
    """The two files written and the sections they hold."""

    markdown: Path
    html: Path
    sections: list[Section]


def write_reports(
    run_dir: Path, summary: dict[str, Any] | None = None, cfg: RunConfig | None = None, *, draw: bool = True
) -> WrittenReport:
    """Write ``run_dir/report.md`` and ``run_dir/report.html`` (atomically) from the run's files; ``summary``
    and ``cfg`` default to the run's ``summary.json`` and recorded config.

    ``draw=False`` (the runner, before each step) leaves the figures out of ``report.html`` — drawing them
    costs seconds — and says so in their place; the page written when the run stops draws them."""
    from fpgaflow.pipeline.report.html import render_html
    from fpgaflow.pipeline.report.markdown import render_markdown

    run_dir = Path(run_dir)
    rec = RunRecord.read(run_dir, summary, cfg)
    sections = build_sections(rec)
    title = f"fpgaflow run report: {run_dir.resolve().name}"
    complete = "complete run" if rec.summary.get("complete") else "incomplete run"
    subtitle = f"{run_dir.resolve()} · {complete} · fpgaflow {rec.summary.get('fpgaflow_version', '—')}"
    md = write_text(run_dir / "report.md", render_markdown(title, sections))
    running = [name for name, status in rec.summary.get("steps_status", {}).items() if status == "running"]
    why = None
    if not draw:
        why = (f"step {running[0]} is running; " if running else "") + (
            "the page written when the run stops draws the figures (or `fpgaflow report RUN`)."
        )
    html = write_text(run_dir / "report.html", render_html(title, subtitle, sections, str(run_dir.resolve()), why))
    log.info("report: %s, %s", md, html)
    return WrittenReport(Path(md), Path(html), sections)
