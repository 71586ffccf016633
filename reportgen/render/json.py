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
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from reportgen import analysis
from reportgen.formatting import ratio6, yuan, yuan_exact
from reportgen.ledger.schema import GRADE_CODES
from reportgen.model import Average, Compare, Listing, Report, TargetResult
from reportgen.render.base import RenderOptions, register
from reportgen.render.json_listing import MADE, Form, dumps, listing_json

COUNT_FIELDS = frozenset({
    "accounts", "customers", "disbursed_count", "due_count", "upcoming_count", "upcoming_days",
    "count", "new_count", "grade_check_count", "overdue_days", "rank", "customers_year_start",
})
COUNT_ROWS = frozenset({"accounts", "customers"})  # Compare rows that hold counts


def _value(name: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Average):  # a daily average: money, rounded once here
        return yuan_exact(value)
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
    if isinstance(value, Listing):
        return RawJSON(listing_json(value, _forms(typing.cast(type, value.row_type))))
    if dataclasses.is_dataclass(value):
        row_type: type = type(value)
        return {field: convert(getattr(value, field)) for field, convert in _plan(row_type)}
    if isinstance(value, tuple | list):
        if value and _is_row(value[0]):  # a table: written column by column
            return _table(name, value)
        return [_value(name, v) for v in value]
    raise TypeError(f"no JSON form for {name}={value!r}")


def _table(name: str, rows: tuple[Any, ...] | list[Any]) -> RawJSON:
    """A table of rows, written column by column; a (frozen) tuple's text is made once."""
    row_type: type = type(rows[0])

    def make() -> RawJSON:
        return RawJSON(listing_json(Listing.of_rows(row_type, rows), _forms(row_type)))

    return MADE.get(rows, name, make) if isinstance(rows, tuple) else make()


def _is_row(value: Any) -> bool:
    """A row of a table (not a Compare or a target, which have their own shapes)."""
    return (dataclasses.is_dataclass(value) and not isinstance(value, type)
            and not isinstance(value, Compare | TargetResult))


def _identity(value: Any) -> Any:
    return value


def _iso(value: date) -> str:
    return value.isoformat()


_RATIO = Fraction | None


def _form(name: str, hint: Any) -> tuple[Form, Callable[[Any], Any]]:
    """The one way a field of a row class is written, decided from its declared type."""
    if hint is int:
        return (Form.COUNT, _identity) if name in COUNT_FIELDS else (Form.MONEY, yuan)
    if hint is str:
        return Form.TEXT, _identity
    if hint is bool or hint == bool | None:  # a null flag is unknown (json_listing)
        return Form.FLAG, _identity
    if hint is date:
        return Form.DATE, _iso
    if hint == _RATIO:
        return Form.RATIO, ratio6
    return Form.OTHER, functools.partial(_value, name)


@functools.cache
def _forms(cls: type) -> dict[str, tuple[Form, Callable[[Any], Any]]]:
    """Per field of a row class, in field order, how it is written.

    Deciding the conversion once per field instead of once per cell keeps the writer cheap
    for the long tables (structure by account manager, the listings).
    """
    hints = typing.get_type_hints(cls)
    return {f.name: _form(f.name, hints[f.name]) for f in dataclasses.fields(cls)}


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per field of a row class, the converter its declared type needs."""
    return tuple((name, convert) for name, (_, convert) in _forms(cls).items())


def _compare(row: Compare) -> dict[str, Any]:
    field = row.key if row.key in COUNT_ROWS else "money"
    keys = ("current", "opening", "change_opening", "year_start", "change_year_start",
            "last_year", "change_last_year")
    return {"key": row.key, **{k: _value(field, getattr(row, k)) for k in keys}}


def _target(t: TargetResult) -> dict[str, Any]:
    field = "count" if t.metric == "new_customers" else "money"
    return {"metric": t.metric, "period": t.period, "target": _value(field, t.target),
            "actual": _value(field, t.actual), "completion": ratio6(t.completion),
            "time_progress": ratio6(t.time_progress), "on_pace": t.on_pace,
            "double_half": t.double_half}


def _migration_matrix(matrix: tuple[tuple[int | None, ...], ...]
                      ) -> dict[str, dict[str, str | None]]:
    return {g0: {g1: _value("money", v) for g1, v in zip(GRADE_CODES, row, strict=True)}
            for g0, row in zip(GRADE_CODES, matrix, strict=True)}


def _structure(report: Report) -> dict[str, Any]:
    assert report.sections.structure is not None
    return {b.dimension: _value("rows", b.rows) for b in report.sections.structure.breakdowns}


def _migration(report: Report) -> dict[str, Any]:
    migration = report.sections.migration
    assert migration is not None
    return {
        **{r.key: _value(r.key, r) for r in migration.rates},
        "matrix": _migration_matrix(migration.matrix),
        "cohort_opening": {g: _value("money", v) for g, v in zip(
            GRADE_CODES, migration.cohort_opening, strict=True)},
    }


def _trend(report: Report) -> Any:
    assert report.sections.trend is not None
    return _value("points", report.sections.trend.points)


def _indicators(report: Report) -> Any:
    """Each indicator's fields; ``legal_entity: true`` only on those a branch or manager
    report leaves to the legal entity (scopes.md), so a whole-bank document is unchanged."""
    assert report.sections.indicators is not None
    shown = []
    for indicator in report.sections.indicators:
        item = {f.name: _value(f.name, getattr(indicator, f.name))
                for f in dataclasses.fields(indicator)}
        if not indicator.legal_entity:
            del item["legal_entity"]
        shown.append(item)
    return shown


# Sections whose JSON form is not simply their fields (interface.md).
_SHAPED: dict[str, Callable[[Report], Any]] = {
    "structure": _structure, "migration": _migration, "trend": _trend,
    "indicators": _indicators}


def _analysis(report: Report) -> dict[str, Any]:
    """``{"paragraphs": [{"topic", "text"}, …], "notes": [...] | null, "drivers": [...]}``
    (analysis.md); drafted in Chinese, money in 万元, when the report was not drafted for a
    language.  ``drivers`` are the items the drivers paragraph names with their change in
    yuan: the figures a report without the structure tables states (dekad, weekly,
    custom) are shown here."""
    drafted = analysis.ensure(report).analysis
    assert drafted is not None
    return {"paragraphs": [{"topic": p.topic, "text": p.text} for p in drafted.paragraphs],
            "notes": None if drafted.notes is None else list(drafted.notes),
            "drivers": [{"side": d.side, "dimension": d.dimension, "key": d.key,
                         "name": d.name, "change": yuan(d.change)}
                        for d in drafted.drivers]}


def _document(report: Report) -> dict[str, Any]:
    """The document as a dict, with the long listings already JSON text (``RawJSON``)."""
    sections: dict[str, Any] = {"analysis": _analysis(report)}  # first (analysis.md)
    for name in report.sections.present():
        shaped = _SHAPED.get(name)
        sections[name] = (shaped(report) if shaped is not None
                          else _value(name, getattr(report.sections, name)))
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
        **({} if report.scope == "all" else {"scope": report.scope,
                                              "scope_kind": report.scope_kind}),
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "ledger_sha256": report.ledger_sha256,
        "version": report.version,
        "warning_count": report.warning_count,
        **({"flows_derived": True} if report.flows_derived else {}),
        "warnings": [{"kind": w.kind, "loan_id": w.loan_id, "day": w.day.isoformat(),
                      "params": dict(w.params)} for w in report.warnings],
        "sections": sections,
    }


def report_json(report: Report) -> str:
    """The JSON document's text (compact, UTF-8 characters unescaped)."""
    return _encode(_document(report))


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON document as a dict: what a reader of the file gets (used by tests)."""
    document: dict[str, Any] = json.loads(report_json(report))
    return document


class RawJSON:
    """Text that is already JSON, spliced into the document as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _encode(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, except that a
    ``RawJSON`` (found in nested dicts) is written as its text."""
    parts: list[str] = []
    _encode_into(value, parts)
    return "".join(parts)


def _encode_into(value: Any, parts: list[str]) -> None:
    if isinstance(value, RawJSON):
        parts.append(value.text)
    elif isinstance(value, dict):
        separator = "{"
        for key, item in value.items():
            parts.append(f"{separator}{encode_basestring(key)}:")
            _encode_into(item, parts)
            separator = ","
        parts.append("}" if value else "{}")
    else:
        parts.append(dumps(value))


@register("json")
class JsonRenderer:
    name = "json"
    extension = "json"

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        # The figures are language- and unit-free (money in yuan, ratios as fractions);
        # only the written analysis is text, drafted in the report's language and unit.
        report = analysis.ensure(report, lang=options.lang, unit=options.unit,
                                 templates=options.templates)
        # No indent: json's C encoder only runs for compact output, and the long listings
        # are written column by column (json_listing), which makes compact text only.
        # A lone surrogate (never valid UTF-8) is written as its JSON escape "\\udc80",
        # which every JSON reader accepts, instead of failing the whole report.
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(report_json(report))
            fh.write("\n")

