"""schedule.py: which periods are due on a date, with and without catch-up."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.cli import main
from reportgen.deliver.archive import Archive
from reportgen.periods import parse_period
from reportgen.schedule import MAX_CATCH_UP_DAYS, Due, periods_ending, plan

ALL = ("dekad", "monthly", "quarterly", "yearly")


def ids(today: date, reports: tuple[str, ...] = ALL, **kw: object) -> list[str]:
    return [f"{d.report} {d.period}" for d in plan(today, reports, **kw).due]  # type: ignore[arg-type]


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 11, 1), ["dekad 2026-10-D3", "monthly 2026-10"]),
    (date(2026, 10, 11), ["dekad 2026-10-D1"]),
    (date(2026, 10, 21), ["dekad 2026-10-D2"]),
    (date(2026, 10, 15), []),
    (date(2026, 10, 1), ["dekad 2026-09-D3", "monthly 2026-09", "quarterly 2026-Q3"]),
    (date(2027, 1, 1), ["dekad 2026-12-D3", "monthly 2026-12", "quarterly 2026-Q4",
                        "yearly 2026"]),
    (date(2028, 3, 1), ["dekad 2028-02-D3", "monthly 2028-02"]),  # leap year: ends 29 Feb
    (date(2026, 3, 1), ["dekad 2026-02-D3", "monthly 2026-02"]),
    (date(2026, 2, 29 - 1), []),
])
def test_due_on_a_date(today: date, expected: list[str]) -> None:
    assert ids(today) == expected


def test_bounds_come_from_periods() -> None:
    (d3, monthly) = plan(date(2028, 3, 1), ("dekad", "monthly")).due
    assert (d3.start, d3.end) == (date(2028, 2, 21), date(2028, 2, 29))
    assert (monthly.start, monthly.end) == (date(2028, 2, 1), date(2028, 2, 29))


def test_only_configured_reports() -> None:
    assert ids(date(2027, 1, 1), ("yearly", "dekad")) == ["dekad 2026-12-D3", "yearly 2026"]
    assert ids(date(2027, 1, 1), ()) == []


def test_catch_up_after_a_25_day_gap() -> None:
    covered = {date(2026, 10, 6)}  # the last run was on 2026-10-07
    assert ids(date(2026, 11, 1), ("dekad", "monthly"), catch_up=True, covered=covered) == [
        "dekad 2026-10-D1", "dekad 2026-10-D2", "dekad 2026-10-D3", "monthly 2026-10"]


def test_catch_up_fills_the_hole_a_plain_run_left() -> None:
    covered = {date(2026, 10, 6), date(2026, 10, 31)}  # a plain run on 11-01 after a gap
    assert ids(date(2026, 11, 1), ("dekad", "monthly"), catch_up=True, covered=covered) == [
        "dekad 2026-10-D1", "dekad 2026-10-D2", "dekad 2026-10-D3", "monthly 2026-10"]


def test_catch_up_without_any_earlier_run_is_a_plain_run() -> None:
    assert ids(date(2026, 11, 1), catch_up=True) == ids(date(2026, 11, 1))


def test_catch_up_reaches_back_at_most_400_days() -> None:
    today = date(2026, 11, 1)
    the_plan = plan(today, ALL, catch_up=True, covered={date(2020, 1, 1)})
    assert the_plan.first_end == today - timedelta(days=MAX_CATCH_UP_DAYS)
    assert min(d.end for d in the_plan.due) >= the_plan.first_end
    assert "yearly 2025" in [f"{d.report} {d.period}" for d in the_plan.due]
    assert the_plan.first_end == date(2025, 9, 27)
    assert len([d for d in the_plan.due if d.report == "monthly"]) == 14  # 2025-09 … 2026-10


def test_catch_up_does_not_back_fill_days_already_covered() -> None:
    """A report type added to the config later is not made for days runs already covered."""
    covered = {date(2026, 1, 1) + timedelta(days=n) for n in range(304)}  # through 10-31
    assert ids(date(2026, 11, 1), catch_up=True, covered=covered) == ids(date(2026, 11, 1))


def test_order_is_oldest_first_then_dekad_to_yearly() -> None:
    due = periods_ending(date(2026, 12, 1), date(2026, 12, 31), ALL)
    assert [d.sort_key() for d in due] == sorted(d.sort_key() for d in due)
    assert [d.report for d in due][-4:] == ["dekad", "monthly", "quarterly", "yearly"]


@settings(max_examples=60, deadline=None)
@given(last=st.dates(date(2024, 1, 1), date(2028, 12, 31)),
       gap=st.integers(1, MAX_CATCH_UP_DAYS),
       reports=st.lists(st.sampled_from(ALL), min_size=1, max_size=4, unique=True))
def test_catch_up_equals_the_plain_runs_it_replaces(last: date, gap: int,
                                                    reports: list[str]) -> None:
    """Catching up on day T after a run on day L makes what daily runs L+1 … T would have."""
    today = last + timedelta(days=gap)
    daily: list[Due] = []
    for n in range(1, gap + 1):
        daily += plan(last + timedelta(days=n), reports).due
    caught = plan(today, reports, catch_up=True, covered={last - timedelta(days=1)}).due
    assert list(caught) == daily
    for d in caught:
        parsed = parse_period(d.period, d.report)
        assert (parsed.start, parsed.end) == (d.start, d.end)


def test_periods_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["periods", "--date", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "dekad      2026-10-D3  2026-10-21 … 2026-10-31  to make",
        "monthly    2026-10     2026-10-01 … 2026-10-31  to make",
    ]
    archive = Archive(tmp_path / "reports")
    archive.append({"kind": "report", "report": "monthly", "period": "2026-10",
                    "start": "2026-10-01", "end": "2026-10-31", "files": [],
                    "ledger_sha256": "", "version": "", "time": ""})
    archive.append({"kind": "run", "date": "2026-10-07", "covered": ["2026-10-06",
                                                                     "2026-10-06"]})
    result = CliRunner().invoke(main, ["periods", "--date", "2026-11-01", "--catch-up"])
    assert [line.split()[1] + " " + line.split()[-1] for line in result.output.splitlines()] == [
        "2026-10-D1 make", "2026-10-D2 make", "2026-10-D3 make", "2026-10 made"]
    result = CliRunner().invoke(main, ["periods", "--date", "2026-10-15"])
    assert "nothing is due on 2026-10-15" in result.output
    assert CliRunner().invoke(main, ["periods", "--date", "2026-13-01"]).exit_code == 2


def test_catch_up_never_reaches_before_the_first_period_year() -> None:
    """A forged manifest cannot make the plan ask for a period of 1899."""
    the_plan = plan(date(1901, 1, 5), ["monthly", "yearly"], catch_up=True,
                    covered={date(1800, 1, 1)})
    assert the_plan.first_end == date(1900, 1, 1)
    assert [d.period for d in the_plan.due][:2] == ["1900-01", "1900-02"]
