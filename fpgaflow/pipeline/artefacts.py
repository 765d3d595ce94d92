"""What flows between pipeline steps: files written so far and the metrics they produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpgaflow.errors import StepError
from fpgaflow_board.wire_format import WireFormat


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


#: The step that writes each artefact a later command reads from a run directory.
_WRITTEN_BY = {"model": "train", "train_maps": "data", "test_maps": "data", "hls_project": "convert"}


@dataclass(frozen=True)
class FinishedRun:
    """The artefacts of an ``fpgaflow run`` directory (from its ``summary.json``) and the ADC → network
    input scale and input wire (``convert.wire`` of a Vitis-route run) of its config, for commands that take a run
    directory instead of single files."""

    run_dir: Path
    files: dict[str, str]
    input_scale: float
    wire: WireFormat = field(default_factory=WireFormat)

    @classmethod
    def read(cls, run_dir: Path) -> FinishedRun:
        """Read ``run_dir``; :class:`StepError` if it is not a run that finished at least one step."""
        import json

        summary = run_dir / "summary.json"
        marker = run_dir / ".fpgaflow" / "run.json"
        if not summary.is_file() or not marker.is_file():
            raise StepError(f"{run_dir} is not a finished fpgaflow run (no summary.json / .fpgaflow/run.json)")
        files = json.loads(summary.read_text(encoding="utf-8"))["files"]
        config = json.loads(marker.read_text(encoding="utf-8"))["config"]
        convert = config["convert"]  # the run's typed config as written: a Vitis-route run records its wire
        packed = convert["backend"] == "Vitis" and "wire" in convert
        wire = WireFormat.from_dict(dict(convert["wire"]), str(marker)) if packed else WireFormat()
        return cls(run_dir, dict(files), float(config["model"]["input_scale"]), wire)

    def path(self, key: str) -> Path:
        """The artefact ``key`` (``model``, ``hls_project``, ``test_maps``, ``train_maps``, ...)."""
        if key not in self.files:
            step = _WRITTEN_BY.get(key, key)
            raise StepError(f"{self.run_dir}: the run has no {key!r} artefact; run `fpgaflow run` up to {step} first")
        return self.run_dir / self.files[key]

    def optional(self, key: str) -> Path | None:
        """The artefact ``key``, or ``None`` when the run has not written it."""
        return self.run_dir / self.files[key] if key in self.files else None
