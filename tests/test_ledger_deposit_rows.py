"""deposit_balances.csv is numbered 2, 3, … without counting its lines first (at a million
accounts the count is 0.6 s of CPU, and no report shows a balance row): the lines are
counted only when a problem names one of its rows, and the rows are then the
spreadsheet's own, whatever blank lines or multi-line values came before."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgers import write_ledger

from reportgen import api
from reportgen.errors import LedgerError

BASE = {
    "customers": "C1,甲,corporate,small,C,,,",
    "loans": "L1,C1,B1,王,,credit,100,2026-01-01,2027-01-01,4",
    "transactions": "L1,2026-01-01,disburse,100",
    "deposit_accounts": 'A1,,B1,王,individual_demand\nA2,C1,B1,王,margin',
}
HEADER = "account_id,date,balance"


def _rows(tmp_path: Path, body: str) -> list[tuple[int | None, str | None, str]]:
    folder = write_ledger(tmp_path / "l", deposit_balances="A1,2026-03-01,1.00", **BASE)
    (folder / "deposit_balances.csv").write_bytes(f"{HEADER}\n{body}".encode())
    with pytest.raises(LedgerError) as caught:
        api.open_ledger(folder)
    return [(p.row, p.column, p.message) for p in caught.value.problems
            if p.file == "deposit_balances.csv"]


@pytest.mark.parametrize(("body", "row"), [
    # Rows 2–4 plain; the bad balance on row 4.
    ("A1,2026-03-01,1.00\nA2,2026-03-01,2.00\nA2,2026-03-02,x\n", 4),
    # A blank line (row 3) before it: the bad balance is on row 5.
    ("A1,2026-03-01,1.00\n\nA2,2026-03-01,2.00\nA2,2026-03-02,x\n", 5),
    # Two blank lines, CRLF: row 6.
    ("A1,2026-03-01,1.00\r\n\r\nA2,2026-03-01,2.00\r\n\r\nA2,2026-03-02,x\r\n", 6),
    # A quoted id written over two lines before it: one spreadsheet row (3), as Excel
    # shows it, so the bad balance is on row 5 (the sixth line).
    ('A1,2026-03-01,1.00\n"A\n9",2026-03-01,2.00\nA2,2026-03-01,2.00\nA2,2026-03-02,x\n', 5),
    # Blank lines at the very end shift nothing.
    ("A1,2026-03-01,1.00\nA2,2026-03-01,2.00\nA2,2026-03-02,x\n\n\n", 4),
])
def test_a_bad_balance_is_named_on_its_spreadsheet_row(tmp_path: Path, body: str,
                                                       row: int) -> None:
    found = _rows(tmp_path, body)
    assert [r for r, column, _ in found if column == "balance"] == [row]


def test_every_kind_of_problem_gets_the_true_row(tmp_path: Path) -> None:
    # Worked by hand: the blank line is row 3, so the records are on rows 2, 4, 5, 6.
    body = ("A1,2026-03-01,1.00\n\nA9,2026-03-01,2.00\nA2,2026-03-01,-3.00\n"
            "A2,2026-03-01,4.00\n")
    found = _rows(tmp_path, body)
    assert (4, "account_id", "no such account_id in deposit_accounts") in found
    assert (5, "balance", "must not be negative") in found
    assert any(r == 6 and column == "date" for r, column, _ in found)  # the second A2 row


def test_the_lines_are_not_counted_while_nothing_needs_them(tmp_path: Path) -> None:
    from reportgen.ledger.read import read_raw

    folder = write_ledger(tmp_path / "l", deposit_balances="A1,2026-03-01,1.00", **BASE)
    (folder / "deposit_balances.csv").write_bytes(
        f"{HEADER}\nA1,2026-03-01,1.00\n\nA2,2026-03-01,2.00\n".encode())
    raw = read_raw(folder).tables["deposit_balances"]
    assert raw.row_numbers is None  # numbered 2, 3 for now
    assert raw.renumber is not None
    assert raw.renumber().tolist() == [2, 4]  # the count, when asked: a blank row 3
    assert read_raw(folder).tables["loans"].renumber is None  # counted as read
