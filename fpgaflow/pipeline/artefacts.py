"""What flows between pipeline steps: files written so far and the metrics they produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpgaflow.errors import StepError


@dataclass
class Artefacts:
    """Files (keys → paths relative to ``run_dir``) and metrics accumulated by the steps.

    While a step runs, ``step_dir`` is its private staging directory (``<dir>.partial``) and
    ``step_final`` the name it will be renamed to when the step succeeds; :meth:`add` records a file
    written into ``step_dir`` under its final relative path.
    """

    run_dir: Path
    files: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    step_dir: Path | None = None
    step_final: str | None = None

    def add(self, key: str, relative: str) -> Path:
        """Record ``relative`` (inside the current step's directory) as artefact ``key``; return its
        staging path for writing."""
        if self.step_dir is None or self.step_final is None:
            raise StepError("Artefacts.add called outside a running step")
        self.files[key] = f"{self.step_final}/{relative}"
        return self.step_dir / relative

    def path(self, key: str) -> Path:
        """Absolute path of a finished artefact."""
        try:
            return self.run_dir / self.files[key]
        except KeyError:
            raise StepError(
                f"artefact {key!r} is missing: run the step that produces it first (have: {sorted(self.files)})"
            ) from None
