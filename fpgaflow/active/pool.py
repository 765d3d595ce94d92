"""The label accounting of pool-based active learning: which pool maps are labelled, in which round, and the
budget.  A map is labelled at most once, the labelled count never exceeds the budget, and only pool positions
(the training split) can be labelled — the validation and test maps are not in the pool at all."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fpgaflow.data.hitmaps import IndexArray
from fpgaflow.errors import DataError


class LabelPool:
    """``n_pool`` maps; ``initial`` positions labelled in round 0; at most ``budget`` labelled in all."""

    def __init__(self, n_pool: int, initial: npt.ArrayLike, budget: int) -> None:
        if not 1 <= budget <= n_pool:
            raise DataError(f"label budget {budget} must be in 1..{n_pool} (the pool's size)")
        self.n_pool = int(n_pool)
        self.budget = int(budget)
        #: Round in which each pool map was labelled (-1: unlabelled).
        self.round_of = np.full(self.n_pool, -1, dtype=np.int64)
        self._order: list[int] = []
        self.rounds = 0
        self._label(np.asarray(initial, dtype=np.int64), 0)

    def _label(self, picks: IndexArray, round_: int) -> None:
        if picks.size == 0:
            raise DataError(f"round {round_}: no maps to label")
        if picks.min() < 0 or picks.max() >= self.n_pool:
            raise DataError(f"round {round_}: pool positions must be in 0..{self.n_pool - 1}, got {picks.min()}..")
        if np.unique(picks).size != picks.size:
            raise DataError(f"round {round_}: the batch names a map twice")
        again = picks[self.round_of[picks] >= 0]
        if again.size:
            raise DataError(
                f"round {round_}: pool map {int(again[0])} is already labelled (round {self.round_of[again[0]]})"
            )
        if self.n_labelled + picks.size > self.budget:
            raise DataError(
                f"round {round_}: labelling {picks.size} more maps would exceed the budget "
                f"({self.n_labelled} + {picks.size} > {self.budget})"
            )
        self.round_of[picks] = round_
        self._order.extend(int(i) for i in picks)

    def acquire(self, picks: npt.ArrayLike) -> None:
        """Label ``picks`` (pool positions) in the next round."""
        self.rounds += 1
        self._label(np.asarray(picks, dtype=np.int64), self.rounds)

    @property
    def labelled_mask(self) -> npt.NDArray[np.bool_]:
        return self.round_of >= 0

    @property
    def labelled(self) -> IndexArray:
        """Labelled pool positions in the order they were labelled."""
        return np.asarray(self._order, dtype=np.int64)

    @property
    def n_labelled(self) -> int:
        return len(self._order)

    @property
    def remaining(self) -> int:
        """Labels left in the budget."""
        return self.budget - self.n_labelled
