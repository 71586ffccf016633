"""reportgen/metrics/deposits.py: deposit balances, daily averages, 有贷户/无贷户, 存贷比,
managers' weighted and new averages, and the two deposit target metrics.

The ledger below is small enough to work every figure out by hand (April 2026: 30 days,
March: 31, 1 January – 30 April: 120), written as interface.md's JSON strings (yuan, 2
places, half-up; ratios as fractions with 6 places).

Loan L1 (customer C1): 1,000 from 2025 until a repayment of 400 on 04-16, so April's
loan day sum = 15 × 1,000 + 15 × 600 = 24,000 → 贷款日均 800.00, balance on D 600.00.

Deposits (change-only rows):
* A1 C1 corporate_demand 王: 3,000 from 2025-12-31, 6,000 from 04-11:
  April 10 × 3,000 + 20 × 6,000 = 150,000; March 93,000; YTD 100 × 3,000 + 20 × 6,000.
* A2 C2 individual_time 李, opened 04-21 with 1,000: April 10 × 1,000 = 10,000.
* A3 (no customer) individual_demand 李, 200 from 2025-12-31, closed (0) on 04-06:
  April 5 × 200 = 1,000; March 6,200; YTD 95 × 200 = 19,000.
* A4 C1 margin 王, 500 from 03-01: April 15,000; March 15,500; YTD 61 × 500 = 30,500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from reportgen.config import Config, DepositsConfig, DepositWeightsConfig, ThresholdsConfig
from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

LEDGER: dict[str, str] = {
    "customers": """
        C1,甲公司,corporate,small,C,,,
        C2,乙,individual,,A,,,
        """,
    "loans": "L1,C1,B1,王,,credit,1000,2025-01-10,2027-01-10,4.35",
    "transactions": """
        L1,2025-01-10,disburse,1000
        L1,2026-04-16,repay,400
        """,
    "classifications": "L1,2025-01-10,normal,",
    "deposit_accounts": """
        A1,C1,B1,王,corporate_demand
        A2,C2,B1,李,individual_time
        A3,,B1,李,individual_demand
        A4,C1,B1,王,margin
        """,
}
CHANGES = """
    A1,2025-12-31,3000
    A1,2026-04-11,6000
    A2,2026-04-21,1000
    A3,2025-12-31,200
    A3,2026-04-06,0
    A4,2026-03-01,500
    """


def _daily(changes: str, last: date) -> str:
    """The same history as one row per account per day (a daily-snapshot export)."""
    rows = [line.strip().split(",") for line in changes.strip().splitlines()]
    out = []
    for i, (account, day, balance) in enumerate(rows):
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        stop = (date.fromisoformat(nxt[1]) - timedelta(days=1)
                if nxt is not None and nxt[0] == account else last)
        d = date.fromisoformat(day)
        while d <= stop:
            out.append(f"{account},{d.isoformat()},{balance}")
            d += timedelta(days=1)
    return "\n".join(out)


def _deposits(report: Report) -> dict[str, Any]:
    section: dict[str, Any] = report_dict(report)["sections"]["deposits"]
    return section


def _row(rows: list[dict[str, Any]], key: str, field: str = "key") -> dict[str, Any]:
    return next(r for r in rows if r[field] == key)


def _rows(table: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A table as a list of row dicts, whether written row by row or column by column."""
    if isinstance(table, list):
        return table
    columns = list(table)
    return [dict(zip(columns, values, strict=True))
            for values in zip(*(table[c] for c in columns), strict=True)]


WEIGHTED = Config(deposits=DepositsConfig(
    base_date=date(2026, 3, 31),
    weights=DepositWeightsConfig(margin=0.3, individual_time=1.1)))


@pytest.fixture
def april(report_from: MakeReport) -> Report:
    return report_from("monthly", "2026-04", config=WEIGHTED, deposit_balances=CHANGES,
                       **LEDGER)


def test_balances_with_comparisons(april: Report) -> None:
    balances = _rows(_deposits(april)["balances"])
    total = _row(balances, "total")
    assert (total["current"], total["opening"], total["year_start"]) == (
        "7500.00", "3700.00", "3200.00")
    assert total["last_year"] is None  # 2025-04-30: before the deposit table's first date
    assert _row(balances, "savings")["current"] == "1000.00"
    assert _row(balances, "individual_demand")["current"] == "0.00"  # closed mid-month
    assert _row(balances, "corporate")["current"] == "6000.00"
    assert _row(balances, "margin")["current"] == "500.00"
    assert _row(balances, "other")["current"] == "0.00"


def test_daily_averages_hand_worked(april: Report) -> None:
    averages = _rows(_deposits(april)["averages"])
    total = _row(averages, "total")
    assert total["period"] == "5866.67"  # 176,000 / 30
    assert total["previous"] == "3700.00"  # March: 114,700 / 31
    assert total["change_previous"] == "2166.67"
    assert total["year_to_date"] == "3995.83"  # 479,500 / 120
    assert _row(averages, "individual_time")["period"] == "333.33"  # opened 04-21
    assert _row(averages, "individual_demand")["period"] == "33.33"  # closed 04-06
    assert _row(averages, "savings")["period"] == "366.67"  # 11,000 / 30, rounded once
    assert _row(averages, "corporate")["period"] == "5000.00"


def test_daily_snapshots_and_change_only_give_the_same_figures(report_from: MakeReport) -> None:
    changes = report_from("quarterly", "2026-Q2", config=WEIGHTED, deposit_balances=CHANGES,
                          **LEDGER)
    daily = report_from("quarterly", "2026-Q2", config=WEIGHTED,
                        deposit_balances=_daily(CHANGES, date(2026, 6, 30)), **LEDGER)
    assert _deposits(changes) == _deposits(daily)
    monthly = [report_from("monthly", "2026-04", config=WEIGHTED, deposit_balances=b, **LEDGER)
               for b in (CHANGES, _daily(CHANGES, date(2026, 4, 30)))]
    assert _deposits(monthly[0]) == _deposits(monthly[1])


def test_loan_to_deposit_both_bases(april: Report) -> None:
    d = _deposits(april)
    assert d["loan_balance"] == "600.00"
    assert d["loan_average"] == "800.00"
    assert d["loan_to_deposit"] == "0.080000"  # 600 / 7,500
    assert d["loan_to_deposit_average"] == "0.136364"  # 800 / (176,000 / 30)
    assert report_dict(april)["sections"]["summary"]["avg_balance"] == "800.00"


def test_borrowers_and_others(april: Report) -> None:
    rows = _rows(_deposits(april)["borrowers"])
    assert _row(rows, "with_loans") == {"key": "with_loans", "accounts": 2,
                                        "balance": "6500.00", "average": "5500.00"}
    assert _row(rows, "without_loans") == {"key": "without_loans", "accounts": 1,
                                           "balance": "1000.00", "average": "366.67"}


def test_managers_weighted_and_new_averages(april: Report) -> None:
    rows = _rows(_deposits(april)["managers"])
    wang = _row(rows, "王", "account_manager")
    # (150,000 + 0.3 × 15,000) / 30; new: 5,500 − 3,500 (balance on the base date 03-31)
    assert (wang["balance"], wang["average"], wang["weighted_average"], wang["new_average"]) == (
        "6500.00", "5500.00", "5150.00", "2000.00")
    li = _row(rows, "李", "account_manager")
    # (1.1 × 10,000 + 1,000) / 30; new: 366.67 − 200
    assert (li["balance"], li["average"], li["weighted_average"], li["new_average"]) == (
        "1000.00", "366.67", "400.00", "166.67")


def test_dekad_has_no_manager_table(report_from: MakeReport) -> None:
    dekad = report_from("dekad", "2026-04-D3", deposit_balances=CHANGES, **LEDGER)
    d = _deposits(dekad)
    assert d["managers"] is None
    # 21–30 April: A1 6,000 + A2 1,000 + A4 500 every day
    assert _row(_rows(d["averages"]), "total")["period"] == "7500.00"


def test_target_metrics(report_from: MakeReport) -> None:
    targets = """
        王,2026-04,deposit_balance_increase,3000
        王,2026-04,deposit_avg_increase,1000
        李,2026,deposit_avg_increase,100
        """
    report = report_from("monthly", "2026-04", targets=targets, deposit_balances=CHANGES,
                         **LEDGER)
    managers = report.sections.account_managers
    assert managers is not None
    results = {(r.account_manager, t.metric, t.period): t for r in managers.rows
               for t in r.targets}
    increase = results[("王", "deposit_balance_increase", "2026-04")]
    assert (increase.actual, increase.completion) == (300000, 1)  # 6,500 − 3,500 yuan
    avg = results[("王", "deposit_avg_increase", "2026-04")]
    assert avg.actual == 200000  # 5,500 − 3,500 (the day before the month), in fen
    year = results[("李", "deposit_avg_increase", "2026")]
    # Σ over 120 days of (bal − 200): (29,000 − 200 × 120) / 120 = 41.666… yuan
    assert year.actual == pytest.approx(4166.6666, abs=1e-3)
    rows = report_dict(report)["sections"]["account_managers"]["rows"]
    li = _row(_rows(rows), "李", "account_manager")
    assert _row(li["targets"], "deposit_avg_increase", "metric")["actual"] == "41.67"


@pytest.mark.parametrize(("limit", "breached"), [(0.05, True), (0.08, False), (1.5, False)])
def test_loan_to_deposit_limit(report_from: MakeReport, limit: float, breached: bool) -> None:
    config = Config(thresholds=ThresholdsConfig(loan_to_deposit_max=limit))
    report = report_from("monthly", "2026-04", config=config, deposit_balances=CHANGES,
                         **LEDGER)
    indicators = report.sections.indicators
    assert indicators is not None
    row = next(i for i in indicators if i.key == "loan_to_deposit")
    assert row.breached is breached


def test_no_limit_no_indicator_and_no_tables_no_section(report_from: MakeReport) -> None:
    with_tables = report_from("monthly", "2026-04", deposit_balances=CHANGES, **LEDGER)
    assert with_tables.sections.indicators is not None
    assert all(i.key != "loan_to_deposit" for i in with_tables.sections.indicators)
    without = {k: v for k, v in LEDGER.items() if k != "deposit_accounts"}
    report = report_from("monthly", "2026-04", **without)
    assert report.sections.deposits is None
    assert "deposits" not in report_dict(report)["sections"] or (
        report_dict(report)["sections"]["deposits"] is None)


def test_quarter_average_against_the_previous_quarter(report_from: MakeReport) -> None:
    """季日均: Q2 (91 days) A1 10 × 3,000 + 81 × 6,000, A2 71 × 1,000, A3 5 × 200,
    A4 91 × 500 = 633,500 → 6,961.538…; Q1 (90 days) 270,000 + 18,000 + 15,500 = 303,500
    → 3,372.222…; the change 3,589.316… (from the exact figures, not the rounded ones)."""
    report = report_from("quarterly", "2026-Q2", deposit_balances=CHANGES, **LEDGER)
    total = _row(_rows(_deposits(report)["averages"]), "total")
    assert (total["period"], total["previous"], total["change_previous"]) == (
        "6961.54", "3372.22", "3589.32")
