"""Reads a bank's export as it comes, through a mapping file, into the usual ``RawLedger``.

Everything the export does differently ends here: its files found by glob (the newest
dated one), title rows above the header, footer rows (合计) below the data, its headers,
its code values, rows to ignore and reversal rows (``mapapply.apply_map``, which frames
share).  What comes out is the same text
tables ``read.py`` gives for a ledger in reportgen's own format, so parsing, validation
and everything after the load see the same ``Ledger`` (style.md: the export is a reader
concern).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from reportgen.errors import LedgerError, Problem, UsageError
from reportgen.ledger import csvtext
from reportgen.ledger.invalid_rows import InvalidRows
from reportgen.ledger.mapapply import apply_map, footer_key
from reportgen.ledger.mapping import Mapping, TableMap
from reportgen.ledger.read import (
    RawLedger,
    RawTable,
    _cell_text,
    _combine,
    _header_map,
    _journal_hint,
    _numbered,
    _table_files,
    _table_sheets,
    typed_columns,
)
from reportgen.ledger.schema import JOURNAL_TABLES, TABLES, Table
from reportgen.ledger.shapes import fill_merged, header_key
from reportgen.ledger.typed_text import NotTextError, as_text
from reportgen.ledger.workbook import check_workbook

_WORKBOOK = (".xlsx", ".xlsm")
JOURNAL = next(t for t in TABLES if t.name == JOURNAL_TABLES[0])


def read_mapped(path: Path, mapping: Mapping) -> RawLedger:
    """Read the export at ``path`` (a folder or a workbook) as ``mapping`` says."""
    problems: list[Problem] = []
    sha = hashlib.sha256()
    tables: dict[str, RawTable] = {}
    defaults: dict[str, Path | None] = {}
    books: dict[Path, object] = {}
    dates: list[date] = []
    # A missing journal table is a problem only when no balances table stands in for it
    # (a snapshot export): those problems wait until every table has been looked for.
    journal_missing: list[Problem] = []
    # The digest and a CSV's line count are computed on a second thread while Arrow
    # parses (as read.py does); one worker, so the files are hashed in table order.
    with ThreadPoolExecutor(max_workers=1) as scanner:
        digest = _Queued(scanner, sha)
        for table in TABLES:
            _read_table(path, table, mapping, digest, tables, books, dates, defaults,
                        problems, journal_missing)
    if "balances" not in tables:
        problems.extend(replace(p, message=p.message + _journal_hint(JOURNAL))
                        for p in journal_missing)
    # The ledger's own name first (信贷台账_20261031.xlsx, a folder 20261031/); else the
    # oldest date of its files: the export is complete only as far as its oldest table.
    named = file_date(path.name, mapping.date_from_name) or min(dates, default=None)
    return RawLedger(path, sha.hexdigest(), tables, tuple(problems), named)


class _Queued:
    """The ledger digest, fed on the scanner thread, in the order the files are read."""

    def __init__(self, scanner: ThreadPoolExecutor, digest: hashlib._Hash) -> None:
        self.scanner, self.digest = scanner, digest

    def update(self, data: bytes) -> None:
        self.scanner.submit(self.digest.update, data)

    def submit(self, work: Callable[[], int]) -> Future[int]:
        return self.scanner.submit(work)


def _read_table(path: Path, table: Table, mapping: Mapping, digest: _Queued,
                tables: dict[str, RawTable], books: dict[Path, object], dates: list[date],
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
        raw = _read_sheet(table, tmap, file, books, digest, problems)
        if table.name in JOURNAL_TABLES and raw is None and problems[before:] and (
                problems[-1].message.endswith("is missing")):
            journal_missing.append(problems.pop())
    elif file.suffix.lower() == ".csv":
        data = file.read_bytes()
        digest.update(data)
        raw = _read_csv(table, tmap, file.name, data, problems, digest)
    else:
        raw = _read_parquet(table, tmap, file, digest, problems)
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
        defaults.update(_table_files(path, problems))
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


def _utf8(data: bytes, source: str, problems: list[Problem]) -> bytes | None:
    """The text as UTF-8 bytes: UTF-8 as it is (Arrow checks it while parsing, in
    parallel), GB18030 (GBK) transcoded once."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data.isascii() or _looks_utf8(data):
        return data
    try:
        return data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(source, None, None, None,
                                f"neither UTF-8 nor GB18030 text ({exc.reason})"))
        return None


def _looks_utf8(data: bytes) -> bool:
    """UTF-8 or not, decided on the first MB (a GBK file fails there: its Chinese headers
    come first); Arrow's own check while parsing catches a file that changes midway."""
    head = data[:1 << 20]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut by the 1 MB boundary
    return True


def _line_starts(text: bytes, count: int) -> int:
    """Byte offset after the first ``count`` lines (title rows are single lines)."""
    at = 0
    for _ in range(count):
        end = csvtext.header_end(text[at:at + (1 << 20)])
        if end < 0:
            return len(text)
        at += end + 1
        if text[at - 1:at] == b"\r" and text[at:at + 1] == b"\n":
            at += 1
    return at


def _header_names(table: Table, tmap: TableMap, header: list[str]) -> list[str]:
    """The export's header with each mapped title replaced by its reportgen name."""
    renamed = {header_key(title): name for name, title in tmap.columns.items()}
    return [renamed.get(key, key) for key in (header_key(str(title)) for title in header)]


def _check_mapped(table: Table, tmap: TableMap, source: str, header: list[str],
                  problems: list[Problem]) -> dict[int, str] | None:
    titles = {header_key(str(t)) for t in header}
    for name, title in tmap.columns.items():
        if header_key(title) not in titles:
            problems.append(Problem(source, tmap.header_row, name, None,
                                    f"the mapping names header {title!r} for {name}, "
                                    f"but row {tmap.header_row} has no such header"))
    found = _header_map(table, source, _header_names(table, tmap, header), problems)
    if any(p.file == source for p in problems):
        return None
    return found


def _read_csv(table: Table, tmap: TableMap, source: str, data: bytes,
              problems: list[Problem], scanner: _Queued) -> RawTable | None:
    text = _utf8(data, source, problems)
    if text is None:
        return None
    start = _line_starts(text, tmap.header_row - 1)
    titles = list(csv.reader(io.StringIO(text[:start].decode("utf-8", "replace"))))
    text = text[start:]
    newline = csvtext.header_end(text)
    first = text[:newline if newline >= 0 else len(text)].decode("utf-8")
    header = fill_merged([*titles, next(csv.reader([first]), [])])
    found = _check_mapped(table, tmap, source, header, problems)
    if found is None:
        return None
    body = text
    lines = scanner.submit(lambda: csvtext.body_lines(body))  # while Arrow parses
    names = [f"c{i}" for i in range(len(header))]
    keep = sorted({0, *found})
    invalid = InvalidRows()
    try:
        arrow = pacsv.read_csv(
            pa.BufferReader(text),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                include_columns=[names[i] for i in keep], strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        if invalid.not_utf8(exc) and not data.startswith(b"\xef\xbb\xbf"):
            # GBK text first met after the first MB (an ASCII head): transcoded now,
            # unless its lines mix the two encodings (an error by row, as read.py says).
            return _read_gbk(table, tmap, source, data, problems, scanner)
        problems.append(Problem(source, None, None, None, f"not a readable CSV file: {exc}"))
        return None
    columns = {name: _combine(arrow.column(names[i])) for i, name in found.items()}
    columns["__first"] = _combine(arrow.column(names[0]))
    raw = _numbered(source, table, columns, arrow.num_rows, len(header), bool(invalid.count),
                    lines.result(), lambda: text)
    numbers = raw.row_numbers if raw.row_numbers is not None else np.arange(
        2, raw.rows + 2, dtype=np.int64)
    offset = tmap.header_row - 1
    shifted = tuple(replace(p, row=p.row + offset) if p.row is not None else p
                    for p in raw.row_problems if not _footer_text(p.value, tmap))
    skipped = dict(raw.skipped)
    if len(shifted) < len(raw.row_problems):  # a lone 合计 line, narrower than the header
        skipped[footer_key(tmap)] = len(raw.row_problems) - len(shifted)
    return replace(raw, row_numbers=numbers + offset, row_problems=shifted, skipped=skipped)


def _read_gbk(table: Table, tmap: TableMap, source: str, data: bytes,
              problems: list[Problem], scanner: _Queued) -> RawTable | None:
    mixed = csvtext.encoding_breaks(data, source, bom=False)
    if mixed:
        problems.extend(mixed)
        return None
    try:
        text = data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(source, None, None, None,
                                f"neither UTF-8 nor GB18030 text ({exc.reason})"))
        return None
    return _read_csv(table, tmap, source, text, problems, scanner)


def _footer_text(text: str | None, tmap: TableMap) -> bool:
    """Whether a line that could not be read as a record is a footer (合计：…)."""
    if text is None or not tmap.skip_first_cell:
        return False
    first = header_key(next(csv.reader([text]), [""])[0] if text.strip() else "")
    return any(first.startswith(header_key(word)) for word in tmap.skip_first_cell)


def _read_parquet(table: Table, tmap: TableMap, file: Path, digest: _Queued,
                  problems: list[Problem]) -> RawTable | None:
    import pyarrow.parquet as pq

    data = file.read_bytes()
    digest.update(data)
    try:
        arrow = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        problems.append(Problem(file.name, None, None, None,
                                f"not a readable Parquet file ({exc})"))
        return None
    found = _check_mapped(table, tmap, file.name, arrow.column_names, problems)
    if found is None:
        return None
    columns = typed_columns(file.name, arrow, found, problems)
    if columns is None:
        return None
    if arrow.num_columns:
        try:
            columns["__first"] = as_text(_combine(arrow.column(0)))
        except NotTextError:  # no footer word in a column that holds no text
            columns["__first"] = pa.nulls(arrow.num_rows, pa.string())
    return RawTable(table, file.name, columns, arrow.num_rows)


def _read_sheet(table: Table, tmap: TableMap, file: Path, books: dict[Path, object],
                digest: _Queued, problems: list[Problem]) -> RawTable | None:
    from python_calamine import CalamineError, CalamineWorkbook

    if file not in books:
        check_workbook(file)
        data = file.read_bytes()
        digest.update(data)
        try:
            books[file] = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except CalamineError as exc:
            raise LedgerError([Problem(file.name, None, None, None,
                                       f"not a readable .xlsx workbook ({exc})")]) from None
    book = books[file]
    assert isinstance(book, CalamineWorkbook)
    if tmap.sheet is not None:
        sheet: str | None = tmap.sheet if tmap.sheet in book.sheet_names else None
        if sheet is None:
            problems.append(Problem(file.name, None, None, None,
                                    f"no sheet {tmap.sheet!r} (table {table.name}); the "
                                    f"sheets are {', '.join(book.sheet_names)}"))
            return None
    else:
        sheet = _table_sheets(file.name, book.sheet_names, problems).get(table.name)
        if not sheet:
            if sheet is None and table.required:
                problems.append(Problem(file.name, None, None, None,
                                        f"sheet {table.name} ({table.sheet_alias}) is missing"))
            return None
    source = f"{file.name}, sheet {sheet}"
    try:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except CalamineError as exc:
        problems.append(Problem(source, None, None, None, f"not a readable sheet ({exc})"))
        return None
    at = tmap.header_row - 1
    header = fill_merged([[_cell_text(v) or "" for v in row] for row in rows[:at + 1]]
                         ) if len(rows) > at else []
    found = _check_mapped(table, tmap, source, header, problems)
    if found is None:
        return None
    numbered = [(number, row) for number, row in enumerate(rows[at + 1:], start=at + 2)
                if any(v is not None and v != "" for v in row)]
    body = [row for _, row in numbered]
    columns = {
        name: pa.array([_cell_text(r[i]) if i < len(r) else None for r in body],
                       type=pa.string())
        for i, name in {**found, 0: "__first"}.items()
    }
    if 0 in found:
        columns[found[0]] = columns["__first"]
    return RawTable(table, source, columns, len(body),
                    np.array([n for n, _ in numbered], dtype=np.int64))
