"""What a run directory holds, read once for the report: the summary, the config, and the artefacts the
report draws from (training history, test maps and scores, conversion and verification reports, model card,
baseline scores).  A piece the run has not written (a run stopped with ``--to``, an older run) is ``None``;
the report then says so instead of guessing."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fpgaflow.errors import DataError
from fpgaflow.pipeline.config import RunConfig

log = logging.getLogger(__name__)

#: Where ``fpgaflow baselines RUN --out RUN/baselines`` (and the run's baselines step) write their scores.
BASELINE_SCORES = "baselines/baseline_scores.npz"


@dataclass(frozen=True)
class TestScores:
    """The verified test maps' labels and the model's particle scores there: ``deployed`` from the hardware
    path (C simulation or its bit-exact emulator), ``keras`` from QKeras."""

    labels: npt.NDArray[np.int64]
    deployed: npt.NDArray[np.float64]
    keras: npt.NDArray[np.float64]

    @property
    def n(self) -> int:
        return int(self.labels.size)


@dataclass(frozen=True)
class BaselineScores:
    """Each baseline family's best on the same test maps: its name, scores and cut (particle when
    ``score > cut``), from ``baseline_scores.npz``."""

    names: dict[str, str]
    scores: dict[str, npt.NDArray[np.float64]]
    cuts: dict[str, float]


@dataclass(frozen=True)
class RunRecord:
    """Everything the report reads from ``run_dir`` (see module docstring)."""

    run_dir: Path
    summary: dict[str, Any]
    config: RunConfig | None
    history: dict[str, list[float]] | None
    scores: TestScores | None
    test_maps: npt.NDArray[np.float32] | None
    split_labels: dict[str, npt.NDArray[np.int64]]
    conversion: dict[str, Any] | None
    verification: dict[str, Any] | None
    model_card: dict[str, Any] | None
    baselines: BaselineScores | None

    @classmethod
    def read(cls, run_dir: Path, summary: dict[str, Any] | None = None, config: RunConfig | None = None) -> RunRecord:
        """Read ``run_dir`` (its ``summary.json`` and ``.fpgaflow/run.json`` unless given)."""
        run_dir = Path(run_dir)
        if summary is None:
            summary = _json(run_dir / "summary.json")
            if summary is None:
                raise DataError(f"{run_dir} is not an fpgaflow run: no summary.json")
        if config is None:
            config = _config(run_dir)
        files: dict[str, str] = dict(summary.get("files", {}))

        def artefact(key: str, default: str | None = None) -> Path | None:
            rel = files.get(key, default)
            if rel is None:
                return None
            path = run_dir / rel
            return path if path.exists() else None

        scores = _scores(artefact("scores"))
        test = artefact("test_maps")
        maps = None
        if test is not None and scores is not None:
            with np.load(test) as z:
                maps = np.asarray(z["maps"][: scores.n], dtype=np.float32)
        split_labels = {}
        for split in ("train", "val", "test"):
            path = artefact(f"{split}_maps")
            if path is not None:
                with np.load(path) as z:
                    split_labels[split] = np.asarray(z["labels"], dtype=np.int64)
        history = artefact("history")
        return cls(
            run_dir=run_dir,
            summary=summary,
            config=config,
            history=_json(history) if history else None,
            scores=scores,
            test_maps=maps,
            split_labels=split_labels,
            conversion=_json_at(artefact("conversion_report")),
            verification=_json_at(artefact("verification")),
            model_card=_json_at(artefact("model_card")),
            baselines=_baselines(artefact("baseline_scores", BASELINE_SCORES), scores),
        )


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: unreadable JSON ({exc})") from None


def _json_at(path: Path | None) -> Any:
    return None if path is None else _json(path)


def _config(run_dir: Path) -> RunConfig | None:
    """The run's recorded config, or ``None`` (with a warning) when it is missing or from another version."""
    from fpgaflow.errors import ConfigError
    from fpgaflow.pipeline.config import recorded_config

    try:
        return recorded_config(run_dir)
    except ConfigError as exc:
        log.warning("reporting without the run's config: %s", exc)
        return None


def _scores(path: Path | None) -> TestScores | None:
    if path is None:
        return None
    with np.load(path) as z:
        return TestScores(
            labels=np.asarray(z["labels"], dtype=np.int64).reshape(-1),
            deployed=np.asarray(z["csim"], dtype=np.float64).reshape(-1),
            keras=np.asarray(z["keras"], dtype=np.float64).reshape(-1),
        )


def _baselines(path: Path | None, scores: TestScores | None) -> BaselineScores | None:
    """The baselines' scores, when they were measured on the same maps as the model (same labels, in order)."""
    if path is None or scores is None:
        return None
    n = scores.n
    with np.load(path) as z:
        labels = np.asarray(z["labels"]).reshape(-1)
        if labels.size < n or not np.array_equal(labels[:n], scores.labels):
            log.warning("%s: the baselines were measured on other test maps than the model; not shown", path)
            return None
        families = [k[: -len("_scores")] for k in z.files if k.endswith("_scores")]
        return BaselineScores(  # on the maps the model was verified on (a prefix when verify took fewer)
            names={f: str(z[f"{f}_name"]) for f in families},
            scores={f: np.asarray(z[f"{f}_scores"], dtype=np.float64).reshape(-1)[:n] for f in families},
            cuts={f: float(z[f"{f}_cut"]) for f in families},
        )
