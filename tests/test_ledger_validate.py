"""reportgen/ledger/validate.py through the CLI: one bad ledger per rule of ledger-format.md.

Each bad ledger is run as a user runs it (``reportgen generate … --format json``): exit 3,
the message names the file (or sheet), the row a person sees in a spreadsheet (header =
row 1), the column and the offending value, and no report file appears.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from badinput import (  # the base ledger the bad-input tests share
    BANK_FIGURES,
    CLASSIFICATIONS,
    CUSTOMERS,
    LOANS,
    TARGETS,
    TRANSACTIONS,
    ledger,
)
from click.testing import CliRunner, Result
from ledgers import read_tables, write_workbook

from reportgen.cli import main


def generate(path: Path, out: Path, *extra: str) -> Result:
    """``generate`` of October 2026; the base ledger's last row is of 1 August (a quiet
    autumn), so the export is declared complete up to 31 October, as a bank would."""
    return CliRunner().invoke(main, ["generate", "--ledger", str(path), "--report", "monthly",
                                     "--period", "2026-10", "--format", "json", "--out",
                                     str(out), "--as-of", "2026-10-31", *extra])


def error_count(result: Result) -> int:
    match = re.search(r"the ledger has (\d+) data error", result.stderr)
    assert match, result.output
    return int(match.group(1))


def assert_rejected(result: Result, out: Path, count: int | None = 1) -> None:
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert not out.exists() or not any(out.iterdir()), "a bad ledger must write no report"
    if count is not None:
        assert error_count(result) == count, result.stderr


def test_the_base_ledger_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = generate(ledger(tmp_path / "l"), out)
    assert result.exit_code == 0, result.output
    assert (out / "monthly_2026-10.json").exists()
    assert "warning" not in result.stderr


@pytest.mark.parametrize("period", ["2026-H1", "2026-H2", "2026", "2026-Q4", "2026-10"])
def test_targets_accept_half_years_and_the_other_assessment_periods(tmp_path: Path,
                                                                   period: str) -> None:
    targets = TARGETS + f"王五,{period},balance_increase,100\n"
    result = generate(ledger(tmp_path / "l", targets=targets), tmp_path / "out")
    assert result.exit_code == 0, result.output


@dataclass(frozen=True)
class Case:
    """One broken rule: what to change, and where the message must point."""

    tables: dict[str, str]
    where: str  # "file, row N, column C"
    value: str | None  # the offending value as shown, or None when there is none
    message: str
    count: int = 1
    extra: list[str] = field(default_factory=list)


CASES = {
    "blank required text": Case(
        {"loans": LOANS.replace("城西支行", " ")},
        "loans.csv, row 3, column branch", None, "must not be blank"),
    "blank required enum": Case(
        {"customers": CUSTOMERS.replace(",individual,", ",,")},
        "customers.csv, row 3, column customer_type", None, "must not be blank"),
    "blank required date": Case(
        {"transactions": TRANSACTIONS.replace("L2,2026-08-01", "L2,")},
        "transactions.csv, row 5, column date", None, "must not be blank"),
    "blank required money": Case(
        {"loans": LOANS.replace(",100000,", ",,")},
        "loans.csv, row 3, column contract_amount", None, "must not be blank"),
    "bad money": Case(
        {"transactions": TRANSACTIONS.replace("repay,20000", "repay,20000元")},
        "transactions.csv, row 5, column amount", "20000元", "not a money amount"),
    "money with more than 2 decimals": Case(
        {"transactions": TRANSACTIONS.replace("repay,100000", "repay,1.005")},
        "transactions.csv, row 3, column amount", "1.005", "more than 2 decimals"),
    "bad credit_line": Case(
        {"customers": CUSTOMERS.replace(",1000000,", ",一百万,")},
        "customers.csv, row 2, column credit_line", "一百万", "not a money amount"),
    "negative credit_line": Case(
        {"customers": CUSTOMERS.replace(",1000000,", ",-5,")},
        "customers.csv, row 2, column credit_line", "-5.00", "must not be negative"),
    "bad date": Case(
        {"loans": LOANS.replace("2026-03-01,2027", "2026-02-30,2027")},
        "loans.csv, row 3, column start_date", "2026-02-30", "not a date"),
    "not a leap year": Case(
        {"classifications": CLASSIFICATIONS.replace("L2,2026-03-01", "L2,2023-02-29")},
        "classifications.csv, row 3, column date", "2023-02-29", "not a date"),
    "bad overdue_since date": Case(
        {"classifications": CLASSIFICATIONS + "L2,2026-10-01,special_mention,2026/9/31\n"},
        "classifications.csv, row 4, column overdue_since", "2026/9/31", "not a date"),
    "bad enum": Case(
        {"loans": LOANS.replace("mortgage", "mortage")},
        "loans.csv, row 2, column guarantee", "mortage", "not one of: credit 信用"),
    "bad industry": Case(
        {"customers": CUSTOMERS.replace(",A,", ",Z,")},
        "customers.csv, row 3, column industry", "Z", "not one of"),
    "bad grade": Case(
        {"classifications": CLASSIFICATIONS.replace("L2,2026-03-01,normal", "L2,2026-03-01,好")},
        "classifications.csv, row 3, column grade", "好", "not one of"),
    "bad transaction type": Case(
        {"transactions": TRANSACTIONS.replace("L2,2026-08-01,repay", "L2,2026-08-01,还款")},
        "transactions.csv, row 5, column type", "还款", "not one of"),
    "duplicate customer_id": Case(
        {"customers": CUSTOMERS + "C1,另一个,individual,,A,,,\n"},
        "customers.csv, row 4, column customer_id", "C1", "duplicate customer_id"),
    "duplicate loan_id": Case(
        {"loans": LOANS + "L1,C2,城西支行,李四,,credit,100,2026-03-01,2027-03-01,5\n"},
        "loans.csv, row 4, column loan_id", "L1", "duplicate loan_id"),
    "loan of an unknown customer": Case(
        {"loans": LOANS.replace("L2,C2", "L2,C9")},
        "loans.csv, row 3, column customer_id", "C9", "no such customer_id in customers"),
    "transaction of an unknown loan": Case(
        {"transactions": TRANSACTIONS + "L9,2026-08-01,repay,1\n"},
        "transactions.csv, row 6, column loan_id", "L9", "no such loan_id in loans"),
    "classification of an unknown loan": Case(
        {"classifications": CLASSIFICATIONS + "L9,2026-08-01,normal,\n"},
        "classifications.csv, row 4, column loan_id", "L9", "no such loan_id in loans"),
    "enterprise_size missing for corporate": Case(
        {"customers": CUSTOMERS.replace("corporate,small", "corporate,")},
        "customers.csv, row 2, column enterprise_size", None,
        "required when customer_type is corporate"),
    "enterprise_size present for an individual": Case(
        {"customers": CUSTOMERS.replace("individual,,A", "individual,small,A")},
        "customers.csv, row 3, column enterprise_size", "small",
        "must be blank unless customer_type is corporate"),
    "enterprise_size given as a label for an individual": Case(
        {"customers": CUSTOMERS.replace("individual,,A", "个人,小型,A")},
        "customers.csv, row 3, column enterprise_size", "small",  # shown by its code
        "must be blank unless customer_type is corporate"),
    "contract_amount zero": Case(
        {"loans": LOANS.replace(",100000,", ",0,")},
        "loans.csv, row 3, column contract_amount", "0.00", "must be greater than 0"),
    "contract_amount negative": Case(
        {"loans": LOANS.replace(",100000,", ",-100000,")},
        "loans.csv, row 3, column contract_amount", "-100000.00", "must be greater than 0"),
    "amount zero": Case(
        {"transactions": TRANSACTIONS.replace("repay,20000", "repay,0.00")},
        "transactions.csv, row 5, column amount", "0.00", "must be greater than 0"),
    "amount negative": Case(
        {"transactions": TRANSACTIONS.replace("repay,20000", "repay,-20000")},
        "transactions.csv, row 5, column amount", "-20000.00", "must be greater than 0"),
    "maturity before start": Case(
        {"loans": LOANS.replace("2026-03-01,2027-03-01", "2026-03-01,2026-02-01")},
        "loans.csv, row 3, column maturity_date", "2026-02-01", "must be after start_date"),
    "maturity equal to start": Case(
        {"loans": LOANS.replace("2026-03-01,2027-03-01", "2026-03-01,20260301")},
        "loans.csv, row 3, column maturity_date", "2026-03-01", "must be after start_date"),
    "rate of 100 percent": Case(
        {"loans": LOANS.replace(",5.5", ",100")},
        "loans.csv, row 3, column rate", "100", "below 100"),
    "negative rate": Case(
        {"loans": LOANS.replace(",4.35", ",-0.5")},
        "loans.csv, row 2, column rate", "-0.5", "at least 0"),
    "rate not a number": Case(
        {"loans": LOANS.replace(",4.35", ",4.35x")},  # 4.35% is a rate (mapping.md)
        "loans.csv, row 2, column rate", "4.35x", "not a number"),
    "overdue_since after the row's date": Case(
        {"classifications": CLASSIFICATIONS + "L2,2026-09-01,special_mention,2026-09-02\n"},
        "classifications.csv, row 4, column overdue_since", "2026-09-02",
        "is after the row's date"),
    "two state rows for one loan and date": Case(
        {"classifications": CLASSIFICATIONS + "L2,2026/03/01,special_mention,\n"},
        "classifications.csv, row 4, column date", "2026-03-01",
        "a second state row for the same loan_id and date"),
    "balance below zero": Case(
        {"transactions": TRANSACTIONS.replace("repay,20000", "repay,100000.01")},
        "transactions.csv, row 5, column amount", "L2 balance -0.01",
        "balance goes below zero"),
    "write-off below zero": Case(
        {"transactions": TRANSACTIONS + "L1,2026-09-01,writeoff,400000.01\n"},
        "transactions.csv, row 6, column amount", "L1 balance -0.01",
        "balance goes below zero"),
    "bad targets period id": Case(
        {"targets": TARGETS.replace("2026-Q4", "2026Q4")},
        "targets.csv, row 3, column period", "2026Q4", "not a year, quarter or month"),
    "dekad targets period id": Case(
        {"targets": TARGETS.replace("2026-Q4", "2026-10-D1")},
        "targets.csv, row 3, column period", "2026-10-D1", "not a year, quarter or month"),
    "targets month 13": Case(
        {"targets": TARGETS.replace("2026-10", "2026-13")},
        "targets.csv, row 2, column period", "2026-13", "not a year, quarter or month"),
    "targets month 00": Case(
        {"targets": TARGETS.replace("2026-10", "2026-00")},
        "targets.csv, row 2, column period", "2026-00", "not a year, quarter or month"),
    "weekly targets period id": Case(
        {"targets": TARGETS.replace("2026-Q4", "2026-W45")},
        "targets.csv, row 3, column period", "2026-W45", "nor a half-year id"),
    "custom targets period id": Case(
        {"targets": TARGETS.replace("2026-Q4", "2026-10-05..2026-10-18")},
        "targets.csv, row 3, column period", "2026-10-05..2026-10-18", "2026-H1"),
    "targets half-year 3": Case(
        {"targets": TARGETS.replace("2026-Q4", "2026-H3")},
        "targets.csv, row 3, column period", "2026-H3", "not a year, quarter or month"),
    "bad target metric": Case(
        {"targets": TARGETS.replace("new_customers", "新客户")},
        "targets.csv, row 3, column metric", "新客户", "not one of"),
    "negative target": Case(
        {"targets": TARGETS.replace("disbursed,100000", "disbursed,-1")},
        "targets.csv, row 2, column target", "-1", "must not be negative"),
    "fractional new_customers target": Case(
        {"targets": TARGETS.replace("new_customers,3", "new_customers,2.5")},
        "targets.csv, row 3, column target", "2.5", "whole number"),
    "money target with 3 decimals": Case(
        {"targets": TARGETS.replace("disbursed,100000", "disbursed,100.125")},
        "targets.csv, row 2, column target", "100.125", "at most 2 decimals"),
    "negative bank figure": Case(
        {"bank_figures": BANK_FIGURES.replace("provision,1000", "provision,-1000")},
        "bank_figures.csv, row 2, column amount", "-1000.00", "must not be negative"),
    "bad bank figure item": Case(
        {"bank_figures": BANK_FIGURES.replace("provision", "准备金")},
        "bank_figures.csv, row 2, column item", "准备金", "not one of"),
    "two bank figures with one bad date": Case(
        {"bank_figures": BANK_FIGURES + "2026-09-31,provision,1\n2026-09-31,provision,2\n"},
        "bank_figures.csv, row 4, column date", "2026-09-31", "not a date", count=2),
    "two bank figures for one item and date": Case(
        {"bank_figures": BANK_FIGURES + "2026-09-30,资本净额,6000000\n"},
        "bank_figures.csv, row 4, column date", "2026-09-30",
        "a second row for the same item and date"),
}

DEPOSIT_ACCOUNTS = """
A1,C1,城东支行,王五,corporate_demand
A2,,城西支行,李四,individual_time
"""
DEPOSIT_BALANCES = """
A1,2026-09-30,50000
A2,2026-09-30,1000
A1,2026-10-15,60000
"""


def _deposits(accounts: str = DEPOSIT_ACCOUNTS, balances: str = DEPOSIT_BALANCES
              ) -> dict[str, str]:
    return {"deposit_accounts": accounts, "deposit_balances": balances}


CASES |= {
    "duplicate deposit account_id": Case(
        _deposits(DEPOSIT_ACCOUNTS + "A1,C2,城东支行,王五,margin\n"),
        "deposit_accounts.csv, row 4, column account_id", "A1", "duplicate account_id"),
    "bad deposit kind": Case(
        _deposits(DEPOSIT_ACCOUNTS.replace("individual_time", "活期")),
        "deposit_accounts.csv, row 3, column kind", "活期", "not one of"),
    "blank deposit manager": Case(
        _deposits(DEPOSIT_ACCOUNTS.replace(",李四,", ",,")),
        "deposit_accounts.csv, row 3, column account_manager", None, "must not be blank"),
    "negative deposit balance": Case(
        _deposits(balances=DEPOSIT_BALANCES.replace("A2,2026-09-30,1000", "A2,2026-09-30,-1")),
        "deposit_balances.csv, row 3, column balance", "-1.00", "must not be negative"),
    "unknown deposit account": Case(
        _deposits(balances=DEPOSIT_BALANCES + "A9,2026-10-01,5\n"),
        "deposit_balances.csv, row 5, column account_id", "A9",
        "no such account_id in deposit_accounts"),
    "two balances for one account and date": Case(
        _deposits(balances=DEPOSIT_BALANCES + "A1,2026-09-30,7\n"),
        "deposit_balances.csv, row 5, column date", "2026-09-30",
        "a second balance row for the same account and date"),
    "bad deposit balance date": Case(
        _deposits(balances=DEPOSIT_BALANCES + "A1,2026-02-30,7\n"),
        "deposit_balances.csv, row 5, column date", "2026-02-30", "not a date"),
    "bad deposit money": Case(
        _deposits(balances=DEPOSIT_BALANCES.replace("60000", "6万")),
        "deposit_balances.csv, row 4, column balance", "6万", ""),
    "deposit balance after the declared data date": Case(
        _deposits(balances=DEPOSIT_BALANCES + "A2,2026-11-01,7\n"),
        "deposit_balances.csv, row 5, column date", "2026-11-01", "dated after the data date"),
    "deposit balances without accounts": Case(
        {"deposit_balances": DEPOSIT_BALANCES}, "deposit_accounts.csv", None,
        "the two deposit tables go together"),
}


def test_a_ledger_with_deposits_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = generate(ledger(tmp_path / "l", **_deposits()), out)
    assert result.exit_code == 0, result.output
    assert '"deposits"' in (out / "monthly_2026-10.json").read_text(encoding="utf-8")


def test_deposit_tables_in_a_workbook_with_chinese_names(tmp_path: Path) -> None:
    """存款账户 / 存款余额 sheets with Chinese headers and kind labels read as the CSVs do."""
    from ledgers import to_chinese

    tables = to_chinese(read_tables(ledger(tmp_path / "csv", **_deposits())))
    book = write_workbook(tmp_path / "l.xlsx", tables, chinese_sheets=True)
    out = tmp_path / "out"
    result = generate(book, out)
    assert result.exit_code == 0, result.output
    text = (out / "monthly_2026-10.json").read_text(encoding="utf-8")
    assert "\"current\":\"61000.00\"" in text  # A1 60,000 + A2 1,000 on 31 October


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_rule_rejects_the_ledger_and_points_at_the_cell(tmp_path: Path, case: Case
                                                             ) -> None:
    out = tmp_path / "out"
    result = generate(ledger(tmp_path / "l", **case.tables), out)
    assert_rejected(result, out, case.count)
    lines = [line for line in result.stderr.splitlines() if case.where in line]
    assert lines, result.stderr
    line = lines[0]
    assert case.message in line, line
    if case.value is not None:
        assert f"(value {case.value!r})" in line, line


@pytest.mark.parametrize("case", [*list(CASES.values())[:3], CASES["bad enum"]],
                         ids=[*list(CASES)[:3], "bad enum"])
def test_validate_command_reports_the_same(tmp_path: Path, case: Case) -> None:
    result = CliRunner().invoke(main, ["validate", "--ledger",
                                       str(ledger(tmp_path / "l", **case.tables))])
    assert result.exit_code == 3, result.output
    assert case.where in result.stderr


def test_missing_required_file(tmp_path: Path) -> None:
    folder = ledger(tmp_path / "l")
    (folder / "classifications.csv").unlink()
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out)
    assert "classifications.csv" in result.stderr
    assert "missing" in result.stderr


def test_missing_required_files_all_named(tmp_path: Path) -> None:
    folder = ledger(tmp_path / "l")
    (folder / "customers.csv").unlink()
    (folder / "transactions.csv").unlink()
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out, 2)
    assert "customers.csv" in result.stderr
    assert "transactions.csv" in result.stderr


@pytest.mark.parametrize(("table", "header", "column"), [
    ("loans", "loan_id,customer_id,branch,account_manager,product,guarantee,contract_amount,"
              "start_date,maturity_date", "rate"),
    ("transactions", "loan_id,日期,type", "amount"),
])
def test_missing_required_column(tmp_path: Path, table: str, header: str, column: str
                                 ) -> None:
    folder = ledger(tmp_path / "l")
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    width = header.count(",") + 1
    path.write_text("\n".join([header] + [",".join(line.split(",")[:width])
                                          for line in lines[1:]]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out)
    assert f"{table}.csv, row 1, column {column}: missing column" in result.stderr


def test_a_missing_column_does_not_hide_the_problems_of_other_files(tmp_path: Path) -> None:
    folder = ledger(tmp_path / "l", customers=CUSTOMERS.replace(",A,", ",ZZ,"),
                    transactions=TRANSACTIONS.replace("repay,20000", "repay,2万"))
    path = folder / "loans.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("account_manager", "经理"),
                    encoding="utf-8")
    (folder / "classifications.csv").unlink()
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out, 4)
    assert "loans.csv, row 1, column account_manager: missing column" in result.stderr
    assert "classifications.csv: required file missing" in result.stderr
    assert "customers.csv, row 3, column industry" in result.stderr
    assert "transactions.csv, row 5, column amount" in result.stderr
    # the structure first: without it the other rules cannot be checked
    lines = result.stderr.splitlines()
    assert "missing" in lines[1]
    assert "missing" in lines[2]


def test_optional_column_may_be_missing(tmp_path: Path) -> None:
    folder = ledger(tmp_path / "l")
    path = folder / "classifications.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n",
                    encoding="utf-8")
    result = generate(folder, tmp_path / "out")
    assert result.exit_code == 0, result.output


def test_problems_in_several_files_are_reported_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = ledger(
        tmp_path / "l",
        customers=CUSTOMERS.replace(",A,", ",ZZ,"),
        loans=LOANS.replace("L2,C2", "L2,C9"),
        transactions=TRANSACTIONS.replace("repay,100000", "repay,1.001"),
        classifications=CLASSIFICATIONS.replace("2025-01-15,normal", "2025-13-15,normal"),
        bank_figures=BANK_FIGURES.replace("provision,1000", "provision,-1"),
        targets=TARGETS.replace("2026-10", "Oct 2026"),
    )
    result = generate(folder, out)
    assert_rejected(result, out, 6)
    for where in ("customers.csv, row 3, column industry",
                  "loans.csv, row 3, column customer_id",
                  "transactions.csv, row 3, column amount",
                  "classifications.csv, row 2, column date",
                  "bank_figures.csv, row 2, column amount",
                  "targets.csv, row 2, column period"):
        assert where in result.stderr, where


def test_more_than_100_problems_shows_100_and_the_total(tmp_path: Path) -> None:
    rows = "".join(f"L1,2026-06-{1 + i % 28:02d},interest,{i}.123\n" for i in range(130))
    rows += "".join(f"L1,2026-07-01,interest,x{i}\n" for i in range(20))
    out = tmp_path / "out"
    result = generate(ledger(tmp_path / "l", transactions=TRANSACTIONS + rows), out)
    assert_rejected(result, out, 150)
    shown = [line for line in result.stderr.splitlines()
             if line.startswith("  transactions.csv, row ")]
    assert len(shown) == 100
    assert "… and 50 more" in result.stderr
    assert all(", column amount: " in line for line in shown)


def test_a_bad_xlsx_sheet_is_named(tmp_path: Path) -> None:
    bad = ledger(tmp_path / "csv", loans=LOANS.replace(",5.5", ",150"),
                 transactions=TRANSACTIONS.replace("L2,2026-08-01,repay", "L2,2026-08-01,pay"))
    tables = read_tables(bad)
    out = tmp_path / "out"
    for chinese in (False, True):
        book = write_workbook(tmp_path / f"ledger{int(chinese)}.xlsx", tables,
                              chinese_sheets=chinese)
        result = generate(book, out)
        assert_rejected(result, out, 2)
        loans_sheet = "借据台账" if chinese else "loans"
        tx_sheet = "贷款流水" if chinese else "transactions"
        assert (f"{book.name}, sheet {loans_sheet}, row 3, column rate" in result.stderr), (
            result.stderr)
        assert (f"{book.name}, sheet {tx_sheet}, row 5, column type" in result.stderr)
        assert "'pay'" in result.stderr


def test_xlsx_missing_sheet_and_column(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    tables = read_tables(ledger(tmp_path / "csv"))
    path = write_workbook(tmp_path / "l.xlsx", tables)
    book = load_workbook(path)
    del book["classifications"]
    book["loans"].delete_cols(10)  # rate
    book.save(path)
    out = tmp_path / "out"
    result = generate(path, out)
    assert_rejected(result, out, 2)
    assert "sheet classifications (风险分类) is missing" in result.stderr
    assert "l.xlsx, sheet loans, row 1, column rate: missing column" in result.stderr


def test_blank_lines_do_not_shift_row_numbers(tmp_path: Path) -> None:
    """A person opening the CSV in a spreadsheet sees a blank line as a row too."""
    folder = ledger(tmp_path / "l",
                    transactions=TRANSACTIONS.replace("L2,2026-03-01", "\n\nL2,2026-03-01")
                    .replace("repay,20000", "repay,abc"))
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out)
    assert "transactions.csv, row 7, column amount" in result.stderr, result.stderr


def test_blank_rows_in_a_workbook_are_skipped_and_counted(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    tables = read_tables(ledger(tmp_path / "csv", transactions=TRANSACTIONS.replace(
        "repay,20000", "repay,abc")))
    path = write_workbook(tmp_path / "l.xlsx", tables)
    book = load_workbook(path)
    book["transactions"].insert_rows(4, 2)  # two empty rows before L2's disbursement
    book.save(path)
    out = tmp_path / "out"
    result = generate(path, out)
    assert_rejected(result, out)
    assert "l.xlsx, sheet transactions, row 7, column amount" in result.stderr, result.stderr


def test_a_row_with_too_many_values_is_located(tmp_path: Path) -> None:
    """An unquoted 1,000 in a CSV gives the row an extra value: say which row."""
    transactions = (TRANSACTIONS.replace("repay,20000", "repay,20,000")
                    .replace("L2,2026-03-01,disburse,100000", "L2,2026-03-01,disburse")
                    + "L2,2026-09-01,repay,1.001\n")
    folder = ledger(tmp_path / "l", transactions=transactions, loans=LOANS.replace(",5.5", ",x"))
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out, 4)  # and the other problems are found all the same
    assert ("transactions.csv, row 5: has 5 values but the header has 4 (a comma inside an "
            "unquoted value such as 1,234.50?) (value 'L2,2026-08-01,repay,20,000')"
            in result.stderr), result.stderr
    assert "transactions.csv, row 4: has 3 values but the header has 4" in result.stderr
    assert "transactions.csv, row 6, column amount: more than 2 decimals" in result.stderr
    assert "loans.csv, row 3, column rate" in result.stderr


def test_a_file_that_is_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    folder = ledger(tmp_path / "l")
    (folder / "customers.csv").write_bytes(b"customer_id\n\x81\x20\xff\xfe\n")
    out = tmp_path / "out"
    result = generate(folder, out)
    assert result.exit_code == 3, result.output
    assert "customers.csv" in result.stderr
    assert "Traceback" not in result.output


def test_a_corrupt_workbook_is_a_data_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    out = tmp_path / "out"
    result = generate(path, out)
    assert_rejected(result, out)
    assert "ledger.xlsx: not a readable .xlsx workbook" in result.stderr
    assert "unexpected" not in result.stderr


def test_a_corrupt_parquet_file_is_a_data_error_not_a_crash(tmp_path: Path) -> None:
    folder = ledger(tmp_path / "l")
    (folder / "loans.csv").unlink()
    (folder / "loans.parquet").write_bytes(b"PAR1 not really parquet")
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out)
    assert "loans.parquet: not a readable Parquet file" in result.stderr
    assert "unexpected" not in result.stderr


def test_a_ledger_that_is_not_a_folder_or_workbook(tmp_path: Path) -> None:
    path = tmp_path / "ledger.txt"
    path.write_text("x", encoding="utf-8")
    result = generate(path, tmp_path / "out")
    assert result.exit_code == 2, result.output  # a wrong path, not bad data (issue 9)
    assert "folder of CSV/Parquet files or one .xlsx workbook" in result.stderr


def test_an_existing_report_is_not_replaced_by_a_failed_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert generate(ledger(tmp_path / "good"), out).exit_code == 0
    before = (out / "monthly_2026-10.json").read_bytes()
    result = generate(ledger(tmp_path / "bad", loans=LOANS.replace("L2,C2", "L2,C9")), out)
    assert result.exit_code == 3
    assert sorted(p.name for p in out.iterdir()) == ["monthly_2026-10.json"]
    assert (out / "monthly_2026-10.json").read_bytes() == before


# -- warnings ------------------------------------------------------------------------------


def test_live_loan_without_a_state_row_is_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = ledger(tmp_path / "l", classifications="L1,2025-01-15,normal,")
    result = generate(folder, out)
    assert result.exit_code == 0, result.output
    assert "warning: loan L2 is live" in result.stderr
    assert "no classification row" in result.stderr
    assert (out / "monthly_2026-10.json").exists()
    validated = CliRunner().invoke(main, ["validate", "--ledger", str(folder)])
    assert validated.exit_code == 0
    assert "warning: loan L2" in validated.stderr
    assert "1 warning(s)" in validated.stdout


def test_grade_milder_than_overdue_days_is_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # L2 overdue since 2026-03-02; the ledger's last day is 2026-08-01: 153 days → substandard
    folder = ledger(tmp_path / "l",
                    classifications=CLASSIFICATIONS + "L2,2026-04-01,special_mention,2026-03-02\n")
    result = generate(folder, out)
    assert result.exit_code == 0, result.output
    assert re.search(r"warning: loan L2 is \d+ days overdue on .* but graded special_mention; "
                     r"at least substandard expected", result.stderr), result.stderr
    assert (out / "monthly_2026-10.json").exists()


def test_many_warnings_are_capped_with_a_count(tmp_path: Path) -> None:
    loans = LOANS + "".join(
        f"M{i},C2,城西支行,李四,,credit,100,2026-03-01,2027-03-01,5\n" for i in range(120))
    transactions = TRANSACTIONS + "".join(f"M{i},2026-03-01,disburse,100\n"
                                          for i in range(120))
    result = CliRunner().invoke(main, ["validate", "--ledger", str(
        ledger(tmp_path / "l", loans=loans, transactions=transactions))])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning: loan M") == 100
    assert "… and 20 more warning(s)" in result.stderr
    assert "120 warning(s)" in result.stdout


# -- targets carry money like the money columns (issue 9) -----------------------------------


class TestGroupedTargets:
    @pytest.mark.parametrize(("text", "millionths"), [
        ("2,560,000.00", 2_560_000_000_000), ("¥2,560,000", 2_560_000_000_000),
        ("1,000", 1_000_000_000), ("2560000.5", 2_560_000_500_000)])
    def test_money_targets_accept_thousands_separators(self, tmp_path: Path, text: str,
                                                       millionths: int) -> None:
        from reportgen.ledger.load import load_ledger

        folder = ledger(tmp_path / "l", targets=f'王五,2026-10,disbursed,"{text}"\n'
                        f'李四,2026-Q4,balance_increase,"{text}"\n')
        out = tmp_path / "out"
        assert generate(folder, out).exit_code == 0
        targets = load_ledger(folder).targets
        assert targets is not None
        assert targets["target"].tolist() == [millionths, millionths]

    def test_a_count_may_be_grouped_too(self, tmp_path: Path) -> None:
        folder = ledger(tmp_path / "l", targets='李四,2026-Q4,new_customers,"1,200"\n')
        result = generate(folder, tmp_path / "out")
        assert result.exit_code == 0, result.output

    @pytest.mark.parametrize(("text", "metric", "message"), [
        ("2,560,00.00", "disbursed", "a comma that does not separate thousands"),
        ("12,34", "balance_increase", "a comma that does not separate thousands"),
        ("1.001", "disbursed", "money has at most 2 decimals"),
        ("¥3", "new_customers", "new_customers is a count, not money"),
        ("3.5", "new_customers", "new_customers needs a whole number"),
    ])
    def test_bad_targets(self, tmp_path: Path, text: str, metric: str, message: str) -> None:
        import badinput

        folder = ledger(tmp_path / "l", targets=f'王五,2026-10,{metric},"{text}"\n')
        badinput.rejected(folder, tmp_path, badinput.Expected(
            "targets.csv, row 2, column target", message))


def _typed_parquet_balances(folder: Path, days: list[str], yuan: list[str],
                            decimals: int = 2) -> Path:
    """deposit_balances.parquet as a warehouse writes it: a date32 date and a decimal
    balance in yuan, in place of the CSV (the parser then reads no text)."""
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    (folder / "deposit_balances.csv").unlink()
    pq.write_table(pa.table({
        "account_id": pa.array(["A1", "A2", "A1"][:len(days)]),
        "date": pa.array([dt.date.fromisoformat(d) for d in days], pa.date32()),
        "balance": pa.array([Decimal(v) for v in yuan], pa.decimal128(20, decimals)),
    }), folder / "deposit_balances.parquet")
    return folder


def test_typed_parquet_deposit_balances_read_as_the_csv(tmp_path: Path) -> None:
    folder = _typed_parquet_balances(ledger(tmp_path / "l", **_deposits()),
                                     ["2026-09-30", "2026-09-30", "2026-10-15"],
                                     ["50000.00", "1000.00", "60000.00"])
    out = tmp_path / "out"
    result = generate(folder, out)
    assert result.exit_code == 0, result.output
    text = (out / "monthly_2026-10.json").read_text(encoding="utf-8")
    assert "\"current\":\"61000.00\"" in text  # A1 60,000 + A2 1,000 on 31 October


@pytest.mark.parametrize(("days", "yuan", "decimals", "where", "message"), [
    (["2026-09-30", "2026-09-30", "2026-10-15"], ["50000.00", "-1.00", "60000.00"], 2,
     "deposit_balances.parquet, row 3, column balance", "must not be negative"),
    (["2026-09-30", "2026-09-30", "2026-10-15"], ["50000.00", "1000.00",
                                                  "1234567890123456.00"], 2,
     "deposit_balances.parquet, row 4, column balance", "too large"),
    # A column of three places is read as the text it shows: 50000.000 is 50000 yuan,
    # 1000.005 has more than two decimals.
    (["2026-09-30", "2026-09-30", "2026-10-15"], ["50000.000", "1000.005", "6.000"], 3,
     "deposit_balances.parquet, row 3, column balance", "more than 2 decimals"),
    (["2026-09-30", "1899-12-31", "2026-10-15"], ["50000.00", "1000.00", "60000.00"], 2,
     "deposit_balances.parquet, row 3, column date", "outside the dates a ledger may hold"),
    (["2026-09-30", "2026-09-30", "2026-09-30"], ["50000.00", "1000.00", "7.00"], 2,
     "deposit_balances.parquet, row 4, column date",
     "a second balance row for the same account and date"),
], ids=["negative", "too large", "three decimals", "date out of range", "repeated date"])
def test_typed_parquet_deposit_balances_are_checked_like_the_csv(
        tmp_path: Path, days: list[str], yuan: list[str], decimals: int, where: str,
        message: str) -> None:
    folder = _typed_parquet_balances(ledger(tmp_path / "l", **_deposits()), days, yuan,
                                     decimals)
    out = tmp_path / "out"
    result = generate(folder, out)
    assert_rejected(result, out, 1)
    assert any(where in line and message in line for line in result.stderr.splitlines()), (
        result.stderr)
