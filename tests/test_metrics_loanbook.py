"""reportgen/metrics/loanbook.py: the 借据明细's live loans on D, in loan id order, with
their text kept as Arrow (``model.TextColumn``) — never the ledger's million-cell text
columns turned into Python strings.

The ledger below (monthly 2026-06, D = 30 Jun): L3 is repaid in full on 20 Jun (not live);
the others are live.  Their ids are written out of order and with text that sorts by code
point ("L10" < "L2" < "Lä" < "L一"), so the expected order is worked out by hand.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from reportgen.model import LoanBook, Report, TextColumn

MakeReport = Callable[..., Report]

CUSTOMERS = """
C1,=甲公司,corporate,small,C,,,
C2, 乙 ,individual,,A,,,
"""
LEDGER = {
    "customers": CUSTOMERS,
    "loans": """
        L2,C1,城东支行,王,经营贷,credit,100000,2025-06-30,2027-06-30,4
        L一,C2,城西支行,李,,mortgage,200000,2025-06-15,2027-06-15,4
        L3,C2,城西支行,李,,credit,50000,2026-06-02,2026-12-10,4
        L10,C1,城东支行,王,经营贷,credit,30000,2025-05-31,2027-05-31,4
        Lä,C2,城西支行,赵,消费贷,credit,70000,2025-07-30,2027-07-30,4
        """,
    "transactions": """
        L2,2025-06-30,disburse,100000
        L一,2025-06-15,disburse,200000
        L3,2026-06-02,disburse,50000
        L3,2026-06-20,repay,50000
        L10,2025-05-31,disburse,30000
        Lä,2025-07-30,disburse,70000
        Lä,2026-06-30,repay,0.01
        """,
}


@pytest.fixture
def book(report_from: MakeReport) -> LoanBook:
    report = report_from("monthly", "2026-06", **LEDGER)
    assert report.loans is not None
    return report.loans


def test_live_loans_in_id_order_with_their_text(book: LoanBook) -> None:
    assert list(book.loan_id) == ["L10", "L2", "Lä", "L一"]  # L3 repaid: not live
    assert list(book.customer_id) == ["C1", "C1", "C2", "C2"]
    assert list(book.customer_name) == ["=甲公司", "=甲公司", "乙", "乙"]  # trimmed on load
    assert list(book.branch) == ["城东支行", "城东支行", "城西支行", "城西支行"]
    assert list(book.account_manager) == ["王", "王", "赵", "李"]
    assert list(book.product) == ["经营贷", "经营贷", "消费贷", ""]
    assert book.guarantee == ["credit", "credit", "credit", "mortgage"]
    assert book.balance.tolist() == [3_000_000, 10_000_000, 6_999_999, 20_000_000]  # fen
    rows = list(book.rows())
    assert rows[2][:3] == ("Lä", "C2", "乙")
    assert len(rows) == 4


def test_the_ledgers_text_columns_are_not_turned_into_python_strings(
        tmp_path: Path) -> None:
    """The ledger converts a text column to a numpy array of ``str`` (kept for the run)
    when it is asked for one; the loan book asks for none."""
    from ledgers import write_ledger

    from reportgen.api import build, open_ledger
    from reportgen.config import Config

    session = open_ledger(write_ledger(tmp_path / "ledger", **LEDGER), as_of=date(2026, 6, 30))
    report = build(session, "monthly", "2026-06", Config(), formats=["xlsx"])
    assert report.loans is not None
    assert len(report.loans) == 4
    for table, names in ((session.ledger.loans, ("loan_id", "branch", "account_manager",
                                                 "product")),
                         (session.ledger.customers, ("customer_id", "customer_name"))):
        assert not set(names) & set(table.values), table.values.keys()


@pytest.mark.parametrize("column", ["loan_id", "customer_id", "customer_name", "branch",
                                    "account_manager", "product"])
def test_text_columns_are_arrow(book: LoanBook, column: str) -> None:
    values = getattr(book, column)
    assert isinstance(values, TextColumn)
    assert isinstance(values.array, pa.Array)


def test_text_column_reads_as_a_list_of_str() -> None:
    column = TextColumn(pa.chunked_array([["a", ""], ["=b", "中"]]))
    assert len(column) == 4
    assert column[0] == "a"
    assert column[-1] == "中"
    assert list(column) == ["a", "", "=b", "中"]
    assert column == ["a", "", "=b", "中"]
    assert isinstance(column[1:3], TextColumn)
    assert list(column[1:3]) == ["", "=b"]
    assert list(column[::2]) == ["a", "=b"]
    assert list(column[5:9]) == []
    assert set(column) == {"a", "", "=b", "中"}
    again: Any = pickle.loads(pickle.dumps(column))
    assert again == column
    assert list(again) == list(column)
    assert column != TextColumn(pa.array(["a"]))
