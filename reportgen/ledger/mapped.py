"""Reads a bank's export as it comes, through a mapping file, into the usual ``RawLedger``.

Everything the export does differently ends here: its files found by glob (the newest
dated one), title rows above the header, footer rows (合计) below the data, its headers,
its code values, rows to ignore and reversal rows (``mapapply.apply_map``, which frames
share).  What comes out is the same text
tables ``read.py`` gives for a ledger in reportgen's own format, so parsing, validation
and everything after the load see the same ``Ledger`` (style.md: the export is a reader
concern).  This module finds the files and maps their tables; mapped_formats.py reads one
file by its format (CSV, Parquet, a workbook sheet).
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

from reportgen.errors import Problem, UsageError
from reportgen.ledger.mapapply import apply_map
from reportgen.ledger.mapped_formats import Books, Queued, read_csv, read_parquet, read_sheet
from reportgen.ledger.mapping import Mapping, TableMap
from reportgen.ledger.raw import RawLedger, RawTable, journal_hint
from reportgen.ledger.read import table_files
from reportgen.ledger.schema import JOURNAL_TABLES, TABLES, Table

_WORKBOOK = (".xlsx", ".xlsm")
JOURNAL = next(t for t in TABLES if t.name == JOURNAL_TABLES[0])


def read_mapped(path: Path, mapping: Mapping) -> RawLedger:
    """Read the export at ``path`` (a folder or a workbook) as ``mapping`` says."""
    problems: list[Problem] = []
    sha = hashlib.sha256()
    tables: dict[str, RawTable] = {}
    defaults: dict[str, Path | None] = {}
    books: Books = {}
    dates: list[date] = []
    # A missing journal table is a problem only when no balances table stands in for it
    # (a snapshot export): those problems wait until every table has been looked for.
    journal_missing: list[Problem] = []
    # The digest and a CSV's line count are computed on a second thread while Arrow
    # parses (as read.py does); one worker, so the files are hashed in table order.
    with ThreadPoolExecutor(max_workers=1) as scanner:
        digest = Queued(scanner, sha)
        for table in TABLES:
            _read_table(path, table, mapping, digest, tables, books, dates, defaults,
                        problems, journal_missing)
    if "balances" not in tables:
        problems.extend(replace(p, message=p.message + journal_hint(JOURNAL))
                        for p in journal_missing)
    # The ledger's own name first (信贷台账_20261031.xlsx, a folder 20261031/); else the
    # oldest date of its files: the export is complete only as far as its oldest table.
    named = file_date(path.name, mapping.date_from_name) or min(dates, default=None)
    return RawLedger(path, sha.hexdigest(), tables, tuple(problems), named)


def _read_table(path: Path, table: Table, mapping: Mapping, digest: Queued,
                tables: dict[str, RawTable], books: Books, dates: list[date],
                defaults: dict[str, Path | None], problems: list[Problem],
                journal_missing: list[Problem]) -> None:
    """One table of the export, located, read and mapped into ``tables``."""
    tmap = mapping.table(table.name) or TableMap(table.name)
    before = len(problems)
    file = _locate(path, table, tmap, mapping, defaults, problems)
    if table.name in JOURNAL_TABLES and file is None:
        journal_missing += problems[before:]
        del problems[before:]
    if file is None:
        return
    if file != path and (day := file_date(file.name, mapping.date_from_name)):
        dates.append(day)
    if file.suffix.lower() in _WORKBOOK:
        raw = read_sheet(table, tmap, file, books, digest, problems)
        if table.name in JOURNAL_TABLES and raw is None and problems[before:] and (
                problems[-1].message.endswith("is missing")):
            journal_missing.append(problems.pop())
    elif file.suffix.lower() == ".csv":
        data = file.read_bytes()
        digest.update(data)
        raw = read_csv(table, tmap, file.name, data, problems, digest)
    else:
        raw = read_parquet(table, tmap, file, digest, problems)
    if raw is not None:
        tables[table.name] = apply_map(raw, tmap, problems)


def _locate(path: Path, table: Table, tmap: TableMap, mapping: Mapping,
            defaults: dict[str, Path | None], problems: list[Problem]) -> Path | None:
    """The file a table is read from: its glob, else its usual name in the folder, else
    the ledger itself (a workbook).  ``defaults`` caches the folder's usual names."""
    if not path.is_dir():
        return path
    if tmap.file is not None:
        return _glob_one(path, tmap.file, table, mapping, problems)
    if not defaults:
        defaults.update(table_files(path, problems))
        defaults.setdefault("", None)  # looked at once, even when the folder has none
    if table.name not in defaults and table.required:
        problems.append(Problem(f"{table.name}.csv", None, None, None,
                                f"required file missing from {path}"))
    return defaults.get(table.name)


def resolve_ledger(path: Path, pattern: re.Pattern[str] | None) -> Path:
    """A ledger path that is a glob (``/srv/export/信贷台账_*.xlsx``, or a folder glob)
    → its newest dated match.  No match, or two matches with the newest date (or without
    dates to tell them apart), is a ``UsageError`` naming them, never a silent pick."""
    text = str(path)
    if not any(c in text for c in "*?["):
        return path
    import glob

    matches = sorted(Path(p) for p in glob.glob(text))
    if not matches:
        raise UsageError(f"--ledger {text}: no file or folder matches")
    if len(matches) == 1:
        return matches[0]
    dated = [(file_date(p.name, pattern or _EIGHT_DIGITS), p) for p in matches]
    undated = [p.name for d, p in dated if d is None]
    if undated:
        raise UsageError(f"--ledger {text}: {len(matches)} matches and no date in the name of "
                         f"{', '.join(undated)}; keep one, or name them by date")
    newest = max(d for d, _ in dated if d is not None)
    best = [p for d, p in dated if d == newest]
    if len(best) > 1:
        raise UsageError(f"--ledger {text}: two matches with the same date {newest}: "
                         f"{' and '.join(p.name for p in best)} (keep one)")
    return best[0]


_EIGHT_DIGITS = re.compile(r"(?P<date>\d{4}-?\d{2}-?\d{2})")


def file_date(name: str, pattern: re.Pattern[str] | None) -> date | None:
    """The date a file or folder name carries (``信贷台账_20261031.xlsx``), or None."""
    if pattern is None:
        return None
    match = pattern.search(name)
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group("date"))
    if len(digits) != 8:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _glob_one(folder: Path, pattern: str, table: Table, mapping: Mapping,
              problems: list[Problem]) -> Path | None:
    """The one file a table's glob names: the newest dated match when the mapping reads
    dates from names; two matches that cannot be told apart are an error, never a pick."""
    matches = sorted(p for p in folder.glob(pattern) if p.is_file())
    if not matches:
        if table.required:
            problems.append(Problem(pattern, None, None, None,
                                    f"no file in {folder} matches {pattern!r} "
                                    f"(table {table.name})"))
        return None
    if len(matches) == 1:
        return matches[0]
    dated = [(file_date(p.name, mapping.date_from_name), p) for p in matches]
    if any(d is None for d, _ in dated):
        names = " and ".join(p.name for p in matches)
        problems.append(Problem(pattern, None, None, None,
                                f"{len(matches)} files match {pattern!r} for table "
                                f"{table.name}: {names} (keep one, or give source."
                                "date_from_name to take the newest)"))
        return None
    newest = max(d for d, _ in dated if d is not None)
    best = [p for d, p in dated if d == newest]
    if len(best) > 1:
        names = " and ".join(p.name for p in best)
        problems.append(Problem(pattern, None, None, None,
                                f"two files with the same date {newest} for table "
                                f"{table.name}: {names} (keep one)"))
        return None
    return best[0]
