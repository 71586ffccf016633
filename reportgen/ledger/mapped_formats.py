"""One table of a bank's export read from its file, by format, as the mapping says.

CSV (UTF-8, or GB18030/GBK transcoded once), Parquet or a workbook sheet: title rows above
the header skipped, the mapped headers checked and renamed, lone footer lines (合计) set
aside, row numbers as a spreadsheet counts them.  Split from mapped.py, which finds the
files and hands each one here; what comes back is a ``RawTable`` for ``apply_map``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from reportgen.errors import LedgerError, Problem
from reportgen.ledger import csvtext
from reportgen.ledger.invalid_rows import InvalidRows
from reportgen.ledger.mapapply import footer_key
from reportgen.ledger.mapping import TableMap
from reportgen.ledger.raw import RawTable, combine, header_map, typed_columns
from reportgen.ledger.read_csv import numbered
from reportgen.ledger.read_workbook import cell_text, table_sheets
from reportgen.ledger.schema import Table
from reportgen.ledger.shapes import fill_merged, header_key
from reportgen.ledger.typed_text import NotTextError, as_text
from reportgen.ledger.workbook import Unread, check_workbook, unread_in


class Queued:
    """The ledger digest, fed on the scanner thread, in the order the files are read."""

    def __init__(self, scanner: ThreadPoolExecutor, digest: hashlib._Hash) -> None:
        self.scanner, self.digest = scanner, digest

    def update(self, data: bytes) -> None:
        self.scanner.submit(self.digest.update, data)

    def submit(self, work: Callable[[], int]) -> Future[int]:
        return self.scanner.submit(work)


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
    found = header_map(table, source, _header_names(table, tmap, header), problems)
    if any(p.file == source for p in problems):
        return None
    return found


def read_csv(table: Table, tmap: TableMap, source: str, data: bytes,
              problems: list[Problem], scanner: Queued) -> RawTable | None:
    utf16 = csvtext.utf16_problem(data, source)
    if utf16 is not None:
        problems.append(utf16)
        return None
    text = _utf8(data, source, problems)
    if text is None:
        return None
    start = _line_starts(text, tmap.header_row - 1)
    titles = list(csv.reader(io.StringIO(text[:start].decode("utf-8", "replace"))))
    text = text[start:]
    newline = csvtext.header_end(text)
    first = text[:newline if newline >= 0 else len(text)].decode("utf-8")
    fields = next(csv.reader([first]), [])
    separated = csvtext.separator_problem(fields, source, tmap.header_row)
    if separated is not None:
        problems.append(separated)
        return None
    header = fill_merged([*titles, fields])
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
            # unless its lines mix the two encodings (an error by row, as read_csv.py says).
            return _read_gbk(table, tmap, source, data, problems, scanner)
        problems.append(Problem(source, None, None, None, f"not a readable CSV file: {exc}"))
        return None
    columns = {name: combine(arrow.column(names[i])) for i, name in found.items()}
    columns["__first"] = combine(arrow.column(names[0]))
    raw = numbered(source, table, columns, arrow.num_rows, len(header), bool(invalid.count),
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
              problems: list[Problem], scanner: Queued) -> RawTable | None:
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
    return read_csv(table, tmap, source, text, problems, scanner)


def _footer_text(text: str | None, tmap: TableMap) -> bool:
    """Whether a line that could not be read as a record is a footer (合计：…)."""
    if text is None or not tmap.skip_first_cell:
        return False
    first = header_key(next(csv.reader([text]), [""])[0] if text.strip() else "")
    return any(first.startswith(header_key(word)) for word in tmap.skip_first_cell)


def read_parquet(table: Table, tmap: TableMap, file: Path, digest: Queued,
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
            columns["__first"] = as_text(combine(arrow.column(0)))
        except NotTextError:  # no footer word in a column that holds no text
            columns["__first"] = pa.nulls(arrow.num_rows, pa.string())
    return RawTable(table, file.name, columns, arrow.num_rows)


# Each workbook read once per load: calamine's book and its unread cells by sheet.
Books = dict[Path, tuple[object, dict[str, list[Unread]]]]


def read_sheet(table: Table, tmap: TableMap, file: Path, books: Books,
                digest: Queued, problems: list[Problem]) -> RawTable | None:
    from python_calamine import CalamineError, CalamineWorkbook

    if file not in books:
        unread = check_workbook(file)
        data = file.read_bytes()
        digest.update(data)
        try:
            books[file] = (CalamineWorkbook.from_filelike(io.BytesIO(data)), unread)
        except CalamineError as exc:
            raise LedgerError([Problem(file.name, None, None, None,
                                       f"not a readable .xlsx workbook ({exc})")]) from None
    book, unread = books[file]
    assert isinstance(book, CalamineWorkbook)
    if tmap.sheet is not None:
        sheet: str | None = tmap.sheet if tmap.sheet in book.sheet_names else None
        if sheet is None:
            problems.append(Problem(file.name, None, None, None,
                                    f"no sheet {tmap.sheet!r} (table {table.name}); the "
                                    f"sheets are {', '.join(book.sheet_names)}"))
            return None
    else:
        sheet = table_sheets(file.name, book.sheet_names, problems).get(table.name)
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
    header = fill_merged([[cell_text(v) or "" for v in row] for row in rows[:at + 1]]
                         ) if len(rows) > at else []
    found = _check_mapped(table, tmap, source, header, problems)
    if found is None:
        return None
    numbered = [(number, row) for number, row in enumerate(rows[at + 1:], start=at + 2)
                if any(v is not None and v != "" for v in row)]
    body = [row for _, row in numbered]
    columns = {
        name: pa.array([cell_text(r[i]) if i < len(r) else None for r in body],
                       type=pa.string())
        for i, name in {**found, 0: "__first"}.items()
    }
    if 0 in found:
        columns[found[0]] = columns["__first"]
    row_numbers = np.array([n for n, _ in numbered], dtype=np.int64)
    cell_problems, reported = unread_in(source, unread.get(sheet, []), found, at + 2,
                                        row_numbers)
    problems.extend(cell_problems)
    return RawTable(table, source, columns, len(body), row_numbers, reported=reported)
