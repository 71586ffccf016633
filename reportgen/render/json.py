"""The JSON renderer: the report model as interface.md writes it.

Money is a decimal string of yuan with 2 places, a ratio a decimal string with 6 places
(a fraction, not a percent), counts are integers and null stays null.  Whether an ``int`` is
money or a count is decided by its field name (``COUNT_FIELDS``), in this one place.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from reportgen.formatting import ratio6, yuan
from reportgen.ledger.schema import GRADE_CODES
from reportgen.model import Compare, Report, TargetResult, UpcomingLoan, WatchEntry
from reportgen.render.base import RenderOptions, register

COUNT_FIELDS = frozenset({
    "accounts", "customers", "disbursed_count", "due_count", "upcoming_count", "upcoming_days",
    "count", "new_count", "grade_check_count", "overdue_days", "rank", "customers_year_start",
})
COUNT_ROWS = frozenset({"accounts", "customers"})  # Compare rows that hold counts


def _value(name: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Fraction):
        return ratio6(value)
    if isinstance(value, int):
        return value if name in COUNT_FIELDS else yuan(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Compare):
        return _compare(value)
    if isinstance(value, TargetResult):
        return _target(value)
    if dataclasses.is_dataclass(value):
        return {f.name: _value(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        if value and isinstance(value[0], WatchEntry | UpcomingLoan):
            return _rows(value)
        return [_value(name, v) for v in value]
    raise TypeError(f"no JSON form for {name}={value!r}")


def _identity(value: Any) -> Any:
    return value


def _iso(value: date) -> str:
    return value.isoformat()


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per field of a listing row class, the one converter its type needs.

    Listings (watchlist, upcoming maturities) can hold a hundred thousand rows; deciding the
    conversion once per field instead of once per cell keeps the JSON writer linear and cheap.
    """
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, Callable[[Any], Any]]] = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if hint is int and f.name not in COUNT_FIELDS:
            plan.append((f.name, yuan))
        elif hint is date:
            plan.append((f.name, _iso))
        elif hint in (int, str, bool):
            plan.append((f.name, _identity))
        else:
            plan.append((f.name, functools.partial(_value, f.name)))
    return tuple(plan)


def _rows(rows: tuple[Any, ...] | list[Any]) -> list[dict[str, Any]]:
    row_class: type = type(rows[0])
    plan = _plan(row_class)
    return [{name: convert(getattr(row, name)) for name, convert in plan} for row in rows]


def _compare(row: Compare) -> dict[str, Any]:
    field = row.key if row.key in COUNT_ROWS else "money"
    keys = ("current", "opening", "change_opening", "year_start", "change_year_start",
            "last_year", "change_last_year")
    return {"key": row.key, **{k: _value(field, getattr(row, k)) for k in keys}}


def _target(t: TargetResult) -> dict[str, Any]:
    field = "count" if t.metric == "new_customers" else "money"
    return {"metric": t.metric, "period": t.period, "target": _value(field, t.target),
            "actual": _value(field, t.actual), "completion": ratio6(t.completion)}


def _migration_matrix(matrix: tuple[tuple[int, ...], ...]) -> dict[str, dict[str, str]]:
    return {g0: {g1: yuan(v) for g1, v in zip(GRADE_CODES, row, strict=True)}
            for g0, row in zip(GRADE_CODES, matrix, strict=True)}


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON document as a dict (also used by tests and the email body)."""
    sections: dict[str, Any] = {}
    for name in report.sections.present():
        section = getattr(report.sections, name)
        sections[name] = _value(name, section)
    if report.sections.structure is not None:
        sections["structure"] = {
            b.dimension: _value("rows", b.rows) for b in report.sections.structure.breakdowns
        }
    if report.sections.migration is not None:
        migration = report.sections.migration
        sections["migration"] = {
            **{r.key: _value(r.key, r) for r in migration.rates},
            "matrix": _migration_matrix(migration.matrix),
            "cohort_opening": {g: yuan(v) for g, v in zip(
                GRADE_CODES, migration.cohort_opening, strict=True)},
        }
    if report.sections.trend is not None:
        sections["trend"] = _value("points", report.sections.trend.points)
    return {
        "report": report.report,
        "period": report.period,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "opening": report.opening.isoformat(),
        "year_start": report.year_start.isoformat(),
        "last_year": report.last_year.isoformat(),
        "currency": report.currency,
        "bank": report.bank,
        "branch": report.branch,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "ledger_sha256": report.ledger_sha256,
        "version": report.version,
        "warning_count": report.warning_count,
        "sections": sections,
    }


@register("json")
class JsonRenderer:
    name = "json"
    extension = "json"

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        del options  # JSON is language- and unit-free: money in yuan, ratios as fractions
        # No indent: json's C encoder only runs for compact output, and a listing of a
        # hundred thousand rows is ten times slower through the pure-Python pretty printer.
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(report_dict(report), ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")

