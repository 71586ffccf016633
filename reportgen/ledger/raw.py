"""The tables as read, before parsing: text columns by English name, and what the readers
share (the header's columns, one array per column, a typed table's text).

Every reader (``read`` for a folder's CSV and Parquet files, ``read_csv``,
``read_workbook``, the mapped exports of ``mapped_formats``, DataFrames in ``frames``)
gives ``RawTable``s; ``load`` parses them once, with the same rules whatever the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from reportgen.errors import Problem
from reportgen.ledger.digest import LateDigest
from reportgen.ledger.schema import JOURNAL_TABLES, Table
from reportgen.ledger.typed_text import NotTextError, as_text


@dataclass(frozen=True)
class RawTable:
    """One table as text columns; ``source`` names the file or sheet for messages."""

    table: Table
    source: str
    columns: dict[str, pa.Array]  # English column name → string array (null = blank)
    rows: int
    row_numbers: np.ndarray | None = None  # spreadsheet row of each record; None: 2, 3, …
    row_problems: tuple[Problem, ...] = ()  # rows that could not be read (skipped)
    money_places: int = 2  # decimals of a money cell: 2 in yuan, 6 in 万元 (mapping)
    reversal: np.ndarray | None = None  # mask of reversal rows (mapping: reverse:<type>)
    skipped: dict[str, int] = field(default_factory=dict)  # rows left out on purpose, by why
    # The true rows, counted only when a problem needs them (``Problems.renumber_later``):
    # None when ``row_numbers`` is already right.
    renumber: Callable[[], np.ndarray | None] | None = None
    # Per column, the records whose cell the reader has reported (an Excel error, a formula
    # without its value): read as a bad cell, not a blank, so never "must not be blank" too.
    reported: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class RawLedger:
    path: Path
    # Over the files' bytes, in table order: the report's ledger digest (a folder's is made
    # after the load: ``reportgen.ledger.digest``).
    sha256: str | LateDigest
    tables: dict[str, RawTable]
    # Missing files, sheets or columns, unreadable files: the loader still parses what was
    # read (so their cell problems are reported too), then gives up before cross-table rules.
    problems: tuple[Problem, ...] = ()
    named_date: date | None = None  # the date a mapped export's name carries (mapping.md)


def header_map(table: Table, source: str, header: list[str],
                problems: list[Problem]) -> dict[int, str]:
    """Map header positions to English column names; report missing required columns."""
    names = {c.name: c.name for c in table.columns} | {c.alias: c.name for c in table.columns}
    found: dict[int, str] = {}
    titles: dict[str, str] = {}  # column → the header that gave it
    for i, title in enumerate(header):
        text = str(title).strip().lstrip("\ufeff")
        name = names.get(text)
        if name is None:
            continue
        if name in titles:  # which one would count? refuse rather than pick silently
            problems.append(Problem(source, 1, name, None,
                                    f"two columns for {name}: {titles[name]!r} and {text!r} "
                                    "(keep one)"))
            continue
        titles[name] = text
        found[i] = name
    for column in table.columns:
        if column.name not in found.values() and column.required:
            problems.append(Problem(source, 1, column.name, None,
                                    f"missing column (header {column.name} or {column.alias})"))
    return found


def journal_hint(table: Table) -> str:
    """What a missing journal table's message adds: a snapshot table would do instead."""
    if table.name not in JOURNAL_TABLES:
        return ""
    return " (or give balances 借据余额 instead of transactions and classifications)"


def combine(chunked: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """One array per column, except that big text columns stay chunked: every compute
    function takes chunks, and copying ten million loan ids into one buffer costs half a
    second for nothing."""
    if chunked.num_chunks == 1:
        return chunked.chunk(0)
    if pa.types.is_string(chunked.type):
        return chunked
    return chunked.combine_chunks()


def typed_columns(source: str, arrow: pa.Table, found: dict[int, str],
                  problems: list[Problem]) -> dict[str, pa.Array | pa.ChunkedArray] | None:
    """The found columns of a typed table as text; a column no cell can be is a problem."""
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for i, name in found.items():
        try:
            columns[name] = as_text(combine(arrow.column(i)))
        except NotTextError as exc:
            problems.append(Problem(source, None, arrow.column_names[i], None, str(exc)))
    return None if len(columns) < len(found) else columns
