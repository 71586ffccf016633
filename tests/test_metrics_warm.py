"""reportgen/metrics/warm.py: the figures made two at a time before the sections run are
exactly the ones the sections read (same cache keys), and every figure is unchanged.

The demo ledger (2024-01-01 … 2026-11-28) is used as a real ledger of 2,000 loans with
inclusive customers, state rows and every transaction type; the expectations are the
report's own sections computed without the warm-up on a separately loaded engine, and
the cache keys each section is documented to read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from reportgen import api
from reportgen.config import Config
from reportgen.metrics.build import WITH_MONTHLY_SECTIONS, build_report, build_sections
from reportgen.metrics.context import Context
from reportgen.metrics.warm import warm
from reportgen.periods import parse_period
from reportgen.render.json import report_dict
from reportgen.scope import select
from reportgen.scoped import scoped

DEMO = Path(__file__).resolve().parents[1] / "sample_ledgers" / "demo"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

PERIODS = [
    ("dekad", "2026-10-D2"),
    ("monthly", "2026-10"),
    ("quarterly", "2026-Q3"),
    ("yearly", "2025"),
    ("monthly", "2024-01"),  # opening, year start and last year before the first date
    ("weekly", "2024-W02"),
]


@pytest.fixture(scope="module")
def sessions() -> tuple[api.Session, api.Session]:
    """Two engines of the same ledger: one warmed by ``build_report``, one never warmed."""
    return api.open_ledger(DEMO), api.open_ledger(DEMO)


@pytest.mark.parametrize(("report", "period"), PERIODS)
def test_every_figure_is_the_one_the_sections_compute_alone(
        sessions: tuple[api.Session, api.Session], report: str, period: str) -> None:
    warmed, cold = sessions
    parsed = parse_period(period, report)
    built = build_report(warmed.engine, parsed, Config(), now=NOW)
    alone = build_sections(Context(cold.engine, parsed, Config()))
    assert built.sections == alone
    assert report_dict(built)["sections"] == report_dict(
        build_report(cold.engine, parsed, Config(), now=NOW))["sections"]


@pytest.mark.parametrize(("report", "period"), PERIODS)
def test_it_fills_exactly_what_the_report_reads_first(report: str, period: str) -> None:
    engine = api.open_ledger(DEMO).engine
    parsed = parse_period(period, report)
    ctx = Context(engine, parsed, Config())
    first = date(2024, 1, 1)
    warm(ctx, inclusive=report in WITH_MONTHLY_SECTIONS)
    known = [d for d in (parsed.end, parsed.opening, parsed.year_start, parsed.last_year)
             if d >= first]
    assert set(engine._snapshots) == set(known)  # a day before the ledger: not taken
    expected: set[object] = {("daily_totals",), ("first day",), ("loan_day_sum", parsed.start,
                                                                 parsed.end)}
    if report in WITH_MONTHLY_SECTIONS:
        expected.add(("inclusive", "live contracts"))
    if engine.ledger.deposit_balances is not None:
        expected.add(("deposit_book",))  # built during the load, beside the engine
    assert set(engine.memo) == expected
    # the sections then take no snapshot and make no sweep the warm-up did not
    build_sections(ctx)
    assert set(engine._snapshots) >= set(known)
    assert all(key in engine.memo for key in expected)


def test_a_scope_is_left_to_its_sections() -> None:
    session = api.open_ledger(DEMO)
    branch = session.ledger.branches[0]
    selection = select(session.ledger, branches=[branch])
    ctx = Context(scoped(session.engine, selection), parse_period("2026-10", "monthly"),
                  Config(), selection)
    warm(ctx, inclusive=True)
    assert not session.engine._snapshots
    assert set(session.engine.memo) <= {("deposit_book",)}  # the book is made by the load
