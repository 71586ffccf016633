"""Period ids and the dates every report compares: start, end, opening, year start, last year.

Ids: ``2026-10-D1``…``D3`` (ten-day: days 1–10, 11–20, 21–end of month), ``2026-10``
(month), ``2026-Q4`` (quarter), ``2026`` (year).  *Opening* (期初) is the day before the
start; *year start* (年初) is 31 December of the year before the end's year; *same day last
year* (同期) is the end minus one calendar year, 29 February becoming 28 February.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from reportgen.errors import UsageError

ACCEPTED_FORMS = (
    "dekad: 2026-10-D1, 2026-10-D2, 2026-10-D3 · monthly: 2026-10 · "
    "quarterly: 2026-Q4 · yearly: 2026"
)

MIN_YEAR, MAX_YEAR = 1900, 2999  # of a period id: every date it compares stays in range
# ASCII digits only: Python's \d and int() also take ２０２６ and ٢٠٢٦, which would make a
# report named with full-width digits.  \Z, not $: "2026-10\n" is not an id either.
_PATTERNS = {
    "dekad": re.compile(r"^([0-9]{4})-([0-9]{2})-D([123])\Z"),
    "monthly": re.compile(r"^([0-9]{4})-([0-9]{2})\Z"),
    "quarterly": re.compile(r"^([0-9]{4})-Q([1-4])\Z"),
    "yearly": re.compile(r"^([0-9]{4})\Z"),
}


@dataclass(frozen=True)
class Period:
    report: str  # dekad | monthly | quarterly | yearly
    id: str
    start: date
    end: date

    @property
    def opening(self) -> date:
        return self.start - timedelta(days=1)

    @property
    def year_start(self) -> date:
        return date(self.end.year - 1, 12, 31)

    @property
    def last_year(self) -> date:
        return one_year_before(self.end)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def month_ends(self) -> list[date]:
        """Every month end in the period (the trend's points), oldest first."""
        ends = []
        year, month = self.start.year, self.start.month
        while True:
            end = month_end(year, month)
            if end > self.end:
                break
            ends.append(end)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return ends


def one_year_before(day: date) -> date:
    """The same calendar day a year earlier; 29 February becomes 28 February."""
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def report_of(period_id: str) -> str:
    """Which report type a period id belongs to."""
    for report, pattern in _PATTERNS.items():
        if pattern.match(period_id):
            return report
    hint = ""
    if any(c.isdigit() and not c.isascii() for c in period_id):
        hint = " (write the digits as ASCII 0-9, not full-width or other digits)"
    elif any(c.isspace() for c in period_id.strip()):
        hint = " (no spaces inside an id)"
    raise UsageError(f"{period_id!r} is not a period id{hint}; accepted forms: "
                     f"{ACCEPTED_FORMS}")


def parse_period(period_id: str, report: str | None = None) -> Period:
    """Parse ``period_id``; when ``report`` is given the id must be of that report's form."""
    kind = report_of(period_id.strip())
    period_id = period_id.strip()
    if report is not None and kind != report:
        raise UsageError(
            f"period {period_id!r} is a {kind} period, not {report}; accepted forms: "
            f"{ACCEPTED_FORMS}"
        )
    match = _PATTERNS[kind].match(period_id)
    assert match is not None
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UsageError(f"period {period_id!r}: year {year} is out of range "
                         f"({MIN_YEAR}–{MAX_YEAR}); "
                         f"accepted forms: {ACCEPTED_FORMS}")
    if kind == "yearly":
        return Period(kind, period_id, date(year, 1, 1), date(year, 12, 31))
    if kind == "quarterly":
        q = int(match.group(2))
        return Period(kind, period_id, date(year, 3 * q - 2, 1), month_end(year, 3 * q))
    month = int(match.group(2))
    if not 1 <= month <= 12:
        raise UsageError(f"period {period_id!r}: month {month} is not 01–12; "
                         f"accepted forms: {ACCEPTED_FORMS}")
    if kind == "monthly":
        return Period(kind, period_id, date(year, month, 1), month_end(year, month))
    part = int(match.group(3))
    first = 1 + 10 * (part - 1)
    last = month_end(year, month).day if part == 3 else first + 9
    return Period(kind, period_id, date(year, month, first), date(year, month, last))


def period_ending(report: str, end: date) -> Period | None:
    """The ``report`` period that ends exactly on ``end``, if one does."""
    nxt = end + timedelta(days=1)
    if report == "dekad" and nxt.day in (1, 11, 21):
        part = {11: 1, 21: 2, 1: 3}[nxt.day]
        return parse_period(f"{end.year:04d}-{end.month:02d}-D{part}", report)
    if nxt.day != 1:
        return None
    if report == "monthly":
        return parse_period(f"{end.year:04d}-{end.month:02d}", report)
    if report == "quarterly" and end.month % 3 == 0:
        return parse_period(f"{end.year:04d}-Q{end.month // 3}", report)
    if report == "yearly" and end.month == 12:
        return parse_period(f"{end.year:04d}", report)
    return None
