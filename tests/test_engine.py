"""reportgen/engine.py: balances as of a date, flows over [S, D], the as-of state join.

The ledger below is written out of date order on purpose (the engine sorts it). Every
expected figure is in fen (1 yuan = 100 fen), worked out from ledger-format.md:
bal(x, D) = Σ disburse − Σ repay − Σ writeoff dated ≤ D; interest and recovery never move
a balance; a loan's state on D is its row with the latest date ≤ D.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ledgers import write_ledger

from reportgen.api import open_ledger
from reportgen.daykeys import day_number, loan_day_keys, radix_order, sorted_keys
from reportgen.engine import Engine
from reportgen.ledger.parse import NO_DATE
from reportgen.ledger.schema import (
    DISBURSE,
    INTEREST,
    LOSS,
    NET_CAPITAL,
    NORMAL,
    PROVISION,
    RECOVERY,
    REPAY,
    SPECIAL_MENTION,
    WRITEOFF,
)

CUSTOMERS = "C1,甲,individual,,A,,,"
LOANS = """
L1,C1,B1,王,,credit,1000,2026-01-05,2026-12-31,4
L2,C1,B1,王,,credit,500,2026-02-01,2026-12-31,4
L3,C1,B1,王,,credit,800,2026-02-01,2026-12-31,4
L4,C1,B1,王,,credit,100,2026-01-10,2026-03-12,4
"""
TRANSACTIONS = """
L1,2026-03-10,repay,300
L1,2026-01-05,disburse,1000
L2,2026-02-01,disburse,500
L1,2026-03-10,disburse,200
L1,2026-02-15,interest,12.34
L2,2026-02-28,writeoff,500
L2,2026-03-05,recovery,50
L4,2026-01-10,disburse,100
L1,2026-03-31,repay,900
L1,2026-04-02,disburse,400
"""
CLASSIFICATIONS = """
L1,2026-03-20,normal,
L1,2026-01-05,normal,
L2,2026-02-20,loss,2026-02-10
L1,2026-03-10,special_mention,2026-03-01
L2,2026-02-01,normal,
"""
BANK_FIGURES = """
2026-03-01,provision,150
2026-01-01,provision,100
2026-02-01,net_capital,5000
"""


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    folder = write_ledger(tmp_path, customers=CUSTOMERS, loans=LOANS,
                          transactions=TRANSACTIONS, classifications=CLASSIFICATIONS,
                          bank_figures=BANK_FIGURES)
    return open_ledger(folder).engine


def _by_loan(engine: Engine, values: np.ndarray) -> dict[str, int]:
    ids = engine.ledger.loans["loan_id"].tolist()
    return {loan: int(v) for loan, v in zip(ids, values.tolist(), strict=True)}


@pytest.mark.parametrize(
    ("day", "l1", "l2", "l4"),
    [
        (date(2026, 1, 4), 0, 0, 0),  # before any transaction
        (date(2026, 1, 5), 100_000, 0, 0),  # a disbursement counts at the end of its day
        (date(2026, 1, 10), 100_000, 0, 10_000),
        (date(2026, 2, 15), 100_000, 50_000, 10_000),  # interest leaves L1 alone
        (date(2026, 2, 27), 100_000, 50_000, 10_000),
        (date(2026, 2, 28), 100_000, 0, 10_000),  # L2: 500 − 500 written off = 0
        (date(2026, 3, 5), 100_000, 0, 10_000),  # L2: a recovery never changes a balance
        (date(2026, 3, 9), 100_000, 0, 10_000),
        (date(2026, 3, 10), 90_000, 0, 10_000),  # L1: 1,000 − 300 repaid + 200 drawn = 900
        (date(2026, 3, 31), 0, 0, 10_000),  # L1: 900 − 900 repaid = 0
        (date(2026, 4, 1), 0, 0, 10_000),
        (date(2026, 4, 2), 40_000, 0, 10_000),  # L1 drawn again after reaching zero: 400
        (date(2030, 1, 1), 40_000, 0, 10_000),
    ],
)
def test_balance_as_of(engine: Engine, day: date, l1: int, l2: int, l4: int) -> None:
    # L3 has no transactions at all: always 0
    assert _by_loan(engine, engine.balance(day)) == {"L1": l1, "L2": l2, "L3": 0, "L4": l4}


def test_loan_without_transactions_has_zero_balance(engine: Engine) -> None:
    assert _by_loan(engine, engine.balance(date(2026, 6, 30)))["L3"] == 0
    assert not _by_loan(engine, engine.snapshot(date(2026, 6, 30)).live)["L3"]


def test_flows_include_both_bounds(engine: Engine) -> None:
    march = (date(2026, 3, 1), date(2026, 3, 31))
    # L1 in March: drawn 200 on the 10th; repaid 300 on the 10th and 900 on the 31st
    assert _by_loan(engine, engine.flow(DISBURSE, *march))["L1"] == 20_000
    assert _by_loan(engine, engine.flow(REPAY, *march))["L1"] == 120_000
    # L2: its write-off was on 28 February, outside March; the recovery of 50 is inside
    assert _by_loan(engine, engine.flow(WRITEOFF, *march))["L2"] == 0
    assert _by_loan(engine, engine.flow(RECOVERY, *march))["L2"] == 5_000
    # [28 Feb, 10 Mar] holds the write-off (start day) and L1's repayment (end day)
    both = (date(2026, 2, 28), date(2026, 3, 10))
    assert _by_loan(engine, engine.flow(WRITEOFF, *both)) == {"L1": 0, "L2": 50_000,
                                                              "L3": 0, "L4": 0}
    assert _by_loan(engine, engine.flow(REPAY, *both))["L1"] == 30_000
    # a one-day window
    day = (date(2026, 3, 10), date(2026, 3, 10))
    assert _by_loan(engine, engine.flow(DISBURSE, *day))["L1"] == 20_000
    assert _by_loan(engine, engine.disburse_count(*day))["L1"] == 1
    # interest on 15 Feb: 12.34 yuan = 1,234 fen
    assert _by_loan(engine, engine.flow(INTEREST, date(2026, 2, 1), date(2026, 2, 28))) == {
        "L1": 1_234, "L2": 0, "L3": 0, "L4": 0}
    # a window with nothing in it
    assert not engine.flow(DISBURSE, date(2026, 5, 1), date(2026, 5, 31)).any()


def test_disburse_count(engine: Engine) -> None:
    year = (date(2026, 1, 1), date(2026, 12, 31))
    # L1 drawn on 5 Jan, 10 Mar and 2 Apr; L2 once; L3 never; L4 once
    assert _by_loan(engine, engine.disburse_count(*year)) == {"L1": 3, "L2": 1, "L3": 0,
                                                              "L4": 1}


def test_balance_is_opening_plus_flows(engine: Engine) -> None:
    start, end = date(2026, 2, 1), date(2026, 4, 30)
    opening = engine.balance(date(2026, 1, 31))
    expected = (opening + engine.flow(DISBURSE, start, end) - engine.flow(REPAY, start, end)
                - engine.flow(WRITEOFF, start, end))
    assert (engine.balance(end) == expected).all()



def _codes(engine: Engine, *loan_ids: str) -> np.ndarray:
    ids = engine.ledger.loans["loan_id"].tolist()
    return np.array([ids.index(loan) for loan in loan_ids], dtype=np.int64)


def _days(*days: date) -> np.ndarray:
    return np.array([day_number(day) for day in days], dtype=np.int64)


def test_transactions_of_a_type_in_a_window(engine: Engine) -> None:
    # disbursements in [1 Mar, 30 Apr]: L1's 200 on 10 Mar and 400 on 2 Apr (loan order)
    loans, days, amounts = engine.transactions_in(DISBURSE, date(2026, 3, 1), date(2026, 4, 30))
    assert loans.tolist() == _codes(engine, "L1", "L1").tolist()
    assert days.tolist() == _days(date(2026, 3, 10), date(2026, 4, 2)).tolist()
    assert amounts.tolist() == [20_000, 40_000]
    # both bounds count: L1's two repayments of 10 and 31 Mar
    loans, _, amounts = engine.transactions_in(REPAY, date(2026, 3, 10), date(2026, 3, 31))
    assert (loans.tolist(), amounts.tolist()) == (_codes(engine, "L1", "L1").tolist(),
                                                  [30_000, 90_000])
    assert not engine.transactions_in(DISBURSE, date(2026, 5, 1), date(2026, 5, 31))[0].size


@pytest.mark.parametrize(("loan", "day", "fen"), [
    ("L1", date(2026, 1, 4), 0),  # before its first row
    ("L1", date(2026, 3, 10), 90_000),  # every row of the day counts
    ("L1", date(2026, 3, 31), 0),
    ("L1", date(2026, 4, 2), 40_000),
    ("L2", date(2026, 2, 28), 0),  # written off that day
    ("L3", date(2026, 6, 30), 0),  # no transactions
    ("L4", date(2030, 1, 1), 10_000),
])
def test_balances_of_loan_day_pairs(engine: Engine, loan: str, day: date, fen: int) -> None:
    # asked together with other pairs: each answer is its own pair's
    loans = _codes(engine, loan, "L4", loan)
    days = _days(day, date(2026, 1, 10), day)
    assert engine.balances(loans, days).tolist() == [fen, 10_000, fen]


@pytest.mark.parametrize(("group", "day", "fen"), [
    (0, date(2026, 1, 4), 0),  # nothing lent yet
    (0, date(2026, 1, 5), 100_000),  # L1 live from the end of its first day
    (0, date(2026, 2, 1), 150_000),  # + L2
    (0, date(2026, 2, 27), 150_000),
    (0, date(2026, 2, 28), 100_000),  # L2 written off to 0
    (0, date(2026, 3, 10), 100_000),  # L1 partly repaid: still live, whole weight
    (0, date(2026, 3, 31), 0),  # L1 repaid in full
    (0, date(2026, 4, 1), 0),
    (0, date(2026, 4, 2), 100_000),  # L1 drawn again: live again
    (0, date(2030, 1, 1), 100_000),
    (1, date(2026, 6, 30), 0),  # L3 never lent
    (2, date(2026, 6, 30), 0),  # a group without loans
])
def test_live_totals(engine: Engine, group: int, day: date, fen: int) -> None:
    """Groups: L1 and L2 → 0, L3 → 1, L4 → none (−1); weights are the contract amounts:
    L1 100,000, L2 50,000, L3 80,000, L4 10,000 fen."""
    loan_group = np.zeros(engine.n_loans, dtype=np.int32)
    loan_group[_codes(engine, "L3")] = 1
    loan_group[_codes(engine, "L4")] = -1
    totals = engine.live_totals(loan_group, engine.ledger.loans["contract_amount"])
    groups = np.array([group, 0, group], dtype=np.int32)
    days = _days(day, date(2026, 2, 1), day)
    assert totals.at(groups, days).tolist() == [fen, 150_000, fen]


def test_live_totals_equal_the_snapshots_every_day(engine: Engine) -> None:
    """The sweep against the as-of balances: on each day from 1 Jan to 10 Apr 2026, each
    group's total is Σ weight over its loans that the day's balance says are live."""
    loan_group = np.array([0, 1, 0, 1], dtype=np.int64)[:engine.n_loans]
    weight = np.array([1, 10, 100, 1000], dtype=np.int64)[:engine.n_loans]
    totals = engine.live_totals(loan_group, weight)
    days = [date(2026, 1, 1) + timedelta(days=k) for k in range(100)]
    for day in days:
        live = engine.balance(day) > 0
        expected = [int(weight[live & (loan_group == g)].sum()) for g in (0, 1)]
        got = totals.at(np.array([0, 1]), _days(day, day))
        assert got.tolist() == expected, day

@pytest.mark.parametrize(
    ("day", "l1_grade", "l1_since", "l2_grade", "l2_has"),
    [
        (date(2026, 1, 4), NORMAL, None, NORMAL, False),  # no row yet: normal, no row
        (date(2026, 3, 9), NORMAL, None, LOSS, True),  # L1's 5 Jan row
        (date(2026, 3, 10), SPECIAL_MENTION, date(2026, 3, 1), LOSS, True),  # row on the day
        (date(2026, 3, 19), SPECIAL_MENTION, date(2026, 3, 1), LOSS, True),
        (date(2026, 3, 20), NORMAL, None, LOSS, True),  # cured on the 20th
        (date(2026, 1, 31), NORMAL, None, NORMAL, False),
        (date(2026, 2, 19), NORMAL, None, NORMAL, True),  # L2's 1 Feb row
    ],
)
def test_state_is_the_latest_row_on_or_before_the_day(
        engine: Engine, day: date, l1_grade: int, l1_since: date | None, l2_grade: int,
        l2_has: bool) -> None:
    grade, since, has = engine.state(day)
    grades, sinces, rows = _by_loan(engine, grade), _by_loan(engine, since), _by_loan(engine, has)
    assert grades["L1"] == l1_grade
    expected_since = NO_DATE if l1_since is None else (l1_since - date(1970, 1, 1)).days
    assert sinces["L1"] == expected_since
    assert grades["L2"] == l2_grade
    assert bool(rows["L2"]) is l2_has
    assert grades["L3"] == NORMAL
    assert not rows["L3"]


@pytest.mark.parametrize(
    ("day", "l1_days", "l4_days"),
    [
        # L1: overdue_since 1 Mar from 10 Mar to 19 Mar → (day − 1 Mar) + 1
        (date(2026, 3, 10), 10, 0),
        # L4 matures on 12 Mar: not overdue by contract on its maturity day
        (date(2026, 3, 12), 12, 0),
        # the day after: (13 Mar − 12 Mar) = 1 day by contract
        (date(2026, 3, 13), 13, 1),
        # L1 cured on 20 Mar (row without overdue_since); L4: 25 − 12 = 13 days
        (date(2026, 3, 25), 0, 13),
    ],
)
def test_snapshot_overdue_days(engine: Engine, day: date, l1_days: int, l4_days: int) -> None:
    days = _by_loan(engine, engine.snapshot(day).overdue_days)
    assert (days["L1"], days["L4"]) == (l1_days, l4_days)


def test_snapshot_of_a_loan_not_live_is_not_overdue(engine: Engine) -> None:
    # L2 is graded loss with overdue_since 10 Feb, but written off to zero on 28 Feb
    snap = engine.snapshot(date(2026, 3, 15))
    assert _by_loan(engine, snap.overdue_days)["L2"] == 0
    assert not _by_loan(engine, snap.live)["L2"]
    assert _by_loan(engine, snap.grade)["L2"] == LOSS
    # on 27 Feb it was live: (27 Feb − 10 Feb) + 1 = 18 days
    assert _by_loan(engine, engine.snapshot(date(2026, 2, 27)).overdue_days)["L2"] == 18


def test_snapshot_is_cached(engine: Engine) -> None:
    assert engine.snapshot(date(2026, 3, 15)) is engine.snapshot(date(2026, 3, 15))


@pytest.mark.parametrize(
    ("item", "day", "expected"),
    [
        (PROVISION, date(2025, 12, 31), None),  # before the first row
        (PROVISION, date(2026, 1, 1), 10_000),  # the row's own day
        (PROVISION, date(2026, 2, 28), 10_000),
        (PROVISION, date(2026, 3, 1), 15_000),  # the latest row ≤ day
        (NET_CAPITAL, date(2026, 1, 31), None),
        (NET_CAPITAL, date(2026, 2, 1), 500_000),
        (NET_CAPITAL, date(2027, 1, 1), 500_000),
    ],
)
def test_bank_figure(engine: Engine, item: int, day: date, expected: int | None) -> None:
    assert engine.bank_figure(item, day) == expected


def test_bank_figure_without_the_file(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path, customers=CUSTOMERS, loans=LOANS,
                          transactions=TRANSACTIONS)
    assert open_ledger(folder).engine.bank_figure(PROVISION, date(2026, 3, 1)) is None


def test_first_day(engine: Engine) -> None:
    # L1's start and first disbursement (5 Jan) are the earliest dates of any table
    assert engine.first_day() == date(2026, 1, 5)


def test_first_day_counts_a_loan_start_before_any_row(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path, customers=CUSTOMERS,
                          loans=LOANS + "L9,C1,B1,王,,credit,10,2025-12-01,2026-12-31,4\n",
                          transactions=TRANSACTIONS, classifications=CLASSIFICATIONS)
    assert open_ledger(folder).engine.first_day() == date(2025, 12, 1)


def test_last_day(engine: Engine) -> None:
    # the latest transaction (L1 drawn again on 2 Apr) is later than any state row
    assert engine.last_day() == date(2026, 4, 2)


def test_dates_before_1970(tmp_path: Path) -> None:
    folder = write_ledger(
        tmp_path, customers=CUSTOMERS,
        loans="L1,C1,B1,王,,credit,1000,1969-12-01,1970-12-01,4",
        transactions="""
        L1,1969-12-01,disburse,1000
        L1,1969-12-31,repay,100
        L1,1970-01-01,repay,200
        """)
    engine = open_ledger(folder).engine
    assert engine.balance(date(1969, 11, 30)).tolist() == [0]
    assert engine.balance(date(1969, 12, 31)).tolist() == [90_000]  # 1,000 − 100
    assert engine.balance(date(1970, 1, 1)).tolist() == [70_000]  # 900 − 200
    assert engine.flow(REPAY, date(1969, 12, 31), date(1970, 1, 1)).tolist() == [30_000]


# --- the engine's (loan, day) ordering: radix passes must equal a stable sort -----------------


@given(st.lists(st.tuples(st.integers(0, 200_000), st.integers(-20_000, 40_000)),
                min_size=1, max_size=300),
       st.booleans())
def test_radix_order_equals_a_stable_sort_of_the_keys(rows: list[tuple[int, int]],
                                                      date_ordered: bool) -> None:
    if date_ordered:  # journals in date order take the shortcut that skips the day pass
        rows = sorted(rows, key=lambda r: r[1])
    loans = np.array([r[0] for r in rows], dtype=np.int32)
    days = np.array([r[1] for r in rows], dtype=np.int32)
    expected = np.argsort(loan_day_keys(loans, days), kind="stable")
    assert (radix_order(loans, days) == expected).all()


@given(st.lists(st.tuples(st.integers(0, 70_000), st.integers(0, 3), st.booleans()),
                min_size=0, max_size=400),
       st.sampled_from(["random", "date order", "long runs"]))
def test_sorted_keys_give_a_stable_order_whatever_the_file_order(
        rows: list[tuple[int, int, bool]], layout: str) -> None:
    """Timsort (long runs) and radix passes (otherwise) must both equal a stable sort of
    the valid rows; invalid rows are left out."""
    if layout == "date order":
        rows = sorted(rows, key=lambda r: r[1])
    elif layout == "long runs":  # each day's loans ascending, as sequential ids give
        rows = sorted(rows, key=lambda r: (r[1], r[0]))
    loans = np.array([r[0] for r in rows], dtype=np.int32)
    days = np.array([r[1] for r in rows], dtype=np.int32)
    valid = np.array([r[2] for r in rows], dtype=bool)
    row_ids = np.arange(len(rows))
    keys, pick = sorted_keys(loans, days, valid)
    expected = np.argsort(loan_day_keys(loans[valid], days[valid]), kind="stable")
    assert (pick(row_ids) == row_ids[valid][expected]).all()
    assert (keys == loan_day_keys(loans[valid], days[valid])[expected]).all()


def test_batched_snapshots_equal_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trend's month ends, searched together, give each day's own snapshot."""
    monkeypatch.setattr("reportgen.engine._BATCH_LOANS", 300)  # several blocks of loans
    demo = Path(__file__).resolve().parent.parent / "sample_ledgers" / "demo"
    days = [date(2025, m, 28) for m in range(1, 13)] + [date(2026, 10, 31), date(2023, 1, 1)]
    together = open_ledger(demo).engine.snapshots(days)
    alone = open_ledger(demo).engine
    for snap in together:
        one = alone.snapshot(snap.day)
        for field in ("balance", "live", "grade", "overdue_days", "has_state"):
            assert (getattr(snap, field) == getattr(one, field)).all(), (snap.day, field)


# --- the (loan, day) key holds every accepted date and nothing spills (issue 9) -------------


class TestKeysCannotSpill:
    def test_the_day_field_is_sized_from_the_accepted_range(self) -> None:
        from reportgen import daykeys as module
        from reportgen.ledger.parse import MAX_DAY, MIN_DAY

        assert module._LOWEST_DAY + module.DAY_OFFSET == 0
        assert MAX_DAY + module.DAY_OFFSET < 1 << module.DAY_BITS
        assert (date(1900, 1, 1) - date(1970, 1, 1)).days == MIN_DAY
        assert (date(2199, 12, 31) - date(1970, 1, 1)).days == MAX_DAY

    @pytest.mark.parametrize("day", [(date(2199, 12, 31) - date(1970, 1, 1)).days + 1,
                                     (date(7026, 10, 5) - date(1970, 1, 1)).days,
                                     (date(1899, 12, 30) - date(1970, 1, 1)).days])
    def test_a_day_outside_is_an_internal_error_not_a_spill(self, day: int) -> None:
        from reportgen.errors import InternalError

        loans = np.array([0, 1], dtype=np.int32)
        days = np.array([0, day], dtype=np.int32)
        with pytest.raises(InternalError, match="outside"):
            sorted_keys(loans, days, None)

    def test_the_first_and_last_day_stay_on_their_loan(self, tmp_path: Path) -> None:
        loans = ("L1,C1,B1,王,,credit,1000,1900-01-01,2199-12-31,4\n"
                 "L2,C1,B1,王,,credit,1000,1900-01-01,2199-12-31,4\n")
        transactions = ("L1,2199-12-31,disburse,7\n"
                        "L2,1900-01-01,disburse,5\n")
        engine = open_ledger(write_ledger(tmp_path, customers=CUSTOMERS, loans=loans,
                                          transactions=transactions)).engine
        assert engine.balance(date(1900, 1, 1)).tolist() == [0, 500]
        assert engine.balance(date(2199, 12, 30)).tolist() == [0, 500]
        assert engine.balance(date(2199, 12, 31)).tolist() == [700, 500]
        # query days beyond the range read the nearest edge, never a neighbour's keys
        assert engine.balance(date(9999, 12, 31)).tolist() == [700, 500]
        assert engine.balance(date(1, 1, 1)).tolist() == [0, 0]
        assert engine.flow(DISBURSE, date(1, 1, 1), date(1900, 1, 1)).tolist() == [0, 500]
        assert engine.flow(DISBURSE, date(2199, 12, 31), date(9999, 1, 1)).tolist() == [700, 0]
        assert engine.snapshots([date(9000, 1, 1)])[0].balance.tolist() == [700, 500]


@pytest.mark.parametrize(("start", "end", "l1", "l2", "l4"), [
    # L1: 1,000 from 01-05; on 03-10 −300 +200 (900); 03-31 −900 (0); 04-02 +400.
    # [03-01, 03-31]: 1,000 × 9 days (03-01…03-09) + 900 × 21 (03-10…03-30) + 0 on 03-31;
    # L4 is past maturity but never repaid: 100 every day.
    (date(2026, 3, 1), date(2026, 3, 31), 1000 * 9 + 900 * 21, 0, 100 * 31),
    # [02-20, 03-05]: L2 500 until its 02-28 writeoff (02-20…02-27: 8 days); L4 100 all 14.
    (date(2026, 2, 20), date(2026, 3, 5), 1000 * 14, 500 * 8, 100 * 14),
    # A window before any row: nothing held.
    (date(2025, 12, 1), date(2025, 12, 31), 0, 0, 0),
    # One day: the end-of-day balance.
    (date(2026, 4, 2), date(2026, 4, 2), 400, 0, 100),
])
def test_day_sums_by_hand(engine: Engine, start: date, end: date, l1: int, l2: int,
                          l4: int) -> None:
    """Σ over the window's days of each loan's end-of-day balance (yuan·days × 100)."""
    got = _by_loan(engine, engine.day_sums(start, end))
    assert (got["L1"], got["L2"], got["L4"]) == (l1 * 100, l2 * 100, l4 * 100)
    assert got["L3"] == 0  # no transactions
