"""The run config: one YAML file drives ``fpgaflow run``; each section is a stage's own typed config."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpgaflow.augment.config import AugmentConfig
from fpgaflow.baselines.config import BaselineConfig
from fpgaflow.compress.config import PruneConfig
from fpgaflow.config.strict import load_yaml, to_mapping
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.data.config import DataConfig
from fpgaflow.errors import ConfigError
from fpgaflow.shipped import shipped_dir
from fpgaflow.train.config import ModelConfig, TrainConfig
from fpgaflow.verify.config import VerifyConfig


@dataclass(frozen=True)
class RunConfig:
    """All stages of one run (``baselines``: the yardsticks the deployed model is measured against)."""

    data: DataConfig = field(default_factory=DataConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    prune: PruneConfig = field(default_factory=PruneConfig)
    convert: ConvertConfig = field(default_factory=ConvertConfig)
    verify: VerifyConfig = field(default_factory=VerifyConfig)
    baselines: BaselineConfig = field(default_factory=BaselineConfig)

    def section_hash(self, *sections: str) -> str:
        """A stable hash of the named sections (what a step's result depends on)."""
        payload = json.dumps({s: to_mapping(getattr(self, s)) for s in sections}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return dict(to_mapping(self))


#: Shipped run configs that ``fpgaflow run NAME`` accepts by name: ``default`` is the flagship (the
#: ``window-128`` task deployed at 128 × 128), ``quick`` the small 32 × 32 flow for tests and demos.
PRESETS: tuple[str, ...] = ("default", "quick")


def default_config_path() -> Path:
    """The built-in default run config, ``models/default.yaml`` (shipped in the wheel)."""
    return preset_path("default")


def preset_path(name: str) -> Path:
    """The shipped run config of preset ``name`` (one of :data:`PRESETS`)."""
    if name not in PRESETS:
        raise ConfigError(f"unknown run preset {name!r}; the presets are {', '.join(PRESETS)}")
    return shipped_dir("models") / f"{name}.yaml"


def resolve_config(path: Path | str | None) -> Path:
    """The YAML file a run uses: ``None`` = the default preset; a preset name (``quick``) that is not an
    existing file = that preset's shipped config; anything else is a path."""
    if path is None:
        return default_config_path()
    if str(path) in PRESETS and not Path(path).exists():
        return preset_path(str(path))
    return Path(path)


def load_run_config(path: Path | str | None = None) -> RunConfig:
    """Load a run config from YAML; ``None`` loads the built-in default, a preset name its shipped config."""
    return load_yaml(RunConfig, resolve_config(path))


def recorded_config(run_dir: Path | str) -> RunConfig:
    """The config an ``fpgaflow run`` directory was run with (its ``.fpgaflow/run.json``); :class:`ConfigError`
    when the directory has none or it does not load with this fpgaflow."""
    from fpgaflow.config.strict import from_mapping

    marker = Path(run_dir) / ".fpgaflow" / "run.json"
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
        mapping = record["config"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(f"{run_dir} has no readable run config ({marker})") from None
    try:
        return from_mapping(RunConfig, mapping, "config")
    except ConfigError as exc:
        raise ConfigError(f"{marker}: {exc} (a run written by another fpgaflow version?)") from None
