"""Figures as the analysis shows them: the tables' own text, split into sign and magnitude.

A sentence says "增加 1,234.56 万元" where the table says "1,234.56" and "减少 1,234.56"
where it says "-1,234.56", so each figure is rounded once, by ``reportgen.formatting``
(ROUND_HALF_UP from the exact fen or fraction), and the template picks the verb from the
sign *of the shown value*: a change that rounds to 0.00 reads 持平, never "增加0.00".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from reportgen.formatting import grouped, money_in_unit, percent


@dataclass(frozen=True)
class Shown:
    """A figure's magnitude as the tables show it (``text``) and the sign of that value.

    ``str(shown)`` is the text, so a template writes ``{{ x }}`` for the number and
    ``x.sign`` (−1, 0, 1) to choose 增加 / 减少 / 持平.
    """

    text: str
    sign: int
    exact_sign: int = 0  # the sign of the exact value: 40 yuan collected shows 0.00 万元

    def __str__(self) -> str:
        return self.text

    @property
    def signed(self) -> str:
        """The text with a leading "-" when negative, as a table cell shows it."""
        return f"-{self.text}" if self.sign < 0 else self.text


def _sign(value: Decimal | Fraction | int) -> int:
    return (value > 0) - (value < 0)


def _shown(value: Decimal, exact: Fraction | int, places: int = 2) -> Shown:
    return Shown(grouped(abs(value), places), _sign(value), _sign(exact))


def money(fen: int | None, unit: str) -> Shown | None:
    """Money in the report's unit, 2 places, as the tables show it; ``None`` stays ``None``."""
    return None if fen is None else _shown(money_in_unit(fen, unit), fen)


def pct(value: Fraction | None) -> Shown | None:
    """A ratio as a percentage with 2 places (the "%" is the template's)."""
    shown = percent(value)
    return None if shown is None or value is None else _shown(shown, value)


def points(value: Fraction | None) -> Shown | None:
    """A change of a ratio in percentage points with 2 places (个百分点 / pp)."""
    return pct(value)


def count(value: int | None) -> Shown | None:
    """A count with thousands separators."""
    return None if value is None else Shown(f"{abs(value):,}", _sign(value), _sign(value))


def growth(change: int | None, base: int | None) -> Shown | None:
    """The growth rate change / base as a percentage; ``None`` on a zero or unknown base
    (a rate from nothing means nothing, and analysis.md leaves it out)."""
    if change is None or base is None or base <= 0:
        return None
    return pct(Fraction(change, base))


def ratio_change(current: Fraction | int | None,
                 before: Fraction | int | None) -> Shown | None:
    """A ratio's change in percentage points; ``None`` when either side is unknown."""
    if current is None or before is None:
        return None
    return points(Fraction(current) - Fraction(before))
