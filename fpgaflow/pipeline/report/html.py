"""``report.html``: the run report's sections as one self-contained page (the template beside this module,
rendered by jinja2 with autoescaping; figures embedded as base64 PNG data URIs, so the page needs no network
and no other file)."""

from __future__ import annotations

import base64
from pathlib import Path

from fpgaflow import __version__
from fpgaflow.pipeline.report.content import Section

TEMPLATE = "report.html.j2"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(title: str, subtitle: str, sections: list[Section], run_dir: str, figures: str | None = None) -> str:
    """The page: a table of contents, then every section's paragraphs, tables, figures and folded code.

    ``figures`` is ``None`` to draw every figure, else why none is drawn (said in each figure's place: the
    page rewritten while a step runs leaves them to the page written when the run stops)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    images = {} if figures else {f.name: data_uri(f.png) for s in sections for f in s.figures}
    return env.get_template(TEMPLATE).render(
        title=title,
        subtitle=subtitle,
        sections=sections,
        images=images,
        no_figures=figures or "",
        run_dir=run_dir,
        version=__version__,
    )
