"""What a run report says, independent of how it is shown: sections of paragraphs, tables and figures.

The same sections render as ``report.md`` (for the terminal: tables, figures named) and as the
self-contained ``report.html`` (figures embedded as PNG data URIs).  Text is plain (the renderers escape
it); a ``Paragraph`` with ``strong=True`` is a headline the reader must not miss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Align = Literal["left", "right"]
RIGHT: Align = "right"


@dataclass(frozen=True)
class Paragraph:
    text: str
    strong: bool = False
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True)
class Table:
    """A table of text cells; ``align`` per column (numbers right-aligned)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    align: tuple[Align, ...] = ()
    kind: Literal["table"] = "table"

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"table row {row} has {len(row)} cells, the header {len(self.header)}")

    def alignment(self, column: int) -> Align:
        return self.align[column] if column < len(self.align) else "left"


@dataclass(frozen=True)
class Figure:
    """A figure: its ``name`` (a stable identifier), how to ``draw`` it as PNG bytes, caption and alternative
    text.  Drawing costs seconds (matplotlib), so it happens only when a page shows the figure
    (:attr:`png`, drawn once); ``report.md`` names figures without drawing them."""

    name: str
    draw: Callable[[], bytes]
    caption: str
    alt: str
    kind: Literal["figure"] = "figure"

    @cached_property
    def png(self) -> bytes:
        return self.draw()


@dataclass(frozen=True)
class Code:
    """Preformatted text (a config as YAML), shown folded in the HTML report under ``summary``."""

    text: str
    summary: str
    kind: Literal["code"] = "code"


Block = Paragraph | Table | Figure | Code


@dataclass(frozen=True)
class Section:
    """One section of the report; ``available`` is ``False`` when the run has not produced what it shows
    (the blocks then say why and how to get it)."""

    id: str
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    available: bool = True

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Figure))


def missing(section_id: str, title: str, why: str) -> Section:
    """A section the run cannot fill yet, saying why (and what to run)."""
    return Section(section_id, title, (Paragraph(why),), available=False)
