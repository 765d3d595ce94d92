"""Verification: QKeras vs C-sim (vs emulator, vs board) agreement."""

from fpgaflow.verify.compare import Comparison, compare_scores
from fpgaflow.verify.config import VerifyConfig

__all__ = ["Comparison", "VerifyConfig", "compare_scores"]
