"""Verification: QKeras vs C-sim (vs emulator, vs board) agreement."""

from fpgaflow.verify.compare import ScoreComparison, compare_scores
from fpgaflow.verify.config import VerifyConfig

__all__ = ["ScoreComparison", "VerifyConfig", "compare_scores"]
