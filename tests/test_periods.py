"""reportgen/periods.py: period ids, their bounds and the dates every report compares.

Expected dates are worked out by hand from ledger-format.md ("Periods"): the start is the
first day, the end the last; opening = start − 1 day; year start = 31 December of the year
before the end's year; same day last year = end − 1 calendar year, 29 February → 28 February.
"""

from __future__ import annotations

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
