"""Reads ledger files or sheets into tables of text columns named by their English names.

Nothing is interpreted here except where the data is: a folder of CSV (UTF-8 with or without
BOM, or GB18030 — detected by trying UTF-8 on the whole file, since a GB18030 byte sequence
is almost never valid UTF-8) or Parquet files, or one .xlsx workbook, the files and sheets
named by the English or Chinese table names.  Every column arrives as text (Arrow strings,
null for a blank), so that parsing — exact money, strict dates, enums — happens once, in
``parse.py``, with the same rules whatever the source.

Nothing is chosen silently: two files, sheets or columns for one table or field are a data
error naming both, and a file whose encoding changes midway is an error by row
(``csvtext``).  A workbook is checked for bombs before calamine reads it (``workbook``).

Here: the folder, its files, and Parquet.  A CSV file is read by ``read_csv``, a workbook by
``read_workbook``; what every reader gives (``RawTable``) and shares is in ``raw``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa

from reportgen.errors import LedgerError, Problem
from reportgen.ledger.digest import LateDigest
from reportgen.ledger.raw import (
    RawLedger,
    RawTable,
    combine,
    header_map,
    journal_hint,
    typed_columns,
)
from reportgen.ledger.read_csv import count_lines, read_csv
from reportgen.ledger.read_workbook import read_workbook
from reportgen.ledger.schema import TABLES, Kind, Table, is_required
from reportgen.ledger.text_columns import coded_text


def read_raw(path: Path) -> RawLedger:
    """Read a ledger folder or workbook; missing tables/columns are in ``problems``."""
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_workbook(path)
    raise LedgerError([Problem(str(path), None, None, None,
                               "a ledger is a folder of CSV/Parquet files or one .xlsx workbook")])


def _read_folder(path: Path) -> RawLedger:
    problems: list[Problem] = []
    hashed: list[Path] = []  # the files of the digest, in table order
    seen: list[os.stat_result] = []  # each as it was when read
    tables: dict[str, RawTable] = {}
    # The line count a CSV needs is made on a second thread while Arrow parses the file;
    # the digest is made after the load (``LateDigest``), when a core is free.
    files = table_files(path, problems)
    with ThreadPoolExecutor(max_workers=1) as scanner:
        for table in TABLES:
            if table.name not in files:
                if is_required(table, set(files)):
                    problems.append(Problem(f"{table.name}.csv", None, None, None,
                                            f"required file missing from {path}"
                                            + journal_hint(table)))
                continue
            file = files[table.name]
            if file is None:  # two files, or a folder: reported
                continue
            try:
                seen.append(file.stat())
            except OSError as exc:  # gone since the folder was listed
                problems.append(Problem(file.name, None, None, None,
                                        f"cannot be read ({exc.strerror or exc})"))
                continue
            hashed.append(file)
            if file.suffix.lower() == ".csv":
                # A bulk table's lines are counted only if a problem shows a row.
                scan = None if table.bulk else scanner.submit(count_lines, file)
                raw = read_csv(table, file, scan, problems)
            else:
                raw = _read_parquet(table, file, problems)
            if raw is not None:
                tables[table.name] = raw
    return RawLedger(path, LateDigest(hashed, seen), tables, tuple(problems))


_SUFFIXES = (".csv", ".parquet")


def table_files(path: Path, problems: list[Problem]) -> dict[str, Path | None]:
    """The one file of each table in the folder: ``loans.csv``, ``loans.parquet`` or
    ``借据台账.csv`` (English or Chinese name, any case of the suffix).

    Two files for one table (``loans.csv`` and ``借据台账.csv``, or ``loans.csv`` and
    ``loans.parquet``) are a data error naming both: reading one of them silently would
    make figures from whichever export happened to win.
    """
    stems = {t.name.lower(): t.name for t in TABLES} | {t.sheet_alias: t.name for t in TABLES}
    candidates: dict[str, list[Path]] = {}
    for entry in sorted(path.iterdir()):
        table = stems.get(entry.stem.strip().lower())
        if table is not None and entry.suffix.lower() in _SUFFIXES:
            candidates.setdefault(table, []).append(entry)
    files: dict[str, Path | None] = dict.fromkeys(candidates)
    for table, entries in candidates.items():
        if len(entries) > 1:
            names = " and ".join(e.name for e in entries)
            problems.append(Problem(f"{table}.csv", None, None, None,
                                    f"two files for table {table}: {names} (keep one)"))
        elif not entries[0].is_file():
            problems.append(Problem(entries[0].name, None, None, None,
                                    "is a folder, not a file"))
        else:
            files[table] = entries[0]
    return files


def _read_parquet(table: Table, path: Path, problems: list[Problem]) -> RawTable | None:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        problems.append(_unreadable_parquet(path, exc))
        return None
    found = header_map(table, path.name, schema.names, problems)
    if any(p.file == path.name for p in problems):
        return None
    try:
        arrow = pq.read_table(path, read_dictionary=_coded_columns(table, schema, found))
    except (pa.ArrowException, OSError) as exc:
        problems.append(_unreadable_parquet(path, exc))
        return None
    kept = _typed_bulk_columns(table, arrow, found)
    columns = typed_columns(path.name, arrow,
                            {i: name for i, name in found.items() if name not in kept}, problems)
    if columns is None:
        return None
    columns |= kept
    # A part written by ``reportgen partition`` names the file and rows it came from, so the
    # validator's messages point into the file the user has.
    metadata = arrow.schema.metadata or {}
    source = metadata.get(b"reportgen.source", path.name.encode()).decode()
    numbers = None
    if "__source_row" in arrow.column_names:
        numbers = np.asarray(arrow.column("__source_row").to_numpy(), dtype=np.int32)
    # A part of a mapped export (parts/mapped.py) also keeps what the mapping decided:
    # the money unit (万元: six decimals) and the reversal rows.
    places = int(metadata.get(b"reportgen.money_places", b"2"))
    reversal = (np.asarray(arrow.column("__reversal").to_numpy(zero_copy_only=False), bool)
                if "__reversal" in arrow.column_names else None)
    return RawTable(table, source, columns, arrow.num_rows, numbers, money_places=places,
                    reversal=reversal)


def _unreadable_parquet(path: Path, exc: Exception) -> Problem:
    return Problem(path.name, None, None, None, f"not a readable Parquet file ({exc})")


def _coded_columns(table: Table, schema: pa.Schema, found: dict[int, str]) -> list[str]:
    """The text columns of keys in runs (the deposit balances' ``account_id``), read as
    Parquet stores them: each row group's dictionary and an index per row (half the read,
    and the parser and the join then look at a million ids, not thirty million)."""
    return [schema.names[i] for i, name in found.items()
            if table.column(name).runs and pa.types.is_string(schema.field(i).type)]


def _typed_bulk_columns(table: Table, arrow: pa.Table, found: dict[int, str]
                        ) -> dict[str, pa.Array | pa.ChunkedArray]:
    """A bulk table's typed columns kept as they are (date32 dates; amounts in yuan as a
    decimal of at most two places or an integer; dictionary-coded keys in runs), for the
    parser to skip the text: thirty million deposit balances at a million accounts.  Any
    other column, and these in any other type, are read as text (``typed_columns``)."""
    if not table.bulk:
        return {}
    kept: dict[str, pa.Array | pa.ChunkedArray] = {}
    for i, name in found.items():
        column, kind = table.column(name), arrow.schema.field(i).type
        if ((column.kind is Kind.DATE and pa.types.is_date32(kind))
                or (column.kind is Kind.MONEY and (pa.types.is_integer(kind) or (
                    pa.types.is_decimal(kind) and kind.scale <= 2)))):
            kept[name] = combine(arrow.column(i))
        elif column.runs and coded_text(arrow.column(i)):
            kept[name] = arrow.column(i)
    return kept
