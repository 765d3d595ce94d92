"""How fpgaflow writes a number for a person: significant figures, thousands separators, units, errors.

One helper for every report (the run's ``report.md`` and ``report.html``, the figures' labels), so that a
modelled throughput reads ``97,700 maps/s`` and not ``9.766e+04``, an accuracy ``93.8 ± 1.1 %`` and a
resource count ``21,480 LUT``:

* :func:`number` — ``digits`` significant figures, thousands separators, no exponent between 10⁻⁴ and 10¹²
  (a written-out power of ten outside);
* :func:`count` — an integer count with thousands separators;
* :func:`quantity` — a number and its unit (``2.76 µs``, ``97,700 maps/s``);
* :func:`percent` — a fraction as a percentage (``93.8 %``);
* :func:`measurement` — a value with its error, rounded by the Particle Data Group's rule (the error keeps
  two significant digits when its leading three digits are 100–354, one for 355–949, and 950–999 round up
  to two digits of the next power), the value to the same decimal place: ``93.8 ± 1.1 %``.

Nothing here needs more than the standard library.
"""

from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

#: Written without a power of ten between these magnitudes.
_PLAIN_MIN = 1e-4
_PLAIN_MAX = 1e12


def _decimals(value: float, digits: int) -> int:
    """Decimal places that keep ``digits`` significant figures of ``value`` (negative: round to tens, ...)."""
    if value == 0:
        return digits - 1
    return digits - 1 - math.floor(math.log10(abs(value)))


def _fixed(value: float, decimals: int) -> str:
    """``value`` rounded to ``decimals`` places (negative: to tens, hundreds, ...), thousands separated."""
    if decimals < 0:
        return f"{round(value, decimals):,.0f}"
    return f"{value:,.{decimals}f}"


def number(value: float | None, digits: int = 3) -> str:
    """``value`` with ``digits`` significant figures: ``97,656.25`` → ``97,700``, ``2.7601`` → ``2.76``,
    ``0.000123`` → ``0.000123``, ``3e-7`` → ``3.00 × 10⁻⁷``; an integer-valued float below 10^digits keeps
    no decimals (``12.0`` → ``12``); ``None`` → ``—``."""
    if value is None:
        return "—"
    v = float(value)
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    if not _PLAIN_MIN <= abs(v) < _PLAIN_MAX:
        exponent = math.floor(math.log10(abs(v)))
        mantissa = v / 10**exponent
        return f"{mantissa:.{digits - 1}f} × 10{str(exponent).translate(_SUPERSCRIPT)}"
    decimals = _decimals(v, digits)
    rounded = round(v, decimals)
    if rounded != 0:  # the rounding may carry into a new digit (9.996 → 10.0)
        decimals = _decimals(rounded, digits)
    if decimals > 0 and v == int(v):
        decimals = 0
    return _fixed(v, decimals)


def count(value: float | None) -> str:
    """An integer count with thousands separators: ``21480`` → ``21,480``; ``None`` → ``—``."""
    if value is None:
        return "—"
    return f"{round(float(value)):,d}"


def quantity(value: float | None, unit: str, digits: int = 3) -> str:
    """``value`` (:func:`number`) and its ``unit``, separated by a space: ``2.76 µs``, ``97,700 maps/s``."""
    if value is None:
        return "—"
    return f"{number(value, digits)} {unit}".rstrip()


def percent(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage with ``decimals`` places: ``0.9375`` → ``93.8 %``; ``None`` → ``—``."""
    if fraction is None:
        return "—"
    if math.isnan(float(fraction)):
        return "n/a"
    return f"{100 * float(fraction):.{decimals}f} %"


def pdg_digits(error: float) -> int:
    """Significant digits the PDG keeps for an ``error``: 2 when its leading three digits are 100–354 or
    950–999 (which :func:`measurement` rounds up to 100 of the next power), 1 for 355–949."""
    if error <= 0 or not math.isfinite(error):
        return 2
    leading = int(f"{error:.2e}".replace(".", "")[:3])
    return 1 if 355 <= leading <= 949 else 2


def measurement(value: float, error: float | None, unit: str = "", scale: float = 1.0) -> str:
    """``value ± error`` (both times ``scale``) rounded by the PDG rule, with ``unit``:
    ``measurement(0.9375, 0.0112, "%", 100)`` → ``93.8 ± 1.1 %``.  Without an error (``None`` or 0) the value
    keeps three significant figures."""
    v = float(value) * scale
    if error is None or not math.isfinite(error) or error <= 0:
        return quantity(v, unit)
    e = float(error) * scale
    if int(f"{e:.2e}".replace(".", "")[:3]) >= 950:  # 950–999 round up to 100 of the next power, two digits
        e = 10.0 ** (math.floor(math.log10(e)) + 1)
    decimals = _decimals(e, pdg_digits(e))
    body = f"{_fixed(v, decimals)} ± {_fixed(e, decimals)}"
    return f"{body} {unit}".rstrip()


def interval(low: float, high: float, unit: str = "", digits: int = 3) -> str:
    """A range: ``17,000–26,000 LUT``."""
    return f"{number(low, digits)}–{number(high, digits)} {unit}".rstrip()
