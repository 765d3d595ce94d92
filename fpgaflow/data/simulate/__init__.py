"""Physics simulator of CMS Phase-1 pixel-barrel layer-1 hit maps (see ``docs/data.md``)."""

from fpgaflow.data.simulate.config import (
    BackgroundConfig,
    ElectronicsConfig,
    GeometryConfig,
    LabelConfig,
    SensorConfig,
    SimulatorConfig,
    TrackConfig,
    WindowConfig,
)
from fpgaflow.data.simulate.simulator import iter_batches, simulate, simulate_batch

__all__ = [
    "BackgroundConfig",
    "ElectronicsConfig",
    "GeometryConfig",
    "LabelConfig",
    "SensorConfig",
    "SimulatorConfig",
    "TrackConfig",
    "WindowConfig",
    "iter_batches",
    "simulate",
    "simulate_batch",
]
