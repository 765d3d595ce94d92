"""Resource and latency estimates of hls4ml designs without Vivado, and parsers for real reports."""

from fpgaflow.estimate.table import RESOURCES, LayerResources, ResourceTable

__all__ = ["RESOURCES", "LayerResources", "ResourceTable"]
