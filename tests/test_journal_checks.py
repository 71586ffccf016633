"""reportgen/journal_checks.py: the rules that read the engine's sorted journal.

A disbursement dated before its loan's start_date is new (issue 9); the second state row
for one day and the balance below zero moved here from ledger/validate.py with the same
messages (their cases stay in test_ledger_validate.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import badinput
import pytest
from badinput import Expected
from ledgers import read_tables, write_workbook

from reportgen.api import open_ledger

_MESSAGE = "a disbursement dated before its loan's start_date"


class TestDisbursementBeforeStart:
    @pytest.mark.parametrize(("transactions", "rows", "values"), [
        (badinput.TRANSACTIONS + "L2,2026-02-28,disburse,1000\n", [6], ["2026-02-28"]),
        (badinput.TRANSACTIONS.replace("L2,2026-03-01,disburse", "L2,2026-02-01,disburse"),
         [4], ["2026-02-01"]),
        (badinput.TRANSACTIONS.replace("L1,2025-01-15,disburse", "L1,2025-01-14,发放")
         .replace("L2,2026-03-01,disburse", "L2,1990/3/1,disburse"), [2, 4],
         ["2025-01-14", "1990-03-01"]),
        ("L2,20260101,disburse,5\n" + badinput.TRANSACTIONS, [2], ["2026-01-01"]),
    ], ids=["extra row", "first disbursement early", "two loans, label and slashes",
            "out of order, compact form"])
    def test_csv(self, tmp_path: Path, transactions: str, rows: list[int], values: list[str]
                 ) -> None:
        path = badinput.ledger(tmp_path / "l", transactions=transactions)
        badinput.rejected(path, tmp_path, *(
            Expected(f"transactions.csv, row {row}, column date", _MESSAGE, value)
            for row, value in zip(rows, values, strict=True)))

    def test_workbook(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "csv", transactions=badinput.TRANSACTIONS.replace(
            "L2,2026-03-01,disburse", "L2,2026-02-27,disburse"))
        book = write_workbook(tmp_path / "l.xlsx", read_tables(folder), chinese_sheets=True)
        badinput.rejected(book, tmp_path, Expected(
            "l.xlsx, sheet 贷款流水, row 4, column date", _MESSAGE, "2026-02-27"))

    @pytest.mark.parametrize("transactions", [
        badinput.TRANSACTIONS + "L2,2026-03-01,disburse,10\n",  # on the start date
        badinput.TRANSACTIONS + "L2,2026-02-01,interest,10\n",  # not a disbursement
    ], ids=["on the start date", "interest before start"])
    def test_not_an_error(self, tmp_path: Path, transactions: str) -> None:
        badinput.accepted(badinput.ledger(tmp_path / "l", transactions=transactions),
                          tmp_path)

    def test_a_loan_with_a_bad_start_date_is_reported_once(self, tmp_path: Path) -> None:
        path = badinput.ledger(tmp_path / "l", loans=badinput.LOANS.replace(
            "2026-03-01,2027", "2026-02-30,2027"))
        stderr = badinput.rejected(path, tmp_path, Expected(
            "loans.csv, row 3, column start_date", "not a date", "2026-02-30"))
        assert _MESSAGE not in stderr
        assert "the ledger has 1 data error" in stderr

    def test_an_unknown_loan_is_only_an_unknown_loan(self, tmp_path: Path) -> None:
        path = badinput.ledger(tmp_path / "l",
                               transactions=badinput.TRANSACTIONS + "L9,1999-01-01,disburse,1\n")
        stderr = badinput.rejected(path, tmp_path, Expected(
            "transactions.csv, row 6, column loan_id", "no such loan_id", "L9"))
        assert _MESSAGE not in stderr

    def test_problems_of_both_layers_come_together(self, tmp_path: Path) -> None:
        path = badinput.ledger(
            tmp_path / "l",
            transactions=badinput.TRANSACTIONS + "L2,2026-02-28,disburse,1000\n",
            customers=badinput.CUSTOMERS.replace(",1000000,", ",-5,"))
        stderr = badinput.rejected(path, tmp_path,
                                   Expected("transactions.csv, row 6, column date", _MESSAGE),
                                   Expected("customers.csv, row 2, column credit_line",
                                            "must not be negative"))
        assert "the ledger has 2 data error" in stderr

    def test_a_valid_ledger_opens(self, tmp_path: Path) -> None:
        session = open_ledger(badinput.ledger(tmp_path / "l"))
        assert session.engine.n_loans == 2


def test_ledger_modules_hold_no_rule_that_reads_the_engine() -> None:
    """Layering: the journal rules live above the engine; ledger/validate.py keeps only
    ``warnings_on`` (moving to metrics/ separately) as a user of the engine."""
    source = Path(__file__).resolve().parent.parent / "reportgen" / "ledger" / "validate.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    users = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
             and any(isinstance(a, ast.Name) and a.id == "Engine"
                     for a in ast.walk(node.args))}
    assert users <= {"warnings_on"}
    ledger_dir = source.parent
    for path in ledger_dir.glob("*.py"):
        if path.name != "validate.py":
            assert "reportgen.engine" not in path.read_text(encoding="utf-8"), path
