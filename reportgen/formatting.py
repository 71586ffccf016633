"""How figures are shown: one place for money, ratios, percentages and dates.

Every format (JSON, Excel, HTML/PDF, email) rounds here, from exact values: money is
integer fen and ratios are exact fractions, so each shown figure is rounded once, half away
from zero (ROUND_HALF_UP), as metrics.md requires.  A metric never formats; a renderer never
rounds on its own.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

NULL = "—"

UNITS = {"yuan": 100, "wan": 1_000_000, "yi": 10_000_000_000}  # fen per unit


def round_fraction(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction to ``places`` decimals, half away from zero.

    Integer arithmetic on the numerator and denominator: a report shows tens of thousands
    of ratios, and multiplying the ``Fraction`` itself (a gcd each time) cost most of the
    JSON writer's time.
    """
    numerator, denominator = value.numerator, value.denominator  # denominator > 0
    whole, rest = divmod(abs(numerator) * 10**places, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return Decimal(-whole if numerator < 0 else whole).scaleb(-places)


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


# --- Shown text (HTML, PDF, email) and Excel cell values, by kind of figure -------------
#
# A table cell carries an exact model value and a ``Kind``; ``text`` turns it into what a
# reader sees and ``excel_value`` / ``excel_format`` into a number plus a number format
# that shows the same digits, so the Excel, HTML and PDF of one report cannot disagree.


class Kind(StrEnum):
    """What a cell's value is, which decides how every format shows it."""

    TEXT = "text"  # str, shown as is (escaped by Jinja, kept text in Excel)
    MONEY = "money"  # int fen, shown in the configured unit with 2 decimals
    YUAN = "yuan"  # int fen, shown in yuan (loan-level detail)
    COUNT = "count"  # int
    RATIO = "ratio"  # Fraction (a fraction), shown as a percentage with 2 decimals
    POINTS = "points"  # Fraction: change of a ratio, shown in percentage points
    RATE = "rate"  # Fraction already in percent (an interest rate)
    DATE = "date"  # datetime.date
    LIMIT_MAX = "limit_max"  # Fraction: an upper limit, "≤ 5.00%"
    LIMIT_MIN = "limit_min"  # Fraction: a lower limit, "≥ 150.00%"


MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
LOAN_RATE_FORMAT = "0.00##"
TEXT_FORMAT = "@"

NUMERIC_KINDS = frozenset(Kind) - {Kind.TEXT, Kind.DATE}


def grouped(value: Decimal, places: int = 2) -> str:
    """A rounded decimal with thousands separators: Decimal("-1234.5") → "-1,234.50"."""
    return f"{value:,.{places}f}"


def money_text(fen: int | None, unit: str) -> str:
    """Money in the configured unit, 2 decimals, half-up: 1_000_005_000 fen in wan → "1,000.01"."""
    return NULL if fen is None else grouped(money_in_unit(fen, unit))


def count_text(count: int | None) -> str:
    return NULL if count is None else f"{count:,}"


def percent_text(value: Fraction | None) -> str:
    """A ratio as a percentage with 2 decimals: Fraction(1, 20) → "5.00%"."""
    shown = percent(value)
    return NULL if shown is None else f"{grouped(shown)}%"


def points_text(value: Fraction | None, lang: str = "zh") -> str:
    """A change of a ratio in percentage points: Fraction(1, 100) → "1.00个百分点"."""
    shown = percent(value)
    if shown is None:
        return NULL
    from reportgen.labels import Labels

    return Labels(lang)("pp", value=grouped(shown))


def rate_text(value: Fraction | None) -> str:
    """An interest rate already in percent: Fraction(4355, 1000) → "4.36%"."""
    return NULL if value is None else f"{grouped(round_fraction(value, 2))}%"


def date_text(day: date | None) -> str:
    return NULL if day is None else day.isoformat()


def limit_text(value: Fraction, direction: str) -> str:
    """An indicator's limit with its direction: ≤ 5.00% or ≥ 150.00%."""
    sign = "≤" if direction == "max" else "≥"
    return f"{sign} {percent_text(value)}"


def text(kind: Kind, value: object, unit: str = "wan", lang: str = "zh") -> str:
    """What a reader sees for ``value`` of ``kind``; "—" for null, never a blank."""
    if value is None:
        return NULL
    if kind is Kind.TEXT:
        return str(value)
    if kind is Kind.MONEY:
        return money_text(_int(value), unit)
    if kind is Kind.YUAN:
        return money_text(_int(value), "yuan")
    if kind is Kind.COUNT:
        return count_text(_int(value))
    if kind is Kind.RATIO:
        return percent_text(_fraction(value))
    if kind is Kind.POINTS:
        return points_text(_fraction(value), lang)
    if kind is Kind.RATE:
        return rate_text(_fraction(value))
    if kind is Kind.DATE:
        assert isinstance(value, date)
        return date_text(value)
    return limit_text(_fraction(value), "max" if kind is Kind.LIMIT_MAX else "min")


def excel_value(kind: Kind, value: object, unit: str = "wan") -> object:
    """The number (or text) an Excel cell holds, already rounded the way ``text`` rounds.

    Money becomes the rounded amount in the unit, a ratio the rounded fraction (4 places,
    i.e. a percentage with 2 decimals), percentage points the rounded number of points;
    Excel's number format (``excel_format``) then shows exactly the digits of ``text``.
    Null is the text "—" so that an undefined figure is never a silent blank.  Numbers
    are exact ``Decimal``s (openpyxl writes their decimal text), never binary floats.
    """
    if value is None:
        return NULL
    if kind is Kind.TEXT:
        return str(value)
    if kind is Kind.MONEY:
        return money_in_unit(_int(value), unit)
    if kind is Kind.YUAN:
        return money_in_unit(_int(value), "yuan")
    if kind is Kind.COUNT:
        return _int(value)
    if kind in (Kind.RATIO, Kind.LIMIT_MAX, Kind.LIMIT_MIN):
        return round_fraction(_fraction(value), 4)
    if kind is Kind.POINTS:
        return round_fraction(_fraction(value) * 100, 2)
    if kind is Kind.RATE:
        return round_fraction(_fraction(value), 2).scaleb(-2)
    return value  # a date


def excel_format(kind: Kind, lang: str = "zh") -> str:
    """The Excel number format that shows ``excel_value`` as ``text`` shows it."""
    if kind in (Kind.MONEY, Kind.YUAN):
        return MONEY_FORMAT
    if kind is Kind.COUNT:
        return COUNT_FORMAT
    if kind in (Kind.RATIO, Kind.RATE):
        return PERCENT_FORMAT
    if kind is Kind.POINTS:
        suffix = "个百分点" if lang == "zh" else " pp"
        return f'0.00"{suffix}";-0.00"{suffix}"'
    if kind is Kind.LIMIT_MAX:
        return '"≤ "0.00%'
    if kind is Kind.LIMIT_MIN:
        return '"≥ "0.00%'
    if kind is Kind.DATE:
        return DATE_FORMAT
    return TEXT_FORMAT


# --- Text from a ledger or a config, made safe for each format ---------------------------
#
# Ledger text is data: it may hold NUL and other control characters, lone surrogates or
# Unicode noncharacters (a broken export), start like a spreadsheet formula, or run to
# 100,000 characters.  Each format takes it through one function here, so a cell is
# cleaned the same way everywhere and the formula check looks at what is finally written.

# C0 controls except tab, LF and CR; DEL and the C1 controls; lone surrogates; the 66
# Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane).  The
# noncharacters beyond the BMP have their own pattern, searched only in a text that holds
# such high code points: in one character class they made every search 15 times slower.
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                         "\ufffe\uffff]")
_ASTRAL_NONCHARACTERS = re.compile("[" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
    for plane in range(1, 17)) + "]")
_FROM_FIRST_ASTRAL_NONCHARACTER = re.compile("[\U0001fffe-\U0010ffff]")


def has_unsafe_text(value: str) -> bool:
    """Whether ``clean_text`` would change ``value``."""
    if UNSAFE_TEXT.search(value) is not None:
        return True
    return (_FROM_FIRST_ASTRAL_NONCHARACTER.search(value) is not None
            and _ASTRAL_NONCHARACTERS.search(value) is not None)


# What an HTML/PDF table cell shows of a text: long enough for any real customer or
# branch name and every label (the longest, an English industry, has 65 characters),
# short enough that one cell cannot make WeasyPrint's line breaking (which grows with the
# square of an unbroken text's length) take minutes.
SHOWN_TEXT_MAX = 80
ELLIPSIS = "…"
EXCEL_TEXT_MAX = 32_767  # Excel's limit on the characters of one cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take as a formula


def clean_text(value: str) -> str:
    """``value`` without the characters no format may carry (see ``UNSAFE_TEXT``).

    Tab, newline and CR stay: they are text (a formula check then looks at them).
    """
    if not has_unsafe_text(value):
        return value
    return _ASTRAL_NONCHARACTERS.sub("", UNSAFE_TEXT.sub("", value))


def shown_text(value: str, limit: int = SHOWN_TEXT_MAX) -> str:
    """Ledger text as an HTML/PDF cell shows it: cleaned, and cut to ``limit`` characters
    with an ellipsis (the full text stays in the Excel file and the JSON)."""
    value = clean_text(value)
    return value if len(value) <= limit else value[: limit - 1] + ELLIPSIS


def excel_text(value: str, marker: str = ELLIPSIS) -> str:
    """Text an Excel cell can hold: cleaned, and cut to Excel's 32,767 characters.

    The end of a cut text is ``marker`` (``{count}`` in it becomes the full text's length,
    e.g. "…（超出 Excel 单元格字数上限，已截断；原文 100,000 字）"), so nobody mistakes the
    cell for the whole text.
    """
    value = clean_text(value)
    if len(value) <= EXCEL_TEXT_MAX:
        return value
    note = marker.format(count=f"{len(value):,}")
    return value[: EXCEL_TEXT_MAX - len(note)] + note


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would read ``value`` (as finally written) as a formula."""
    return value.startswith(FORMULA_START)


def _int(value: object) -> int:
    assert isinstance(value, int), value
    return value


def _fraction(value: object) -> Fraction:
    if isinstance(value, int):
        return Fraction(value)
    assert isinstance(value, Fraction), value
    return value


def mask_id(value: object) -> str:
    """A personal identity number with all but its first 6 and last 4 characters hidden
    (110101********1234): enough to tell customers apart, not enough to misuse.  Short
    values keep only their last character.  Templates use it as ``{{ x | mask_id }}``."""
    text = "" if value is None else str(value).strip()
    if len(text) > 10:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    return "*" * max(len(text) - 1, 0) + text[-1:]
