"""How the baselines are run (``fpgaflow baselines`` flags, or a ``baselines:`` section)."""

from __future__ import annotations

from dataclasses import dataclass

from fpgaflow.config.strict import check
from fpgaflow.metrics.roc import DEFAULT_EFFICIENCIES
from fpgaflow.metrics.stats import ONE_SIGMA

#: Family names in the order a physicist would try them.
FAMILIES: tuple[str, ...] = ("any_pixel", "single_cut", "shape_table", "tree", "two_stage")


@dataclass(frozen=True)
class BaselineConfig:
    """How the baselines are run.

    ``families``: which of :data:`FAMILIES` to run.  ``validation_fraction``: when
    no validation maps are given, this stratified fraction of the training maps is held out to pick each
    family's best member (the rest trains).  ``seed``: the split, the trees and the bootstrap.
    ``n_bootstrap`` replicas for the AUC errors and paired tests; intervals at ``confidence`` (one sigma by
    default); rejections at ``efficiencies`` (signal efficiency).
    """

    families: tuple[str, ...] = FAMILIES
    validation_fraction: float = 0.2
    seed: int = 0
    n_bootstrap: int = 1000
    confidence: float = ONE_SIGMA
    efficiencies: tuple[float, ...] = DEFAULT_EFFICIENCIES

    def __post_init__(self) -> None:
        unknown = sorted(set(self.families) - set(FAMILIES))
        check(not unknown, f"baselines.families: unknown {unknown}; expected some of {list(FAMILIES)}")
        check(
            0.0 < self.validation_fraction < 1.0,
            f"baselines.validation_fraction must be in (0, 1), got {self.validation_fraction}",
        )
        check(self.n_bootstrap >= 10, f"baselines.n_bootstrap must be >= 10, got {self.n_bootstrap}")
        check(0.0 < self.confidence < 1.0, f"baselines.confidence must be in (0, 1), got {self.confidence}")
