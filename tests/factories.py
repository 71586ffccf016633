"""A small report built by hand, with round known figures, for the renderer tests.

Every figure is chosen so that its shown form can be worked out on paper (the expected
strings in the tests come from the comments here, not from running the program):

* balance 1,000,005,000 fen = 10,000,050.00 yuan = 1,000.005 万元 → "1,000.01" (half-up;
  half-even would give 1,000.00);
* npl 50,000,250 fen = 5% of the balance exactly (at the 5% limit: not a breach);
* provision 60,000,300 fen → coverage 120.00% (breach of ≥ 150%), provision ratio 6.00%;
* net capital 2,000,000,000 fen; the largest customer holds 300,000,000 → 15.00%
  (breach of ≤ 10%); the largest group 400,000,000 → 20.00% (breach of ≤ 15%);
* recovered 125,000 fen = 0.125 万元 → "0.13" (half-up).

Three customers carry hostile names; none may become a formula, markup or a file read.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction as F  # noqa: N817  (F(1, 20) reads like the figure)

import numpy as np

from reportgen.model import (
    AccountManagers,
    Breakdown,
    BreakdownRow,
    ChangeRow,
    Changes,
    Compare,
    Concentration,
    DataWarning,
    Inclusive,
    Indicator,
    LoanBook,
    ManagerRow,
    Maturity,
    Migration,
    MigrationRate,
    Overdue,
    Provision,
    Quality,
    Report,
    Sections,
    Structure,
    Summary,
    TargetResult,
    TopCustomer,
    Trend,
    TrendPoint,
    UpcomingLoan,
    WatchEntry,
    Watchlist,
)

FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src="file:///etc/passwd">'
HOSTILE = (FORMULA, SCRIPT, IMG)

# the data-quality warnings on D of every hand-made report: L0002 has no state row, and
# L0006 (the watchlist's grade check) is 95 days overdue but graded special_mention
WARNINGS = (
    DataWarning("no_state", "L0002", date(2026, 10, 31)),
    DataWarning("grade_too_mild", "L0006", date(2026, 10, 31),
                (("overdue_days", 95), ("grade", "special_mention"),
                 ("expected", "substandard"))),
)

BALANCE = 1_000_005_000
NPL = 50_000_250

PERIODS = {  # report → (period id, start, end, opening)
    "dekad": ("2026-10-D2", date(2026, 10, 11), date(2026, 10, 20), date(2026, 10, 10)),
    "monthly": ("2026-10", date(2026, 10, 1), date(2026, 10, 31), date(2026, 9, 30)),
    "quarterly": ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 6, 30)),
    "yearly": ("2026", date(2026, 1, 1), date(2026, 12, 31), date(2025, 12, 31)),
    "weekly": ("2026-W45", date(2026, 11, 2), date(2026, 11, 8), date(2026, 11, 1)),
    "halfyear": ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), date(2025, 12, 31)),
    "custom": ("2026-10-05..2026-10-18", date(2026, 10, 5), date(2026, 10, 18),
               date(2026, 10, 4)),
}
SHORT = ("dekad", "weekly", "custom")  # the reports with the dekad report's sections
UPCOMING = {"dekad": 10, "weekly": 7, "custom": 10}  # upcoming-maturity window; else 30


def summary() -> Summary:
    return Summary(
        balance=BALANCE, accounts=12, customers=10, balance_opening=950_000_000,
        balance_year_start=800_000_000, balance_last_year=700_000_000,
        disbursed=120_005_000, disbursed_count=4, collected=60_000_000,
        written_off=10_000_000, interest_received=3_456_789, recovered=125_000,
        table=(
            Compare("balance", BALANCE, 950_000_000, 800_000_000, 700_000_000),
            Compare("accounts", 12, 11, 10, 9),
            Compare("customers", 10, 9, 8, 7),
        ),
    )


def quality() -> Quality:
    return Quality(
        normal=900_000_000, special_mention=50_004_750, substandard=30_000_000,
        doubtful=15_000_000, loss=5_000_250, npl=NPL, npl_ratio=F(1, 20),
        npl_year_start=32_000_000, npl_ratio_year_start=F(1, 25),
        table=(
            Compare("normal", 900_000_000, 880_000_000, 740_000_000, None),
            Compare("special_mention", 50_004_750, 30_000_000, 28_000_000, None),
            Compare("substandard", 30_000_000, 20_000_000, 16_000_000, None),
            Compare("doubtful", 15_000_000, 10_000_000, 8_000_000, None),
            Compare("loss", 5_000_250, 10_000_000, 8_000_000, None),
            Compare("npl", NPL, 40_000_000, 32_000_000, None),
            Compare("npl_ratio", F(1, 20), F(4, 95), F(1, 25), None),
        ),
    )


def overdue() -> Overdue:
    buckets = (20_000_000, 10_000_000, 15_000_000, 5_000_000, 0, 5_000_250)
    keys = ("d1_30", "d31_90", "d91_180", "d181_270", "d271_360", "d361_plus")
    table = tuple(Compare(k, v, v, v, None) for k, v in zip(keys, buckets, strict=True))
    return Overdue(
        *buckets, total=55_000_250, accounts=5, over_90=25_000_250,
        over_90_to_npl=F(25_000_250, NPL), par30=F(35_000_250, BALANCE),
        par90=F(25_000_250, BALANCE),
        table=(*table, Compare("total", 55_000_250, 40_000_000, 30_000_000, None),
               Compare("over_90", 25_000_250, 20_000_000, 15_000_000, None)),
    )


def _row(key: str, balance: int, share: F, accounts: int, npl: int) -> BreakdownRow:
    ratio = F(npl, balance) if balance else None
    return BreakdownRow(key, balance, share, accounts, npl, ratio, balance - 100_000_000,
                        100_000_000)


def structure() -> Structure:
    two = (600_003_000, F(3, 5), 7, 30_000_000), (400_002_000, F(2, 5), 5, 20_000_250)
    keys = {
        "industry": ("C", "F"), "guarantee": ("mortgage", "credit"),
        "customer_type": ("corporate", "individual_business"),
        "enterprise_size": ("small", "micro"), "term": ("short", "medium_long"),
        "amount_band": ("le_5m", "le_500k"), "branch": ("城东支行", SCRIPT),
        "account_manager": ("张三", "李四"), "product": ("经营贷", ""),
    }
    return Structure(tuple(
        Breakdown(dim, tuple(_row(k, *figures) for k, figures in zip(ks, two, strict=True)))
        for dim, ks in keys.items()
    ))


def changes() -> tuple[Changes, ...]:
    """The short reports' per-item changes (the drivers topic; no structure section):
    since O the first item +12,345.67 yuan and the second (SCRIPT for the branch) −9,876.54
    (55.6 % of the sum of sizes: both are named, the larger first); since Y +500,000.00 and
    +300,000.00 (62.5 %: both)."""
    keys = {"branch": ("城东支行", SCRIPT), "industry": ("C", "F"), "product": ("经营贷", "")}
    return tuple(Changes(dim, (ChangeRow(a, 1_234_567, 50_000_000),
                               ChangeRow(b, -987_654, 30_000_000)))
                 for dim, (a, b) in keys.items())


def concentration() -> Concentration:
    top = (TopCustomer(1, "C001", FORMULA, 300_000_000, F(3, 20)),
           TopCustomer(2, "C002", SCRIPT, 200_000_000, F(1, 10)),
           TopCustomer(3, "C003", IMG, 100_000_000, F(1, 20)))
    return Concentration(top, 300_000_000, 600_000_000, 2_000_000_000, F(3, 20), F(3, 10),
                         "G01", 400_000_000, F(1, 5))


def inclusive() -> Inclusive:
    return Inclusive(balance=200_000_000, customers=6, balance_year_start=150_000_000,
                     customers_year_start=5, growth_rate=F(1, 3),
                     total_growth_rate=F(200_005_000, 800_000_000), npl=2_000_000,
                     npl_ratio=F(1, 100), disbursed=30_000_000,
                     new_loan_avg_rate=F(4355, 1000))


def provision() -> Provision:
    return Provision(60_000_300, NPL, BALANCE, F(6, 5), F(3, 50))


def migration() -> Migration:
    rates = (MigrationRate("normal", 850_000_000, 17_000_000, F(1, 50)),
             MigrationRate("special_mention", 25_000_000, 5_000_000, F(1, 5)),
             MigrationRate("substandard", 20_000_000, 2_000_000, F(1, 10)),
             MigrationRate("doubtful", 0, 0, None),
             MigrationRate("performing", 875_000_000, 7_000_000, F(1, 125)))
    matrix = ((833_000_000, 12_000_000, 3_000_000, 2_000_000, 0),
              (0, 20_000_000, 5_000_000, 0, 0),
              (0, 0, 18_000_000, 2_000_000, 0),
              (0, 0, 0, 10_000_000, 0),
              (0, 0, 0, 0, 10_000_000))
    return Migration(rates, matrix, (880_000_000, 30_000_000, 20_000_000, 10_000_000,
                                     10_000_000))


def maturity(days: int = 30) -> Maturity:
    upcoming = (
        UpcomingLoan("L0007", "C001", FORMULA, "张三", "城东支行", 40_000_000,
                     date(2026, 11, 5), "normal"),
        UpcomingLoan("L0008", "C002", SCRIPT, "李四", "城东支行", 30_000_000,
                     date(2026, 11, 12), "special_mention"),
        UpcomingLoan("L0009", "C003", IMG, "张三", "城东支行", 10_000_000,
                     date(2026, 11, 20), "normal"),
    )
    return Maturity(due_count=3, due_amount=50_000_000, due_collected=45_000_000,
                    due_collection_rate=F(9, 10), upcoming_days=days, upcoming_count=3,
                    upcoming_balance=80_000_000, upcoming=upcoming)


def watchlist() -> Watchlist:
    entries = (
        WatchEntry("L0003", "C003", IMG, "张三", "城东支行", 5_000_250, "loss", 400,
                   new=False, grade_check=False),
        WatchEntry("L0004", "C002", SCRIPT, "李四", "城东支行", 15_000_000, "doubtful", 200,
                   new=False, grade_check=False),
        WatchEntry("L0005", "C001", FORMULA, "张三", "城东支行", 30_000_000, "substandard",
                   100, new=True, grade_check=False),
        WatchEntry("L0006", "C004", "-2+3", "李四", "城东支行", 50_004_750, "special_mention",
                   95, new=False, grade_check=True),
    )
    return Watchlist(count=4, balance=100_005_000, new_count=1, grade_check_count=1,
                     entries=entries)


def account_managers() -> AccountManagers:
    rows = (
        ManagerRow("张三", 600_003_000, 500_003_000, 100_000_000, 7, 6, 80_005_000,
                   30_000_000, F(30_000_000, 600_003_000),
                   # on 31 Dec all the year is gone (365/365): both behind their time
                   (TargetResult("balance_increase", "2026", 400_000_000, 100_000_000,
                                 F(1, 4), F(1), on_pace=False),
                    TargetResult("new_customers", "2026", 4, 3, F(3, 4), F(1), on_pace=False))),
        ManagerRow("李四", 400_002_000, 300_002_000, 100_000_000, 5, 4, 40_000_000,
                   20_000_250, F(20_000_250, 400_002_000), ()),
    )
    return AccountManagers(rows, has_targets=True)


def trend(months: list[tuple[int, int]]) -> Trend:
    points = []
    for n, (year, month) in enumerate(months, 1):
        end = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
        points.append(TrendPoint(f"{year}-{month:02d}", date.fromordinal(end),
                                 900_000_000 + n * 10_000_000, 40_000_000 + n * 1_000_000,
                                 F(40_000_000 + n * 1_000_000, 900_000_000 + n * 10_000_000),
                                 50_000_000, 20_000_000, 10_000_000))
    return Trend(tuple(points))


def indicators() -> tuple[Indicator, ...]:
    return (
        Indicator("npl_ratio", F(1, 20), F(1, 20), "max", False),
        Indicator("coverage_ratio", F(6, 5), F(3, 2), "min", True),
        Indicator("provision_ratio", F(3, 50), F(1, 40), "min", False),
        Indicator("top1_ratio", F(3, 20), F(1, 10), "max", True),
        Indicator("top10_ratio", F(3, 10), F(1, 2), "max", False),
        Indicator("top_group_ratio", F(1, 5), F(3, 20), "max", True),
        Indicator("over_90_to_npl", F(25_000_250, NPL), F(1), "max", False),
    )


def loan_book() -> LoanBook:
    names = [FORMULA, SCRIPT, IMG, "@SUM(A1)", "+1-1"]
    n = len(names)
    return LoanBook(
        loan_id=[f"L000{i}" for i in range(1, n + 1)],
        customer_id=[f"C00{i}" for i in range(1, n + 1)],
        customer_name=names, branch=["城东支行"] * n,
        account_manager=["张三", "李四", "张三", "李四", "张三"],
        product=["经营贷"] * (n - 1) + [""],
        guarantee=["mortgage", "credit", "guarantee", "pledge", "credit"],
        industry=["C", "F", "C", "A", "F"],
        contract_amount=np.array([500_000_000, 300_000_000, 200_000_000, 50_000_000,
                                  1_000_000], dtype=np.int64),
        start_date=np.array(["2025-01-15"] * n, dtype="datetime64[D]"),
        maturity_date=np.array(["2027-01-15"] * n, dtype="datetime64[D]"),
        rate=np.array([4.35, 4.5, 5.0, 6.25, 3.95]),
        balance=np.array([300_000_000, 200_000_000, 100_000_000, 12_345_678, 99],
                         dtype=np.int64),
        grade=["normal", "special_mention", "loss", "normal", "doubtful"],
        overdue_days=np.array([0, 10, 400, 0, 200], dtype=np.int64),
    )


def make_report(report: str = "monthly", *, bank: str = "示例农村商业银行",
                branch: str = "城东支行", loans: LoanBook | None = None,
                warnings: tuple[DataWarning, ...] | None = None) -> Report:
    """The hand-made report of type ``report``, holding the sections interface.md gives it."""
    period, start, end, opening = PERIODS[report]
    full = report not in SHORT
    months = {"quarterly": [(2026, m) for m in (7, 8, 9)],
              "halfyear": [(2026, m) for m in range(1, 7)],
              "yearly": [(2026, m) for m in range(1, 13)]}.get(report)
    sections = Sections(
        summary=summary(), quality=quality(), overdue=overdue(),
        maturity=maturity(UPCOMING.get(report, 30)), watchlist=watchlist(),
        structure=structure() if full else None,
        concentration=concentration() if full else None,
        inclusive=inclusive() if full else None, provision=provision() if full else None,
        account_managers=account_managers() if full else None,
        indicators=indicators() if full else None,
        migration=migration() if months else None,
        trend=trend(months) if months else None,
    )
    shown_warnings = WARNINGS if warnings is None else warnings
    return Report(
        report=report, period=period, start=start, end=end, opening=opening,
        year_start=date(end.year, 1, 1), last_year=date(end.year - 1, end.month, end.day),
        currency="CNY", bank=bank, branch=branch,
        generated_at=datetime(2026, 11, 1, 8, 30, 0), ledger_sha256="ab" * 32,
        version="0.1.0", sections=sections,
        loans=loan_book() if loans is None else loans, warnings=shown_warnings,
        warning_count=len(shown_warnings),
        changes=None if full else changes(),
    )
