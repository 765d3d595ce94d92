"""Typed configuration: strict YAML loading of frozen dataclasses (unknown keys rejected).

Every stage's config uses it, so it sits below every stage; the run config that gathers the stages'
sections is :mod:`fpgaflow.pipeline.config`.
"""

from fpgaflow.config.strict import check, from_mapping, load_yaml, suggest, to_mapping

__all__ = ["check", "from_mapping", "load_yaml", "suggest", "to_mapping"]
