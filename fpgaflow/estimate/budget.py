"""Compare an estimate with a board's resources: does the design fit under the budget, given the model's error?

Each resource's estimate comes with a range (``ResourceTable.bands``: where the real figure fell for 8 of 10
designs the model was not fitted on).  The verdict uses it:

* ``fits``: even the top of every range is within the budget;
* ``fits only if the estimate is high``: some range straddles the budget line, so the design fits only if
  the real figure turns out on the low side of that range (the estimate being too high) - confirm it
  with synthesis;
* ``does not fit``: the bottom of some range is over the budget.

The default budget (:data:`fpgaflow_board.boards.DEFAULT_BUDGET`) is 70 % of every resource, the margin the
study left for routing and timing closure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpgaflow.config.strict import check
from fpgaflow.estimate.table import RESOURCE_LABELS, RESOURCES, ResourceTable, compact
from fpgaflow_board.boards import DEFAULT_BUDGET, Board

Verdict = Literal["fits", "fits only if the estimate is high", "does not fit"]
FITS: Verdict = "fits"
UNCERTAIN: Verdict = "fits only if the estimate is high"
OVER: Verdict = "does not fit"
_ORDER: dict[Verdict, int] = {FITS: 0, UNCERTAIN: 1, OVER: 2}


@dataclass(frozen=True)
class ResourceUse:
    """One resource: estimated count with its range, the board's total, and the budget fraction."""

    resource: str
    used: float
    available: int
    budget_fraction: float
    low: float | None = None
    high: float | None = None

    @property
    def utilisation(self) -> float:
        return self.used / self.available

    @property
    def limit(self) -> float:
        """The budget in units of the resource."""
        return self.budget_fraction * self.available

    @property
    def verdict(self) -> Verdict:
        low = self.used if self.low is None else self.low
        high = self.used if self.high is None else self.high
        if high <= self.limit:
            return FITS
        if low > self.limit:
            return OVER
        return UNCERTAIN

    def interval(self) -> str:
        """``LUT 21.5k (17k–26k)`` or ``LUT 21.5k`` without a range."""
        text = f"{RESOURCE_LABELS.get(self.resource, self.resource)} {compact(self.used)}"
        if self.low is None or self.high is None:
            return text
        return f"{text} ({compact(self.low)}–{compact(self.high)})"


@dataclass(frozen=True)
class BudgetReport:
    """Every resource against the board; the verdict is the worst resource's."""

    board: str
    budget_fraction: float
    rows: tuple[ResourceUse, ...]

    @property
    def status(self) -> Verdict:
        return max((r.verdict for r in self.rows), key=_ORDER.__getitem__)

    @property
    def fits(self) -> bool:
        """True only when every resource fits over its whole range."""
        return self.status == FITS

    @property
    def over(self) -> tuple[str, ...]:
        """Resources whose range reaches over the budget, worst first."""
        return tuple(
            r.resource for r in sorted(self.rows, key=lambda r: -(r.high or r.used) / r.limit) if r.verdict != FITS
        )

    def verdict(self) -> str:
        pct = f"{100 * self.budget_fraction:.0f} %"
        status = self.status
        if status == FITS:
            return f"fits the {self.board} within the {pct} budget"
        detail = ", ".join(
            f"{r.interval()} of {r.limit:,.0f}"
            for r in sorted(self.rows, key=lambda r: -r.utilisation)
            if r.verdict != FITS
        )
        if status == OVER:
            return f"does not fit the {self.board} within the {pct} budget: {detail}"
        return f"fits the {self.board} within the {pct} budget only if the estimate is high: {detail}"


def check_budget(table: ResourceTable, board: Board, budget_fraction: float = DEFAULT_BUDGET) -> BudgetReport:
    """Utilisation of each resource of ``board`` by ``table``'s total and its range, against the budget."""
    check(0 < budget_fraction <= 1, f"budget fraction must lie in (0, 1], got {budget_fraction}")
    available = board.resources
    rows = []
    for r in RESOURCES:
        band = table.band(r)
        rows.append(
            ResourceUse(
                r,
                table.total.get(r),
                available[r],
                budget_fraction,
                low=band.low if band is not None else None,
                high=band.high if band is not None else None,
            )
        )
    return BudgetReport(board=board.name, budget_fraction=budget_fraction, rows=tuple(rows))
