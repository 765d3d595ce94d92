"""Physics tasks as named presets: ``models/tasks/NAME.yaml`` files, each a ``task:`` block (what it is,
the label, the metrics) and a ``data:`` section.

A run names one with ``data: {task: window-128}`` (or a preset file path); the preset's ``data:`` keys are
the defaults and the keys written beside ``task`` override them, recursively, before the usual strict
checks (unknown keys rejected with a did-you-mean hint).  :func:`load_task` gives a preset's typed
description and data config; docs/tasks.md describes each one with its measured figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from fpgaflow.config.strict import from_mapping, suggest
from fpgaflow.errors import ConfigError
from fpgaflow.shipped import shipped_dir

if TYPE_CHECKING:
    from fpgaflow.data.config import DataConfig


def tasks_dir() -> Path:
    """Where the registered presets live: ``models/tasks`` of the checkout, or of the installed wheel (the
    default run, ``models/default.yaml``, names one, so an installed fpgaflow needs them)."""
    return shipped_dir("models") / "tasks"


Metric = Literal["accuracy", "roc_auc", "rejection_at_90", "rejection_at_95", "reduction_at_90", "reduction_at_95"]


@dataclass(frozen=True)
class TaskInfo:
    """The ``task:`` block of a preset: ``name``; ``description`` (one paragraph); ``label`` (what label 1
    means); ``metrics`` (how models are compared: accuracy, ROC AUC, or background rejection and data
    reduction at 90 % / 95 % signal efficiency)."""

    name: str
    description: str
    label: str
    metrics: tuple[Metric, ...]


@dataclass(frozen=True)
class TaskPreset:
    """A task preset: its description, its data config (``task`` set to its name) and its file."""

    info: TaskInfo
    data: DataConfig
    path: Path


def task_names() -> list[str]:
    """Names of the registered presets (file stems of ``models/tasks/*.yaml``), sorted."""
    return sorted(p.stem for p in tasks_dir().glob("*.yaml"))


def task_path(name_or_path: str) -> Path:
    """The preset file of a registered name, or ``name_or_path`` itself when it is a YAML file."""
    registered = tasks_dir() / f"{name_or_path}.yaml"
    if registered.is_file():
        return registered
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        return path
    names = task_names()
    raise ConfigError(
        f"unknown task {name_or_path!r}{suggest(name_or_path, names)}; registered tasks: {', '.join(names)} "
        "(or give a preset file)"
    )


def _read(name_or_path: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    path = task_path(name_or_path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or set(raw) != {"task", "data"}:
        found = sorted(raw) if isinstance(raw, dict) else type(raw).__name__
        raise ConfigError(f"{path}: a task preset holds exactly 'task:' and 'data:', found {found}")
    if not isinstance(raw["data"], dict) or "task" in raw["data"]:
        raise ConfigError(f"{path}: 'data:' must be a mapping that does not name another task")
    return path, raw["task"], raw["data"]


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` laid over ``base``: nested mappings merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def expand_task(mapping: Mapping[str, Any], path: str = "data") -> dict[str, Any]:
    """A ``data:`` mapping naming ``task`` with the preset's keys filled in (the given keys win)."""
    name = mapping["task"]
    if not isinstance(name, str):
        raise ConfigError(f"{path}.task: expected a task name or preset file, got {name!r}")
    _, _, data = _read(name)
    return _merge(data, mapping)


def load_task(name_or_path: str) -> TaskPreset:
    """The typed preset ``name_or_path`` (a registered name or a preset file)."""
    from fpgaflow.data.config import DataConfig

    path, info, data = _read(name_or_path)
    try:
        task_info = from_mapping(TaskInfo, info, "task")
        data_cfg = from_mapping(DataConfig, {**data, "task": name_or_path}, "data")
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return TaskPreset(task_info, data_cfg, path)
