"""Typed columns of a Parquet ledger (reportgen/ledger/typed_text.py): a database's
NUMERIC(20,4) money, tz-aware timestamps, dictionary codes and bytes are read as the text
they show; a column no cell can be is a data error naming it, never an unexpected error.

The ledger is badinput's: on 2026-10-31 loan L1 owes 500,000 − 100,000 and L2 owes
100,000 − 20,000, so the bank's balance is 480,000.00 yuan whatever the columns' types.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import badinput
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from badinput import Expected

from reportgen.ledger.typed_text import NotTextError, as_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROWS = [("L1", date(2025, 1, 15), "disburse", "500000"),
        ("L1", date(2026, 6, 1), "repay", "100000"),
        ("L2", date(2026, 3, 1), "disburse", "100000"),
        ("L2", date(2026, 8, 1), "repay", "20000")]


def _journal(folder: Path, **columns: pa.Array) -> Path:
    (folder / "transactions.csv").unlink()
    loans, days, kinds, amounts = zip(*ROWS, strict=True)
    table = {"loan_id": pa.array(loans), "date": pa.array(days, pa.date32()),
             "type": pa.array(kinds), "amount": pa.array(amounts)} | columns
    pq.write_table(pa.table(table), folder / "transactions.parquet")
    return folder


def _balance(report: Path) -> str:
    return str(json.loads(report.read_text(encoding="utf-8"))["sections"]["summary"]["balance"])


@pytest.mark.parametrize("amount", [
    pa.array([Decimal(r[3]) for r in ROWS], pa.decimal128(20, 4)),  # NUMERIC(20,4)
    pa.array([Decimal(r[3]) for r in ROWS], pa.decimal128(38, 10)),
    pa.array([float(r[3]) for r in ROWS], pa.float64()),
    pa.array([int(r[3]) for r in ROWS], pa.int64()),
    pa.array([r[3] for r in ROWS], pa.large_string()),
], ids=["decimal-20-4", "decimal-38-10", "float", "integer-yuan", "large-string"])
def test_money_of_any_exact_type_gives_the_hand_worked_balance(
        tmp_path: Path, amount: pa.Array) -> None:
    folder = _journal(badinput.ledger(tmp_path / "l"), amount=amount)
    assert _balance(badinput.accepted(folder, tmp_path)) == "480000.00"


def test_a_tz_aware_timestamp_is_its_own_wall_clock_day(tmp_path: Path) -> None:
    # 00:00 on 1 November in Shanghai is 31 October 16:00 in UTC.  Read as its own day it
    # lies after the data date (31 October) and is refused; read in UTC it would slip into
    # October's figures unnoticed.
    stamps = [datetime(2025, 1, 15, tzinfo=SHANGHAI), datetime(2026, 6, 1, tzinfo=SHANGHAI),
              datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 11, 1, tzinfo=SHANGHAI)]
    folder = _journal(badinput.ledger(tmp_path / "l"),
                      date=pa.array(stamps, pa.timestamp("us", tz="Asia/Shanghai")))
    result = badinput.generate(folder, tmp_path / "out")  # declared complete to 31 October
    assert result.exit_code == 3, result.output
    assert ("transactions.parquet, row 5, column date: dated after the data date 2026-10-31"
            in result.stderr), result.stderr
    assert "(value '2026-11-01')" in result.stderr


def test_a_fourth_decimal_that_is_not_zero_is_still_refused(tmp_path: Path) -> None:
    amounts = [Decimal("500000.0000"), Decimal("100000.0050"), Decimal("100000"),
               Decimal("20000")]
    folder = _journal(badinput.ledger(tmp_path / "l"),
                      amount=pa.array(amounts, pa.decimal128(20, 4)))
    badinput.rejected(folder, tmp_path, Expected(
        "transactions.parquet, row 3, column amount", "more than 2 decimals"))


@pytest.mark.parametrize(("column", "message"), [
    (pa.array([[1]] * 4), "a column of list<element: int64> values"),
    (pa.array([{"yuan": 1}] * 4), "a column of struct<yuan: int64> values"),
    (pa.array([b"\xff\xfe"] * 4, pa.binary()), "a binary column whose bytes are not UTF-8"),
], ids=["list", "struct", "binary-not-utf8"])
def test_a_column_no_cell_can_be_is_named(tmp_path: Path, column: pa.Array,
                                           message: str) -> None:
    folder = _journal(badinput.ledger(tmp_path / "l"), amount=column)
    badinput.rejected(folder, tmp_path, Expected("transactions.parquet, column amount", message))


def test_as_text_keeps_what_a_csv_would_show() -> None:
    assert as_text(pa.array([Decimal("2.5000"), Decimal("3"), None],
                            pa.decimal128(10, 4))).to_pylist() == ["2.5", "3", None]
    assert as_text(pa.array(["a", "b", "a"]).dictionary_encode()).to_pylist() == ["a", "b", "a"]
    assert as_text(pa.array([b"L1"], pa.binary())).to_pylist() == ["L1"]
    assert as_text(pa.nulls(2)).to_pylist() == [None, None]
    with pytest.raises(NotTextError, match="map<string, int64>"):
        as_text(pa.array([[("a", 1)]], pa.map_(pa.string(), pa.int64())))
