"""Shared pytest fixtures."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.api import build, open_ledger
from reportgen.config import Config
from reportgen.model import Report


# --- hand-computed report tests (tests/test_metrics_*.py, test_engine.py) -------------------
@pytest.fixture
def report_from(tmp_path: Path) -> Callable[..., Report]:
    """Write a small ledger from CSV text, then build one report of it.

    ``report_from("monthly", "2026-03", customers=..., loans=..., transactions=...)`` takes
    the keyword arguments of ``tests/ledgers.write_ledger`` plus an optional ``config``.
    """
    counter = itertools.count()

    def make(report: str, period: str, *, config: Config | None = None,
             **tables: str | None) -> Report:
        from ledgers import write_ledger

        folder = write_ledger(tmp_path / f"ledger{next(counter)}", **tables)  # type: ignore[arg-type]
        return build(open_ledger(folder), report, period, config or Config())

    return make


# --- golden files (tests/test_render_golden.py; `make update-golden`) ------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when run as `pytest --update-golden` (the golden files are rewritten)."""
    return bool(request.config.getoption("--update-golden"))
