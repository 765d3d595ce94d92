"""fpgaflow.units: how numbers are written for people (significant figures, separators, units, PDG errors)."""

from __future__ import annotations

import math

import pytest

from fpgaflow.units import count, interval, measurement, number, pdg_digits, percent, quantity


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (97656.25, 3, "97,700"),
        (390625.0, 3, "391,000"),
        (2.7601, 3, "2.76"),
        (0.000123456, 3, "0.000123"),
        (9.996, 3, "10.0"),
        (999.6, 3, "1,000"),
        (12.0, 3, "12"),
        (-1234.5, 2, "-1,200"),
        (3e-7, 3, "3.00 × 10⁻⁷"),
        (2.5e13, 2, "2.5 × 10¹³"),
        (0.0, 3, "0"),
        (None, 3, "—"),
        (math.inf, 3, "∞"),
        (math.nan, 3, "n/a"),
    ],
)
def test_number(value: float | None, digits: int, text: str) -> None:
    assert number(value, digits) == text


def test_count_quantity_percent_interval() -> None:
    assert count(21480.4) == "21,480" and count(None) == "—"
    assert quantity(97656.25, "maps/s") == "97,700 maps/s"
    assert quantity(2.76, "µs") == "2.76 µs"
    assert percent(0.9375) == "93.8 %" and percent(1.0, 2) == "100.00 %" and percent(None) == "—"
    assert interval(17000, 26000, "LUT") == "17,000–26,000 LUT"


@pytest.mark.parametrize(
    ("error", "digits"),
    [(0.0112, 2), (0.0354, 2), (0.0355, 1), (0.949, 1), (0.0951, 2), (12.0, 2), (0.0, 2)],
)
def test_pdg_digits(error: float, digits: int) -> None:
    assert pdg_digits(error) == digits


@pytest.mark.parametrize(
    ("value", "error", "unit", "scale", "text"),
    [
        (0.9375, 0.0112, "%", 100, "93.8 ± 1.1 %"),  # 1.12 pp: leading digits 112 → two significant digits
        (0.9375, 0.0056, "%", 100, "93.8 ± 0.6 %"),  # 0.56 pp: 560 → one
        (0.962, 0.0113, "", 1, "0.962 ± 0.011"),
        (0.9044, 0.0098, "%", 100, "90.4 ± 1.0 %"),  # 0.98 pp: 980 rounds up to 1.0, two digits
        (0.9288, 0.0095, "", 1, "0.929 ± 0.010"),
        (21480.0, 2400.0, "LUT", 1, "21,500 ± 2,400 LUT"),  # 240 → two digits, to the hundreds
        (21480.0, 4700.0, "LUT", 1, "21,000 ± 5,000 LUT"),  # 470 → one digit, to the thousands
        (0.5, 0.0, "", 1, "0.500"),
        (0.5, None, "", 1, "0.500"),
    ],
)
def test_measurement_rounds_by_the_pdg_rule(
    value: float, error: float | None, unit: str, scale: float, text: str
) -> None:
    assert measurement(value, error, unit, scale) == text
