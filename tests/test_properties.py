"""Properties of the figures on generated ledgers (hypothesis).

Small valid ledgers are drawn as CSV text — money, dates and enums in every form the ledger
format allows — and the report's figures must satisfy the identities every credit report
does: the balance identity, grades and breakdowns summing to the balance, overdue within
the balance, PAR90 ≤ PAR30.  The same ledger as CSV UTF-8, CSV GB18030 with Chinese headers
and labels, or one XLSX workbook gives the same figures.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledgers import Tables, to_chinese, write_tables, write_workbook

from reportgen import api
from reportgen.config import Config
from reportgen.ledger.schema import (
    CUSTOMER_TYPES,
    ENTERPRISE_SIZES,
    GRADES,
    GUARANTEES,
    INDUSTRY_LETTERS,
    TX_TYPES,
    codes,
)
from reportgen.model import BUCKETS, Report
from reportgen.periods import parse_period
from reportgen.render.json import report_dict

DAY0 = date(2024, 6, 1)
LAST = date(2026, 12, 31)
SPAN = (LAST - DAY0).days
NOW = datetime(2027, 1, 2, 9, 0, 0)
PERIODS = [("monthly", "2026-10"), ("quarterly", "2026-Q3"), ("yearly", "2025"),
           ("dekad", "2026-10-D2"), ("monthly", "2024-12")]
BUSY = [((date(y1, m1, d1) - DAY0).days, (date(y2, m2, d2) - DAY0).days)
        for (y1, m1, d1), (y2, m2, d2) in [((2026, 10, 1), (2026, 10, 31)),
                                           ((2026, 7, 1), (2026, 9, 30))]]
HEADERS = {
    "customers": ["customer_id", "customer_name", "customer_type", "enterprise_size",
                  "industry", "credit_line", "group_id", "id_number"],
    "loans": ["loan_id", "customer_id", "branch", "account_manager", "product", "guarantee",
              "contract_amount", "start_date", "maturity_date", "rate"],
    "transactions": ["loan_id", "date", "type", "amount"],
    "classifications": ["loan_id", "date", "grade", "overdue_since"],
}
LABELS = {"customer_type": CUSTOMER_TYPES, "enterprise_size": ENTERPRISE_SIZES,
          "guarantee": GUARANTEES, "type": TX_TYPES, "grade": GRADES}
FAST = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Drawn:
    """A drawn ledger: its CSV tables, and what the figures must be, worked out directly."""

    tables: Tables
    events: list[tuple[int, int, str, int]]  # (loan, day, type, fen)
    corporate: set[int]  # loans of corporate customers

    def known_balance(self, day: date) -> int | None:
        """The balance, or None (unknown, "—") on a day before the ledger's first date."""
        return None if day < DAY0 else self.balance(day)

    def balance(self, day: date) -> int:
        d = (day - DAY0).days
        sign = {"disburse": 1, "repay": -1, "writeoff": -1}
        return sum(sign.get(kind, 0) * fen for _, when, kind, fen in self.events if when <= d)

    def corporate_balance(self, day: date) -> int:
        d = (day - DAY0).days
        sign = {"disburse": 1, "repay": -1, "writeoff": -1}
        return sum(sign.get(kind, 0) * fen for loan, when, kind, fen in self.events
                   if when <= d and loan in self.corporate)

    def flow(self, kind: str, start: date, end: date) -> int:
        a, b = (start - DAY0).days, (end - DAY0).days
        return sum(fen for _, when, k, fen in self.events if k == kind and a <= when <= b)


# -- text forms the ledger format allows -----------------------------------------------------


@st.composite
def money_text(draw: st.DrawFn, fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    style = draw(st.sampled_from(["plain", "short", "comma", "yen", "fullwidth", "spaced"]))
    if style == "short":  # 1234.5 / 1234
        text = str(yuan) if cents == 0 else f"{yuan}.{cents:02d}".rstrip("0")
    elif style == "comma":
        text = f"{yuan:,}.{cents:02d}"
    elif style == "yen":
        text = f"¥{yuan:,}.{cents:02d}"
    elif style == "fullwidth":
        text = f"￥{yuan}.{cents:02d}"
    elif style == "spaced":
        text = f" {yuan}.{cents:02d} "
    else:
        text = f"{yuan}.{cents:02d}"
    return text


@st.composite
def date_text(draw: st.DrawFn, day: int) -> str:
    d = DAY0 + timedelta(days=day)
    form = draw(st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", " %Y-%m-%d "]))
    return d.strftime(form)


@st.composite
def enum_text(draw: st.DrawFn, code: str, column: str) -> str:
    label = dict(LABELS[column])[code]
    return draw(st.sampled_from([code, code.upper(), code.title(), label, f" {code} ",
                                 f" {label}"]))


NAMES = ["甲制造有限公司", "乙商贸", "张三", "李四", "王五", "O'Brien, Ltd", "赵六\"小店\"",
         "=SUM(A1)", "钱七"]
BRANCHES = ["城东支行", "城西支行", "营业部"]
MANAGERS = ["王经理", "赵经理", "钱 经理"]
PRODUCTS = ["", "流动资金贷款", "个人经营贷", "消费贷"]


@st.composite
def ledgers(draw: st.DrawFn) -> Drawn:
    """A small valid ledger: balances never go below zero, states never repeat a day."""
    n_customers = draw(st.integers(1, 4))
    customers, ctypes = [], []
    for i in range(n_customers):
        ctype = draw(st.sampled_from(codes(CUSTOMER_TYPES)))
        ctypes.append(ctype)
        size = draw(enum_text(draw(st.sampled_from(codes(ENTERPRISE_SIZES))),
                              "enterprise_size")) if ctype == "corporate" else ""
        credit = draw(st.none() | st.integers(0, 10**10))
        customers.append([
            f"C{i}", draw(st.sampled_from(NAMES)), draw(enum_text(ctype, "customer_type")),
            size, draw(st.sampled_from(INDUSTRY_LETTERS)),
            "" if credit is None else draw(money_text(credit)),
            draw(st.sampled_from(["", "G1", "G2"])), draw(st.sampled_from(["", "110101X"])),
        ])
    loans, transactions, classifications = [], [], []
    events: list[tuple[int, int, str, int]] = []
    corporate: set[int] = set()
    for j in range(draw(st.integers(1, 6))):
        customer = draw(st.integers(0, n_customers - 1))
        if ctypes[customer] == "corporate":
            corporate.add(j)
        start = 0 if j == 0 else draw(st.integers(0, SPAN - 30))  # L0: the first date
        maturity = start + draw(st.integers(1, 1500))
        amount = draw(st.integers(1, 10**9))
        loans.append([
            f"L{j}", f"C{customer}", draw(st.sampled_from(BRANCHES)),
            draw(st.sampled_from(MANAGERS)), draw(st.sampled_from(PRODUCTS)),
            draw(enum_text(draw(st.sampled_from(codes(GUARANTEES))), "guarantee")),
            draw(money_text(amount)), draw(date_text(start)), draw(date_text(maturity)),
            draw(st.sampled_from(["4.35", "0", "5", "99.999999", "12.5"])),
        ])
        todo = [(start, "disburse", amount)] if draw(st.booleans()) or j == 0 else []
        balance = amount if todo else 0
        # any day after the start, with a bias towards the periods the tests report on
        days = draw(st.lists(st.one_of(st.integers(start, SPAN),
                                       *(st.integers(max(start, a), max(start, b))
                                         for a, b in BUSY)), max_size=6))
        for day in sorted(days):
            kind = draw(st.sampled_from(codes(TX_TYPES)))
            if kind in ("repay", "writeoff"):
                if balance == 0:
                    continue
                fen = draw(st.integers(1, balance))
                balance -= fen
            else:
                fen = draw(st.integers(1, 10**8))
                balance += fen if kind == "disburse" else 0
            todo.append((day, kind, fen))
        for when, kind, fen in todo:
            events.append((j, when, kind, fen))
            transactions.append([f"L{j}", draw(date_text(when)), draw(enum_text(kind, "type")),
                                 draw(money_text(fen))])
        state_days = draw(st.sets(st.integers(start, SPAN), max_size=3))
        for when in sorted(state_days):
            since = draw(st.none() | st.integers(max(0, when - 500), when))
            classifications.append([
                f"L{j}", draw(date_text(when)),
                draw(enum_text(draw(st.sampled_from(codes(GRADES))), "grade")),
                "" if since is None else draw(date_text(since)),
            ])
    order = draw(st.permutations(range(len(transactions))))  # the file's order is free
    tables: Tables = {
        "customers": (HEADERS["customers"], customers),
        "loans": (HEADERS["loans"], loans),
        "transactions": (HEADERS["transactions"], [transactions[i] for i in order]),
        "classifications": (HEADERS["classifications"], classifications),
    }
    return Drawn(tables, events, corporate)


def build(path: Path, report: str, period: str) -> Report:
    # A drawn ledger is complete up to LAST, and begins on DAY0 (L0 starts then).
    return api.build(api.open_ledger(path, as_of=LAST), report, period, Config(), now=NOW)


def figures(report: Report) -> dict[str, Any]:
    document = report_dict(report)
    del document["generated_at"], document["ledger_sha256"]
    return document


# -- properties ----------------------------------------------------------------------------


@FAST
@given(drawn=ledgers(), which=st.sampled_from(PERIODS))
def test_figures_add_up(drawn: Drawn, which: tuple[str, str]) -> None:
    report_type, period_id = which
    period = parse_period(period_id, report_type)
    with tempfile.TemporaryDirectory() as folder:
        report = build(write_tables(Path(folder), drawn.tables), report_type, period_id)
    s = report.sections

    # the balance, worked out directly from the drawn money movements
    balance = drawn.balance(period.end)
    assert s.summary.balance == balance
    assert s.summary.balance_opening == drawn.known_balance(period.opening)
    assert s.summary.balance_year_start == drawn.known_balance(period.year_start)
    assert s.summary.balance_last_year == drawn.known_balance(period.last_year)
    assert s.summary.disbursed == drawn.flow("disburse", period.start, period.end)
    assert s.summary.collected == drawn.flow("repay", period.start, period.end)
    assert s.summary.written_off == drawn.flow("writeoff", period.start, period.end)
    assert s.summary.interest_received == drawn.flow("interest", period.start, period.end)
    assert s.summary.recovered == drawn.flow("recovery", period.start, period.end)

    # balance = opening + disbursed − collected − written_off
    assert s.summary.balance == (s.summary.balance_opening + s.summary.disbursed
                                 - s.summary.collected - s.summary.written_off)

    # the five grades share the balance out exactly
    q = s.quality
    assert q.normal + q.special_mention + q.substandard + q.doubtful + q.loss == balance
    assert q.npl == q.substandard + q.doubtful + q.loss
    assert min(q.normal, q.special_mention, q.substandard, q.doubtful, q.loss) >= 0

    # overdue buckets: parts of the overdue total, which is part of the balance
    o = s.overdue
    buckets = [getattr(o, b) for b in BUCKETS]
    assert min(buckets) >= 0
    assert sum(buckets) == o.total <= balance
    assert o.over_90 == o.d91_180 + o.d181_270 + o.d271_360 + o.d361_plus
    if balance == 0:
        assert o.par30 is None
        assert o.par90 is None
    else:
        assert o.par30 is not None
        assert o.par90 is not None
        assert 0 <= o.par90 <= o.par30 <= 1

    # every structure breakdown shares out the balance (enterprise_size: corporate only)
    if s.structure is not None:
        for breakdown in s.structure.breakdowns:
            total = sum(row.balance for row in breakdown.rows)
            if breakdown.dimension == "enterprise_size":
                assert total == drawn.corporate_balance(period.end), breakdown
            else:
                assert total == balance, breakdown.dimension
            assert all(row.balance >= 0 for row in breakdown.rows)


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(drawn=ledgers(), which=st.sampled_from(PERIODS[:2]))
def test_same_figures_from_csv_gb18030_chinese_and_xlsx(drawn: Drawn,
                                                        which: tuple[str, str]) -> None:
    report_type, period_id = which
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        utf8 = figures(build(write_tables(root / "utf8", drawn.tables), report_type,
                             period_id))
        chinese = write_tables(root / "gb", to_chinese(drawn.tables), encoding="gb18030")
        assert figures(build(chinese, report_type, period_id)) == utf8
        book = write_workbook(root / "ledger.xlsx", drawn.tables)
        assert figures(build(book, report_type, period_id)) == utf8
