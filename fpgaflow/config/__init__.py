"""Typed configuration: strict YAML loading of frozen dataclasses (unknown keys rejected)."""

from fpgaflow.config.strict import check, from_mapping, load_yaml, suggest, to_mapping

__all__ = ["check", "from_mapping", "load_yaml", "suggest", "to_mapping"]
