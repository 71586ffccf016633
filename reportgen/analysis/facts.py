"""What each topic of the analysis says, as template contexts read from the finished model.

One function per topic (analysis.md, in order) turns the model's exact figures into
``Shown`` values — the tables' text and sign — and plain words (branch names, industry
labels); the sentence itself is a Jinja template (``templates/analysis/``).  A topic whose
figures the report does not hold returns ``None`` and is left out.  Nothing here reads
the engine or the ledger: every number is a figure of the report, shown as its table
shows it; the few derived numbers (growth rates, a breach's gap, bank-level target
completion) are computed from those same exact figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from fractions import Fraction
from typing import Any

from reportgen.analysis import shown
from reportgen.analysis.drivers import drivers
from reportgen.labels import Labels
from reportgen.ledger.schema import GRADE_CODES
from reportgen.model import Compare, Driver, Report
from reportgen.periods import parse_period, report_of

Facts = dict[str, Any]
DRIVER_DIMENSIONS = ("branch", "industry", "product")
NPL_GRADES = (2, 3, 4)  # substandard, doubtful, loss: the columns new NPL lands in
PERFORMING = (0, 1)  # normal, special mention: the rows new NPL comes from


def _row(rows: tuple[Compare, ...], key: str) -> Compare | None:
    return next((r for r in rows if r.key == key), None)


def _compare(row: Compare | None, unit: str, *, yearly: bool,
             same_year_start: bool = False) -> Facts | None:
    """A money Compare row as shown: level, changes (比上期 left out in the yearly report,
    whose tables leave it out too; 同比 left out when it is the year start, as in the
    yearly report) and growth rates on a known, non-zero base."""
    if row is None or row.current is None:
        return None
    assert not isinstance(row.current, Fraction)

    def side(change: int | Fraction | None, base: int | Fraction | None) -> Facts | None:
        if change is None or isinstance(change, Fraction) or isinstance(base, Fraction):
            return None
        return {"change": shown.money(change, unit), "growth": shown.growth(change, base)}

    return {
        "current": shown.money(row.current, unit),
        "opening": None if yearly else side(row.change_opening, row.opening),
        "year_start": side(row.change_year_start, row.year_start),
        "last_year": None if same_year_start else side(row.change_last_year, row.last_year),
    }


def _ratio_compare(row: Compare | None, *, yearly: bool,
                   same_year_start: bool = False) -> Facts | None:
    """A ratio Compare row as shown: the level in % and its changes in 个百分点."""
    if row is None or row.current is None:
        return None
    return {
        "current": shown.pct(Fraction(row.current)),
        "opening": None if yearly else shown.ratio_change(row.current, row.opening),
        "year_start": shown.ratio_change(row.current, row.year_start),
        "last_year": (None if same_year_start
                      else shown.ratio_change(row.current, row.last_year)),
    }


class Topics:
    """The facts of one report in one language and unit."""

    def __init__(self, report: Report, labels: Labels, unit: str) -> None:
        self.report = report
        self.s = report.sections
        self.t = labels
        self.unit = unit
        self.yearly = report.report == "yearly"
        self.same = report.last_year == report.year_start
        self.named: list[Driver] = []  # the drivers the drivers topic names

    def compare(self, rows: tuple[Compare, ...], key: str) -> Facts | None:
        return _compare(_row(rows, key), self.unit, yearly=self.yearly,
                        same_year_start=self.same)

    def ratio_compare(self, rows: tuple[Compare, ...], key: str) -> Facts | None:
        return _ratio_compare(_row(rows, key), yearly=self.yearly, same_year_start=self.same)

    def money(self, fen: int | Fraction | None) -> shown.Shown | None:
        return shown.money(fen, self.unit)

    def scale(self) -> Facts | None:
        m = self.s.summary
        balance = self.compare(m.table, "balance")
        if balance is None:
            return None
        return {"balance": balance, "disbursed": self.money(m.disbursed),
                "disbursed_count": shown.count(m.disbursed_count),
                "collected": self.money(m.collected), "written_off": self.money(m.written_off),
                "flows_derived": self.report.flows_derived}  # a snapshot ledger's flows

    def driver_rows(self) -> dict[str, list[tuple[str, int | None, int | None]]] | None:
        """Per breakdown, (key, change since Y, change since O) of every item: from the
        structure section where the report has one (its tables show the figures), else
        from the report's ``changes`` (dekad, weekly, custom); ``None`` when neither."""
        if self.s.structure is not None:
            structure = self.s.structure
            return {dim: [(r.key, r.change_year_start, r.change_opening)
                          for r in structure.get(dim).rows] for dim in DRIVER_DIMENSIONS}
        if self.report.changes is not None:
            return {c.dimension: [(r.key, r.change_year_start, r.change_opening)
                                  for r in c.rows] for c in self.report.changes}
        return None

    def drivers(self) -> Facts | None:
        """Per side (since the year start; in the monthly report and the reports without
        the structure section — dekad, weekly, custom — also since the last period's end)
        the drivers of each breakdown by the coverage rule.  The items named are kept in
        ``self.named`` (the analysis's ``drivers``, which the JSON shows)."""
        breakdowns = self.driver_rows()
        if breakdowns is None:
            return None
        sides = []
        # a last period's end on 31 December (January's first dekad, the January month, a
        # week or window starting on 1 January) is the year start: said once, 比年初
        same_day = self.report.opening == self.report.year_start
        for side in ("year_start",) if same_day else ("year_start", "opening"):
            groups = []
            for dim in DRIVER_DIMENSIONS:
                changes = [(key, year_start if side == "year_start" else opening)
                           for key, year_start, opening in breakdowns.get(dim, [])]
                known = [(key, change) for key, change in changes if change is not None]
                if len(known) < len(changes):
                    continue  # that side is unknown, or not in this report's tables
                items = []
                for key, change in drivers(known):
                    shown_change = shown.money(change, self.unit)
                    if not shown_nonzero(shown_change):
                        continue
                    name = self.t.enum(dim, key)
                    items.append({"key": key, "name": name, "change": shown_change})
                    self.named.append(Driver(side, dim, key, name, change))
                if items:
                    groups.append({"dimension": dim, "items": items})
            if groups:
                sides.append({"side": side, "groups": groups})
        return {"sides": sides} if sides else None

    def quality(self) -> Facts | None:
        q = self.s.quality
        npl = self.compare(q.table, "npl")
        if npl is None:
            return None
        facts: Facts = {
            "npl": npl,
            "npl_ratio": self.ratio_compare(q.table, "npl_ratio"),
            "special_mention": self.compare(q.table, "special_mention"),
            "migration": None, "sources": [], "industries": [],
        }
        m = self.s.migration
        if m is not None:
            facts["migration"] = [{"key": r.key, "name": self.t.field("migration", r.key),
                                   "rate": shown.pct(r.rate)}
                                  for r in m.rates if r.rate is not None]
            # an opening before the ledger's first date leaves the matrix unknown: no sources
            cells = [((g0, g1), v) for g0 in PERFORMING for g1 in NPL_GRADES
                     if (v := m.matrix[g0][g1]) is not None]
            facts["sources"] = [
                {"from": self.t.field("quality", GRADE_CODES[g0]),
                 "to": self.t.field("quality", GRADE_CODES[g1]), "amount": self.money(v)}
                for (g0, g1), v in drivers(cells)]
            if self.s.structure is not None:
                rows = self.s.structure.get("industry").rows
                facts["industries"] = [
                    {"name": self.t.enum("industry", key), "npl": self.money(v)}
                    for key, v in drivers([(r.key, r.npl) for r in rows])]
        return facts

    def overdue(self) -> Facts | None:
        o = self.s.overdue
        total = self.compare(o.table, "total")
        if total is None:
            return None
        return {"total": total, "over_90": self.money(o.over_90),
                "over_90_to_npl": shown.pct(o.over_90_to_npl)}

    def breaches(self) -> Facts | None:
        if self.s.indicators is None:
            return None
        items = []
        for i in self.s.indicators:
            if i.breached and i.value is not None:
                gap = i.value - i.limit if i.direction == "max" else i.limit - i.value
                items.append({"key": i.key, "name": self.t(i.key), "value": shown.pct(i.value),
                              "limit": shown.pct(i.limit), "direction": i.direction,
                              "gap": shown.points(gap)})
        known = any(i.breached is not None for i in self.s.indicators)
        return {"items": items} if items or known else None

    def maturity(self) -> Facts | None:
        m = self.s.maturity
        return {"due_count": shown.count(m.due_count), "due_amount": self.money(m.due_amount),
                "due_collected": self.money(m.due_collected),
                "due_collection_rate": shown.pct(m.due_collection_rate),
                "upcoming_days": m.upcoming_days,
                "upcoming_count": shown.count(m.upcoming_count),
                "upcoming_balance": self.money(m.upcoming_balance)}

    def watchlist(self) -> Facts | None:
        w = self.s.watchlist
        return {"count": shown.count(w.count), "balance": self.money(w.balance),
                "new_count": shown.count(w.new_count),
                "grade_check_count": shown.count(w.grade_check_count)}

    def targets(self) -> Facts | None:
        a = self.s.account_managers
        if a is None or not a.has_targets:
            return None
        totals: dict[tuple[str, str], list[int | Fraction]] = {}  # 日均净增: a Fraction
        unknown: set[tuple[str, str]] = set()  # an actual from before the ledger's first date
        for row in a.rows:
            for g in row.targets:
                pair = totals.setdefault((g.metric, g.period), [0, 0])
                pair[0] += g.target
                if g.actual is None:
                    unknown.add((g.metric, g.period))
                else:
                    pair[1] += g.actual
        items = []
        for (metric, period), (target, actual) in totals.items():
            if (metric, period) in unknown:  # an unknown figure is left out, never 0
                continue
            is_count = metric == "new_customers"
            time = time_progress(period, self.report.end)
            completion = None if target <= 0 else Fraction(actual, target)
            items.append({
                "metric": metric, "name": self.t.enum("metric", metric),
                "period": self.t.period_id_name(period),
                "target": shown.count(int(target)) if is_count else self.money(target),
                "actual": shown.count(int(actual)) if is_count else self.money(actual),
                "is_count": is_count,
                "completion": shown.pct(completion),
                "time": shown.pct(time),
                # ahead of (1), level with (0) or behind (−1) time progress, exactly
                "pace": None if completion is None else (completion > time) - (completion < time),
                # 双过半: a yearly target on pace on 30 June (assessment.md)
                "double_half": (completion is not None and completion >= time
                                and report_of(period) == "yearly"
                                and (self.report.end.month, self.report.end.day) == (6, 30)),
            })
        return {"items": items} if items else None

    def deposits(self) -> Facts | None:
        """存款: the balance with its changes, the three groups, the period's daily average
        against the previous period's, and 存贷比 on both bases (assessment.md)."""
        d = self.s.deposits
        if d is None:
            return None
        balance = self.compare(d.balances, "total")
        if balance is None:
            return None
        groups = {r.key: r.current for r in d.balances}
        total = d.averages[0]
        return {
            "balance": balance,
            "savings": self.money(groups["savings"]),
            "corporate": self.money(groups["corporate"]),
            "margin": self.money(groups["margin"]),
            "average": self.money(total.period),
            "average_change": self.money(total.change_previous),
            "ltd": shown.pct(d.loan_to_deposit),
            "ltd_average": shown.pct(d.loan_to_deposit_average),
        }


def shown_nonzero(value: shown.Shown | None) -> bool:
    """A change that the tables show as other than 0.00 (持平 names no driver)."""
    return value is not None and value.sign != 0


def time_progress(period_id: str, end: date) -> Fraction:
    """Days of the target period elapsed by ``end`` over its length (时间进度)."""
    p = parse_period(period_id, report_of(period_id))
    return Fraction((min(end, p.end) - p.start).days + 1, (p.end - p.start).days + 1)


TOPICS: tuple[str, ...] = ("scale", "drivers", "quality", "overdue", "breaches", "maturity",
                           "watchlist", "targets", "deposits")


def topic_facts(report: Report, labels: Labels,
                unit: str) -> tuple[list[tuple[str, Facts]], tuple[Driver, ...]]:
    """(topic, facts) of every topic the report's figures allow, in analysis.md's order,
    and the drivers the drivers topic names (side by side, breakdown by breakdown)."""
    topics = Topics(report, labels, unit)
    out = []
    for name in TOPICS:
        make: Callable[[], Facts | None] = getattr(topics, name)
        facts = make()
        if facts is not None:
            out.append((name, facts))
    return out, tuple(topics.named)
