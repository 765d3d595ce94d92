"""The fit's choice with the estimate's range: fits, fits only if the estimate is high, does not fit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from fpgaflow.fit.config import FitConfig
from fpgaflow.fit.errors import FitError
from fpgaflow.fit.search import choose
from fpgaflow_board.boards import get_board

BOARD = get_board("pynq-z2")
CFG = FitConfig(csim_maps=0)


def point(label: str, verdict: str, lut: float, accuracy: float | None = 0.9, maps_per_s: float = 1000.0) -> Any:
    """What choose() reads of a FitPoint."""
    util = {"lut": lut / BOARD.lut, "ff": 0.1, "dsp": 0.1, "bram18": 0.1}
    return SimpleNamespace(
        label=label,
        verdict=verdict,
        fits=verdict == "fits",
        over=() if verdict == "fits" else ("lut",),
        utilisation=util,
        resources={"lut": lut, "ff": 1.0, "dsp": 1.0, "bram18": 1.0},
        accuracy=accuracy,
        maps_per_s=maps_per_s,
        interval_cycles=100.0,
        candidate=SimpleNamespace(precision=SimpleNamespace(trim_bits=0)),
    )


def test_a_point_that_fits_over_its_whole_range_wins_over_a_more_accurate_uncertain_one() -> None:
    sure = point("sure", "fits", 20_000, accuracy=0.90)
    maybe = point("maybe", "fits only if the estimate is high", 35_000, accuracy=0.95)
    assert choose([maybe, sure], CFG, BOARD) is sure


def test_uncertain_points_are_chosen_from_when_none_fits_for_sure() -> None:
    a = point("a", "fits only if the estimate is high", 36_000, accuracy=0.93)
    b = point("b", "fits only if the estimate is high", 34_000, accuracy=0.95)
    over = point("over", "does not fit", 60_000, accuracy=0.99)
    assert choose([a, b, over], CFG, BOARD) is b


def test_nothing_can_fit_is_a_fit_error() -> None:
    with pytest.raises(FitError, match=r"no configuration fits the pynq-z2 within the 70 % budget \(1 points"):
        choose([point("over", "does not fit", 60_000)], CFG, BOARD)
