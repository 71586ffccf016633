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


# --- the assessment calendar: weekly after each Sunday, halfyear after Jun 30 and Dec 31 ---

EVERY = ("dekad", "weekly", "monthly", "quarterly", "halfyear", "yearly")


@pytest.mark.parametrize(("today", "expected"), [
    # Monday 9 Nov 2026: the week of 2–8 Nov ended yesterday
    (date(2026, 11, 9), ["weekly 2026-W45"]),
    (date(2026, 11, 8), []),  # a Sunday: its week is not over
    (date(2026, 11, 10), []),
    # 1 Jul 2026 is a Wednesday: dekad, month, quarter and the first half-year ended
    (date(2026, 7, 1), ["dekad 2026-06-D3", "monthly 2026-06", "quarterly 2026-Q2",
                        "halfyear 2026-H1"]),
    # 1 Jan 2027 is a Friday: no week ended; everything else did
    (date(2027, 1, 1), ["dekad 2026-12-D3", "monthly 2026-12", "quarterly 2026-Q4",
                        "halfyear 2026-H2", "yearly 2026"]),
    # Monday 4 Jan 2027: 2026's 53rd week ended on Sunday 3 Jan
    (date(2027, 1, 4), ["weekly 2026-W53"]),
    (date(2026, 1, 5), ["weekly 2026-W01"]),  # W01 began on 29 Dec 2025
    # Monday 1 Jun 2026 after Sunday 31 May: the week and the month end the same day,
    # shortest report first
    (date(2026, 6, 1), ["dekad 2026-05-D3", "weekly 2026-W22", "monthly 2026-05"]),
    (date(2026, 10, 1), ["dekad 2026-09-D3", "monthly 2026-09", "quarterly 2026-Q3"]),
])
def test_assessment_reports_are_due_on_the_right_days(today: date,
                                                      expected: list[str]) -> None:
    assert ids(today, EVERY) == expected


def test_weekly_and_halfyear_only_when_configured() -> None:
    assert ids(date(2026, 7, 1)) == ["dekad 2026-06-D3", "monthly 2026-06",
                                     "quarterly 2026-Q2"]  # the default four
    assert ids(date(2026, 7, 1), ("halfyear",)) == ["halfyear 2026-H1"]
    assert ids(date(2026, 11, 9), ("weekly",)) == ["weekly 2026-W45"]
    assert ids(date(2026, 11, 9), ALL) == []


def test_weekly_catch_up_after_three_missed_weeks() -> None:
    covered = {date(2026, 10, 18)}  # the last run was on Monday 19 Oct (week 42 made)
    assert ids(date(2026, 11, 9), ("weekly", "halfyear"), catch_up=True,
               covered=covered) == ["weekly 2026-W43", "weekly 2026-W44", "weekly 2026-W45"]


def test_halfyear_catch_up_across_the_year_end() -> None:
    covered = {date(2026, 6, 1)}  # down from 2 June 2026 until Monday 11 Jan 2027
    assert [i for i in ids(date(2027, 1, 11), ("halfyear", "weekly"), catch_up=True,
                           covered=covered) if i.startswith("halfyear")] == [
        "halfyear 2026-H1", "halfyear 2026-H2"]
    weeks = ids(date(2027, 1, 11), ("weekly",), catch_up=True, covered=covered)
    assert weeks[0] == "weekly 2026-W23"
    assert weeks[-1] == "weekly 2027-W01"
    assert "weekly 2026-W53" in weeks
    assert len(weeks) == 53 - 23 + 1 + 1  # W23 … W53 of 2026, then 2027-W01


@settings(max_examples=40, deadline=None)
@given(last=st.dates(date(2024, 1, 1), date(2028, 12, 31)),
       gap=st.integers(1, 120),
       reports=st.lists(st.sampled_from(EVERY), min_size=1, max_size=6, unique=True))
def test_assessment_catch_up_equals_the_plain_runs(last: date, gap: int,
                                                   reports: list[str]) -> None:
    today = last + timedelta(days=gap)
    daily: list[Due] = []
    for n in range(1, gap + 1):
        daily += plan(last + timedelta(days=n), reports).due
    caught = plan(today, reports, catch_up=True, covered={last - timedelta(days=1)}).due
    assert list(caught) == daily
    for d in caught:
        parsed = parse_period(d.period, d.report)
        assert (parsed.start, parsed.end) == (d.start, d.end)


def test_periods_command_shows_weekly_and_halfyear(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reportgen.toml").write_text(
        '[schedule]\nreports = ["weekly", "monthly", "halfyear"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["periods", "--date", "2026-07-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "monthly    2026-06     2026-06-01 … 2026-06-30  to make",
        "halfyear   2026-H1     2026-01-01 … 2026-06-30  to make",
    ]
    result = CliRunner().invoke(main, ["periods", "--date", "2026-01-05"])
    assert result.output.splitlines() == [
        "weekly     2026-W01    2025-12-29 … 2026-01-04  to make"]


def test_custom_in_schedule_is_a_config_error(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reportgen.toml").write_text('[schedule]\nreports = ["custom"]\n',
                                             encoding="utf-8")
    for command in (["periods", "--date", "2026-07-01"], ["run", "--date", "2026-07-01"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        assert "schedule.reports lists 'custom'" in result.output
        assert "reportgen generate --report custom" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "reports").exists()
