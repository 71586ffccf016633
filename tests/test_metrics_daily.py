"""metrics/daily.py: the book's daily totals equal the sums of the engine's per-loan flows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from ledgers import write_ledger

from reportgen.api import Session, open_ledger
from reportgen.daykeys import key_days
from reportgen.engine import Engine
from reportgen.ledger.load import load_ledger
from reportgen.ledger.schema import DISBURSE, TX_TYPES
from reportgen.metrics.daily import daily_totals
from reportgen.sample import generate_sample


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    out = tmp_path_factory.mktemp("daily") / "ledger"
    generate_sample(out, loans=300, seed=11)
    return open_ledger(out)


def _windows(first: date, last: date) -> list[tuple[date, date]]:
    one = timedelta(days=1)
    middle = first + (last - first) / 2
    return [
        (first - 40 * one, first - one),  # before any transaction
        (first - 5 * one, first),  # ends on the first day
        (first, first),
        (middle, middle),  # one day
        (middle, middle + 30 * one),
        (first.replace(day=1), last),  # everything
        (last, last + 10 * one),  # starts on the last day
        (last + one, last + 90 * one),  # after every transaction
    ]


def test_key_days_decode_the_keys_as_the_engine_does(session: Session) -> None:
    engine = session.engine
    assert (key_days(engine.tx_key) == engine.tx_day).all()


def test_daily_totals_equal_per_loan_flows(session: Session) -> None:
    engine = session.engine
    totals = daily_totals(engine)
    assert daily_totals(engine) is totals  # memoised on the engine
    epoch = date(1970, 1, 1)
    first = epoch + timedelta(days=int(engine.tx_day.min()))
    last = epoch + timedelta(days=int(engine.tx_day.max()))
    for start, end in _windows(first, last):
        for tx_type in range(len(TX_TYPES)):
            assert totals.total(tx_type, start, end) == int(
                engine.flow(tx_type, start, end).sum()), (tx_type, start, end)
        assert totals.rows(DISBURSE, start, end) == int(
            engine.disburse_count(start, end).sum()), (start, end)


def test_an_empty_journal_has_zero_totals(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "l", customers="C1,甲,corporate,small,C,,,\n",
                          loans="L1,C1,B,王,,credit,100000,2026-03-01,2027-03-01,4\n",
                          transactions="")
    # open_ledger refuses an empty journal (test_datadate); the engine below it still
    # answers, with zeros, for the layers that never see a refused ledger.
    totals = daily_totals(Engine(load_ledger(folder)))
    assert totals.total(DISBURSE, date(2026, 1, 1), date(2026, 12, 31)) == 0
    assert totals.rows(DISBURSE, date(2026, 1, 1), date(2026, 12, 31)) == 0


def test_book_totals_equal_the_sum_of_per_loan_flows(tmp_path: Path) -> None:
    # By hand: disbursed in March 2026 = 100,000 (L1) + 30,000 (L2) = 130,000.00;
    # repaid in March = 20,000 (L1, 03-31); the 2026-04-01 repayment is outside.
    session = open_ledger(write_ledger(
        tmp_path / "l",
        customers="C1,甲,corporate,small,C,,,\n",
        loans="L1,C1,B,王,,credit,100000,2026-03-01,2027-03-01,4\n"
              "L2,C1,B,王,,credit,30000,2026-03-15,2027-03-15,4\n",
        transactions="L1,2026-03-01,disburse,100000\nL2,2026-03-15,disburse,30000\n"
                     "L1,2026-03-31,repay,20000\nL2,2026-04-01,repay,5000\n"))
    engine = session.engine
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    for tx_type, expected in ((0, 13_000_000), (1, 2_000_000)):
        assert daily_totals(engine).total(tx_type, start, end) == expected
        assert int(engine.flow(tx_type, start, end).sum()) == expected
