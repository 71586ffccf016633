"""How figures are shown: one place for money, ratios, percentages and dates.

Every format (JSON, Excel, HTML/PDF, email) rounds here, from exact values: money is
integer fen and ratios are exact fractions, so each shown figure is rounded once, half away
from zero (ROUND_HALF_UP), as metrics.md requires.  A metric never formats; a renderer never
rounds on its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

NULL = "—"

UNITS = {"yuan": 100, "wan": 1_000_000, "yi": 10_000_000_000}  # fen per unit


def round_fraction(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction to ``places`` decimals, half away from zero."""
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * rest >= magnitude.denominator:
        whole += 1
    return Decimal(sign * whole).scaleb(-places)


def yuan(fen: int) -> str:
    """Integer fen as a decimal string of yuan with 2 places (the JSON money form)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def ratio6(value: Fraction | None) -> str | None:
    """A ratio as a decimal string with 6 places (the JSON ratio form); None stays None."""
    return None if value is None else str(round_fraction(value, 6))


def money_in_unit(fen: int, unit: str, places: int = 2) -> Decimal:
    """Money in yuan, 万元 or 亿元, rounded half-up to ``places`` decimals."""
    return round_fraction(Fraction(fen, UNITS[unit]), places)


def percent(value: Fraction | None, places: int = 2) -> Decimal | None:
    """A ratio as a percentage number (0.0123 → 1.23), rounded half-up."""
    return None if value is None else round_fraction(value * 100, places)


def iso(day: date) -> str:
    return day.isoformat()


