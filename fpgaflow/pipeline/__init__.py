"""The end-to-end flow: named steps with one signature, checkpointed, resumable (``--from``/``--to``).

Public entry points (loaded on first use): :class:`RunConfig` and :func:`load_run_config` (one YAML for every
stage), :func:`run_pipeline` (what ``fpgaflow run`` does), and :func:`bundle_design` (the board bundle of a
design converted and verified from Python).
"""

from typing import Any

__all__ = ["RunConfig", "bundle_design", "load_run_config", "run_pipeline"]

_HOME = {
    "RunConfig": "config",
    "load_run_config": "config",
    "run_pipeline": "runner",
    "bundle_design": "bundle",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"fpgaflow.pipeline.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
