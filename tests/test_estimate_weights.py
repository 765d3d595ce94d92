"""What a constant weight costs: CSD digits, significant bits, the weight profile and the ap_fixed cast."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from fpgaflow.errors import ConfigError
from fpgaflow.estimate.weights import WeightProfile, csd_digits, significant_bits, weight_codes


@pytest.mark.parametrize(
    ("code", "digits", "sig"),
    [
        (0, 0, 0),
        (1, 1, 1),
        (8, 1, 1),
        (-16, 1, 1),
        (3, 2, 2),
        (7, 2, 3),
        (5, 2, 3),
        (11, 3, 4),
        (-13, 3, 4),
        (24, 2, 2),
    ],
)
def test_csd_digits_and_significant_bits(code: int, digits: int, sig: int) -> None:
    # 7 = 8 - 1 (two digits), 11 = 16 - 4 - 1 (three), 24 = 32 - 8: a weight's shift-add cost is its digits - 1.
    assert csd_digits(code) == digits
    assert significant_bits(code) == sig


def test_profile_counts_zeros_powers_of_two_and_classes() -> None:
    p = WeightProfile.from_codes([0, 0, 4, -8, 3, 7, 11, 11], bits=6)
    assert (p.zeros, p.nonzero, p.total, p.powers_of_two) == (2, 6, 8, 2)
    assert p.classes == ((1, 1, 2), (2, 2, 1), (3, 2, 1), (4, 3, 2))
    assert p.scaled(0.5).total == 1 + 1 + 1 + 1 + 1  # ceil per class: zeros 1, classes 1, 1, 1, 1


def test_profile_rejects_bad_classes() -> None:
    with pytest.raises(ConfigError, match="bad weight class"):
        WeightProfile(bits=8, classes=((0, 1, 3),))


def test_weight_codes_follow_the_ap_fixed_cast() -> None:
    p = SimpleNamespace(width=6, integer=1, rounding_mode="TRN", saturation_mode="WRAP", signed=True)
    lsb = 2.0**-5
    data = np.array([0.0, lsb / 2, -lsb / 2, 0.75, 1.5])
    codes = weight_codes(data, p)
    assert codes is not None
    # TRN: -lsb/2 floors to -1; 1.5 = 48 wraps to -16 in 6 bits.
    assert codes.tolist() == [0, 0, -1, 24, -16]
    rnd = SimpleNamespace(width=6, integer=1, rounding_mode="RND", saturation_mode="SAT", signed=True)
    codes = weight_codes(data, rnd)
    assert codes is not None and codes.tolist() == [0, 1, 0, 24, 31]
    assert weight_codes(data, SimpleNamespace(width=32)) is None  # a float type


def test_unknown_weights_are_taken_as_full_width_constants() -> None:
    p = WeightProfile.dense(10, 16)
    assert p.classes == ((16, 6, 10),)
    assert WeightProfile.dense(0, 8).classes == ()
