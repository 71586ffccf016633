"""DataFrames → raw tables: every dtype a bank's frame may hold, read exactly or refused
with the frame, row label and column."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import reportgen
from reportgen.api import Session
from reportgen.errors import LedgerError
from reportgen.ledger.frames import raw_from_frames


def _frames() -> dict[str, pd.DataFrame]:
    """One loan of 1000.00 yuan, disbursed 5 Jan 2026, 250.50 repaid 10 Mar."""
    return {
        "customers": pd.DataFrame({
            "customer_id": ["C1"], "customer_name": ["甲公司"], "customer_type": ["corporate"],
            "enterprise_size": ["small"], "industry": ["C"]}),
        "loans": pd.DataFrame({
            "loan_id": ["L1"], "customer_id": ["C1"], "branch": ["城东"],
            "account_manager": ["0107"], "guarantee": ["credit"],
            "contract_amount": ["1000.00"], "start_date": ["2026-01-05"],
            "maturity_date": ["2027-01-05"], "rate": ["4.35"]}),
        "transactions": pd.DataFrame({
            "loan_id": ["L1", "L1"], "date": ["2026-01-05", "2026-03-10"],
            "type": ["disburse", "repay"], "amount": ["1000.00", "250.50"]}),
        "classifications": pd.DataFrame({
            "loan_id": ["L1"], "date": ["2026-01-05"], "grade": ["normal"]}),
    }


def _open(**frames: Any) -> Session:
    """open_frames with the data date of the month end the reports below end on."""
    return reportgen.open_frames(**frames, as_of=date(2026, 3, 31))


def _balance(session: Session) -> int:
    from reportgen.api import build
    from reportgen.config import Config

    return build(session, "monthly", "2026-03", Config()).sections.summary.balance


def _with(table: str, column: str, values: Any, index: Any = None) -> dict[str, pd.DataFrame]:
    frames = _frames()
    frame = frames[table].copy()
    if index is not None:
        frame.index = index
    frame[column] = values
    frames[table] = frame
    return frames


@pytest.mark.parametrize("amounts", [
    ["1000.00", "250.50"],  # text
    [1000.0, 250.5],  # float64 whose shortest decimal has ≤ 2 places
    [Decimal("1000"), Decimal("250.50")],  # Decimal objects of different scales
    [Decimal("1000.000"), Decimal("250.5")],  # one Arrow scale: "1000.000" is 1000 yuan
    ["¥1,000.00", 250.5],  # mixed text and float in one object column
    pd.array([1000, 250], dtype="Int64"),  # nullable integers: whole yuan (250 here)
    pd.array(["1000.00", "250.50"], dtype="string[pyarrow]"),
    pd.array(["1000.00", "250.50"], dtype=pd.ArrowDtype(pa.large_string())),
    pd.array([Decimal("1000"), Decimal("250.5")], dtype=pd.ArrowDtype(pa.decimal128(18, 3))),
    pd.array([1000.0, 250.5], dtype=pd.ArrowDtype(pa.float64())),
    pd.array([1000.0, 250.5], dtype="Float64"),
], ids=["text", "float", "decimal", "decimal-scales", "mixed", "Int64", "string-pyarrow",
        "arrow-large-string", "arrow-decimal", "arrow-double", "Float64"])
def test_money_columns_read_exactly(amounts: Any) -> None:
    session = _open(**_with("transactions", "amount", amounts))
    repaid = 25000 if getattr(amounts, "dtype", None) == "Int64" else 25050
    assert _balance(session) == 100000 - repaid


@pytest.mark.parametrize(("value", "message"), [
    (0.1 + 0.2, "more than 15 significant digits"),  # float arithmetic, not a typed value
    (250.505, "more than 2 decimals"),
    (1e20, "more than 15 significant digits"),
    (Decimal("250.505"), "more than 2 decimals"),
    ("250.5x", "not a money amount"),
    (float("nan"), "must not be blank"),
])
def test_inexact_or_bad_money_is_refused_naming_the_cell(value: Any, message: str) -> None:
    amounts = pd.Series(["1000.00", value], index=["t-1", "t-2"], dtype=object)
    if isinstance(value, float):
        amounts = pd.Series([1000.0, value], index=["t-1", "t-2"])
    frames = _with("transactions", "amount", amounts, index=["t-1", "t-2"])
    with pytest.raises(LedgerError) as caught:
        _open(**frames)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert str(problems[0]).startswith(
        "frame transactions, row label 't-2', column amount: ")
    assert message in problems[0].message


@pytest.mark.parametrize("dates", [
    ["2026-01-05", "2026-03-10"],
    ["2026/1/5", "20260310"],
    [date(2026, 1, 5), date(2026, 3, 10)],
    pd.to_datetime(["2026-01-05 00:00", "2026-03-10 14:30"]),  # a time of day: that day
    np.array(["2026-01-05", "2026-03-10"], dtype="datetime64[s]"),
    [datetime(2026, 1, 5, 9), "2026-03-10"],  # mixed datetime and text
    pd.to_datetime(["2026-01-05 00:00", "2026-03-10 00:30"]).tz_localize("Asia/Shanghai"),
    pd.array([date(2026, 1, 5), date(2026, 3, 10)], dtype=pd.ArrowDtype(pa.date32())),
    pd.array(pd.to_datetime(["2026-01-05 00:00", "2026-03-10 14:00"]),
             dtype=pd.ArrowDtype(pa.timestamp("us", tz="Asia/Shanghai"))),
], ids=["iso", "other-forms", "date", "datetime64-time", "datetime64-s", "mixed", "tz-aware",
        "arrow-date32", "arrow-timestamp-tz"])
def test_date_columns(dates: Any) -> None:
    session = _open(**_with("transactions", "date", dates))
    assert _balance(session) == 74950


def test_optional_date_may_be_nat() -> None:
    frames = _with("classifications", "overdue_since", pd.to_datetime([None]))
    assert _balance(_open(**frames)) == 74950


@pytest.mark.parametrize(("column", "values", "shown"), [
    ("customer_id", [101], "101"),  # an integer id column
    ("customer_id", [101.0], "101"),  # an integer id read as float (nulls elsewhere)
    ("account_manager", pd.Categorical(["0107"]), "0107"),
])
def test_text_columns_from_numbers_and_categories(column: str, values: Any, shown: str
                                                  ) -> None:
    frames = _with("loans", column, values)
    if column == "customer_id":
        frames = {**frames, "customers": frames["customers"].assign(customer_id=values)}
    raw = raw_from_frames(frames)
    assert raw.tables["loans"].columns[column].to_pylist() == [shown]
    _open(**frames)


def test_chinese_column_names_are_read() -> None:
    frames = _frames()
    frames["transactions"] = frames["transactions"].rename(columns={
        "loan_id": "借据号", "date": "日期", "type": "类型", "amount": "金额"})
    assert _balance(_open(**frames)) == 74950


def test_missing_frame_column_and_ambiguous_columns_all_reported() -> None:
    frames = _frames()
    frames["loans"] = frames["loans"].drop(columns=["rate"])
    frames["transactions"] = frames["transactions"].assign(金额=["1", "2"])
    del frames["classifications"]
    with pytest.raises(LedgerError) as caught:
        _open(**frames)
    lines = [str(p) for p in caught.value.problems]
    assert "frame loans, column rate: missing column (name it rate or 年利率)" in lines
    assert any(line.startswith("frame transactions, column 金额: two columns for amount")
               for line in lines)
    assert any(line.startswith("frame classifications: required frame missing")
               for line in lines)


def test_cross_table_errors_name_row_labels() -> None:
    frames = _with("transactions", "loan_id", ["L1", "L9"], index=[10, 20])
    with pytest.raises(LedgerError, match=r"frame transactions, row label 20, column loan_id: "
                                          r"no such loan_id in loans \(value 'L9'\)"):
        _open(**frames)


def test_the_digest_follows_the_data() -> None:
    one = raw_from_frames(_frames()).sha256
    assert one == raw_from_frames(_frames()).sha256
    assert one != raw_from_frames(_with("transactions", "amount", ["1000.00", "250.51"])).sha256


@pytest.mark.parametrize(("value", "text"), [
    (1234567890123.45, "1234567890123.45"),  # 15 significant digits: exact
    (12345678901.45, "12345678901.45"),  # Arrow would write 1.234567890145e+10
    (0.00001, "0.00001"),  # and 1e-05
    (-0.05, "-0.05"),
    (0.000123456789012345, "0.000123456789012345"),  # 15 digits after the zeros
    (4.35, "4.35"),
    (100.0, "100"),
    (-250.0, "-250"),
    (123456789012345.0, "123456789012345"),
    (float("nan"), None),
])
def test_floats_within_15_digits_are_their_shortest_decimal(value: float, text: str | None
                                                            ) -> None:
    frames = _with("transactions", "amount", [1000.0, value])
    raw = raw_from_frames(frames)
    assert raw.tables["transactions"].columns["amount"].to_pylist() == ["1000", text]
    assert raw.tables["transactions"].row_problems == ()


@pytest.mark.parametrize("value", [12345678901234.56, 0.1 + 0.2, 1e15 + 0.5, 1e-7 / 3,
                                   -1234567.123456789, float("inf")])
def test_floats_beyond_15_digits_are_refused(value: float) -> None:
    raw = raw_from_frames(_with("transactions", "amount", [1000.0, value]))
    problems = raw.tables["transactions"].row_problems
    if value == float("inf"):  # not a number at all: parse.py says so
        assert problems == ()
        return
    assert [(p.row, p.column) for p in problems] == [(1, "amount")]
    assert "more than 15 significant digits" in problems[0].message
    assert raw.tables["transactions"].columns["amount"].to_pylist()[1] is None


@pytest.mark.parametrize("dates", [
    pd.to_datetime(["2026-01-05 00:00", "2026-03-10 00:30"]).tz_localize("Asia/Shanghai"),
    pd.Series([pd.Timestamp("2026-01-05 23:59"), pd.Timestamp("2026-03-10 07:00")],
              dtype=object),
], ids=["tz-aware", "timestamps-as-objects"])
def test_a_timestamp_is_its_wall_clock_day(dates: Any) -> None:
    raw = raw_from_frames(_with("transactions", "date", dates))
    assert raw.tables["transactions"].columns["date"].to_pylist() == [
        date(2026, 1, 5), date(2026, 3, 10)]


@pytest.mark.parametrize(("column", "values", "message"), [
    ("date", ["2026-01-05", "2026-04-10"], "dated after the data date 2026-03-31"),
    ("amount", ["1000.00", "2000.00"], "the loan's balance goes below zero"),
    ("type", ["disburse", "收回"], None),  # a Chinese label is valid: no error
])
def test_journal_rules_name_row_labels(column: str, values: list[str], message: str | None
                                       ) -> None:
    frames = _with("transactions", column, values, index=["t-a", "t-b"])
    if message is None:
        _open(**frames)
        return
    with pytest.raises(LedgerError) as caught:
        _open(**frames)
    assert str(caught.value.problems[0]).startswith(
        f"frame transactions, row label 't-b', column {column}: {message}")


@pytest.mark.parametrize("values", [[[1], [2]], [{"yuan": 1}, {"yuan": 2}]], ids=["list", "struct"])
def test_a_column_no_cell_can_be_is_refused_once_naming_it(values: Any) -> None:
    # The same rule as a Parquet column (ledger/typed_text.py), once, not once a row.
    amounts = pd.Series(values, index=["t-1", "t-2"], dtype=object)
    frames = _with("transactions", "amount", amounts, index=["t-1", "t-2"])
    with pytest.raises(LedgerError) as caught:
        _open(**frames)
    (problem,) = caught.value.problems
    assert str(problem).startswith("frame transactions, column amount: a column of ")
    assert "no cell of it can be read" in str(problem)
