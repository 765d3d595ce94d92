"""Fit a model to a board: search reuse factors, strategies and precisions for the most accurate design
whose resource estimate stays under a budget (``fpgaflow fit``)."""

from __future__ import annotations

from fpgaflow.fit.config import FitConfig
from fpgaflow.fit.errors import FitError
from fpgaflow.fit.search import FitPoint, FitResult, fit_model

__all__ = ["FitConfig", "FitError", "FitPoint", "FitResult", "fit_model"]
