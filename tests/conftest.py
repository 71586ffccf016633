"""Shared pytest fixtures."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from reportgen.api import build, open_ledger
from reportgen.config import Config
from reportgen.model import Report
from reportgen.periods import parse_period


# --- hand-computed report tests (tests/test_metrics_*.py, test_engine.py) -------------------
@pytest.fixture
def report_from(tmp_path: Path) -> Callable[..., Report]:
    """Write a small ledger from CSV text, then build one report of it.

    ``report_from("monthly", "2026-03", customers=..., loans=..., transactions=...)`` takes
    the keyword arguments of ``tests/ledgers.write_ledger`` plus an optional ``config``.

    A hand-written ledger whose last row comes before the report's period end is declared
    complete up to that end (its data date, as ``--as-of`` declares it): its last movement
    may come days before the end, as in a real quiet week.  ``as_of=None`` declares
    nothing (the data date is the latest row), ``as_of=DAY`` declares DAY.
    """
    counter = itertools.count()

    def make(report: str, period: str, *, config: Config | None = None,
             as_of: date | str | None = "period end", **tables: str | None) -> Report:
        from ledgers import write_ledger

        folder = write_ledger(tmp_path / f"ledger{next(counter)}", **tables)  # type: ignore[arg-type]
        if as_of != "period end":
            assert not isinstance(as_of, str)
            return build(open_ledger(folder, as_of=as_of), report, period, config or Config())
        session, end = open_ledger(folder), parse_period(period).end
        if session.data_date.day < end:
            session = open_ledger(folder, as_of=end)
        return build(session, report, period, config or Config())

    return make


# --- golden files (tests/test_render_golden.py; `make update-golden`) ------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when run as `pytest --update-golden` (the golden files are rewritten)."""
    return bool(request.config.getoption("--update-golden"))
