"""``report.md``: the run report's sections as Markdown for the terminal (figures named, not drawn: they are
in ``report.html``)."""

from __future__ import annotations

from fpgaflow.pipeline.report.content import Code, Figure, Paragraph, Section, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(t: Table) -> list[str]:
    rule = ["---:" if t.alignment(i) == "right" else "---" for i in range(len(t.header))]
    lines = [
        "| " + " | ".join(_cell(h) for h in t.header) + " |",
        "|" + "|".join(rule) + "|",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows),
    ]
    return [*lines, "", t.caption, ""] if t.caption else [*lines, ""]


def render_markdown(title: str, sections: list[Section]) -> str:
    """The whole report as Markdown."""
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [f"**{block.text}**" if block.strong else block.text, ""]
            elif isinstance(block, Table):
                lines += _table(block)
            elif isinstance(block, Figure):
                lines += [f"*Figure ({block.name}, in report.html): {block.caption}*", ""]
            elif isinstance(block, Code):
                lines += [f"*{block.summary}: in report.html and .fpgaflow/run.json*", ""]
    return "\n".join(lines).rstrip() + "\n"
