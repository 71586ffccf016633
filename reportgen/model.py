"""The report model: every figure of one report, as frozen plain data.

This is the single source every renderer (json, xlsx, html, pdf) and the email body read.
Nothing here is formatted and nothing is a DataFrame:

* money is an ``int`` number of fen (分);
* a ratio is an exact ``Fraction`` (a fraction, not a percent) or ``None`` when its
  denominator is zero or unknown — shown as "—", never as 0;
* ``new_loan_avg_rate`` is a ``Fraction`` in percent, like the ledger's ``rate``;
* counts are ``int``; dates are ``datetime.date``.

A section that a report type does not hold (see interface.md) is ``None``.

The model is three modules of one kind each: ``model_figures.py`` (the sections of a few
figures and their value types), ``model_lists.py`` (the per-loan lists, kept as columns)
and this one (the report itself, its warnings, written analysis and deposits).  Every
name is re-exported here, so the renderers import the model from one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reportgen.model_figures import (
    BUCKETS,
    STRUCTURE_DIMENSIONS,
    AccountManagers,
    Average,
    BranchRow,
    Breakdown,
    BreakdownRow,
    Compare,
    Concentration,
    Figure,
    Inclusive,
    Indicator,
    ManagerBreakdownRow,
    ManagerRow,
    Migration,
    MigrationRate,
    Overdue,
    Provision,
    Quality,
    Ratio,
    Structure,
    Summary,
    TargetResult,
    TopCustomer,
    Trend,
    TrendPoint,
    average_change,
    difference,
    ratio,
)
from reportgen.model_lists import (
    ListedLoan,
    Listing,
    ListingColumn,
    LoanBook,
    Maturity,
    TextColumn,
    UpcomingLoan,
    WatchEntry,
    Watchlist,
    column_values,
)

# The model is read as one module: renderers import the names of model_figures.py and
# model_lists.py from here too.
__all__ = [
    "BUCKETS", "REPORT_TYPES", "STRUCTURE_DIMENSIONS", "AccountManagers", "Analysis", "Average",
    "BranchRow", "Breakdown", "BreakdownRow", "ChangeRow", "Changes", "Compare", "Concentration",
    "DataWarning", "DepositAverageRow", "DepositBorrowerRow", "DepositManagerRow", "Deposits",
    "Driver", "Figure", "Inclusive", "Indicator", "ListedLoan", "Listing", "ListingColumn",
    "LoanBook", "ManagerBreakdownRow", "ManagerRow", "Maturity", "Migration", "MigrationRate",
    "Overdue", "Paragraph", "Provision", "Quality", "Ratio", "Report", "Sections", "Structure",
    "Summary", "TargetResult", "TextColumn", "TopCustomer", "Trend", "TrendPoint", "UpcomingLoan",
    "WatchEntry",
    "Watchlist", "average_change", "column_values", "difference", "ratio"
]

REPORT_TYPES = ("dekad", "weekly", "monthly", "quarterly", "halfyear", "yearly", "custom")


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
