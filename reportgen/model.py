"""The report model: every figure of one report, as frozen plain data.

This is the single source every renderer (json, xlsx, html, pdf) and the email body read.
Nothing here is formatted and nothing is a DataFrame:

* money is an ``int`` number of fen (分);
* a ratio is an exact ``Fraction`` (a fraction, not a percent) or ``None`` when its
  denominator is zero or unknown — shown as "—", never as 0;
* ``new_loan_avg_rate`` is a ``Fraction`` in percent, like the ledger's ``rate``;
* counts are ``int``; dates are ``datetime.date``.

A section that a report type does not hold (see interface.md) is ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Generic, TypeAlias, TypeVar, overload

import numpy as np
import pyarrow as pa

Ratio = Fraction | None
Figure = int | Fraction | None

REPORT_TYPES = ("dekad", "weekly", "monthly", "quarterly", "halfyear", "yearly", "custom")
Row = TypeVar("Row")
ListingColumn: TypeAlias = np.ndarray | pa.Array | list[Any]


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


class Listing(Sequence[Row], Generic[Row]):
    """A long list of rows (upcoming maturities, the watchlist) kept as columns.

    At bank scale these lists hold tens of thousands of loans.  Taken out of the ledger by
    whole-array indexing they cost a few array copies, where one frozen dataclass per row
    cost more than computing the figures.  The JSON writer reads the columns; a row object
    is only made for a row that is read (the PDF reads the first forty).

    One column per field of ``row_type``, in field order: a numpy array (int64 money and
    counts, bool flags, ``datetime64[D]`` dates), an Arrow string array (text taken from
    the ledger, which keeps text in Arrow) or a list.  A row holds the columns' Python
    values (``int``, ``bool``, ``date``, ``str``), so it equals the row object made
    directly.
    """

    __slots__ = ("columns", "row_type")

    def __init__(self, row_type: type[Row], columns: Mapping[str, ListingColumn]) -> None:
        names = [f.name for f in fields(row_type)]  # type: ignore[arg-type]
        if list(columns) != names:
            raise ValueError(f"{row_type.__name__} columns {list(columns)} ≠ fields {names}")
        if len({len(c) for c in columns.values()}) > 1:
            raise ValueError(f"{row_type.__name__} columns differ in length")
        self.row_type = row_type
        self.columns: Mapping[str, ListingColumn] = dict(columns)

    @classmethod
    def of_rows(cls, row_type: type[Row], rows: Iterable[Row]) -> Listing[Row]:
        """The same rows as columns of Python values (for rows made one by one)."""
        names = [f.name for f in fields(row_type)]  # type: ignore[arg-type]
        items = list(rows)
        return cls(row_type, {n: [getattr(r, n) for r in items] for n in names})

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> Listing[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | Listing[Row]:
        if isinstance(index, slice):
            return Listing(self.row_type, {n: c[index] for n, c in self.columns.items()})
        return self.row_type(*(_python(c[index]) for c in self.columns.values()))

    def __iter__(self) -> Iterator[Row]:
        return map(self.row_type, *(column_values(c) for c in self.columns.values()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Listing | tuple | list):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Listing[{self.row_type.__name__}]({len(self)} rows)"


def _python(value: Any) -> Any:
    """A numpy or Arrow scalar as its Python value (int, bool, date, str); else as is."""
    if isinstance(value, np.generic):
        return value.item()
    return value.as_py() if isinstance(value, pa.Scalar) else value


def column_values(column: ListingColumn) -> list[Any]:
    """A column's cells as Python values."""
    if isinstance(column, np.ndarray):
        return column.tolist()
    return column.to_pylist() if isinstance(column, pa.Array) else column


@dataclass(frozen=True)
class UpcomingLoan:
    loan_id: str
    customer_id: str
    customer_name: str
    account_manager: str
    branch: str
    balance: int
    maturity_date: date
    grade: str


@dataclass(frozen=True)
class Maturity:
    """到期: due this period with collection rate, and the upcoming list (soonest first)."""

    due_count: int
    due_amount: int
    due_collected: int
    due_collection_rate: Ratio
    upcoming_days: int  # 7 weekly, 10 dekad and custom, else 30
    upcoming_count: int
    upcoming_balance: int
    upcoming: Sequence[UpcomingLoan]  # a Listing when computed from a ledger


@dataclass(frozen=True)
class WatchEntry:
    loan_id: str
    customer_id: str
    customer_name: str
    account_manager: str
    branch: str
    balance: int
    grade: str
    overdue_days: int
    new: bool | None  # neither overdue nor special_mention-or-worse on O; None: O unknown
    grade_check: bool  # grade milder than its overdue days allow


@dataclass(frozen=True)
class Watchlist:
    """风险客户 on D: worst grade first, then balance descending."""

    count: int
    balance: int
    new_count: int | None  # None: O is before the ledger's first date
    grade_check_count: int
    entries: Sequence[WatchEntry]  # a Listing when computed from a ledger


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


class TextColumn(Sequence[str]):
    """A column of text kept as one Arrow string array, read as a list of ``str``.

    The 借据明细 lists 620,000 live loans at a million: as Python lists its six text columns
    held the ledger's text as a million ``str`` objects each (about 500 MB, cached in the
    ledger for the rest of the run), where Arrow holds the same text in about 75 MB.  A
    cell becomes a ``str`` only when it is read; iterating converts the whole column at
    once (``to_pylist``), and a slice stays Arrow, so a writer that reads the column a
    chunk at a time never holds more than a chunk of strings.
    """

    __slots__ = ("array",)

    def __init__(self, array: pa.Array) -> None:
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        self.array: pa.Array = array

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> TextColumn: ...

    def __getitem__(self, index: int | slice) -> str | TextColumn:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return TextColumn(pa.array(self.array.to_pylist()[index], pa.string()))
            return TextColumn(self.array.slice(start, max(0, stop - start)))
        value: str = self.array[index].as_py()
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.array.to_pylist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TextColumn):
            return bool(self.array.equals(other.array))
        if isinstance(other, list | tuple):
            return self.array.to_pylist() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TextColumn({len(self)} values)"


@dataclass(frozen=True)
class LoanBook:
    """借据明细: every live loan on D, column-oriented (it can hold a million rows).

    The columns are plain numpy arrays / lists of equal length; ``rows()`` yields them as
    tuples in ``COLUMNS`` order for a writer that streams rows.
    """

    # text: a list, or a TextColumn (Arrow) as metrics/loanbook.py makes it
    loan_id: list[str] | TextColumn
    customer_id: list[str] | TextColumn
    customer_name: list[str] | TextColumn
    branch: list[str] | TextColumn
    account_manager: list[str] | TextColumn
    product: list[str] | TextColumn
    guarantee: list[str]
    industry: list[str]
    contract_amount: np.ndarray  # fen
    start_date: np.ndarray  # datetime64[D]
    maturity_date: np.ndarray  # datetime64[D]
    rate: np.ndarray  # percent, float for display only (never money)
    balance: np.ndarray  # fen
    grade: list[str]
    overdue_days: np.ndarray

    COLUMNS = (
        "loan_id", "customer_id", "customer_name", "branch", "account_manager", "product",
        "guarantee", "industry", "contract_amount", "start_date", "maturity_date", "rate",
        "balance", "grade", "overdue_days",
    )

    def __len__(self) -> int:
        return len(self.loan_id)

    def rows(self) -> Iterator[tuple[object, ...]]:
        """Yield rows as tuples of Python values (money stays int fen, dates ``date``)."""
        columns = [getattr(self, name) for name in self.COLUMNS]
        converted = [c.tolist() if isinstance(c, np.ndarray) else c for c in columns]
        return zip(*converted, strict=True)


@dataclass(frozen=True)
class Sections:
    """The sections of one report; ``None`` where interface.md leaves one out."""

    summary: Summary
    quality: Quality
    overdue: Overdue
    maturity: Maturity
    watchlist: Watchlist
    structure: Structure | None = None
    concentration: Concentration | None = None
    inclusive: Inclusive | None = None
    provision: Provision | None = None
    account_managers: AccountManagers | None = None
    indicators: tuple[Indicator, ...] | None = None
    migration: Migration | None = None
    trend: Trend | None = None
    deposits: Deposits | None = None  # only when the deposit tables are given

    ORDER = (
        "summary", "quality", "overdue", "structure", "concentration", "inclusive",
        "provision", "migration", "maturity", "watchlist", "account_managers", "trend",
        "deposits", "indicators",
    )

    def present(self) -> list[str]:
        """Names of the sections this report holds, in report order."""
        return [name for name in self.ORDER if getattr(self, name) is not None]


@dataclass(frozen=True)
class DataWarning:
    """One data-quality warning, as data: what it is (``kind``), which loan, on which day,
    and the values its sentence needs (``params``: overdue_days, grade, expected …).

    The model holds no sentence: labels.py words a warning in the report's language when
    it is rendered (``Labels.warning``), and the JSON keeps the data.
    """

    kind: str  # no_state · grade_too_mild (metrics/warnings.py)
    loan_id: str
    day: date
    params: tuple[tuple[str, str | int], ...] = ()

    def param(self, name: str) -> str | int:
        return dict(self.params)[name]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the written analysis: its topic (scale, drivers, …) and its text."""

    topic: str
    text: str


@dataclass(frozen=True)
class Driver:
    """One item the drivers topic names: which side (``opening``: since 上期末,
    ``year_start``: since 年初), which breakdown (branch, industry, product), which item
    and its balance change in fen — the figure the sentence states."""

    side: str
    dimension: str
    key: str
    name: str  # the item as the text names it (an industry's code and label)
    change: int


@dataclass(frozen=True)
class Analysis:
    """文字分析: the report's figures as sentences, drafted from this model (analysis.md).

    Text, so it is drafted for one language and money unit (``lang``, ``unit``); every
    number in it is a figure of the same report as the tables show it, or, for the
    drivers of a report without the structure tables (dekad, weekly, custom), one of
    ``drivers``, which the JSON shows.  ``notes`` are the clerk's own paragraphs (also the
    last ``notes`` paragraphs), ``None`` when none.
    """

    lang: str
    unit: str
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[str, ...] | None = None
    drivers: tuple[Driver, ...] = ()  # the items the drivers paragraph names, in its order


@dataclass(frozen=True)
class ChangeRow:
    """One item's balance change since O (上期末) and since Y (年初), in fen; ``None`` when
    that day is before the ledger's first date (unknown, never 0)."""

    key: str
    change_opening: int | None
    change_year_start: int | None


@dataclass(frozen=True)
class Changes:
    """变动 per item of one breakdown (branch, industry, product): what the drivers topic
    of a report without the structure section (dekad, weekly, custom) reads.  Not a
    section (interface.md): the items the text names are shown in the analysis."""

    dimension: str
    rows: tuple[ChangeRow, ...]


@dataclass(frozen=True)
class Report:
    """One report: what it is, which ledger it came from, and its sections."""

    report: str  # dekad | weekly | monthly | quarterly | halfyear | yearly | custom
    period: str  # 2026-10-D2 | 2026-10 | 2026-Q3 | 2026
    start: date
    end: date  # the as-of date D
    opening: date
    year_start: date
    last_year: date
    currency: str
    bank: str
    branch: str
    generated_at: datetime
    ledger_sha256: str
    version: str
    sections: Sections
    loans: LoanBook | None = None  # live loans on D, for the Excel 借据明细 sheet
    # data-quality warnings on D, the first ones (``warnings``) of ``warning_count``
    warnings: tuple[DataWarning, ...] = field(default=())
    warning_count: int = 0
    notes: tuple[str, ...] | None = None  # the clerk's paragraphs (--notes), kept as given
    analysis: Analysis | None = None  # drafted from the finished model (reportgen.analysis)
    scope: str = "all"  # the scope id (scopes.md); "all" for the whole bank
    scope_kind: str = "all"  # all | branch | manager | mixed
    flows_derived: bool = False  # a snapshot ledger: flows derived from balance changes
    # per branch, industry and product: the changes the drivers topic reads when the report
    # has no structure section (dekad, weekly, custom); None otherwise
    changes: tuple[Changes, ...] | None = None

    def to_frames(self) -> dict[str, Any]:
        """Every table of every section as a pandas DataFrame, keyed "section/table";
        money as exact ``Decimal`` yuan (see model_frames.py)."""
        from reportgen.model_frames import report_frames

        return dict(report_frames(self))


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
class DepositAverageRow:
    """日均: the period's, the year to date's, the previous period's, and the change."""

    key: str  # total · savings · corporate · margin · a kind code
    period: Average | None
    year_to_date: Average | None
    previous: Average | None
    change_previous: Average | None


@dataclass(frozen=True)
class DepositBorrowerRow:
    """有贷户 / 无贷户: accounts whose customer has a live loan on D, and the rest."""

    key: str  # with_loans · without_loans
    accounts: int
    balance: int
    average: Average | None


@dataclass(frozen=True)
class DepositManagerRow:
    """One account manager's deposits: balance on D, the period's average, the average
    weighted per kind, and the new average against the base date."""

    account_manager: str
    accounts: int
    balance: int
    average: Average | None
    weighted_average: Average | None
    new_average: Average | None


@dataclass(frozen=True)
class Deposits:
    """存款: balances with comparisons, daily averages, borrowers, 存贷比, managers."""

    balances: tuple[Compare, ...]  # total, savings, corporate, margin, then each kind
    averages: tuple[DepositAverageRow, ...]
    borrowers: tuple[DepositBorrowerRow, ...]
    loan_balance: int
    loan_average: Average | None
    loan_to_deposit: Ratio  # loan balance ÷ deposit balance on D
    loan_to_deposit_average: Ratio  # loan daily average ÷ deposit daily average
    base_date: date | None
    managers: tuple[DepositManagerRow, ...] | None  # monthly and longer reports
