"""A Parquet deposit_balances' account ids are read as Parquet stores them (a dictionary
per row group and an index per row, reportgen/ledger/read.py ``_coded_columns``): the
trim, the blanks, the too-long cells and the join to deposit_accounts look at each
dictionary value once.  The ledger must read exactly as the same rows written as CSV:
the same book, and the same problems (file aside) with the same rows and values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ledgers import write_ledger

from reportgen.deposit_engine import DepositBook
from reportgen.errors import LedgerError
from reportgen.ledger.load import load_ledger
from reportgen.ledger.read import read_raw

BASE = {
    "customers": "C1,甲,corporate,small,C,,,",
    "loans": "L1,C1,B1,王,,credit,100,2026-01-01,2027-01-01,4",
    "transactions": "L1,2026-01-01,disburse,100",
    "deposit_accounts": "A1,,B1,王,individual_demand\nA2,C1,B1,王,margin",
}


def _both(tmp_path: Path, rows: list[tuple[str | None, str, str]]) -> tuple[Path, Path]:
    """The same balance rows as CSV and as Parquet (typed date and decimal balance, the
    ids written with Parquet's dictionary encoding, in row groups of two rows)."""
    text = "\n".join(f"{'' if a is None else a},{d},{b}" for a, d, b in rows)
    as_csv = write_ledger(tmp_path / "csv", deposit_balances=text, **BASE)
    as_parquet = write_ledger(tmp_path / "pq", deposit_balances=text, **BASE)
    (as_parquet / "deposit_balances.csv").unlink()
    table = pa.table({
        "account_id": pa.array([a for a, _, _ in rows], pa.string()),
        "date": pa.array([date.fromisoformat(d) for _, d, _ in rows], pa.date32()),
        "balance": pa.array([b for _, _, b in rows]).cast(pa.decimal128(18, 2)),
    })
    pq.write_table(table, as_parquet / "deposit_balances.parquet", row_group_size=2,
                   use_dictionary=True)
    return as_csv, as_parquet


def _problems(folder: Path) -> list[tuple[int | None, str | None, str | None, str]]:
    with pytest.raises(LedgerError) as caught:
        load_ledger(folder).problems.raise_if_any()
    return [(p.row, p.column, p.value, p.message) for p in caught.value.problems]


def test_ids_with_blanks_read_as_in_the_csv(tmp_path: Path) -> None:
    rows = [(" A1", "2026-03-01", "10.00"), ("A1 ", "2026-03-02", "20.00"),
            ("A2", "2026-03-01", "5.00"), ("\u3000A2", "2026-03-05", "7.00")]
    as_csv, as_parquet = _both(tmp_path, rows)
    ids = read_raw(as_parquet).tables["deposit_balances"].columns["account_id"]
    assert pa.types.is_dictionary(ids.type)  # the coded path, a dictionary per row group
    assert ids.num_chunks == 2
    books = [DepositBook(load_ledger(f)) for f in (as_csv, as_parquet)]
    # Worked by hand, 1–5 March: A1 holds 10 on the 1st, then 20 for four days = 90 yuan·days;
    # A2 holds 5 for four days, then 7 on the 5th = 27 yuan·days.
    for book in books:
        assert book.day_sum(date(2026, 3, 1), date(2026, 3, 5)).fen_days.tolist() == [
            90_00, 27_00]


def test_unknown_and_blank_ids_are_the_same_problems(tmp_path: Path) -> None:
    rows = [("A1", "2026-03-01", "10.00"), ("A9", "2026-03-01", "1.00"),
            (None, "2026-03-02", "2.00"), ("A2", "2026-03-01", "5.00"),
            ("A9", "2026-03-02", "3.00"), ("  ", "2026-03-03", "4.00")]
    as_csv, as_parquet = _both(tmp_path, rows)
    expected = [
        (4, "account_id", None, "must not be blank"),
        (7, "account_id", None, "must not be blank"),
        (3, "account_id", "A9", "no such account_id in deposit_accounts"),
        (6, "account_id", "A9", "no such account_id in deposit_accounts"),
    ]
    assert sorted(_problems(as_csv)) == sorted(expected)
    assert sorted(_problems(as_parquet)) == sorted(expected)


def test_a_too_long_id_is_named_once_per_cell(tmp_path: Path) -> None:
    long = "A" * 32_768
    rows = [("A1", "2026-03-01", "10.00"), (long, "2026-03-01", "1.00"),
            (long, "2026-03-02", "2.00")]
    as_csv, as_parquet = _both(tmp_path, rows)
    csv_problems, parquet_problems = _problems(as_csv), _problems(as_parquet)
    assert [p[0] for p in parquet_problems if "longer than" in p[3]] == [3, 4]
    assert parquet_problems == csv_problems
