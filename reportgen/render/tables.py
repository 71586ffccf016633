"""Each section of the report model as titled tables of typed cells, for every format.

Excel and the HTML/PDF templates lay out the same ``SectionView`` objects, so the two
cannot show different rows, labels or figures.  A cell keeps the model's exact value and
a ``Kind`` (money, ratio, count …); formatting.py turns it into text or an Excel number.
Nothing is computed here: changes come from ``Compare`` properties, shares and ratios
from the model.  Long lists are cut to ``max_rows`` (the PDF's budget) before any cell is
built, so the PDF's cost does not grow with the ledger; Excel passes ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportgen.formatting import Kind, shown_text
from reportgen.labels import Labels
from reportgen.ledger.schema import GRADE_CODES
from reportgen.model import (
    Compare,
    Listing,
    ListingColumn,
    Report,
    Sections,
    TargetResult,
    column_values,
)
from reportgen.render.cells import Cell, ColumnRows, ListColumn

# Cell, ColumnRows and ListColumn live in cells.py; every format imports them from here.
__all__ = ["COMPARE_COLUMNS", "COUNT_ROWS", "Cell", "Column", "ColumnRows", "ListColumn",
           "SectionView", "Table", "WarningList", "build_sections", "cover_items",
           "table_columns", "warning_list", "warnings_line"]

COUNT_ROWS = frozenset({"accounts", "customers"})  # Compare rows that hold counts
COMPARE_COLUMNS = ("current", "opening", "change_opening", "year_start", "change_year_start",
                   "last_year", "change_last_year")


def table_columns(table: Table) -> list[ListColumn]:
    """The columns of ``table``'s body (a ``ColumnRows`` body's own, else taken from its
    cells), with one kind and one mark where a column has only one."""
    if isinstance(table.rows, ColumnRows):
        return list(table.rows.columns)
    columns = []
    for cells in zip(*table.rows, strict=True) if table.rows else [()] * len(table.columns):
        kinds = [c.kind for c in cells]
        marks = [c.mark for c in cells]
        columns.append(ListColumn(
            [c.value for c in cells],
            kinds[0] if kinds and kinds.count(kinds[0]) == len(kinds) else kinds,
            marks[0] if marks and marks.count(marks[0]) == len(marks) else marks))
    return columns


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True
    width: int = 14  # Excel column width, in characters


@dataclass(frozen=True)
class Table:
    key: str
    title: str  # "" when the section title says it all
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[Cell]]  # a tuple of rows, or ColumnRows (Excel's long lists)
    total: int  # rows the model holds; more than len(rows) when cut for the PDF
    more: str = ""  # "N more rows in the Excel file" when cut
    grows: bool = False  # a list whose length grows with the ledger (capped for the PDF)

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class SectionView:
    name: str
    title: str
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def has(self, key: str) -> bool:
        return any(t.key == key for t in self.tables)


class _Builder:
    """Builds the views of one report in one language."""

    def __init__(self, report: Report, labels: Labels, max_rows: int | None) -> None:
        self.report = report
        self.t = labels
        self.max_rows = max_rows

    # --- generic shapes ---------------------------------------------------------------

    def table(self, key: str, title: str, columns: Sequence[Column],
              rows: Iterable[Sequence[Cell]], total: int | None = None) -> Table:
        """A table; ``total`` is given for lists cut to ``max_rows`` (they grow)."""
        built = rows if isinstance(rows, ColumnRows) else tuple(tuple(r) for r in rows)
        grows = total is not None
        total = len(built) if total is None else total
        more = self.t("more_rows", count=total - len(built)) if total > len(built) else ""
        return Table(key, title, tuple(columns), built, total, more, grows)

    def cut(self, items: Sequence[Any]) -> Sequence[Any]:
        """The first ``max_rows`` items (all of them for Excel)."""
        return items if self.max_rows is None else items[: self.max_rows]

    def item_column(self, label: str | None = None) -> Column:
        return Column("item", label or self.t("col.item"), numeric=False, width=30)

    def compare(self, key: str, section: str, rows: tuple[Compare, ...], title: str = "") -> Table:
        show = [c for c in COMPARE_COLUMNS
                if self.report.report != "yearly" or c not in ("opening", "change_opening")]
        columns = [self.item_column(), *(Column(c, self.t(f"col.{c}")) for c in show)]
        body = []
        for row in rows:
            if row.key in COUNT_ROWS:
                level = change = Kind.COUNT
            elif row.is_ratio:
                level, change = Kind.RATIO, Kind.POINTS
            else:
                level = change = Kind.MONEY
            body.append([Cell(self.t.field(section, row.key)),
                         *(Cell(getattr(row, c), change if c.startswith("change") else level)
                           for c in show)])
        return self.table(key, title, columns, body)

    def key_values(self, key: str, title: str, section: str,
                   items: Sequence[tuple[str, Any, Kind]], **params: object) -> Table:
        columns = [self.item_column(), Column("value", self.t("col.value"), width=18)]
        rows = [[Cell(self.t(self._scoped(section, k), **params)), Cell(v, kind)]
                for k, v, kind in items]
        return self.table(key, title, columns, rows)

    def _scoped(self, section: str, key: str) -> str:
        scoped = f"{section}.{key}"
        return scoped if self.t.has(scoped) else key

    # --- sections ---------------------------------------------------------------------

    def summary(self, s: Sections) -> tuple[Table, ...]:
        m = s.summary
        flows = [("disbursed", m.disbursed, Kind.MONEY),
                 ("disbursed_count", m.disbursed_count, Kind.COUNT),
                 ("collected", m.collected, Kind.MONEY),
                 ("written_off", m.written_off, Kind.MONEY),
                 ("interest_received", m.interest_received, Kind.MONEY),
                 ("recovered", m.recovered, Kind.MONEY)]
        # no journal (a snapshot ledger): say so where the flows are shown
        title = self.t("table.flows_derived" if self.report.flows_derived else "table.flows")
        # 贷款日均余额: the model's exact figure, rounded only when shown ("—" when unknown)
        averages = [("avg_balance", m.avg_balance, Kind.MONEY)]
        return (self.compare("compare", "summary", m.table),
                self.key_values("flows", title, "summary", flows),
                self.key_values("averages", self.t("table.averages"), "summary", averages))

    def quality(self, s: Sections) -> tuple[Table, ...]:
        return (self.compare("grades", "quality", s.quality.table),)

    def overdue(self, s: Sections) -> tuple[Table, ...]:
        o = s.overdue
        ratios = [("accounts", o.accounts, Kind.COUNT),
                  ("over_90_to_npl", o.over_90_to_npl, Kind.RATIO),
                  ("par30", o.par30, Kind.RATIO), ("par90", o.par90, Kind.RATIO)]
        return (self.compare("buckets", "overdue", o.table),
                self.key_values("ratios", self.t("table.overdue_ratios"), "overdue", ratios))

    def structure(self, s: Sections) -> tuple[Table, ...]:
        assert s.structure is not None
        tables = []
        for breakdown in s.structure.breakdowns:
            dim = breakdown.dimension
            # 比上期: the monthly report's change since O (the analysis names its drivers);
            # "—" when O is before the ledger's first date
            opening = self.report.report == "monthly"
            columns = [Column("key", self.t(dim), numeric=False, width=30),
                       *(Column(c, self.t(c)) for c in ("balance", "col.share", "accounts",
                                                        "npl", "npl_ratio",
                                                        "balance_year_start",
                                                        "change_year_start")),
                       *([Column("change_opening", self.t("col.change_opening"))]
                         if opening else [])]
            shown = self.cut(breakdown.rows)
            rows = [[Cell(getattr(r, "account_manager_name", None) or self.t.enum(dim, r.key)),
                     Cell(r.balance, Kind.MONEY),
                     Cell(r.share, Kind.RATIO), Cell(r.accounts, Kind.COUNT),
                     Cell(r.npl, Kind.MONEY), Cell(r.npl_ratio, Kind.RATIO),
                     Cell(r.balance_year_start, Kind.MONEY),
                     Cell(r.change_year_start, Kind.MONEY),
                     *([Cell(r.change_opening, Kind.MONEY)] if opening else [])]
                    for r in shown]
            tables.append(self.table(dim, self.t(f"by.{dim}"), columns, rows,
                                     len(breakdown.rows)))
        return tuple(tables)

    def concentration(self, s: Sections) -> tuple[Table, ...]:
        c = s.concentration
        assert c is not None
        columns = [Column("rank", self.t("col.rank"), width=8),
                   Column("customer_id", self.t("customer_id"), numeric=False, width=16),
                   Column("customer_name", self.t("customer_name"), numeric=False, width=36),
                   Column("balance", self.t("balance")),
                   Column("ratio", self.t("col.ratio_net_capital"))]
        rows = [[Cell(t.rank, Kind.COUNT), Cell(t.customer_id), Cell(t.customer_name),
                 Cell(t.balance, Kind.MONEY), Cell(t.ratio, Kind.RATIO)] for t in c.top10]
        figures = [("top1_balance", c.top1_balance, Kind.MONEY),
                   ("top10_balance", c.top10_balance, Kind.MONEY),
                   ("net_capital", c.net_capital, Kind.MONEY),
                   ("top1_ratio", c.top1_ratio, Kind.RATIO),
                   ("top10_ratio", c.top10_ratio, Kind.RATIO),
                   ("top_group_id", c.top_group_id, Kind.TEXT),
                   ("top_group_balance", c.top_group_balance, Kind.MONEY),
                   ("top_group_ratio", c.top_group_ratio, Kind.RATIO)]
        return (self.table("top10", self.t("table.top10"), columns, rows),
                self.key_values("ratios", self.t("table.concentration_ratios"),
                                "concentration", figures))

    def inclusive(self, s: Sections) -> tuple[Table, ...]:
        i = s.inclusive
        assert i is not None
        figures = [("balance", i.balance, Kind.MONEY),
                   ("balance_year_start", i.balance_year_start, Kind.MONEY),
                   ("growth_rate", i.growth_rate, Kind.RATIO),
                   ("total_growth_rate", i.total_growth_rate, Kind.RATIO),
                   ("customers", i.customers, Kind.COUNT),
                   ("customers_year_start", i.customers_year_start, Kind.COUNT),
                   ("npl", i.npl, Kind.MONEY), ("npl_ratio", i.npl_ratio, Kind.RATIO),
                   ("disbursed", i.disbursed, Kind.MONEY),
                   ("new_loan_avg_rate", i.new_loan_avg_rate, Kind.RATE)]
        return (self.key_values("figures", "", "inclusive", figures),)

    def provision(self, s: Sections) -> tuple[Table, ...]:
        p = s.provision
        assert p is not None
        figures = [("provision", p.provision, Kind.MONEY), ("npl", p.npl, Kind.MONEY),
                   ("balance", p.balance, Kind.MONEY),
                   ("coverage_ratio", p.coverage_ratio, Kind.RATIO),
                   ("provision_ratio", p.provision_ratio, Kind.RATIO)]
        return (self.key_values("figures", "", "provision", figures),)

    def migration(self, s: Sections) -> tuple[Table, ...]:
        m = s.migration
        assert m is not None
        columns = [self.item_column(), Column("base", self.t("col.base"), width=20),
                   Column("moved", self.t("col.moved"), width=16),
                   Column("rate", self.t("col.rate"))]
        rates = [[Cell(self.t.field("migration", r.key)), Cell(r.base, Kind.MONEY),
                  Cell(r.moved, Kind.MONEY), Cell(r.rate, Kind.RATIO)] for r in m.rates]
        grades = [self.t.field("quality", g) for g in GRADE_CODES]
        matrix_columns = [self.item_column(self.t("col.grade_from_to")),
                          Column("cohort_opening", self.t("col.cohort_opening")),
                          *(Column(g, label) for g, label in zip(GRADE_CODES, grades,
                                                                  strict=True))]
        matrix = [[Cell(label), Cell(opening, Kind.MONEY),
                   *(Cell(v, Kind.MONEY) for v in row)]
                  for label, opening, row in zip(grades, m.cohort_opening, m.matrix,
                                                 strict=True)]
        return (self.table("rates", self.t("table.migration_rates"), columns, rates),
                self.table("matrix", self.t("table.migration_matrix"), matrix_columns,
                           matrix))

    def loan_columns(self) -> list[Column]:
        """The leading columns of every loan listing (upcoming maturities, watchlist)."""
        return [Column("no", self.t("col.no"), width=6),
                Column("loan_id", self.t("loan_id"), numeric=False, width=18),
                Column("customer_name", self.t("customer_name"), numeric=False, width=32),
                Column("account_manager", self.t("account_manager"), numeric=False),
                Column("branch", self.t("branch"), numeric=False),
                Column("balance", self.t("balance"))]

    def loan_list_columns(self, c: Any) -> list[ListColumn]:
        """The ``loan_columns`` of a listing's columns, column-wise (Excel's full lists)."""
        return [ListColumn(range(1, len(c["loan_id"]) + 1), Kind.COUNT),
                ListColumn(c["loan_id"]), ListColumn(c["customer_name"]),
                ListColumn(c["account_manager"]), ListColumn(c["branch"]),
                ListColumn(c["balance"], Kind.MONEY)]

    def enum_labels(self, dimension: str, codes: ListingColumn) -> list[str]:
        """Each code's label (``Labels.enum``), looked up once per distinct code."""
        values = column_values(codes)
        labels = {code: self.t.enum(dimension, code) for code in set(values)}
        return [labels[code] for code in values]

    def maturity(self, s: Sections) -> tuple[Table, ...]:
        m = s.maturity
        days = m.upcoming_days
        figures = [("due_count", m.due_count, Kind.COUNT),
                   ("due_amount", m.due_amount, Kind.MONEY),
                   ("due_collected", m.due_collected, Kind.MONEY),
                   ("due_collection_rate", m.due_collection_rate, Kind.RATIO),
                   ("upcoming_count", m.upcoming_count, Kind.COUNT),
                   ("upcoming_balance", m.upcoming_balance, Kind.MONEY)]
        columns = [*self.loan_columns(),
                   Column("maturity_date", self.t("maturity_date"), numeric=False, width=12),
                   Column("grade", self.t("grade"), numeric=False, width=10)]
        rows: Iterable[Sequence[Cell]]
        if self.max_rows is None and isinstance(m.upcoming, Listing):
            c = m.upcoming.columns
            rows = ColumnRows([*self.loan_list_columns(c),
                               ListColumn(c["maturity_date"], Kind.DATE),
                               ListColumn(self.enum_labels("grade", c["grade"]))])
        else:
            rows = [[Cell(n, Kind.COUNT), Cell(u.loan_id), Cell(u.customer_name),
                     Cell(u.account_manager), Cell(u.branch), Cell(u.balance, Kind.MONEY),
                     Cell(u.maturity_date, Kind.DATE), Cell(self.t.enum("grade", u.grade))]
                    for n, u in enumerate(self.cut(m.upcoming), 1)]
        return (self.key_values("due", self.t("table.due"), "maturity", figures, days=days),
                self.table("upcoming", self.t("table.upcoming", days=days), columns, rows,
                           len(m.upcoming)))

    def watchlist(self, s: Sections) -> tuple[Table, ...]:
        w = s.watchlist
        figures = [("count", w.count, Kind.COUNT), ("balance", w.balance, Kind.MONEY),
                   ("new_count", w.new_count, Kind.COUNT),
                   ("grade_check_count", w.grade_check_count, Kind.COUNT)]
        columns = [*self.loan_columns(),
                   Column("grade", self.t("grade"), numeric=False, width=10),
                   Column("overdue_days", self.t("overdue_days"), width=10),
                   Column("new", self.t("col.flag_new"), numeric=False, width=8),
                   Column("grade_check", self.t("col.flag_check"), numeric=False, width=12)]
        rows: Iterable[Sequence[Cell]]
        if self.max_rows is None and isinstance(w.entries, Listing):
            c = w.entries.columns
            new = column_values(c["new"])
            check = column_values(c["grade_check"])
            flag_new, flag_check = self.t("flag.new"), self.t("flag.check")
            rows = ColumnRows([
                *self.loan_list_columns(c),
                ListColumn(self.enum_labels("grade", c["grade"])),
                ListColumn(c["overdue_days"], Kind.COUNT),
                ListColumn([flag_new if v else None if v is None else "" for v in new],
                           marks=["new" if v else "" for v in new]),
                ListColumn([flag_check if v else "" for v in check],
                           marks=["check" if v else "" for v in check])])
        else:
            rows = [[Cell(n, Kind.COUNT), Cell(e.loan_id), Cell(e.customer_name),
                     Cell(e.account_manager), Cell(e.branch), Cell(e.balance, Kind.MONEY),
                     Cell(self.t.enum("grade", e.grade)), Cell(e.overdue_days, Kind.COUNT),
                     Cell(self.t("flag.new") if e.new else None if e.new is None else "",
                          mark="new" if e.new else ""),
                     Cell(self.t("flag.check") if e.grade_check else "",
                          mark="check" if e.grade_check else "")]
                    for n, e in enumerate(self.cut(w.entries), 1)]
        return (self.key_values("summary", self.t("table.watch_summary"), "watchlist",
                                figures),
                self.table("entries", self.t("table.watch_entries"), columns, rows,
                           len(w.entries)))

    def account_managers(self, s: Sections) -> tuple[Table, ...]:
        a = s.account_managers
        assert a is not None
        keys = ("balance", "change_year_start", "accounts", "customers", "disbursed", "npl",
                "npl_ratio")
        columns = [Column("account_manager", self.t("account_manager"), numeric=False),
                   *(Column(k, self.t(k)) for k in keys)]
        shown = self.cut(a.rows)
        rows = [[Cell(r.account_manager_name or r.account_manager), Cell(r.balance, Kind.MONEY),
                 Cell(r.change_year_start, Kind.MONEY), Cell(r.accounts, Kind.COUNT),
                 Cell(r.customers, Kind.COUNT), Cell(r.disbursed, Kind.MONEY),
                 Cell(r.npl, Kind.MONEY), Cell(r.npl_ratio, Kind.RATIO)] for r in shown]
        tables = [self.table("managers", "", columns, rows, len(a.rows))]
        if a.has_targets:
            target_columns = [
                Column("account_manager", self.t("account_manager"), numeric=False),
                Column("metric", self.t("col.metric"), numeric=False, width=16),
                Column("period", self.t("col.period"), numeric=False, width=12),
                Column("target", self.t("col.target")), Column("actual", self.t("col.actual")),
                Column("completion", self.t("col.completion")),
                Column("time_progress", self.t("col.time_progress")),
                Column("progress", self.t("col.progress"), numeric=False, width=20)]
            pairs = [(r, g) for r in a.rows for g in r.targets]
            target_rows = []
            for r, g in self.cut(pairs):
                kind = Kind.COUNT if g.metric == "new_customers" else Kind.MONEY  # 日均: money
                target_rows.append([Cell(r.account_manager),
                                    Cell(self.t.enum("metric", g.metric)),
                                    Cell(self.t.period_id_name(g.period)),
                                    Cell(g.target, kind), Cell(g.actual, kind),
                                    *self._progress(g)])
            tables.append(self.table("targets", self.t("table.targets"), target_columns,
                                     target_rows, len(pairs)))
        return tuple(tables)

    def _progress(self, g: TargetResult) -> tuple[Cell, ...]:
        """完成进度 beside 时间进度: red when the target is behind its time."""
        mark = "" if g.on_pace is None else ("ok" if g.on_pace else "breach")
        status = (None if g.on_pace is None else self.t(
            "progress.double_half" if g.double_half
            else "progress.on_pace" if g.on_pace else "progress.behind"))
        return (Cell(g.completion, Kind.RATIO, mark), Cell(g.time_progress, Kind.RATIO),
                Cell(status, Kind.TEXT, mark))

    def trend(self, s: Sections) -> tuple[Table, ...]:
        assert s.trend is not None
        keys = ("balance", "npl", "npl_ratio", "overdue_total", "disbursed", "collected")
        kinds = (Kind.MONEY, Kind.MONEY, Kind.RATIO, Kind.MONEY, Kind.MONEY, Kind.MONEY)
        columns = [Column("month", self.t("col.month"), numeric=False, width=16),
                   *(Column(k, self.t.field("trend", k)) for k in keys)]
        rows = [[Cell(self.t.month_id(p.month)),
                 *(Cell(getattr(p, k), kind) for k, kind in zip(keys, kinds, strict=True))]
                for p in s.trend.points]
        return (self.table("points", "", columns, rows),)

    def deposits(self, s: Sections) -> tuple[Table, ...]:
        """存款: balances, daily averages, 有贷户/无贷户, 存贷比, and (monthly and longer)
        each manager's balance, average, weighted and new averages."""
        d = s.deposits
        assert d is not None
        tables = [self.compare("balances", "deposits", d.balances,
                               self.t("table.deposit_balances"))]
        keys = ("avg_period", "avg_year_to_date", "avg_previous", "avg_change")
        columns = [self.item_column(), *(Column(k, self.t(f"col.{k}")) for k in keys)]
        rows: list[list[Cell]] = [
            [Cell(self.t.field("deposits", a.key)), Cell(a.period, Kind.MONEY),
             Cell(a.year_to_date, Kind.MONEY), Cell(a.previous, Kind.MONEY),
             Cell(a.change_previous, Kind.MONEY)] for a in d.averages]
        tables.append(self.table("averages", self.t("table.deposit_averages"), columns, rows))
        columns = [self.item_column(), Column("accounts", self.t("col.deposit_accounts")),
                   Column("balance", self.t("col.deposit_balance")),
                   Column("average", self.t("col.deposit_average"))]
        rows = [[Cell(self.t.field("deposits", b.key)), Cell(b.accounts, Kind.COUNT),
                 Cell(b.balance, Kind.MONEY), Cell(b.average, Kind.MONEY)]
                for b in d.borrowers]
        tables.append(self.table("borrowers", self.t("table.deposit_borrowers"), columns, rows))
        figures = [("loan_balance", d.loan_balance, Kind.MONEY),
                   ("deposit_balance", d.balances[0].current, Kind.MONEY),
                   ("loan_to_deposit", d.loan_to_deposit, Kind.RATIO),
                   ("loan_average", d.loan_average, Kind.MONEY),
                   ("deposit_average", d.averages[0].period, Kind.MONEY),
                   ("loan_to_deposit_average", d.loan_to_deposit_average, Kind.RATIO)]
        tables.append(self.key_values("loan_to_deposit", self.t("table.loan_to_deposit"),
                                      "deposits", figures))
        if d.managers is not None:
            names = ("deposit_accounts", "deposit_balance", "deposit_average",
                     "weighted_average", "new_average")
            columns = [Column("account_manager", self.t("account_manager"), numeric=False),
                       *(Column(k, self.t(f"col.{k}")) for k in names)]
            shown = self.cut(d.managers)
            rows = [[Cell(m.account_manager), Cell(m.accounts, Kind.COUNT),
                     Cell(m.balance, Kind.MONEY), Cell(m.average, Kind.MONEY),
                     Cell(m.weighted_average, Kind.MONEY), Cell(m.new_average, Kind.MONEY)]
                    for m in shown]
            tables.append(self.table("managers", self.t("table.deposit_managers"), columns,
                                     rows, len(d.managers)))
        return tuple(tables)

    def indicators(self, s: Sections) -> tuple[Table, ...]:
        assert s.indicators is not None
        columns = [Column("indicator", self.t("col.indicator"), numeric=False, width=36),
                   Column("value", self.t("col.value")),
                   Column("limit", self.t("col.limit")),
                   Column("status", self.t("col.status"), numeric=False, width=12)]
        rows = []
        for i in s.indicators:
            mark = "" if i.breached is None else ("breach" if i.breached else "ok")
            status = (None if i.breached is None
                      else self.t("status.breached" if i.breached else "status.ok"))
            if i.legal_entity:  # a branch's or manager's report: the legal entity's ratio
                status = self.t("status.legal_entity")
            limit_kind = Kind.LIMIT_MAX if i.direction == "max" else Kind.LIMIT_MIN
            rows.append([Cell(self.t(i.key)), Cell(i.value, Kind.RATIO, mark),
                         Cell(i.limit, limit_kind), Cell(status, Kind.TEXT, mark)])
        return (self.table("indicators", "", columns, rows),)


def build_sections(report: Report, labels: Labels,
                   max_rows: int | None = None) -> list[SectionView]:
    """The views of every section the report holds, in report order."""
    builder = _Builder(report, labels, max_rows)
    views = []
    for name in report.sections.present():
        tables = getattr(builder, name)(report.sections)
        views.append(SectionView(name, labels.section(name), tables))
    return views


def _scope_item(report: Report, labels: Labels) -> tuple[str, str]:
    """机构 and the branch, or for a manager's pack 客户经理 and who (scopes.md)."""
    if report.scope_kind == "manager":
        return labels("cover.manager"), report.branch.removeprefix("客户经理: ")
    return labels("cover.branch"), report.branch or labels("null")


def cover_items(report: Report, labels: Labels, unit: str) -> list[tuple[str, str]]:
    """(label, text) pairs of the cover: what, for whom, from which ledger."""
    return [
        (labels("cover.bank"), report.bank or labels("null")),
        _scope_item(report, labels),
        (labels("cover.report"), labels.report_title(report.report)),
        (labels("cover.period"), labels.period_name(report.report, report.start, report.end)),
        (labels("cover.dates"), labels.date_range(report.start, report.end)),
        (labels("cover.unit"), labels.unit(unit)),
        (labels("cover.generated_at"), labels.timestamp(report.generated_at)),
        (labels("cover.ledger_sha256"), report.ledger_sha256),
        (labels("cover.version"), report.version),
        (labels("cover.warnings"), warnings_line(report, labels)),
    ] + ([(labels("cover.flows"), labels("flows_derived"))] if report.flows_derived else [])


def warnings_line(report: Report, labels: Labels) -> str:
    """The cover's 数据提示 line: how many, and where they are listed."""
    if not report.warning_count:
        return labels("cover.no_warnings")
    return labels("cover.warnings_count", count=f"{report.warning_count:,}")


@dataclass(frozen=True)
class WarningList:
    """The data-quality warnings as the HTML/PDF lists them: sentences, the first
    ``max_rows`` of them, and a note of how many there are and how many the Excel 数据质量
    sheet lists (the model keeps the first 100)."""

    title: str
    items: tuple[str, ...]
    total: int
    more: str


def warning_list(report: Report, labels: Labels, max_rows: int | None) -> WarningList:
    shown = report.warnings if max_rows is None else report.warnings[:max_rows]
    # a loan id is ledger text: cut like any cell, inside our own sentence
    items = tuple(labels.warning(replace(w, loan_id=shown_text(w.loan_id))) for w in shown)
    more = "" if report.warning_count <= len(items) else labels(
        "warnings_more", count=f"{report.warning_count:,}", shown=f"{len(items):,}",
        listed=f"{len(report.warnings):,}")
    return WarningList(labels.section("data_quality"), items, report.warning_count, more)
