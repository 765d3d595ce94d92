"""Typed data-stage config for the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fpgaflow.config.strict import check
from fpgaflow.data.root import RootConfig
from fpgaflow.data.simulate.config import SimulatorConfig
from fpgaflow.data.stamps import StampConfig
from fpgaflow.data.toy import ToyConfig


@dataclass(frozen=True)
class DataConfig:
    """Where the hit maps come from and how they are split.

    ``source``: ``toy`` uses the simple generator (:mod:`fpgaflow.data.toy`); ``simulate`` the physics
    simulator (:mod:`fpgaflow.data.simulate`, parameters in ``simulate``); ``file`` loads ``path`` (``.npz``,
    ``.h5``/``.hdf5``, or a ROOT digi ntuple ``.root`` read as described by ``root``).
    ``particle_fraction`` is the fraction of *particle* maps the toy generator makes; for the simulator it
    applies only with ``select_particle_fraction`` (maps are then kept or skipped by their physics label
    until the fraction is met — selection, never relabelling); otherwise the fraction is what the physics
    gives.  ``task``: a physics task preset (a name from ``models/tasks/`` such as ``window-128``, or a
    preset file): its ``data:`` section gives the defaults and the keys written beside ``task`` override
    them (:mod:`fpgaflow.data.tasks`).  ``stamps``: turn simulated module maps into one ADC stamp per
    cluster (:mod:`fpgaflow.data.stamps`).
    """

    source: Literal["toy", "simulate", "file"] = "toy"
    n_maps: int = 6000
    particle_fraction: float = 0.5
    select_particle_fraction: bool = False
    toy: ToyConfig = field(default_factory=ToyConfig)
    simulate: SimulatorConfig = field(default_factory=SimulatorConfig)
    root: RootConfig = field(default_factory=RootConfig)
    stamps: StampConfig = field(default_factory=StampConfig)
    task: str | None = None
    path: str | None = None
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 1

    @property
    def map_shape(self) -> tuple[int, int]:
        """(rows, cols) of the simulated maps: the stamp size with ``stamps.enabled``, else the window's."""
        return (self.stamps.rows, self.stamps.cols) if self.stamps.enabled else self.simulate.window.output_shape

    @classmethod
    def expand_mapping(cls, mapping: Mapping[str, Any], path: str) -> Mapping[str, Any]:
        """Expand ``task:`` into its preset's ``data:`` keys, the given keys taking precedence."""
        if "task" not in mapping or mapping["task"] is None:
            return mapping
        from fpgaflow.data.tasks import expand_task

        return expand_task(mapping, path or "data")

    def __post_init__(self) -> None:
        check(
            not self.stamps.enabled or (self.source == "simulate" and self.simulate.window.region == "module"),
            "data.stamps needs data.source 'simulate' with simulate.window.region 'module' (stamps are cut "
            "around the clusters of whole module maps)",
        )
        check(self.n_maps >= 20, f"data.n_maps must be >= 20, got {self.n_maps}")
        check(
            0.0 < self.particle_fraction < 1.0,
            f"data.particle_fraction must be in (0, 1), got {self.particle_fraction}",
        )
        check(self.source != "file" or self.path is not None, "data.path is required when data.source is 'file'")
        check(
            0 < self.val_fraction < 1 and 0 < self.test_fraction < 1 and self.val_fraction + self.test_fraction < 1,
            f"data.val_fraction + data.test_fraction must be < 1, got {self.val_fraction} + {self.test_fraction}",
        )
