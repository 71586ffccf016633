"""Period ids and the dates every report compares: start, end, opening, year start, last year.

Ids: ``2026-10-D1``…``D3`` (ten-day: days 1–10, 11–20, 21–end of month), ``2026-10``
(month), ``2026-Q4`` (quarter), ``2026-H1``/``H2`` (half-year: Jan 1 – Jun 30, Jul 1 –
Dec 31), ``2026`` (year), ``2026-W45`` (ISO 8601 week, Monday – Sunday: week 1 holds the
year's first Thursday, so it may start in December) and ``2026-10-05..2026-10-18`` (a
custom window of whole days, both ends included).  *Opening* (期初) is the day before the
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
    "dekad: 2026-10-D1, 2026-10-D2, 2026-10-D3 · weekly: 2026-W45 · monthly: 2026-10 · "
    "quarterly: 2026-Q4 · halfyear: 2026-H1, 2026-H2 · yearly: 2026 · "
    "custom: 2026-10-05..2026-10-18"
)

MIN_YEAR, MAX_YEAR = 1900, 2999  # of a period id: every date it compares stays in range
# ASCII digits only: Python's \d and int() also take ２０２６ and ٢٠٢٦, which would make a
# report named with full-width digits.  \Z, not $: "2026-10\n" is not an id either.
_PATTERNS = {
    "dekad": re.compile(r"^([0-9]{4})-([0-9]{2})-D([123])\Z"),
    "monthly": re.compile(r"^([0-9]{4})-([0-9]{2})\Z"),
    "quarterly": re.compile(r"^([0-9]{4})-Q([1-4])\Z"),
    "yearly": re.compile(r"^([0-9]{4})\Z"),
    # The next three take any digit where the id has one, so that 2026-H3, 2026-W54 and
    # 2026-10-32..2026-11-01 get a message that says what is wrong, not "not an id".
    "halfyear": re.compile(r"^([0-9]{4})-H([0-9])\Z"),
    "weekly": re.compile(r"^([0-9]{4})-W([0-9]{2})\Z"),
    "custom": re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2}-[0-9]{2})\Z"),
}


@dataclass(frozen=True)
class Period:
    report: str  # dekad | weekly | monthly | quarterly | halfyear | yearly | custom
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
    if kind == "custom":
        return _custom(period_id, match.group(1), match.group(2))
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
    if kind == "halfyear":
        return _half(period_id, year, int(match.group(2)))
    if kind == "weekly":
        return _week(period_id, year, int(match.group(2)))
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


def _half(period_id: str, year: int, half: int) -> Period:
    if half not in (1, 2):
        raise UsageError(f"period {period_id!r}: a half-year is H1 (Jan 1 – Jun 30) or H2 "
                         f"(Jul 1 – Dec 31), not H{half}; accepted forms: {ACCEPTED_FORMS}")
    if half == 1:
        return Period("halfyear", period_id, date(year, 1, 1), date(year, 6, 30))
    return Period("halfyear", period_id, date(year, 7, 1), date(year, 12, 31))


def weeks_in(year: int) -> int:
    """52 or 53: an ISO year has 53 weeks when 28 December falls in week 53."""
    return date(year, 12, 28).isocalendar()[1]


def _week(period_id: str, year: int, week: int) -> Period:
    """ISO 8601 week ``week`` of ``year``: Monday to Sunday; week 1 holds 4 January."""
    last = weeks_in(year)
    if not 1 <= week <= last:
        extra = "" if week != 53 else f" ({year} has no week 53: its last ISO week is W52)"
        raise UsageError(f"period {period_id!r}: week {week:02d} does not exist{extra}; "
                         f"weeks of {year} are W01–W{last}; accepted forms: {ACCEPTED_FORMS}")
    start = date.fromisocalendar(year, week, 1)
    return Period("weekly", period_id, start, start + timedelta(days=6))


def _custom(period_id: str, first: str, last: str) -> Period:
    """A window of whole days ``A..B``, both ends included, A ≤ B."""
    days = []
    for text in (first, last):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"period {period_id!r}: {text} is not a calendar date; "
                             f"accepted forms: {ACCEPTED_FORMS}") from None
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise UsageError(f"period {period_id!r}: year {day.year} is out of range "
                             f"({MIN_YEAR}–{MAX_YEAR}); accepted forms: {ACCEPTED_FORMS}")
        days.append(day)
    start, end = days
    if start > end:
        raise UsageError(f"period {period_id!r}: the start {start} is after the end {end}; "
                         f"write the earlier day first ({end}..{start}); "
                         f"accepted forms: {ACCEPTED_FORMS}")
    return Period("custom", period_id, start, end)


def period_ending(report: str, end: date) -> Period | None:
    """The ``report`` period that ends exactly on ``end``, if one does (never a custom
    one: a custom window is made only by hand)."""
    nxt = end + timedelta(days=1)
    if report == "dekad" and nxt.day in (1, 11, 21):
        part = {11: 1, 21: 2, 1: 3}[nxt.day]
        return parse_period(f"{end.year:04d}-{end.month:02d}-D{part}", report)
    if report == "weekly":
        if end.isoweekday() != 7:
            return None
        year, week, _ = end.isocalendar()
        return parse_period(f"{year:04d}-W{week:02d}", report)
    if nxt.day != 1:
        return None
    if report == "halfyear" and end.month in (6, 12):
        return parse_period(f"{end.year:04d}-H{end.month // 6}", report)
    if report == "monthly":
        return parse_period(f"{end.year:04d}-{end.month:02d}", report)
    if report == "quarterly" and end.month % 3 == 0:
        return parse_period(f"{end.year:04d}-Q{end.month // 3}", report)
    if report == "yearly" and end.month == 12:
        return parse_period(f"{end.year:04d}", report)
    return None


# The periods a target of targets.csv may have: assessment periods of the calendar
# (a week or a custom window is too short to set a target on, and a ten-day one is not
# assessed).
TARGET_PERIODS = ("yearly", "halfyear", "quarterly", "monthly")


def target_periods(day: date) -> list[Period]:
    """The year, half-year, quarter and month that contain ``day``, longest first."""
    y, m = day.year, day.month
    ids = (f"{y:04d}", f"{y:04d}-H{(m - 1) // 6 + 1}", f"{y:04d}-Q{(m - 1) // 3 + 1}",
           f"{y:04d}-{m:02d}")
    return [parse_period(i) for i in ids]


def time_progress(period: Period, day: date) -> tuple[int, int]:
    """(days of ``period`` up to and including ``day``, days in ``period``): 时间进度."""
    return (day - period.start).days + 1, (period.end - period.start).days + 1
