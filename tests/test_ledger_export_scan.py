"""Finding the header row of an export and comparing its titles with known names."""

from __future__ import annotations

import pytest

from reportgen.ledger.export_scan import header_row, normalise
from reportgen.ledger.propose import known_names


@pytest.mark.parametrize(("head", "row"), [
    ([["某银行借据明细"], ["借据号", "客户号", "发放日期"]], 2),
    ([["某银行借据明细"], [""], ["单位：元"], ["借据编号", "客户编号", "贷款余额"]], 4),
    ([["报表"], ["甲", "乙", "丙"], ["1", "2", "3"]], 2),  # nothing known: the widest row
    ([["借据号", "金额"]], 1),
])
def test_header_row(head: list[list[str]], row: int) -> None:
    assert header_row(head, known_names()) == row


@pytest.mark.parametrize(("title", "expected"), [
    ("执行利率(%)", "执行利率"), ("执行利率（%）", "执行利率"), (" 借据 号 ", "借据号"),
    ("\ufeff借据号", "借据号"), ("发生额(元)", "发生额"), ("Loan_ID", "loan_id"),
])
def test_normalise(title: str, expected: str) -> None:
    assert normalise(title) == expected
