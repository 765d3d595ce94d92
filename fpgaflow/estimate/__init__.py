"""Resource and latency estimates of hls4ml designs without Vivado, and parsers for real reports."""

from fpgaflow.estimate.budget import BudgetReport, check_budget
from fpgaflow.estimate.config import EstimateConfig
from fpgaflow.estimate.estimator import estimate_design_on_board, estimate_model
from fpgaflow.estimate.table import RESOURCES, LayerResources, ResourceTable
from fpgaflow.estimate.throughput import Throughput, throughput
from fpgaflow.estimate.write_estimate import Estimate, write_estimate

__all__ = [
    "RESOURCES",
    "BudgetReport",
    "Estimate",
    "EstimateConfig",
    "LayerResources",
    "ResourceTable",
    "Throughput",
    "check_budget",
    "estimate_design_on_board",
    "estimate_model",
    "throughput",
    "write_estimate",
]
