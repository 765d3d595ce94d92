"""Compare an estimate with a board's resources: does the design fit under the budget?

The default budget (:data:`fpgaflow_board.boards.DEFAULT_BUDGET`) is 70 % of every resource, the margin the
study left for routing and timing closure.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpgaflow.config.strict import check
from fpgaflow.estimate.table import RESOURCES, ResourceTable
from fpgaflow_board.boards import DEFAULT_BUDGET, Board


@dataclass(frozen=True)
class ResourceUse:
    """One resource: estimated count, the board's total, and the fraction of it the design takes."""

    resource: str
    used: float
    available: int
    budget_fraction: float

    @property
    def utilisation(self) -> float:
        return self.used / self.available

    @property
    def within_budget(self) -> bool:
        return self.utilisation <= self.budget_fraction


@dataclass(frozen=True)
class BudgetReport:
    """Every resource against the board; ``fits`` when all are within the budget."""

    board: str
    budget_fraction: float
    rows: tuple[ResourceUse, ...]

    @property
    def fits(self) -> bool:
        return all(r.within_budget for r in self.rows)

    @property
    def over(self) -> tuple[str, ...]:
        """Resources above the budget, worst first."""
        return tuple(r.resource for r in sorted(self.rows, key=lambda r: -r.utilisation) if not r.within_budget)

    def verdict(self) -> str:
        pct = f"{100 * self.budget_fraction:.0f} %"
        if self.fits:
            return f"fits the {self.board} within the {pct} budget"
        worst = ", ".join(
            f"{r.resource} {100 * r.utilisation:.0f} %"
            for r in sorted(self.rows, key=lambda r: -r.utilisation)
            if not r.within_budget
        )
        return f"does NOT fit the {self.board} within the {pct} budget: {worst}"


def check_budget(table: ResourceTable, board: Board, budget_fraction: float = DEFAULT_BUDGET) -> BudgetReport:
    """Utilisation of each resource of ``board`` by ``table``'s total, against ``budget_fraction``."""
    check(0 < budget_fraction <= 1, f"budget fraction must lie in (0, 1], got {budget_fraction}")
    available = board.resources
    rows = tuple(ResourceUse(r, table.total.get(r), available[r], budget_fraction) for r in RESOURCES)
    return BudgetReport(board=board.name, budget_fraction=budget_fraction, rows=rows)
