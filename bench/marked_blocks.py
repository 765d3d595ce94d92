"""Generated blocks inside Markdown documents: ``<!-- KEY -->…<!-- /KEY -->``, rewritten from their rendering and
checked against it.  The one owner of that mechanism for ``readme_figures.py`` (README/docs figures of the default
run) and ``tasks_doc.py`` (docs/tasks.md's tables).

``mark`` is a compiled pattern with the groups ``key`` (what names the block in the rendering) and ``body``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class MarkedBlocks:
    """One kind of marked block: its pattern and the words its problems are reported in (``noun``: "figure";
    ``source``: what the blocks are rendered from; ``mismatch``: what a block that differs does)."""

    mark: re.Pattern[str]
    noun: str
    source: str
    mismatch: str

    def rewrite(self, text: str, blocks: dict[str, str]) -> str:
        """``text`` with every marked block's body replaced by its rendering (an unknown key is an error)."""

        def sub(m: re.Match[str]) -> str:
            key = m.group("key")
            if key not in blocks:
                raise KeyError(f"no {self.noun} {key!r} in {self.source} (known: {sorted(blocks)})")
            whole, start = m.group(0), m.start()
            return whole[: m.start("body") - start] + blocks[key] + whole[m.end("body") - start :]

        return self.mark.sub(sub, text)

    def disagreements(self, blocks: dict[str, str], documents: dict[str, str]) -> list[str]:
        """Every way the marked blocks of ``documents`` (name → text) differ from ``blocks``: a block whose text
        is not its rendering, a mark naming no block, and a block rendered but marked nowhere.  Empty when the
        documents say what the rendering says."""
        problems: list[str] = []
        seen: set[str] = set()
        for doc, text in documents.items():
            for m in self.mark.finditer(text):
                key = m.group("key")
                seen.add(key)
                if key not in blocks:
                    problems.append(f"{doc}: {self.noun} {key!r} is not rendered from {self.source}")
                elif m.group("body") != blocks[key]:
                    problems.append(f"{doc}: {self.noun} {key!r} {self.mismatch}")
        problems += [f"{self.noun} {k!r} is rendered but marked in no document" for k in sorted(set(blocks) - seen)]
        return problems
