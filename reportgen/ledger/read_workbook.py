"""An .xlsx ledger: one sheet per table, named by its English or Chinese name, each cell
as text (numbers by their shortest repr, date cells as ISO dates).  The workbook is checked
for bombs before calamine reads it (``workbook``)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from reportgen.errors import LedgerError, Problem
from reportgen.ledger.raw import RawLedger, RawTable, header_map, journal_hint
from reportgen.ledger.schema import TABLES, is_required
from reportgen.ledger.workbook import check_workbook, unread_in


def read_workbook(path: Path) -> RawLedger:
    from python_calamine import CalamineError, CalamineWorkbook

    unread = check_workbook(path)  # a bomb is refused before calamine inflates anything
    data = path.read_bytes()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise LedgerError([Problem(path.name, None, None, None,
                                   f"not a readable .xlsx workbook ({exc})")]) from None
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    sheets = table_sheets(path.name, workbook.sheet_names, problems)
    for table in TABLES:
        if table.name in sheets and not sheets[table.name]:
            continue  # two sheets for the table: reported
        sheet = sheets.get(table.name)
        if sheet is None:
            if is_required(table, set(sheets)):
                problems.append(Problem(path.name, None, None, None,
                                        f"sheet {table.name} ({table.sheet_alias}) is missing"
                                        + journal_hint(table)))
            continue
        source = f"{path.name}, sheet {sheet}"
        try:
            rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except CalamineError as exc:  # broken XML inside a sound zip
            problems.append(Problem(source, None, None, None, f"not a readable sheet ({exc})"))
            continue
        header = [cell_text(v) or "" for v in rows[0]] if rows else []
        found = header_map(table, source, header, problems)
        if not rows or any(p.file == source for p in problems):
            continue
        # Empty rows (left for readability, or formatted cells Excel keeps) are no records,
        # as blank lines in a CSV are not; the others keep the row number the sheet shows.
        numbered = [(number, row) for number, row in enumerate(rows[1:], start=2)
                    if any(v is not None and v != "" for v in row)]
        body = [row for _, row in numbered]
        columns = {
            name: pa.array([cell_text(r[i]) if i < len(r) else None for r in body],
                           type=pa.string())
            for i, name in found.items()
        }
        row_numbers = np.array([n for n, _ in numbered], dtype=np.int64)
        cell_problems, reported = unread_in(source, unread.get(sheet, []), found, 2,
                                            row_numbers)
        problems.extend(cell_problems)
        tables[table.name] = RawTable(table, source, columns, len(body), row_numbers,
                                      reported=reported)
    return RawLedger(path, hashlib.sha256(data).hexdigest(), tables, tuple(problems))


def table_sheets(source: str, names: list[str], problems: list[Problem]) -> dict[str, str]:
    """The one sheet of each table (English or Chinese name, blanks around it and case
    ignored); "" for a table with two sheets (``loans`` and ``借据台账``), reported as a
    data error naming both rather than a silent pick."""
    stems = {t.name.lower(): t.name for t in TABLES} | {t.sheet_alias: t.name for t in TABLES}
    candidates: dict[str, list[str]] = {}
    for name in names:
        table = stems.get(name.strip().lower())
        if table is not None:
            candidates.setdefault(table, []).append(name)
    sheets: dict[str, str] = {}
    for table, found in candidates.items():
        if len(found) > 1:
            both = " and ".join(found)
            problems.append(Problem(source, None, None, None,
                                    f"two sheets for table {table}: {both} (keep one)"))
            sheets[table] = ""
        else:
            sheets[table] = found[0]
    return sheets


def cell_text(value: object) -> str | None:
    """A workbook cell as text: numbers by their shortest repr, date cells as ISO dates."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
