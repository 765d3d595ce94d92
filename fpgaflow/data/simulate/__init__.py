"""Physics simulator of CMS Phase-1 pixel-barrel layer-1 hit maps (see ``docs/data.md``).

The configs import without scipy (``fpgaflow --help`` reads them); the simulator functions load on first use.
"""

from typing import Any

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

_SIMULATOR_FUNCTIONS = ("iter_batches", "simulate", "simulate_batch")

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


def __getattr__(name: str) -> Any:
    if name in _SIMULATOR_FUNCTIONS:
        from fpgaflow.data.simulate import simulator

        return getattr(simulator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
