"""reportgen/metrics/summary.py: balances at D, O, Y, L, the period's flows, the identity.

Every expected figure is worked out by hand from metrics.md ("summary") and written as the
JSON string of interface.md (money in yuan with 2 places, counts as integers).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import InternalError, LedgerError
from reportgen.metrics.summary import check_identity
from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

CUSTOMERS = """
C1,甲公司,corporate,small,C,,,
C2,乙,individual,,A,,,
"""


def _summary(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["summary"]


def _row(section: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in section["table"] if r["key"] == key)


BASIC = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,1000000,2025-01-10,2027-01-10,4.35
        L2,C2,B1,李,,credit,200000,2026-02-01,2026-09-30,5
        L3,C1,B1,王,,credit,300000,2026-03-10,2026-12-31,4
        """,
    "transactions": """
        L1,2025-01-10,disburse,1000000
        L1,2025-06-30,repay,100000
        L1,2026-03-05,repay,50000
        L1,2026-03-20,interest,3000
        L2,2026-02-01,disburse,200000
        L2,2026-03-31,repay,200000
        L3,2026-03-10,disburse,300000
        L3,2026-03-25,repay,1234.56
        """,
    "classifications": """
        L1,2025-01-10,normal,
        L2,2026-02-01,normal,
        L3,2026-03-10,normal,
        """,
}


def test_balances_and_flows(report_from: MakeReport) -> None:
    # monthly 2026-03: S = 1 Mar, D = 31 Mar, O = 28 Feb, Y = 31 Dec 2025, L = 31 Mar 2025
    s = _summary(report_from("monthly", "2026-03", **BASIC))
    assert s["balance"] == "1148765.44"  # L1 1,000,000 − 100,000 − 50,000 = 850,000;
    # L2 repaid in full on D = 0; L3 300,000 − 1,234.56 = 298,765.44
    assert s["accounts"] == 2  # L1, L3 (L2 is at zero on D)
    assert s["customers"] == 1  # both live loans are C1's
    assert s["balance_opening"] == "1100000.00"  # L1 900,000 + L2 200,000 on 28 Feb
    assert s["balance_year_start"] == "900000.00"  # L1 only on 31 Dec 2025
    assert s["balance_last_year"] == "1000000.00"  # L1 before its June 2025 repayment
    assert s["disbursed"] == "300000.00"  # L3 on 10 Mar
    assert s["disbursed_count"] == 1
    assert s["collected"] == "251234.56"  # 50,000 + 200,000 + 1,234.56
    assert s["written_off"] == "0.00"
    assert s["interest_received"] == "3000.00"  # interest is a flow, not a balance change
    assert s["recovered"] == "0.00"


def test_comparison_table(report_from: MakeReport) -> None:
    s = _summary(report_from("monthly", "2026-03", **BASIC))
    assert _row(s, "balance") == {
        "key": "balance",
        "current": "1148765.44",
        "opening": "1100000.00",
        "change_opening": "48765.44",  # 1,148,765.44 − 1,100,000
        "year_start": "900000.00",
        "change_year_start": "248765.44",  # 1,148,765.44 − 900,000
        "last_year": "1000000.00",
        "change_last_year": "148765.44",  # 1,148,765.44 − 1,000,000
    }
    # accounts: D {L1, L3}; O {L1, L2}; Y {L1}; L {L1}
    assert _row(s, "accounts") == {
        "key": "accounts", "current": 2, "opening": 2, "change_opening": 0,
        "year_start": 1, "change_year_start": 1, "last_year": 1, "change_last_year": 1}
    # customers: D {C1}; O {C1, C2}; Y {C1}; L {C1}
    assert _row(s, "customers") == {
        "key": "customers", "current": 1, "opening": 2, "change_opening": -1,
        "year_start": 1, "change_year_start": 0, "last_year": 1, "change_last_year": 0}


def test_model_holds_integer_fen(report_from: MakeReport) -> None:
    summary = report_from("monthly", "2026-03", **BASIC).sections.summary
    assert summary.balance == 114_876_544  # 1,148,765.44 yuan
    assert summary.collected == 25_123_456
    assert isinstance(summary.balance, int)


WRITE_OFF = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,1000000,2025-06-01,2027-06-01,4
        L2,C2,B1,李,,credit,200000,2025-01-01,2026-01-01,5
        L3,C2,B1,李,,credit,100000,2025-02-01,2027-02-01,5
        """,
    "transactions": """
        L1,2025-06-01,disburse,1000000
        L1,2025-12-01,repay,500000
        L1,2026-03-10,repay,100000
        L1,2026-03-12,writeoff,400000
        L1,2026-03-25,recovery,30000
        L2,2025-01-01,disburse,200000
        L2,2025-09-30,writeoff,200000
        L2,2026-02-15,recovery,5000
        L2,2026-03-05,recovery,20000
        L3,2025-02-01,disburse,100000
        """,
    "classifications": """
        L1,2025-06-01,normal,
        L1,2026-03-01,loss,2026-01-01
        L2,2025-09-30,loss,2025-06-01
        L3,2025-02-01,normal,
        """,
}


def test_write_off_then_recovery(report_from: MakeReport) -> None:
    s = _summary(report_from("monthly", "2026-03", **WRITE_OFF))
    # L1: 500,000 on O − 100,000 repaid − 400,000 written off = 0; the 30,000 recovered
    # afterwards does not bring the balance back. L2 was written off in 2025. L3: 100,000
    assert s["balance"] == "100000.00"
    assert s["accounts"] == 1
    assert s["customers"] == 1
    assert s["balance_opening"] == "600000.00"  # L1 500,000 + L3 100,000
    assert s["balance_year_start"] == "600000.00"  # the same on 31 Dec 2025
    assert s["balance_last_year"] == "300000.00"  # 31 Mar 2025: L2 200,000 + L3 100,000
    assert s["collected"] == "100000.00"
    assert s["written_off"] == "400000.00"
    assert s["recovered"] == "50000.00"  # 30,000 (L1) + 20,000 (L2); the Feb 5,000 is outside
    assert s["disbursed"] == "0.00"
    assert s["disbursed_count"] == 0
    # identity: 600,000 + 0 − 100,000 − 400,000 = 100,000


def test_recovery_in_a_dekad(report_from: MakeReport) -> None:
    # D1 = 1–10 Mar, O = 28 Feb: L2's recovery on 5 Mar and L1's repayment on 10 Mar (D)
    s = _summary(report_from("dekad", "2026-03-D1", **WRITE_OFF))
    assert s["recovered"] == "20000.00"
    assert s["collected"] == "100000.00"
    assert s["written_off"] == "0.00"  # L1's write-off is on 12 Mar, in D2
    assert s["balance"] == "500000.00"  # L1 400,000 + L3 100,000
    s2 = _summary(report_from("dekad", "2026-03-D2", **WRITE_OFF))
    assert s2["written_off"] == "400000.00"
    assert s2["recovered"] == "0.00"
    assert s2["balance"] == "100000.00"
    s3 = _summary(report_from("dekad", "2026-03-D3", **WRITE_OFF))
    assert s3["recovered"] == "30000.00"  # 25 Mar
    assert s3["balance"] == "100000.00"  # unchanged by the recovery


REDRAWN = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,100000,2026-01-05,2027-01-05,4
        L2,C2,B1,李,,credit,50000,2026-01-10,2027-01-10,5
        """,
    "transactions": """
        L1,2026-01-05,disburse,100000
        L1,2026-03-05,repay,100000
        L1,2026-03-20,disburse,80000
        L2,2026-01-10,disburse,50000
        """,
    "classifications": """
        L1,2026-01-05,normal,
        L2,2026-01-10,normal,
        """,
}


def test_loan_repaid_to_zero_then_drawn_again(report_from: MakeReport) -> None:
    # D1 (1–10 Mar): L1 repaid to zero on 5 Mar, so only L2 is live on 10 Mar
    d1 = _summary(report_from("dekad", "2026-03-D1", **REDRAWN))
    assert (d1["balance"], d1["accounts"], d1["customers"]) == ("50000.00", 1, 1)
    assert d1["balance_opening"] == "150000.00"  # 100,000 + 50,000 on 28 Feb
    assert d1["collected"] == "100000.00"
    # D2 (11–20 Mar): L1 drawn again on the 20th, the dekad's last day
    d2 = _summary(report_from("dekad", "2026-03-D2", **REDRAWN))
    assert (d2["balance"], d2["accounts"], d2["customers"]) == ("130000.00", 2, 2)
    assert d2["balance_opening"] == "50000.00"
    assert (d2["disbursed"], d2["disbursed_count"]) == ("80000.00", 1)
    # the month: 150,000 + 80,000 − 100,000 = 130,000; L1 counts once, live at O and D
    m = _summary(report_from("monthly", "2026-03", **REDRAWN))
    assert (m["balance"], m["balance_opening"]) == ("130000.00", "150000.00")
    assert (m["disbursed"], m["disbursed_count"], m["collected"]) == ("80000.00", 1, "100000.00")
    assert _row(m, "accounts")["opening"] == 2
    assert m["accounts"] == 2


def test_empty_period_still_builds_with_zero_flows(report_from: MakeReport) -> None:
    report = report_from(
        "monthly", "2026-03",
        customers=CUSTOMERS,
        loans="L1,C1,B1,王,,credit,500000,2025-05-01,2027-05-01,4",
        transactions="""
        L1,2025-05-01,disburse,500000
        L1,2026-02-10,interest,1800
        L1,2026-04-01,repay,1000
        """,
        classifications="L1,2025-05-01,normal,",
    )
    s = _summary(report)
    assert s["balance"] == s["balance_opening"] == "500000.00"  # nothing moved in March
    for key in ("disbursed", "collected", "written_off", "interest_received", "recovered"):
        assert s[key] == "0.00", key
    assert s["disbursed_count"] == 0


def test_ledger_without_any_transaction_is_refused(report_from: MakeReport) -> None:
    # loans that were never drawn: a report of zeros would look like an empty book, so the
    # ledger is refused (exit 3) instead (more cases in test_datadate.py)
    with pytest.raises(LedgerError, match=r"1 loan\(s\) but no transactions at all"):
        report_from("yearly", "2026", customers=CUSTOMERS,
                    loans="L1,C1,B1,王,,credit,500000,2026-05-01,2027-05-01,4",
                    transactions="")


def test_zero_balance_on_every_day_of_a_year(report_from: MakeReport) -> None:
    # a loan drawn and repaid before the year: every figure of 2026 is zero, every ratio
    # null, and it builds
    report = report_from(
        "yearly", "2026",
        customers=CUSTOMERS,
        loans="L1,C1,B1,王,,credit,500000,2025-05-01,2027-05-01,4",
        transactions="L1,2025-05-01,disburse,500000\nL1,2025-06-01,repay,500000",
    )
    sections = report_dict(report)["sections"]
    s = sections["summary"]
    assert (s["balance"], s["accounts"], s["customers"]) == ("0.00", 0, 0)
    assert (s["disbursed"], s["balance_year_start"]) == ("0.00", "0.00")  # 31 Dec 2025: known
    assert sections["quality"]["npl_ratio"] is None  # 0 / 0
    assert sections["overdue"]["par30"] is None
    assert sections["provision"]["provision_ratio"] is None
    assert [p["balance"] for p in sections["trend"]] == ["0.00"] * 12


def test_29_february(report_from: MakeReport) -> None:
    # monthly 2024-02 ends on 29 Feb 2024; same day last year is 28 Feb 2023
    report = report_from(
        "monthly", "2024-02",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,100000,2023-02-28,2026-02-28,4
        L2,C1,B1,王,,credit,200000,2023-03-01,2026-03-01,4
        L3,C2,B1,李,,credit,50000,2024-02-29,2026-02-28,4
        """,
        transactions="""
        L1,2023-02-28,disburse,100000
        L2,2023-03-01,disburse,200000
        L3,2024-02-29,disburse,50000
        """,
    )
    assert (report.last_year.isoformat(), report.end.isoformat()) == ("2023-02-28",
                                                                       "2024-02-29")
    s = _summary(report)
    assert s["balance_last_year"] == "100000.00"  # L1 drawn on 28 Feb 2023; L2 a day later
    assert s["balance"] == "350000.00"  # 100,000 + 200,000 + 50,000 (drawn on D)
    assert s["balance_opening"] == "300000.00"  # 31 Jan 2024
    assert s["balance_year_start"] == "300000.00"  # 31 Dec 2023
    assert (s["disbursed"], s["disbursed_count"]) == ("50000.00", 1)  # D itself counts
    assert _row(s, "accounts")["last_year"] == 1


@pytest.mark.parametrize(
    ("report", "period"),
    [("dekad", f"2026-{m:02d}-D{d}") for m in (1, 2, 3) for d in (1, 2, 3)]
    + [("monthly", "2025-06"), ("monthly", "2026-02"), ("monthly", "2026-03"),
       ("quarterly", "2026-Q1"), ("quarterly", "2025-Q2"), ("yearly", "2026")],
)
def test_balance_identity_holds(report_from: MakeReport, report: str, period: str) -> None:
    ledger = {**BASIC, "transactions": BASIC["transactions"] + """
        L1,2026-02-10,writeoff,10000
        L1,2026-02-11,recovery,500
        """}
    s = _summary(report_from(report, period, **ledger))
    money = {k: Decimal(s[k]) for k in ("balance", "balance_opening", "disbursed",
                                        "collected", "written_off")}
    assert money["balance"] == (money["balance_opening"] + money["disbursed"]
                                - money["collected"] - money["written_off"])


def test_identity_check_raises_on_a_broken_summary(report_from: MakeReport) -> None:
    summary = report_from("monthly", "2026-03", **BASIC).sections.summary
    check_identity(summary)  # the real one passes
    with pytest.raises(InternalError, match="balance identity"):
        check_identity(replace(summary, collected=summary.collected + 1))


HALF_YEAR = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,1000000,2025-11-01,2027-11-01,4
        L2,C2,B1,李,,credit,500000,2026-01-15,2027-01-15,5
        L3,C1,B1,王,,credit,80000,2026-06-30,2027-06-30,4
        """,
    "transactions": """
        L1,2025-11-01,disburse,1000000
        L1,2026-02-10,repay,100000
        L1,2026-03-20,interest,3000
        L1,2026-05-05,repay,200000
        L2,2026-01-15,disburse,500000
        L2,2026-04-30,repay,50000.25
        L3,2026-06-30,disburse,80000
        L3,2026-07-01,repay,10000
        """,
    "classifications": """
        L1,2025-11-01,normal,
        L2,2026-01-15,normal,
        L3,2026-06-30,normal,
        """,
}
FLOWS = ("disbursed", "disbursed_count", "collected", "written_off", "interest_received",
         "recovered")


def test_half_year_flows_are_its_two_quarters(report_from: MakeReport) -> None:
    h1 = _summary(report_from("halfyear", "2026-H1", **HALF_YEAR))
    q1 = _summary(report_from("quarterly", "2026-Q1", **HALF_YEAR))
    q2 = _summary(report_from("quarterly", "2026-Q2", **HALF_YEAR))
    # Q1 (1 Jan – 31 Mar): L2 500,000 out; L1 100,000 back; 3,000 interest
    assert [q1[k] for k in FLOWS] == ["500000.00", 1, "100000.00", "0.00", "3000.00", "0.00"]
    # Q2 (1 Apr – 30 Jun): L3 80,000 out on 30 Jun; L1 200,000 + L2 50,000.25 back
    assert [q2[k] for k in FLOWS] == ["80000.00", 1, "250000.25", "0.00", "0.00", "0.00"]
    # H1 = Q1 + Q2; L3's repayment of 1 July belongs to neither
    assert [h1[k] for k in FLOWS] == ["580000.00", 2, "350000.25", "0.00", "3000.00", "0.00"]
    # balance on 30 Jun: L1 700,000 + L2 449,999.75 + L3 80,000 = 1,229,999.75, the Q2
    # report's balance; the opening is 31 Dec 2025 (L1 1,000,000), also the year start;
    # 1,000,000 + 580,000 − 350,000.25 = 1,229,999.75 (the identity)
    assert h1["balance"] == q2["balance"] == "1229999.75"
    assert h1["balance_opening"] == h1["balance_year_start"] == q1["balance_opening"]
    assert h1["balance_opening"] == "1000000.00"
    assert q2["balance_opening"] == "1400000.00"  # L1 900,000 + L2 500,000 on 31 Mar
    # 30 Jun 2025 is before the ledger's first date (1 Nov 2025): unknown, not 0
    assert h1["balance_last_year"] is None
    june = _summary(report_from("monthly", "2026-06", **HALF_YEAR))
    assert june["balance"] == h1["balance"]


def test_half_year_trend_has_its_six_month_ends(report_from: MakeReport) -> None:
    trend = report_dict(report_from("halfyear", "2026-H1", **HALF_YEAR))["sections"]["trend"]
    assert [(p["month"], p["balance"], p["disbursed"], p["collected"]) for p in trend] == [
        ("2026-01", "1500000.00", "500000.00", "0.00"),  # L1 1,000,000 + L2 500,000
        ("2026-02", "1400000.00", "0.00", "100000.00"),
        ("2026-03", "1400000.00", "0.00", "0.00"),
        ("2026-04", "1349999.75", "0.00", "50000.25"),
        ("2026-05", "1149999.75", "0.00", "200000.00"),
        ("2026-06", "1229999.75", "80000.00", "0.00"),
    ]
    h2 = report_dict(report_from("halfyear", "2026-H2", **HALF_YEAR))["sections"]
    assert h2["trend"][0]["collected"] == "10000.00"  # L3 on 1 July
    assert h2["summary"]["balance_opening"] == "1229999.75"  # O = 30 Jun


# -- 贷款日均余额 (summary.avg_balance) in every format (issue 13) -------------------------
#
# June 2026 (30 days): L2 holds 200,000.00 every day; L1 is lent 100,000.01 on 06-16 and
# holds it 15 days (16 … 30).  Σ = 200,000.00 × 30 + 100,000.01 × 15 = 7,500,000.15
# yuan·days; ÷ 30 = 250,000.005 → half-up 250,000.01 (a half-even rounding would show .00);
# in 万元 25.00.

AVERAGE = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,100000.01,2026-06-16,2027-06-16,4.35
        L2,C2,B1,王,,credit,200000,2026-01-10,2027-01-10,5
    """,
    "transactions": """
        L1,2026-06-16,disburse,100000.01
        L2,2026-01-10,disburse,200000
    """,
}


@pytest.mark.parametrize(("lang", "unit", "shown", "label", "sheet"), [
    ("zh", "yuan", "250,000.01", "贷款日均余额", "总量"),
    ("en", "yuan", "250,000.01", "Loan daily average", "Summary"),
    ("zh", "wan", "25.00", "贷款日均余额", "总量"),
])
def test_the_loan_daily_average_is_shown_in_excel_and_pdf(
        report_from: MakeReport, tmp_path: Path, lang: str, unit: str, shown: str, label: str,
        sheet: str) -> None:
    from openpyxl import load_workbook

    from reportgen.api import write
    from reportgen.render.base import RenderOptions

    report = report_from("monthly", "2026-06", **AVERAGE)
    assert _summary(report)["avg_balance"] == "250000.01"
    files = write(report, ["xlsx", "pdf"], tmp_path, RenderOptions(lang=lang, unit=unit))
    book = load_workbook(files[0])
    rows = [row for row in book[sheet].iter_rows(values_only=True) if label in row]
    assert len(rows) == 1
    value = rows[0][rows[0].index(label) + 1]
    assert Decimal(str(value)) == Decimal(shown.replace(",", ""))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(files[1]), "-"], check=True,
                              capture_output=True, text=True).stdout
        lines = [line for line in text.splitlines() if label in line]
        assert lines, text
        assert lines[0].split()[-1] == shown
