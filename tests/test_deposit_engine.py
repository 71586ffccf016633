"""reportgen/deposit_engine.py: carry-forward balances and day sums (积数) against a
day-by-day count done by hand in the test (a Python loop over days is fine here, on a few
accounts: it is the definition the engine must equal without looping)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledgers import write_ledger

from reportgen.deposit_engine import DepositBook, _account_rows
from reportgen.ledger.load import load_ledger

BASE = {
    "customers": "C1,甲,corporate,small,C,,,",
    "loans": "L1,C1,B1,王,,credit,100,2026-01-01,2027-01-01,4",
    "transactions": "L1,2026-01-01,disburse,100",
}
KINDS = ("individual_demand", "individual_time", "corporate_demand", "margin")


def _history(seed: int) -> dict[str, list[tuple[date, int]]]:
    """A few accounts with change rows at random days (fen), some closed, some late."""
    rng = random.Random(seed)
    out: dict[str, list[tuple[date, int]]] = {}
    for a in range(5):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 90))
        rows = []
        for _ in range(rng.randrange(1, 6)):
            rows.append((day, rng.randrange(0, 10_000_00)))
            day += timedelta(days=rng.randrange(1, 40))
        out[f"A{a}"] = rows
    return out


def _book(tmp_path: Path, history: dict[str, list[tuple[date, int]]],
          shuffle: bool = False, parquet: str = "") -> DepositBook:
    accounts = "\n".join(f"{a},,B1,王,{KINDS[i % len(KINDS)]}" for i, a in enumerate(history))
    rows = [f"{a},{d.isoformat()},{fen // 100}.{fen % 100:02d}"
            for a, hist in history.items() for d, fen in hist]
    if shuffle:  # an export in any order reads the same
        random.Random(0).shuffle(rows)
    folder = write_ledger(tmp_path / "l", deposit_accounts=accounts,
                          deposit_balances="\n".join(rows), **BASE)
    if parquet:
        _as_typed_parquet(folder / "deposit_balances.csv", parquet)
    return DepositBook(load_ledger(folder))


def _as_typed_parquet(csv: Path, balance: str) -> None:
    """The balances as a warehouse writes them: a date32 date and a typed balance in yuan
    (a decimal with two places, or one with one place, or a whole-yuan integer), in place
    of the CSV file."""
    table = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(column_types={
        "account_id": pa.string(), "date": pa.date32(), "balance": pa.string()}))
    yuan = [Decimal(v) for v in table.column("balance").to_pylist()]
    column = {"decimal2": pa.array(yuan, pa.decimal128(18, 2)),
              "decimal1": pa.array([v.quantize(Decimal("0.1"), ROUND_DOWN) for v in yuan],
                                   pa.decimal128(12, 1)),
              "int64": pa.array([int(v) for v in yuan], pa.int64())}[balance]
    pq.write_table(table.set_column(2, "balance", column), csv.with_suffix(".parquet"))
    csv.unlink()


def _bal(hist: list[tuple[date, int]], day: date) -> int:
    held = [fen for d, fen in hist if d <= day]
    return held[-1] if held else 0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("shuffle", [False, True])
def test_balances_and_day_sums_equal_the_day_by_day_count(tmp_path: Path, seed: int,
                                                          shuffle: bool) -> None:
    history = _history(seed)
    book = _book(tmp_path, history, shuffle)
    windows = [(date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 10), date(2026, 5, 3)),
               (date(2025, 12, 1), date(2026, 1, 5)), (date(2026, 3, 15), date(2026, 3, 15)),
               (date(2026, 6, 1), date(2026, 12, 31))]
    for start, end in windows:
        window = book.day_sum(start, end)
        assert window.days == (end - start).days + 1
        for i, hist in enumerate(history.values()):
            days = [start + timedelta(days=k) for k in range(window.days)]
            assert int(window.fen_days[i]) == sum(_bal(hist, d) for d in days), (start, end)
            assert int(book.balance(end)[i]) == _bal(hist, end)


def test_before_the_first_row_an_account_holds_zero(tmp_path: Path) -> None:
    book = _book(tmp_path, {"A0": [(date(2026, 3, 10), 500_00)],
                            "A1": [(date(2026, 3, 1), 100_00)]})
    assert book.balance(date(2026, 3, 9)).tolist() == [0, 100_00]
    assert book.first_day() == date(2026, 3, 1)
    assert not book.known(date(2026, 2, 28))
    # 1–31 March: A0 holds 500 for 22 days; A1 100 for 31 days
    assert book.day_sum(date(2026, 3, 1), date(2026, 3, 31)).fen_days.tolist() == [
        22 * 500_00, 31 * 100_00]


@pytest.mark.parametrize("balance", ["decimal2", "decimal1", "int64"])
@pytest.mark.parametrize("seed", range(3))
def test_typed_parquet_balances_give_the_day_by_day_count(tmp_path: Path, seed: int,
                                                          balance: str) -> None:
    """A Parquet deposit_balances with typed columns skips the text parse and gives the
    same book (the amounts cut to what the typed column holds)."""
    history = _history(seed)
    cut = {"decimal2": lambda fen: fen, "decimal1": lambda fen: fen - fen % 10,
           "int64": lambda fen: fen - fen % 100}[balance]
    typed = {a: [(d, cut(fen)) for d, fen in hist] for a, hist in history.items()}
    book = _book(tmp_path, history, parquet=balance)
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    window = book.day_sum(start, end)
    for i, hist in enumerate(typed.values()):
        days = [start + timedelta(days=k) for k in range(window.days)]
        assert int(window.fen_days[i]) == sum(_bal(hist, d) for d in days)
        assert int(book.balance(end)[i]) == _bal(hist, end)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=40), st.integers(0, 3))
def test_account_rows_are_each_accounts_range_of_the_sorted_rows(ids: list[int],
                                                                  more: int) -> None:
    """Accounts without rows (before, between and after the others) get an empty range
    where they would be; the ranges are what counting the rows gives."""
    account = np.array(sorted(ids), dtype=np.int32)
    n = (max(ids) + 1 if ids else 0) + more
    start, end = _account_rows(account, n)
    counts = [ids.count(a) for a in range(n)]
    assert end.tolist() == [sum(counts[:a + 1]) for a in range(n)]
    assert start.tolist() == [sum(counts[:a]) for a in range(n)]
