"""Fit-search errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fpgaflow.errors import FpgaflowError


class FitError(FpgaflowError, RuntimeError):
    """No configuration in the search space fits the board's budget (names the over-budget resources of
    the closest point), or none meets the throughput floor.  ``points``: the evaluated points (``FitPoint``),
    so that a caller can still report them."""

    def __init__(self, message: str, points: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.points = list(points)
