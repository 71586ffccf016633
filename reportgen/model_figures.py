"""The report's figure sections: exact ratios, comparisons and the aggregates on D.

Split from model.py (which re-exports every name here) so that each module of the model
holds one kind of thing: here the sections that are a handful of figures each (总量, 五级
分类, 逾期, 结构, 集中度, 普惠, 拨备, 迁徙, 客户经理, 趋势, 监管指标) and the value types
they are made of (``Ratio``, ``Compare``, ``Average``).  Money is ``int`` fen, a ratio an
exact ``Fraction`` or ``None`` (shown as "—", never 0); nothing here is formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

Ratio = Fraction | None
Figure = int | Fraction | None


def ratio(numerator: int, denominator: int | None) -> Ratio:
    """An exact ratio of two integer sums; ``None`` when the denominator is 0 or unknown."""
    if denominator is None or denominator == 0:
        return None
    return Fraction(numerator, denominator)


def difference(a: Figure, b: Figure) -> Figure:
    """a − b, or ``None`` when either side is unknown."""
    if a is None or b is None:
        return None
    return a - b


@dataclass(frozen=True)
class Compare:
    """One as-of figure at the period end with the points a Chinese credit report compares.

    本期末 ``current`` · 上期末 ``opening`` · 年初 ``year_start`` · 同期 ``last_year``; the
    changes (比上期, 比年初, 同比) are properties so that no renderer computes them.
    """

    key: str
    current: Figure
    opening: Figure
    year_start: Figure
    last_year: Figure

    @property
    def change_opening(self) -> Figure:
        return difference(self.current, self.opening)

    @property
    def change_year_start(self) -> Figure:
        return difference(self.current, self.year_start)

    @property
    def change_last_year(self) -> Figure:
        return difference(self.current, self.last_year)

    @property
    def is_ratio(self) -> bool:
        """Ratio rows compare in percentage points; money and count rows in their unit."""
        return any(isinstance(v, Fraction) for v in (self.current, self.opening,
                                                     self.year_start, self.last_year))


class Average(Fraction):
    """A daily average (日均) in fen: Σ over the days of a window of a balance (积数,
    fen·days) ÷ the days, exact.  A ``Fraction`` of its own type so that every format
    knows it is money, rounded half-up only when shown (never a ratio)."""

    @classmethod
    def of(cls, fen_days: int, days: int) -> Average:
        return cls(int(fen_days), int(days))


def average_change(a: Average | None, b: Average | None) -> Average | None:
    """a − b, still money; None when either is unknown."""
    if a is None or b is None:
        return None
    return Average(a - b)


@dataclass(frozen=True)
class Summary:
    """总量: balances at D, O, Y, L and the period's flows."""

    balance: int
    accounts: int
    customers: int
    balance_opening: int | None  # None: before the ledger's first date (unknown)
    balance_year_start: int | None
    balance_last_year: int | None
    disbursed: int
    disbursed_count: int
    collected: int
    written_off: int
    interest_received: int | None  # None: a snapshot ledger has no interest journal
    recovered: int | None
    table: tuple[Compare, ...]  # balance, accounts, customers
    # 贷款日均余额 over the period: exact fen (a fraction); None before the ledger's first date
    avg_balance: Average | None = None


@dataclass(frozen=True)
class Quality:
    """五级分类 on D (and at year start)."""

    normal: int
    special_mention: int
    substandard: int
    doubtful: int
    loss: int
    npl: int
    npl_ratio: Ratio
    npl_year_start: int | None
    npl_ratio_year_start: Ratio
    table: tuple[Compare, ...]  # the five grades, npl, npl_ratio


@dataclass(frozen=True)
class Overdue:
    """逾期 on D: balances by overdue-day bucket and the portfolio-at-risk ratios."""

    d1_30: int
    d31_90: int
    d91_180: int
    d181_270: int
    d271_360: int
    d361_plus: int
    total: int
    accounts: int
    over_90: int
    over_90_to_npl: Ratio
    par30: Ratio
    par90: Ratio
    table: tuple[Compare, ...]  # the six buckets, total, over_90


BUCKETS = ("d1_30", "d31_90", "d91_180", "d181_270", "d271_360", "d361_plus")


@dataclass(frozen=True)
class BreakdownRow:
    key: str  # enum code (industry letter, guarantee, …) or the ledger's text (branch, …)
    balance: int
    share: Ratio
    accounts: int
    npl: int
    npl_ratio: Ratio
    balance_year_start: int | None  # None: the year start is before the ledger's first date
    change_year_start: int | None
    change_opening: int | None = None  # since O (上月末): the monthly report only


@dataclass(frozen=True)
class BranchRow(BreakdownRow):
    """A branch's row: ``key`` is the branch as the ledger names it (机构), ``branch_id`` its
    code (机构号) where the ledger gives one (mapping.md)."""

    branch_id: str | None = None
    branch: str = ""


@dataclass(frozen=True)
class ManagerBreakdownRow(BreakdownRow):
    """A manager's row: grouped by ``account_manager`` (the id, 工号), with the name where
    the ledger gives one (客户经理姓名)."""

    account_manager: str = ""
    account_manager_name: str | None = None


@dataclass(frozen=True)
class Breakdown:
    dimension: str  # industry, guarantee, customer_type, enterprise_size, term, amount_band, …
    rows: tuple[BreakdownRow, ...]


STRUCTURE_DIMENSIONS = (
    "industry",
    "guarantee",
    "customer_type",
    "enterprise_size",
    "term",
    "amount_band",
    "branch",
    "account_manager",
    "product",
)


@dataclass(frozen=True)
class Structure:
    """结构 on D: one breakdown per dimension (enterprise_size covers corporate loans only)."""

    breakdowns: tuple[Breakdown, ...]

    def get(self, dimension: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.dimension == dimension)


@dataclass(frozen=True)
class TopCustomer:
    rank: int
    customer_id: str
    customer_name: str
    balance: int
    ratio: Ratio  # balance / net capital


@dataclass(frozen=True)
class Concentration:
    """集中度 on D."""

    top10: tuple[TopCustomer, ...]
    top1_balance: int
    top10_balance: int
    net_capital: int | None
    top1_ratio: Ratio
    top10_ratio: Ratio
    top_group_id: str | None
    top_group_balance: int | None
    top_group_ratio: Ratio


@dataclass(frozen=True)
class Inclusive:
    """普惠型小微企业贷款."""

    balance: int
    customers: int
    balance_year_start: int | None  # None: the year start is before the ledger's first date
    customers_year_start: int | None
    growth_rate: Ratio
    total_growth_rate: Ratio
    npl: int
    npl_ratio: Ratio
    disbursed: int
    new_loan_avg_rate: Ratio  # percent, like the ledger's rate


@dataclass(frozen=True)
class Provision:
    """拨备 on D."""

    provision: int | None
    npl: int
    balance: int
    coverage_ratio: Ratio
    provision_ratio: Ratio


@dataclass(frozen=True)
class MigrationRate:
    key: str  # normal, special_mention, substandard, doubtful, performing
    base: int | None  # 期初余额 − 期间减少金额; None: O before the ledger's first date
    moved: int | None  # 向下迁徙金额 at the period-end balance
    rate: Ratio


@dataclass(frozen=True)
class Migration:
    """迁徙率 from O to D (CBRC off-site formulas)."""

    rates: tuple[MigrationRate, ...]
    # matrix[g_open][g_end]: Σ bal(x, D) of loans graded g_open on O and g_end on D
    matrix: tuple[tuple[int | None, ...], ...]  # None throughout when O is unknown
    cohort_opening: tuple[int | None, ...]  # Σ bal(x, O) per grade on O

    def get(self, key: str) -> MigrationRate:
        return next(r for r in self.rates if r.key == key)


@dataclass(frozen=True)
class TargetResult:
    """One target against D: how much of it is done, and how much of its time has gone.

    ``time_progress`` (时间进度) = days of the target's period up to D ÷ days in the period;
    ``on_pace`` = completion ≥ time_progress (None when completion is unknown: a zero
    target); ``double_half`` (双过半) marks a yearly target on pace on 30 June.
    """

    metric: str  # balance_increase, disbursed (fen) or new_customers (count)
    period: str  # the target's period id (year, half-year, quarter or month containing D)
    target: int
    # a Fraction: 日均净增 (an Average); None: the target
    actual: int | Fraction | None  # period starts before the ledger's first date
    completion: Ratio
    time_progress: Ratio = None
    on_pace: bool | None = None
    double_half: bool = False


@dataclass(frozen=True)
class ManagerRow:
    account_manager: str
    balance: int
    balance_year_start: int | None  # None: the year start is before the ledger's first date
    change_year_start: int | None
    accounts: int
    customers: int
    disbursed: int
    npl: int
    npl_ratio: Ratio
    targets: tuple[TargetResult, ...]
    account_manager_name: str | None = None  # the name (客户经理姓名) where the ledger has it


@dataclass(frozen=True)
class AccountManagers:
    """客户经理 on D, sorted by balance descending."""

    rows: tuple[ManagerRow, ...]
    has_targets: bool


@dataclass(frozen=True)
class TrendPoint:
    month: str  # "2026-07"
    end: date
    # None: a snapshot ledger without a snapshot on the month end (or, for the flows, on
    # the end of the month before), whose figures are unknown
    balance: int | None
    npl: int | None
    npl_ratio: Ratio
    overdue_total: int | None
    disbursed: int | None
    collected: int | None


@dataclass(frozen=True)
class Trend:
    """趋势: month ends of the quarter (3) or year (12)."""

    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class Indicator:
    key: str
    value: Ratio
    limit: Fraction
    direction: str  # "max" (value ≤ limit) or "min" (value ≥ limit)
    breached: bool | None  # None when the value is null
    legal_entity: bool = False  # 法人层面指标: the legal entity's, not shown in this scope
