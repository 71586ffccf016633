"""Snapshot ledgers (mapping.md "Snapshot ledgers (no journal)"): a balances table instead
of a journal gives exact figures on its snapshot dates, derived and labelled flows, and
refuses a report without snapshots on its opening day and end.

Every expected figure is worked out by hand from the ledgers written here.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from exports import (
    BALANCE_COLUMNS,
    GRADE_CODES,
    WRITTEN_OFF,
    codes_toml,
    columns_toml,
    write_mapping,
)
from ledgers import CUSTOMERS_HEADER, LOANS_HEADER, write_ledger, write_workbook

from reportgen.api import build, open_ledger
from reportgen.cli import main
from reportgen.config import Config
from reportgen.errors import LedgerError, PeriodNotCoveredError
from reportgen.ledger.schema import WRITEOFF
from reportgen.render.json import report_dict

BAL_HEADER = "loan_id,date,balance,grade,overdue_days,written_off"

CUSTOMERS = """
    C1,甲公司,corporate,small,C,,G1,
    C2,乙商户,individual_business,,F,,,
    C3,丙业主,micro_owner,,A,,,
    C4,丁个人,individual,,O,,,
"""
LOANS = """
    L1,C1,B1,M1,P1,credit,1000000.00,2025-06-15,2027-06-14,4.35
    L2,C2,B1,M2,P1,mortgage,500000.00,2025-11-10,2026-02-10,5.00
    L3,C3,B2,M1,P2,guarantee,300000.00,2025-09-01,2026-09-01,6.00
    L4,C4,B2,M2,P2,pledge,200000.00,2026-01-10,2027-01-10,3.65
    L5,C1,B1,M1,P1,credit,400000.00,2025-12-20,2026-12-20,4.00
"""
# One direction of movement per loan per month, so the month-end balance changes are the
# journal's flows exactly (a loan lent to and repaid in one month would net out).
TRANSACTIONS = """
    L1,2025-06-15,disburse,1000000.00
    L2,2025-11-10,disburse,500000.00
    L3,2025-09-01,disburse,300000.00
    L5,2025-12-20,disburse,400000.00
    L3,2026-01-05,repay,20000.00
    L4,2026-01-10,disburse,150000.00
    L1,2026-01-15,repay,100000.00
    L1,2026-01-21,interest,3000.00
    L2,2026-02-05,repay,200000.00
    L4,2026-02-12,disburse,50000.00
    L3,2026-02-20,writeoff,280000.00
    L1,2026-03-10,repay,50000.00
    L5,2026-03-15,repay,400000.00
    L3,2026-03-20,recovery,10000.00
"""
CLASSIFICATIONS = """
    L1,2025-06-15,normal,
    L2,2025-11-10,normal,
    L3,2025-09-01,normal,
    L5,2025-12-20,normal,
    L3,2026-01-20,substandard,2025-12-01
    L4,2026-01-10,normal,
    L5,2026-01-25,special_mention,
    L2,2026-02-28,special_mention,
"""
BANK_FIGURES = """
    2025-12-31,net_capital,10000000.00
    2025-12-31,provision,50000.00
"""
MONTH_ENDS = (date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31))
LOAN_IDS = ("L1", "L2", "L3", "L4", "L5")


def _journal(folder: Path) -> Path:
    return write_ledger(folder, customers=CUSTOMERS, loans=LOANS, transactions=TRANSACTIONS,
                        classifications=CLASSIFICATIONS, bank_figures=BANK_FIGURES)


def write_snapshot_ledger(folder: Path, balances: str, *, loans: str = LOANS,
                          customers: str = CUSTOMERS, bank_figures: str | None = BANK_FIGURES
                          ) -> Path:
    """A ledger folder with a balances table and no journal."""
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n".join(line.strip() for line in balances.strip("\n").splitlines())
    files = {"customers.csv": f"{CUSTOMERS_HEADER}\n{_lines(customers)}",
             "loans.csv": f"{LOANS_HEADER}\n{_lines(loans)}",
             "balances.csv": f"{BAL_HEADER}\n{body}\n"}
    if bank_figures is not None:
        files["bank_figures.csv"] = f"date,item,amount\n{_lines(bank_figures)}"
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _lines(text: str) -> str:
    return "".join(line.strip() + "\n" for line in text.strip("\n").splitlines())


def _month_end_balances(journal: Path) -> str:
    """The journal ledger's month-end 借据余额 table, read off its engine (the fixture only:
    what the test compares are the two ledgers' reports).  A loan with a zero balance is
    left out, except the month it was written off (its 核销标志 row)."""
    session = open_ledger(journal, as_of=MONTH_ENDS[-1])
    engine = session.engine
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for day in MONTH_ENDS:
        snap = engine.snapshot(day)
        written = engine.flow(WRITEOFF, day - timedelta(days=40), day) > 0
        for i, loan in enumerate(LOAN_IDS):
            if snap.balance[i] == 0 and not written[i]:
                continue
            fen = int(snap.balance[i])
            writer.writerow([loan, day.isoformat(), f"{fen // 100}.{fen % 100:02d}",
                             ("normal", "special_mention", "substandard", "doubtful",
                              "loss")[int(snap.grade[i])],
                             int(snap.overdue_days[i]), "是" if written[i] else "否"])
    return out.getvalue()


COMPARED = ("quality", "overdue", "structure", "concentration", "inclusive", "watchlist",
            "migration")


@pytest.mark.parametrize(("report", "period"), [
    ("monthly", "2026-01"), ("monthly", "2026-02"), ("monthly", "2026-03"),
    ("quarterly", "2026-Q1"),
])
def test_month_end_snapshots_give_the_journal_figures(tmp_path: Path, report: str,
                                                      period: str) -> None:
    journal = _journal(tmp_path / "journal")
    snapshots = write_snapshot_ledger(tmp_path / "snapshots", _month_end_balances(journal))
    from_journal = report_dict(build(open_ledger(journal, as_of=MONTH_ENDS[-1]), report,
                                     period, Config()))
    session = open_ledger(snapshots)
    assert session.data_date.day == MONTH_ENDS[-1]  # the latest snapshot date
    from_snapshots = report_dict(build(session, report, period, Config()))
    assert ("migration" in from_journal["sections"]) == (report == "quarterly")
    assert set(COMPARED) <= set(from_journal["sections"]) | {"migration"}
    assert from_snapshots["sections"].keys() == from_journal["sections"].keys()
    # every section but the summary (interest and recoveries are unknown) is the same, to
    # the fen: the required ones above, and the trend, maturity, provision, managers too
    for section in (s for s in from_journal["sections"] if s not in ("summary", "analysis")):
        assert from_snapshots["sections"][section] == from_journal["sections"][section], section
    summary_j, summary_s = (r["sections"]["summary"] for r in (from_journal, from_snapshots))
    for key in ("balance", "accounts", "customers", "balance_opening", "balance_year_start",
                "balance_last_year", "disbursed", "collected", "written_off", "table"):
        assert summary_s[key] == summary_j[key], key
    assert summary_s["interest_received"] is None
    assert summary_s["recovered"] is None
    assert from_snapshots["flows_derived"] is True
    assert "flows_derived" not in from_journal


def test_month_end_figures_by_hand(tmp_path: Path) -> None:
    """The quarter's figures worked out on paper: D 2026-03-31 holds L1 850,000, L2 300,000
    (special mention, 49 days past its 2026-02-10 maturity), L4 200,000; L3 was written
    off (280,000) in February, L5 repaid (400,000) in March."""
    journal = _journal(tmp_path / "journal")
    snapshots = write_snapshot_ledger(tmp_path / "snapshots", _month_end_balances(journal))
    doc = report_dict(build(open_ledger(snapshots), "quarterly", "2026-Q1", Config()))
    summary = doc["sections"]["summary"]
    assert summary["balance"] == "1350000.00"
    # 2025-12-31: L1 1,000,000 + L2 500,000 + L3 300,000 + L5 400,000
    assert summary["balance_opening"] == "2200000.00"
    assert summary["disbursed"] == "200000.00"  # L4 150,000 + 50,000
    assert summary["disbursed_count"] == 2  # one rise in January, one in February
    assert summary["written_off"] == "280000.00"
    # L3 20,000 + L1 100,000 + 50,000 + L2 200,000 + L5 400,000
    assert summary["collected"] == "770000.00"
    migration = doc["sections"]["migration"]
    # the normal cohort on O: L1, L2, L3, L5 (2,200,000) less what left them (1,050,000);
    # moved to special mention or worse on D: L2 300,000
    assert migration["normal"]["base"] == "1150000.00"
    assert migration["normal"]["moved"] == "300000.00"


# -- derived flows, by hand ------------------------------------------------------------------

SMALL_LOANS = """
    L1,C1,B1,M1,P1,credit,5000.00,2025-06-15,2027-06-14,4.35
    L2,C2,B1,M2,P1,mortgage,5000.00,2025-11-10,2027-02-10,5.00
    L3,C3,B2,M1,P2,guarantee,5000.00,2026-01-15,2027-01-15,6.00
"""
# L1 rises 500.00 in January (lending) and falls 300.00 in February (collection); L2 falls
# 300.00 in January marked written off (a write-off), then is missing on 2026-02-28
# (closed: its 500.00 collected); L3 first appears on 2026-01-31 (lent 700.00).
SMALL = """
    L1,2025-12-31,1000.00,normal,0,
    L2,2025-12-31,800.00,normal,0,N
    L1,2026-01-31,1500.00,normal,0,0
    L2,2026-01-31,500.00,loss,120,Y
    L3,2026-01-31,700.00,normal,0,否
    L1,2026-02-28,1200.00,special_mention,15,false
    L3,2026-02-28,700.00,normal,0,
"""


def _small(tmp_path: Path, balances: str = SMALL) -> Path:
    return write_snapshot_ledger(tmp_path / "small", balances, loans=SMALL_LOANS,
                                 bank_figures=None)


@pytest.mark.parametrize(("period", "flows"), [
    ("2026-01", {"disbursed": "1200.00", "disbursed_count": 2, "collected": "0.00",
                 "written_off": "300.00", "balance": "2700.00", "balance_opening": "1800.00"}),
    ("2026-02", {"disbursed": "0.00", "disbursed_count": 0, "collected": "800.00",
                 "written_off": "0.00", "balance": "1900.00", "balance_opening": "2700.00"}),
])
def test_derived_flows(tmp_path: Path, period: str, flows: dict[str, object]) -> None:
    doc = report_dict(build(open_ledger(_small(tmp_path)), "monthly", period, Config()))
    summary = doc["sections"]["summary"]
    for key, value in flows.items():
        assert summary[key] == value, key
    assert summary["interest_received"] is None
    assert summary["recovered"] is None
    assert doc["flows_derived"] is True


def test_snapshot_figures_are_exact(tmp_path: Path) -> None:
    """On 2026-01-31 L2 is graded loss and 120 days overdue exactly as its row says, though
    the engine would count days from the snapshot otherwise; on 2026-02-28 L1 is 15 days
    overdue (its row), not past maturity."""
    session = open_ledger(_small(tmp_path))
    jan = session.engine.snapshot(date(2026, 1, 31))
    assert jan.balance.tolist() == [150_000, 50_000, 70_000]
    assert jan.grade.tolist() == [0, 4, 0]
    assert jan.overdue_days.tolist() == [0, 120, 0]
    feb = session.engine.snapshot(date(2026, 2, 28))
    assert feb.balance.tolist() == [120_000, 0, 70_000]
    assert feb.overdue_days.tolist() == [15, 0, 0]
    assert feb.grade.tolist()[0] == 1
    assert session.ledger.snapshot_days == frozenset(
        {date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)})


def test_a_loan_that_comes_back_is_lent_again(tmp_path: Path) -> None:
    """Missing on 2026-01-31 (closed: 800.00 collected), back on 2026-02-28 with 300.00
    (lent again)."""
    balances = """
        L2,2025-12-31,800.00,normal,0,
        L1,2026-01-31,100.00,normal,0,
        L2,2026-02-28,300.00,normal,0,
        L1,2026-02-28,100.00,normal,0,
    """
    session = open_ledger(_small(tmp_path, balances))
    jan = report_dict(build(session, "monthly", "2026-01", Config()))["sections"]["summary"]
    assert (jan["collected"], jan["disbursed"], jan["balance"]) == ("800.00", "100.00", "100.00")
    feb = report_dict(build(session, "monthly", "2026-02", Config()))["sections"]["summary"]
    assert (feb["collected"], feb["disbursed"], feb["balance"]) == ("0.00", "300.00", "400.00")


def test_comparison_without_a_snapshot_is_a_dash(tmp_path: Path) -> None:
    """No snapshot on the year start 2025-12-31: 年初 figures are null, not 0; the ones of
    D and O are exact."""
    balances = "\n".join(line for line in SMALL.splitlines() if "2025-12-31" not in line)
    doc = report_dict(build(open_ledger(_small(tmp_path, balances)), "monthly", "2026-02",
                            Config()))
    summary = doc["sections"]["summary"]
    assert summary["balance_year_start"] is None
    assert summary["balance_last_year"] is None
    assert summary["balance_opening"] == "2700.00"
    assert all(row["balance_year_start"] is None and row["change_year_start"] is None
               for row in doc["sections"]["structure"]["industry"])


def test_year_start_snapshot_is_used(tmp_path: Path) -> None:
    doc = report_dict(build(open_ledger(_small(tmp_path)), "monthly", "2026-02", Config()))
    assert doc["sections"]["summary"]["balance_year_start"] == "1800.00"


# -- refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize(("report", "period", "missing"), [
    ("monthly", "2025-12", "2025-11-30"),  # O before the first snapshot
    ("dekad", "2026-01-D1", "2026-01-10"),  # O 2025-12-31 is there, D is not
    ("dekad", "2026-02-D2", "2026-02-10"),  # neither: both named
    ("quarterly", "2025-Q4", "2025-09-30"),
])
def test_report_without_o_or_d_snapshot_is_refused(tmp_path: Path, report: str, period: str,
                                                   missing: str) -> None:
    session = open_ledger(_small(tmp_path))
    with pytest.raises(PeriodNotCoveredError, match=missing):
        build(session, report, period, Config())
    result = CliRunner().invoke(main, ["generate", "--ledger", str(_small(tmp_path)),
                                       "--report", report, "--period", period,
                                       "--format", "json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert missing in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_refusal_through_a_real_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "reportgen", "generate", "--ledger",
                           str(_small(tmp_path)), "--report", "dekad", "--period",
                           "2026-01-D1", "--format", "json", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 3
    assert "2026-01-10" in done.stderr
    assert "Traceback" not in done.stderr


# -- bad balances rows -----------------------------------------------------------------------

@pytest.mark.parametrize(("row", "column", "message"), [
    ("L1,2026-01-31,-5.00,normal,0,", "balance", "must not be negative"),
    ("L1,2026-01-31,5.00,normal,0,maybe", "written_off", "true/false"),
    ("L1,2026-01-31,5.00,normal,0,2", "written_off", "true/false"),
    ("L9,2026-01-31,5.00,normal,0,", "loan_id", "no such loan_id"),
    ("L1,2026-01-31,5.00,normal,-3,", "overdue_days", "whole number"),
    ("L1,2026-01-31,5.00,normal,2.5,", "overdue_days", "whole number"),
    ("L1,2026-01-31,5.00,fine,0,", "grade", "not one of"),
    ("L1,2026-01-31,,normal,0,", "balance", "must not be blank"),
    ("L1,2025-06-01,5.00,normal,0,", "date", "before its loan's start_date"),
])
def test_bad_balances_rows(tmp_path: Path, row: str, column: str, message: str) -> None:
    balances = "L1,2025-12-31,1000.00,normal,0,\n" + row
    with pytest.raises(LedgerError) as caught:
        open_ledger(_small(tmp_path, balances))
    lines = [str(p) for p in caught.value.problems]
    assert any("balances.csv" in line and ", row 3" in line and column in line
               and message in line for line in lines), lines


@pytest.mark.parametrize("duplicate", [
    "L1,2025-12-31,1000.00,normal,0,",
    "L1,2025-12-31,900.00,special_mention,3,",  # a different balance on the same day
])
def test_duplicate_loan_and_date(tmp_path: Path, duplicate: str) -> None:
    balances = f"L1,2025-12-31,1000.00,normal,0,\nL2,2025-12-31,5.00,normal,0,\n{duplicate}"
    with pytest.raises(LedgerError) as caught:
        open_ledger(_small(tmp_path, balances))
    lines = [str(p) for p in caught.value.problems]
    assert any("row 4" in line and "second balances row" in line for line in lines), lines
    assert not any("row 2" in line for line in lines), lines


def test_all_problems_at_once(tmp_path: Path) -> None:
    balances = ("L1,2025-12-31,-1.00,normal,0,\nL9,2025-12-31,1.00,normal,0,\n"
                "L2,2025-12-31,1.00,normal,0,x")
    with pytest.raises(LedgerError) as caught:
        open_ledger(_small(tmp_path, balances))
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "row 2" in text
    assert "row 3" in text
    assert "row 4" in text


@pytest.mark.parametrize("journal", ["transactions.csv", "classifications.csv"])
def test_balances_and_a_journal_table_is_refused(tmp_path: Path, journal: str) -> None:
    folder = _small(tmp_path)
    header = "loan_id,date,type,amount" if journal == "transactions.csv" else (
        "loan_id,date,grade,overdue_since")
    (folder / journal).write_text(header + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="not both"):
        open_ledger(folder)
    result = CliRunner().invoke(main, ["validate", "--ledger", str(folder)])
    assert result.exit_code == 3
    assert "not both" in result.output


def test_neither_balances_nor_a_journal(tmp_path: Path) -> None:
    folder = _small(tmp_path)
    (folder / "balances.csv").unlink()
    with pytest.raises(LedgerError, match="balances 借据余额 instead") as caught:
        open_ledger(folder)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "transactions" in text
    assert "classifications" in text


# -- every format says the flows are derived --------------------------------------------------

def _chinese_workbook(tmp_path: Path) -> Path:
    folder = _small(tmp_path)
    tables: dict[str, Any] = {}
    for name in ("customers", "loans", "balances"):
        rows = list(csv.reader((folder / f"{name}.csv").read_text(encoding="utf-8")
                               .splitlines()))
        tables[name] = (rows[0], [r for r in rows[1:] if r])
    from ledgers import to_chinese
    return write_workbook(tmp_path / "ledger.xlsx", to_chinese(tables), chinese_sheets=True)


def test_a_workbook_with_a_chinese_balances_sheet(tmp_path: Path) -> None:
    workbook = _chinese_workbook(tmp_path)
    doc = report_dict(build(open_ledger(workbook), "monthly", "2026-01", Config()))
    assert doc["sections"]["summary"]["disbursed"] == "1200.00"
    assert doc["sections"]["summary"]["written_off"] == "300.00"


def test_every_format_labels_derived_flows(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--ledger", str(_small(tmp_path)),
                                       "--report", "monthly", "--period", "2026-01",
                                       "--format", "json,xlsx,html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = {p.suffix: p for p in out.iterdir()}
    assert '"flows_derived":true' in files[".json"].read_text(encoding="utf-8").replace(" ", "")
    assert "由余额变动推算" in files[".html"].read_text(encoding="utf-8")
    book = load_workbook(files[".xlsx"])
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert any("由余额变动推算" in c for c in cells)


def test_data_date_is_the_latest_snapshot(tmp_path: Path) -> None:
    session = open_ledger(_small(tmp_path))
    assert session.data_date.day == date(2026, 2, 28)
    assert "snapshot" in str(session.data_date)
    assert not session.data_date.declared
    assert session.first_day == date(2025, 12, 31)  # not the earliest loan start


def test_rows_after_a_declared_data_date(tmp_path: Path) -> None:
    with pytest.raises(LedgerError) as caught:
        open_ledger(_small(tmp_path), as_of=date(2026, 1, 31))
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 2  # the two balances rows of 2026-02-28, once each
    assert all("balances.csv" in line and "after the data date" in line for line in lines)


def test_interest_and_recoveries_are_dashes_in_excel(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--ledger", str(_small(tmp_path)),
                                       "--report", "monthly", "--period", "2026-01",
                                       "--format", "xlsx", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(next(out.iterdir()))
    rows = {str(r[0].value): r[1].value for ws in book.worksheets for r in ws.iter_rows()
            if len(r) > 1 and r[0].value is not None}
    interest = next(v for k, v in rows.items() if k.lower().startswith("interest"))
    recovered = next(v for k, v in rows.items() if k.lower().startswith("recovered"))
    assert interest == "—"
    assert recovered == "—"


def test_validate_describes_a_snapshot_ledger(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--ledger", str(_small(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "7 balances rows on 3 snapshot dates" in result.output


@pytest.mark.parametrize(("flag", "written_off", "collected"), [
    ("true", "300.00", "0.00"), ("TRUE", "300.00", "0.00"), ("1", "300.00", "0.00"),
    ("Y", "300.00", "0.00"), ("y", "300.00", "0.00"), ("是", "300.00", "0.00"),
    (" 是 ", "300.00", "0.00"),
    ("false", "0.00", "300.00"), ("0", "0.00", "300.00"), ("N", "0.00", "300.00"),
    ("否", "0.00", "300.00"), ("", "0.00", "300.00"),
])
def test_written_off_spellings(tmp_path: Path, flag: str, written_off: str,
                               collected: str) -> None:
    """A fall of 300.00 is a write-off exactly when the later row is marked written off."""
    balances = f"L1,2025-12-31,1000.00,normal,0,\nL1,2026-01-31,700.00,loss,0,\"{flag}\""
    doc = report_dict(build(open_ledger(_small(tmp_path, balances)), "monthly", "2026-01",
                            Config()))
    assert doc["sections"]["summary"]["written_off"] == written_off
    assert doc["sections"]["summary"]["collected"] == collected


@pytest.mark.parametrize("flag", ["yes", "no", "TRUEE", "2", "-1", "已核销"])
def test_written_off_other_values_are_errors(tmp_path: Path, flag: str) -> None:
    balances = f"L1,2025-12-31,1000.00,normal,0,{flag}"
    with pytest.raises(LedgerError) as caught:
        open_ledger(_small(tmp_path, balances))
    lines = [str(p) for p in caught.value.problems]
    assert any("written_off" in line and flag in line for line in lines), lines


def test_dekad_report_from_dekad_end_snapshots(tmp_path: Path) -> None:
    """Snapshots on 2026-01-10 and 2026-01-20 give the dekad 2026-01-D2: L1 falls 250.00
    (collected), L3 appears with 400.00 (lent), L2 is missing on the 20th (closed: its
    800.00 collected)."""
    balances = """
        L1,2026-01-10,1000.00,normal,0,
        L2,2026-01-10,800.00,normal,0,
        L1,2026-01-20,750.00,normal,0,
        L3,2026-01-20,400.00,special_mention,3,
    """
    doc = report_dict(build(open_ledger(_small(tmp_path, balances)), "dekad", "2026-01-D2",
                            Config()))
    summary = doc["sections"]["summary"]
    assert summary["collected"] == "1050.00"
    assert summary["disbursed"] == "400.00"
    assert summary["balance"] == "1150.00"
    assert summary["balance_opening"] == "1800.00"
    assert doc["sections"]["quality"]["special_mention"] == "400.00"


def test_english_output_says_derived(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--ledger", str(_small(tmp_path)),
                                       "--report", "monthly", "--period", "2026-01",
                                       "--format", "html", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = next(out.iterdir()).read_text(encoding="utf-8")
    assert "Flows in the period (derived from balance changes)" in html


def test_trend_month_ends_without_a_snapshot_are_dashes(tmp_path: Path) -> None:
    """Quarter-end snapshots only: January and February are unknown (null, not the last
    snapshot's figures carried on); March's balance is exact, but its flows are not (the
    end of February, their start, has no snapshot)."""
    balances = """
        L1,2025-12-31,1000.00,normal,0,
        L1,2026-03-31,600.00,normal,0,
    """
    folder = _small(tmp_path, balances)
    doc = report_dict(build(open_ledger(folder), "quarterly", "2026-Q1", Config()))
    jan, feb, mar = doc["sections"]["trend"]
    for point in (jan, feb):
        assert {k: v for k, v in point.items() if k not in ("month", "end")} == dict.fromkeys(
            ("balance", "npl", "npl_ratio", "overdue_total", "disbursed", "collected"))
    assert mar["balance"] == "600.00"
    assert mar["disbursed"] is None
    assert mar["collected"] is None
    assert doc["sections"]["summary"]["collected"] == "400.00"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--ledger", str(folder), "--report",
                                       "quarterly", "--period", "2026-Q1", "--format",
                                       "xlsx,html", "--out", str(out)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("lang", "label"), [("zh", "由余额变动推算"),
                                             ("en", "derived from balance changes")])
def test_the_written_analysis_says_derived(tmp_path: Path, lang: str, label: str) -> None:
    from reportgen.analysis import draft

    report = build(open_ledger(_small(tmp_path)), "monthly", "2026-01", Config())
    scale = next(p.text for p in draft(report, lang=lang).paragraphs if p.topic == "scale")
    assert label in scale


# -- a snapshot export as a core system writes it, through a mapping (mapping.md) ------------

SNAPSHOT_MAPPING = """
[tables.balances]
file = "借据余额_*.csv"
header_row = 2
skip_first_cell = ["合计", "小计"]
money_unit = "wan"
""" + columns_toml("balances", {**BALANCE_COLUMNS, "grade": "五级分类", "overdue_days": "逾期天数",
                               "written_off": "核销标志"}) + codes_toml(
    {"balances.grade": {code: grade for grade, code in GRADE_CODES.items()},
     "balances.written_off": WRITTEN_OFF})


def _core_balances(table: str) -> bytes:
    """The own-format balances rows as a core writes them: GBK, a title row, 20260131
    dates, balances in 万元 (fen ÷ 1,000,000, exactly), grade codes 10…50, 已核销/未核销,
    a 小计 row after each date and a 合计 row at the end."""
    from decimal import Decimal

    lines = ["借据余额表（单位：万元）",
             "贷款账号,数据日期,贷款余额(万元),五级分类,逾期天数,核销标志"]
    last = None
    for loan, day, balance, grade, overdue, flag in csv.reader(io.StringIO(table)):
        if last is not None and day != last:
            lines.append(f"小计,{last.replace('-', '')},,,,")
        last = day
        wan = Decimal(balance) / 10_000
        lines.append(f"{loan},{day.replace('-', '')},{wan:f},{GRADE_CODES[grade]},{overdue},"
                     f"{'已核销' if flag == '是' else '未核销'}")
    lines.append("合计,,,,,")
    return ("\n".join(lines) + "\n").encode("gbk")


def test_a_mapped_core_snapshot_export_gives_the_journal_figures(tmp_path: Path) -> None:
    from reportgen.ledger.mapping import load_mapping

    journal = _journal(tmp_path / "journal")
    table = _month_end_balances(journal)
    export = write_snapshot_ledger(tmp_path / "export", table)
    (export / "balances.csv").unlink()
    (export / "借据余额_20260331.csv").write_bytes(_core_balances(table))
    mapping = write_mapping(tmp_path / "core.toml", SNAPSHOT_MAPPING)
    session = open_ledger(export, mapping=load_mapping(mapping))
    assert session.ledger.skipped["balances"] == {"footer rows (合计, 小计)": 4}
    from_journal = report_dict(build(open_ledger(journal, as_of=MONTH_ENDS[-1]), "quarterly",
                                     "2026-Q1", Config()))
    from_export = report_dict(build(session, "quarterly", "2026-Q1", Config()))
    for section in COMPARED:
        assert from_export["sections"][section] == from_journal["sections"][section], section
    assert from_export["flows_derived"] is True


def test_a_mapped_snapshot_exports_unmapped_codes_fail_closed(tmp_path: Path) -> None:
    from reportgen.ledger.mapping import load_mapping

    journal = _journal(tmp_path / "journal")
    table = _month_end_balances(journal)
    export = write_snapshot_ledger(tmp_path / "export", table)
    (export / "balances.csv").unlink()
    text = _core_balances(table).decode("gbk").replace(",未核销\n", ",未知\n", 1)
    (export / "借据余额_20260331.csv").write_bytes(text.replace(",20,", ",25,").encode("gbk"))
    mapping = write_mapping(tmp_path / "core.toml", SNAPSHOT_MAPPING)
    with pytest.raises(LedgerError) as caught:
        open_ledger(export, mapping=load_mapping(mapping))
    text = str(caught.value)
    assert "借据余额_20260331.csv, column 核销标志: 1 values not mapped: '未知' (1 rows, first " \
           "row 3)" in text
    assert "column 五级分类: 1 values not mapped: '25'" in text
