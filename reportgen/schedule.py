"""Which periods are due on a date: the calendar arithmetic behind ``reportgen run``.

On date T a report is due when its period ended on T − 1 (the day is over, the ledger
export of that day is in).  With ``--catch-up`` a period is due too when it ended on a day
that no successful run covered, since the first run on record and at most
``MAX_CATCH_UP_DAYS`` back: a cron that was down for three weeks makes exactly what it
missed — once, because ``run`` then drops what the manifest already records.  Counting
*covered days* rather than "since the last run" also fills the hole a plain run (one
without ``--catch-up``) leaves after a downtime, and never back-fills a report type that
was added to the configuration later (its old days were covered before it existed).

This module only walks the calendar; ids and bounds come from ``reportgen.periods``
(``period_ending``), the one owner of what a period is, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reportgen.periods import MIN_YEAR, period_ending

REPORT_ORDER = ("dekad", "weekly", "monthly", "quarterly", "halfyear", "yearly")
MAX_CATCH_UP_DAYS = 400
EARLIEST = date(MIN_YEAR, 1, 1)  # no period id starts before it


@dataclass(frozen=True)
class Due:
    """One report to make: its type, period id and bounds."""

    report: str
    period: str
    start: date
    end: date

    @property
    def key(self) -> tuple[str, str]:
        return (self.report, self.period)

    def sort_key(self) -> tuple[date, int]:
        """Oldest period first, then shortest → yearly, so a crash leaves no hole behind."""
        return (self.end, REPORT_ORDER.index(self.report))


@dataclass(frozen=True)
class Plan:
    """What one run should make: the window of period ends it looked at, and the periods."""

    today: date
    first_end: date  # the earliest period end considered (the first day no run covered)
    last_end: date  # always today − 1
    due: tuple[Due, ...]
    catch_up: bool


def periods_ending(first: date, last: date, reports: tuple[str, ...] | list[str]) -> list[Due]:
    """Every period of ``reports`` whose end lies in ``[first, last]``, oldest first."""
    found = []
    day = first
    while day <= last:
        for report in reports:
            period = period_ending(report, day)
            if period is not None:
                found.append(Due(report, period.id, period.start, period.end))
        day += timedelta(days=1)
    return sorted(found, key=Due.sort_key)


def plan(today: date, reports: tuple[str, ...] | list[str], *, catch_up: bool = False,
         covered: set[date] | frozenset[date] = frozenset()) -> Plan:
    """The periods ``run`` on ``today`` should consider (before dropping recorded ones).

    Without catch-up: those that ended yesterday.  With catch-up: also those that ended on
    a day in ``covered``'s span up to yesterday that no run covered, never more than
    ``MAX_CATCH_UP_DAYS`` back.  With no earlier run on record a catch-up is a plain run:
    a first install must not mail a year of old reports at once.
    """
    yesterday = today - timedelta(days=1)
    first = yesterday
    if catch_up and covered:
        day = max(min(covered), today - timedelta(days=MAX_CATCH_UP_DAYS))
        while day < yesterday and day in covered:  # start at the first day not covered
            day += timedelta(days=1)
        first = max(min(day, yesterday), EARLIEST)  # a forged manifest cannot reach 1899
    due = [d for d in periods_ending(first, yesterday, reports)
           if d.end == yesterday or d.end not in covered]
    return Plan(today, first, yesterday, tuple(due), catch_up)
