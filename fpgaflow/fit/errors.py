"""Fit-search errors."""

from __future__ import annotations

from fpgaflow.errors import FpgaflowError


class FitError(FpgaflowError, RuntimeError):
    """No configuration in the search space fits the board's budget (names the over-budget resources of
    the closest point), or none meets the throughput floor."""
