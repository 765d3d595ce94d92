"""Verification: QKeras vs C-sim (vs emulator, vs board) agreement."""

from fpgaflow.verify.compare import ScoreComparison, compare_scores
from fpgaflow.verify.config import VerifyConfig
from fpgaflow.verify.verify_saved_design import VerifiedDesign, verify_saved_design

__all__ = ["ScoreComparison", "VerifiedDesign", "VerifyConfig", "compare_scores", "verify_saved_design"]
