"""reportgen/periods.py: period ids, their bounds and the dates every report compares.

Expected dates are worked out by hand from ledger-format.md ("Periods"): the start is the
first day, the end the last; opening = start − 1 day; year start = 31 December of the year
before the end's year; same day last year = end − 1 calendar year, 29 February → 28 February.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from reportgen.api import build, open_ledger
from reportgen.config import Config
from reportgen.errors import UsageError
from reportgen.periods import (
    month_end,
    one_year_before,
    parse_period,
    period_ending,
    report_of,
    target_periods,
    time_progress,
    weeks_in,
)


@pytest.mark.parametrize(
    ("period_id", "report", "start", "end"),
    [
        # dekads: days 1–10, 11–20, 21–last day of the month
        ("2026-10-D1", "dekad", date(2026, 10, 1), date(2026, 10, 10)),
        ("2026-10-D2", "dekad", date(2026, 10, 11), date(2026, 10, 20)),
        ("2026-10-D3", "dekad", date(2026, 10, 21), date(2026, 10, 31)),  # 31-day month
        ("2026-11-D3", "dekad", date(2026, 11, 21), date(2026, 11, 30)),  # 30-day month
        ("2026-02-D3", "dekad", date(2026, 2, 21), date(2026, 2, 28)),  # February, common year
        ("2024-02-D3", "dekad", date(2024, 2, 21), date(2024, 2, 29)),  # February, leap year
        ("2026-10", "monthly", date(2026, 10, 1), date(2026, 10, 31)),
        ("2024-02", "monthly", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-02", "monthly", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-Q1", "quarterly", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", "quarterly", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q3", "quarterly", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", "quarterly", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", "yearly", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_period_bounds(period_id: str, report: str, start: date, end: date) -> None:
    p = parse_period(period_id)
    assert (p.report, p.id, p.start, p.end) == (report, period_id, start, end)
    assert report_of(period_id) == report
    assert parse_period(period_id, report) == p  # the matching report type is accepted
    assert p.contains(start)
    assert p.contains(end)


@pytest.mark.parametrize(
    ("period_id", "opening", "year_start", "last_year"),
    [
        # opening = start − 1 day; year start = 31 Dec of (end's year − 1); L = end − 1 year
        ("2026-10-D1", date(2026, 9, 30), date(2025, 12, 31), date(2025, 10, 10)),
        ("2026-10-D2", date(2026, 10, 10), date(2025, 12, 31), date(2025, 10, 20)),
        ("2026-10-D3", date(2026, 10, 20), date(2025, 12, 31), date(2025, 10, 31)),
        ("2026-01-D1", date(2025, 12, 31), date(2025, 12, 31), date(2025, 1, 10)),
        ("2026-03", date(2026, 2, 28), date(2025, 12, 31), date(2025, 3, 31)),
        ("2024-03", date(2024, 2, 29), date(2023, 12, 31), date(2023, 3, 31)),  # leap opening
        ("2026-Q1", date(2025, 12, 31), date(2025, 12, 31), date(2025, 3, 31)),
        ("2026-Q4", date(2026, 9, 30), date(2025, 12, 31), date(2025, 12, 31)),
        ("2026", date(2025, 12, 31), date(2025, 12, 31), date(2025, 12, 31)),
        # period ending 29 February 2024: same day last year is 28 February 2023
        ("2024-02", date(2024, 1, 31), date(2023, 12, 31), date(2023, 2, 28)),
        ("2024-02-D3", date(2024, 2, 20), date(2023, 12, 31), date(2023, 2, 28)),
        # a period ending 28 February 2025 looks back to 28 February 2024, not the 29th
        ("2025-02", date(2025, 1, 31), date(2024, 12, 31), date(2024, 2, 28)),
    ],
)
def test_comparison_dates(period_id: str, opening: date, year_start: date,
                          last_year: date) -> None:
    p = parse_period(period_id)
    assert (p.opening, p.year_start, p.last_year) == (opening, year_start, last_year)


def test_one_year_before_29_february_becomes_28_february() -> None:
    assert one_year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert one_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert one_year_before(date(2024, 3, 1)) == date(2023, 3, 1)
    assert one_year_before(date(2026, 12, 31)) == date(2025, 12, 31)


def test_month_end() -> None:
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2026, 2) == date(2026, 2, 28)
    assert month_end(2100, 2) == date(2100, 2, 28)  # 2100 is not a leap year
    assert month_end(2026, 4) == date(2026, 4, 30)
    assert month_end(2026, 12) == date(2026, 12, 31)


def test_month_ends_are_the_trend_points() -> None:
    assert parse_period("2026-Q3").month_ends() == [
        date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30)]
    ends = parse_period("2024").month_ends()
    assert len(ends) == 12
    assert ends[1] == date(2024, 2, 29)
    assert ends[-1] == date(2024, 12, 31)
    assert parse_period("2026-05").month_ends() == [date(2026, 5, 31)]


def test_surrounding_blanks_are_ignored() -> None:
    assert parse_period(" 2026-10 ").id == "2026-10"


@pytest.mark.parametrize(
    "bad",
    ["2026-10-D4", "2026-10-D0", "2026-Q5", "2026-Q0", "2026-q4", "2026/10", "202610",
     "26-10", "26", "October", "", "2026-10-D", "2026-1", "2026-13", "2026-00",
     "2026-13-D1", "1899", "3000"],
)
def test_bad_ids_raise_usage_error_listing_the_accepted_forms(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_period(bad)
    message = str(info.value)
    for form in ("2026-10-D1", "2026-10", "2026-Q4", "2026"):
        assert form in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("period_id", "report"),
    [("2026-10", "dekad"), ("2026-10-D1", "monthly"), ("2026", "quarterly"),
     ("2026-Q4", "yearly"), ("2026-Q4", "monthly")],
)
def test_report_period_mismatch_raises(period_id: str, report: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_period(period_id, report)
    message = str(info.value)
    assert report in message
    assert period_id in message
    assert "2026-10-D1" in message  # the accepted forms are listed


def test_build_refuses_a_period_of_another_report(tmp_path: Path) -> None:
    from ledgers import write_ledger

    folder = write_ledger(
        tmp_path,
        customers="C1,甲,individual,,A,,,",
        loans="L1,C1,B1,王,,credit,1000,2026-01-01,2027-01-01,4",
        transactions="L1,2026-01-01,disburse,1000",
    )
    session = open_ledger(folder, as_of=date(2026, 3, 31))  # complete up to March's end
    with pytest.raises(UsageError):
        build(session, "dekad", "2026-03", Config())
    with pytest.raises(UsageError):
        build(session, "yearly", "2026-Q1", Config())
    assert build(session, "monthly", "2026-03", Config()).period == "2026-03"


@pytest.mark.parametrize(
    ("report", "end", "expected"),
    [
        ("dekad", date(2026, 10, 10), "2026-10-D1"),
        ("dekad", date(2026, 10, 20), "2026-10-D2"),
        ("dekad", date(2026, 10, 31), "2026-10-D3"),
        ("dekad", date(2024, 2, 29), "2024-02-D3"),
        ("dekad", date(2024, 2, 28), None),  # 28 Feb 2024 is not a month end
        ("dekad", date(2026, 10, 15), None),
        ("monthly", date(2026, 2, 28), "2026-02"),
        ("monthly", date(2026, 10, 30), None),
        ("quarterly", date(2026, 6, 30), "2026-Q2"),
        ("quarterly", date(2026, 5, 31), None),
        ("yearly", date(2026, 12, 31), "2026"),
        ("yearly", date(2026, 6, 30), None),
    ],
)
def test_period_ending(report: str, end: date, expected: str | None) -> None:
    p = period_ending(report, end)
    assert (None if p is None else p.id) == expected
    if p is not None:
        assert p.end == end


@pytest.mark.parametrize("period_id", ["２０２６-10", "2026-1０", "٢٠٢٦-10", "२०२६", "2026-Q４",
                                       "2026-10-D３", "𝟐𝟎𝟐𝟔", "2026 -10", "2026-10\x00"])
def test_only_ascii_digits_make_a_period_id(period_id: str) -> None:
    """int() reads ２０２６ as 2026: the id would name a file with full-width digits."""
    with pytest.raises(UsageError, match="is not a period id"):
        parse_period(period_id)


# --- the assessment periods (assessment.md): half-year, ISO week, custom window -----------


@pytest.mark.parametrize(
    ("period_id", "report", "start", "end"),
    [
        ("2026-H1", "halfyear", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", "halfyear", date(2026, 7, 1), date(2026, 12, 31)),
        ("2024-H1", "halfyear", date(2024, 1, 1), date(2024, 6, 30)),
        # ISO 8601: week 1 holds the year's first Thursday (1 Jan 2026 is a Thursday), so
        # 2026-W01 starts on Monday 29 December 2025
        ("2026-W01", "weekly", date(2025, 12, 29), date(2026, 1, 4)),
        ("2026-W45", "weekly", date(2026, 11, 2), date(2026, 11, 8)),
        # 2026 has 53 weeks (28 Dec 2026 is in week 53): W53 ends on Sunday 3 Jan 2027
        ("2026-W53", "weekly", date(2026, 12, 28), date(2027, 1, 3)),
        # 1 Jan 2027 is a Friday: it belongs to 2026-W53, and 2027-W01 starts on 4 Jan
        ("2027-W01", "weekly", date(2027, 1, 4), date(2027, 1, 10)),
        ("2027-W52", "weekly", date(2027, 12, 27), date(2028, 1, 2)),
        # 1 Jan 2021 is a Friday: 2020-W53 runs to Sunday 3 Jan 2021
        ("2020-W53", "weekly", date(2020, 12, 28), date(2021, 1, 3)),
        ("2021-W01", "weekly", date(2021, 1, 4), date(2021, 1, 10)),
        # 1 Jan 2025 is a Wednesday: 2025-W01 starts on Monday 30 Dec 2024
        ("2025-W01", "weekly", date(2024, 12, 30), date(2025, 1, 5)),
        ("2026-10-05..2026-10-18", "custom", date(2026, 10, 5), date(2026, 10, 18)),
        ("2026-10-05..2026-10-05", "custom", date(2026, 10, 5), date(2026, 10, 5)),  # a day
        ("2025-12-20..2026-01-10", "custom", date(2025, 12, 20), date(2026, 1, 10)),
        ("2024-02-29..2024-03-01", "custom", date(2024, 2, 29), date(2024, 3, 1)),
    ],
)
def test_assessment_period_bounds(period_id: str, report: str, start: date,
                                  end: date) -> None:
    p = parse_period(period_id)
    assert (p.report, p.id, p.start, p.end) == (report, period_id, start, end)
    assert report_of(period_id) == report
    assert parse_period(period_id, report) == p
    if report == "weekly":
        assert (start.isoweekday(), end.isoweekday()) == (1, 7)  # Monday to Sunday


@pytest.mark.parametrize(("year", "weeks"), [
    # a year has 53 ISO weeks when it starts on a Thursday, or is a leap year starting on a
    # Wednesday: 2015 (Thu), 2020 (Wed, leap), 2026 (Thu), 2032 (Thu), 2037 (Thu)
    (2015, 53), (2020, 53), (2026, 53), (2032, 53), (2037, 53),
    (2021, 52), (2024, 52), (2025, 52), (2027, 52), (2028, 52),
])
def test_which_years_have_a_week_53(year: int, weeks: int) -> None:
    assert weeks_in(year) == weeks
    if weeks == 53:
        assert parse_period(f"{year}-W53").end.year == year + 1  # W53 always crosses
    else:
        with pytest.raises(UsageError, match=f"{year} has no week 53"):
            parse_period(f"{year}-W53")


@pytest.mark.parametrize(("bad", "says"), [
    ("2026-H3", "a half-year is H1"), ("2026-H0", "a half-year is H1"),
    ("2027-W53", "2027 has no week 53"), ("2025-W53", "2025 has no week 53"),
    ("2026-W00", "week 00 does not exist"), ("2026-W54", "week 54 does not exist"),
    ("2026-W99", "weeks of 2026 are W01–W53"),
    ("2026-10-18..2026-10-05", "the start 2026-10-18 is after the end 2026-10-05"),
    ("2027-01-01..2026-12-31", "is after the end"),
    ("2026-02-30..2026-03-05", "2026-02-30 is not a calendar date"),
    ("2026-10-05..2026-13-01", "2026-13-01 is not a calendar date"),
    ("1899-12-31..1900-01-05", "year 1899 is out of range"),
    ("2026-10-05..3000-01-01", "year 3000 is out of range"),
    ("1899-W10", "year 1899 is out of range"), ("3000-H1", "year 3000 is out of range"),
    ("２０２６-H1", "ASCII"), ("2026-W４５", "ASCII"), ("2026-10-05..２026-10-18", "ASCII"),
    ("2026-H1 ", None), ("2026-10-05 ..2026-10-18", "no spaces"),
    ("2026-W5", "not a period id"), ("2026-w45", "not a period id"),
    ("2026-h1", "not a period id"), ("2026-10-05...2026-10-18", "not a period id"),
    ("2026-10-05..", "not a period id"), ("2026-10-5..2026-10-18", "not a period id"),
])
def test_bad_assessment_ids_say_what_is_wrong(bad: str, says: str | None) -> None:
    if says is None:  # surrounding blanks are ignored, as for the other ids
        assert parse_period(bad).id == bad.strip()
        return
    with pytest.raises(UsageError, match=re.escape(says)) as info:
        parse_period(bad)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("period_id", "opening", "year_start", "last_year"),
    [
        ("2026-H1", date(2025, 12, 31), date(2025, 12, 31), date(2025, 6, 30)),
        ("2026-H2", date(2026, 6, 30), date(2025, 12, 31), date(2025, 12, 31)),
        ("2026-W45", date(2026, 11, 1), date(2025, 12, 31), date(2025, 11, 8)),
        # the week across the year end: O in 2025, D in 2026, so year start = 31 Dec 2025
        ("2026-W01", date(2025, 12, 28), date(2025, 12, 31), date(2025, 1, 4)),
        ("2026-W53", date(2026, 12, 27), date(2026, 12, 31), date(2026, 1, 3)),
        ("2026-10-05..2026-10-18", date(2026, 10, 4), date(2025, 12, 31),
         date(2025, 10, 18)),
        ("2024-02-01..2024-02-29", date(2024, 1, 31), date(2023, 12, 31), date(2023, 2, 28)),
    ],
)
def test_assessment_comparison_dates(period_id: str, opening: date, year_start: date,
                                     last_year: date) -> None:
    p = parse_period(period_id)
    assert (p.opening, p.year_start, p.last_year) == (opening, year_start, last_year)


def test_half_year_trend_has_six_month_ends() -> None:
    assert parse_period("2026-H2").month_ends() == [
        date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31),
        date(2026, 11, 30), date(2026, 12, 31)]
    assert len(parse_period("2024-H1").month_ends()) == 6


@pytest.mark.parametrize(
    ("report", "end", "expected"),
    [
        ("halfyear", date(2026, 6, 30), "2026-H1"),
        ("halfyear", date(2026, 12, 31), "2026-H2"),
        ("halfyear", date(2026, 3, 31), None),
        ("halfyear", date(2026, 9, 30), None),
        ("halfyear", date(2026, 6, 29), None),
        ("weekly", date(2026, 11, 8), "2026-W45"),  # a Sunday
        ("weekly", date(2026, 11, 7), None),  # a Saturday
        ("weekly", date(2026, 11, 9), None),  # a Monday
        ("weekly", date(2026, 1, 4), "2026-W01"),
        ("weekly", date(2027, 1, 3), "2026-W53"),  # a Sunday of 2027 in 2026's last week
        ("weekly", date(2021, 1, 3), "2020-W53"),
        ("weekly", date(2028, 1, 2), "2027-W52"),
        ("custom", date(2026, 10, 18), None),  # never on a calendar
        ("custom", date(2026, 12, 31), None),
    ],
)
def test_assessment_period_ending(report: str, end: date, expected: str | None) -> None:
    p = period_ending(report, end)
    assert (None if p is None else p.id) == expected
    if p is not None:
        assert p.end == end


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 6, 30), ["2026", "2026-H1", "2026-Q2", "2026-06"]),
    (date(2026, 7, 1), ["2026", "2026-H2", "2026-Q3", "2026-07"]),
    (date(2026, 1, 1), ["2026", "2026-H1", "2026-Q1", "2026-01"]),
    (date(2026, 12, 31), ["2026", "2026-H2", "2026-Q4", "2026-12"]),
])
def test_target_periods_contain_the_day(day: date, expected: list[str]) -> None:
    assert [p.id for p in target_periods(day)] == expected


@pytest.mark.parametrize(("period_id", "day", "expected"), [
    ("2026", date(2026, 6, 30), (181, 365)),  # 31+28+31+30+31+30: 双过半's day
    ("2024", date(2024, 6, 30), (182, 366)),  # leap year
    ("2026", date(2026, 1, 1), (1, 365)),
    ("2026", date(2026, 12, 31), (365, 365)),
    ("2026-H1", date(2026, 6, 30), (181, 181)),
    ("2026-H2", date(2026, 9, 30), (92, 184)),  # Jul 31 + Aug 31 + Sep 30; half exactly
    ("2026-Q2", date(2026, 5, 31), (61, 91)),
    ("2026-02", date(2026, 2, 14), (14, 28)),
])
def test_time_progress_counts_days_up_to_d(period_id: str, day: date,
                                           expected: tuple[int, int]) -> None:
    assert time_progress(parse_period(period_id), day) == expected
