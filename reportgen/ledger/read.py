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
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from reportgen.errors import LedgerError, Problem
from reportgen.ledger import csvtext
from reportgen.ledger.digest import LateDigest
from reportgen.ledger.invalid_rows import InvalidRows
from reportgen.ledger.parse import coded_text
from reportgen.ledger.schema import JOURNAL_TABLES, TABLES, Kind, Table, is_required
from reportgen.ledger.typed_text import NotTextError, as_text
from reportgen.ledger.workbook import check_workbook


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


def read_raw(path: Path) -> RawLedger:
    """Read a ledger folder or workbook; missing tables/columns are in ``problems``."""
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    raise LedgerError([Problem(str(path), None, None, None,
                               "a ledger is a folder of CSV/Parquet files or one .xlsx workbook")])


def _header_map(table: Table, source: str, header: list[str],
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


def _journal_hint(table: Table) -> str:
    """What a missing journal table's message adds: a snapshot table would do instead."""
    if table.name not in JOURNAL_TABLES:
        return ""
    return " (or give balances 借据余额 instead of transactions and classifications)"


def _read_folder(path: Path) -> RawLedger:
    problems: list[Problem] = []
    hashed: list[Path] = []  # the files of the digest, in table order
    seen: list[os.stat_result] = []  # each as it was when read
    tables: dict[str, RawTable] = {}
    # The line count a CSV needs is made on a second thread while Arrow parses the file;
    # the digest is made after the load (``LateDigest``), when a core is free.
    files = _table_files(path, problems)
    with ThreadPoolExecutor(max_workers=1) as scanner:
        for table in TABLES:
            if table.name not in files:
                if is_required(table, set(files)):
                    problems.append(Problem(f"{table.name}.csv", None, None, None,
                                            f"required file missing from {path}"
                                            + _journal_hint(table)))
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
                scan = None if table.bulk else scanner.submit(_scan, file, _NO_DIGEST)
                raw = _read_csv(table, file, scan, problems)
            else:
                raw = _read_parquet(table, file, problems)
            if raw is not None:
                tables[table.name] = raw
    return RawLedger(path, LateDigest(hashed, seen), tables, tuple(problems))


class _NoDigest:
    """What ``_scan`` feeds when the digest is made later: nothing."""

    def update(self, data: memoryview, /) -> None:
        pass


_NO_DIGEST = _NoDigest()


_SUFFIXES = (".csv", ".parquet")


def _table_files(path: Path, problems: list[Problem]) -> dict[str, Path | None]:
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


_SCAN_BLOCK = 1 << 22

def _scan(path: Path, digest: hashlib._Hash | _NoDigest) -> int:
    """Feed the file's bytes to the ledger digest; return its number of lines, not
    counting blank lines at the very end (they shift no row number).

    A line ends at LF, CRLF or a lone CR (old Mac exports), as Arrow counts records.
    The file is streamed through one reused buffer: on this kind of machine, touching
    fresh memory (a 400 MB ``bytes``, or a memory map) costs more than reading the page
    cache, so nothing the size of the file is allocated here.
    """
    block = bytearray(_SCAN_BLOCK)
    view = memoryview(block)
    lines = 0
    tail = 0  # line breaks in the run of \r and \n that ends the bytes read so far
    after_cr = False  # the bytes read so far end with \r (a CRLF may be cut in two)
    text = False  # a byte other than a line break has been read
    with path.open("rb", buffering=0) as stream:
        while size := stream.readinto(block):
            digest.update(view[:size])
            count = csvtext.breaks(block, after_cr, 0, size)
            lines += count
            end = size
            while end and block[end - 1] in b"\r\n":
                end -= 1
            if end:
                text = True
                tail = csvtext.breaks(block, False, end, size)
            else:
                tail += count
            after_cr = block[size - 1] == 13
    return lines - tail if text else 0


class _NotUtf8Error(Exception):
    """Arrow met bytes that are not UTF-8: the file is GB18030."""


TYPED = {Kind.DATE: pa.date32(), Kind.ENUM: pa.dictionary(pa.int32(), pa.string())}


def _arrow_csv(text: bytes | Path, names: list[str], keep: dict[str, pa.DataType]
               ) -> tuple[pa.Table, bool]:
    """Parse CSV bytes, or a UTF-8 file from its path, into the given column types; returns
    the table and whether rows were skipped.

    Arrow checks UTF-8 itself while converting (in parallel), so a UTF-8 file is never
    decoded in Python; a GB18030 file fails that check and is transcoded once.
    """
    invalid = InvalidRows()
    try:
        table = pacsv.read_csv(
            pa.BufferReader(text) if isinstance(text, bytes) else str(text),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: keep.get(n, pa.string()) for n in names},
                include_columns=list(keep),
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        if invalid.not_utf8(exc):
            raise _NotUtf8Error from exc
        raise
    return table, bool(invalid.count)


def _read_typed_or_text(text: bytes | Path, names: list[str], kinds: dict[str, Kind]
                        ) -> tuple[pa.Table, bool]:
    """Let Arrow's multi-threaded reader parse ISO dates and dictionary-encode enum labels;
    if any cell of the file does not fit (a date written 2026/10/05, say), read it again as
    text, for ``parse.py`` to read every accepted form and to name the bad cells.

    Arrow's date32 accepts exactly the YYYY-MM-DD subset of what parse.py accepts, with
    the same calendar check, so both ways give the same days.
    """
    typed = {name: TYPED.get(kind, pa.string()) for name, kind in kinds.items()}
    try:
        return _arrow_csv(text, names, typed)
    except pa.ArrowInvalid:
        return _arrow_csv(text, names, dict.fromkeys(kinds, pa.string()))


_BOM = b"\xef\xbb\xbf"


_HEAD = 1 << 20  # a header longer than this is no ledger header


def _read_csv(table: Table, path: Path, scan: Future[int] | None, problems: list[Problem]
              ) -> RawTable | None:
    """A UTF-8 file is parsed by Arrow straight from disk; a GB18030 one is transcoded.
    ``scan``: the line count, being made; None to count only if a problem needs it."""
    with path.open("rb") as stream:
        head = stream.read(_HEAD)
    newline = csvtext.header_end(head)
    if newline < 0:
        if len(head) == _HEAD:
            problems.append(Problem(path.name, 1, None, None,
                                    "the header line is longer than 1 MB: not a CSV ledger "
                                    "file?"))
            return None
        newline = len(head)
    try:
        first_line = head[:newline].removeprefix(_BOM).decode("utf-8")
        arrow = _read_text(table, path.name, first_line, path, problems)
    except (UnicodeDecodeError, _NotUtf8Error):
        # Streamed first: an absurd line is refused before the file is held in memory.
        long_row = csvtext.first_long_line(csvtext.file_chunks(path))
        if long_row is not None:
            problems.append(_long_line(path.name, long_row))
            return None
        return _read_transcoded(table, path.name, path.read_bytes(), problems)
    if arrow is None:
        return None

    def text() -> bytes:
        return path.read_bytes().removeprefix(_BOM)

    if scan is None:
        invalid = arrow[-1]
        if not invalid:  # numbered 2, 3, …; counted only if a problem shows a row
            return _counted_later(path, *arrow[:-1], text)
        return _numbered(path.name, *arrow, _scan(path, _NO_DIGEST), text)
    return _numbered(path.name, *arrow, scan.result(), text)


def _read_transcoded(table: Table, source: str, data: bytes, problems: list[Problem]
                     ) -> RawTable | None:
    """A file that is not all UTF-8 (and has no over-long line): GB18030, unless some
    lines are UTF-8 and others not, which transcoding either way would turn into mojibake
    (an error by row)."""
    mixed = csvtext.encoding_breaks(data, source, bom=data.startswith(_BOM))
    if mixed:
        problems.extend(mixed)
        return None
    try:
        text = data.decode("gb18030").encode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as exc:
        problems.append(Problem(source, None, None, None,
                                f"neither UTF-8 nor GB18030 text ({exc.reason})"))
        return None
    newline = csvtext.header_end(text)
    try:
        arrow = _read_text(table, source, text[:None if newline < 0 else newline].decode(),
                           text, problems)
    except _NotUtf8Error:  # cannot happen: the text was just encoded as UTF-8
        raise AssertionError("transcoded text is not UTF-8") from None
    if arrow is None:
        return None
    return _numbered(source, *arrow, csvtext.body_lines(text), lambda: text)


def _long_line(source: str, row: int) -> Problem:
    return Problem(source, row, None, None,
                   f"a line longer than {csvtext.MAX_RECORD_BYTES >> 20} MB: no ledger record "
                   "is that long (an unclosed quote, or not a CSV ledger?)")


def _read_text(table: Table, source: str, first_line: str, text: bytes | Path,
               problems: list[Problem]) -> tuple[Table, dict[str, pa.Array], int, int, bool] | None:
    """Parse the records after the header; None when the header or the file is unusable."""
    try:
        header = next(csv.reader([first_line]), [])
    except csv.Error as exc:
        problems.append(Problem(source, 1, None, None, f"not a readable CSV header ({exc})"))
        return None
    found = _header_map(table, source, header, problems)
    if not header or any(p.file == source for p in problems):
        return None
    names = [f"c{i}" for i in range(len(header))]  # titles may repeat; positions don't
    try:
        arrow, invalid = _read_typed_or_text(text, names, {names[i]: table.column(name).kind
                                                           for i, name in found.items()})
    except pa.ArrowInvalid as exc:
        chunks = (csvtext.file_chunks(text) if isinstance(text, Path)
                  else csvtext.bytes_chunks(text))
        row = csvtext.first_long_line(chunks) if "straddl" in str(exc) else None
        problems.append(_long_line(source, row) if row is not None else
                        Problem(source, None, None, None, f"not a readable CSV file: {exc}"))
        return None
    columns = {name: _combine(arrow.column(names[i])) for i, name in found.items()}
    return table, columns, arrow.num_rows, len(header), invalid


def _numbered(source: str, table: Table, columns: dict[str, pa.Array], rows: int, width: int,
              invalid: bool, lines: int, text: Callable[[], bytes]) -> RawTable:
    """The table with the spreadsheet row of each record.

    One line per record (header + rows) means no blank line and no multi-line value, so
    the rows are 2, 3, …; otherwise the file is read again to number them.
    """
    numbers: np.ndarray | None = None
    bad_rows: list[Problem] = []
    if invalid or lines != rows:
        numbers, bad_rows = _record_numbers(text(), width, source)
        if len(numbers) != rows:  # the two parsers disagree: plain numbering
            numbers = None
    return RawTable(table, source, columns, rows, numbers, tuple(bad_rows))


def _counted_later(path: Path, table: Table, columns: dict[str, pa.Array], rows: int,
                   width: int, text: Callable[[], bytes]) -> RawTable:
    """The table numbered 2, 3, … with the count that proves it left for later."""

    def renumber() -> np.ndarray | None:  # what ``_numbered`` gives once the lines are counted
        return _numbered(path.name, table, columns, rows, width, False,
                         _scan(path, _NO_DIGEST), text).row_numbers

    return RawTable(table, path.name, columns, rows, renumber=renumber)


def _record_numbers(text: bytes, width: int, source: str
                    ) -> tuple[np.ndarray, list[Problem]]:
    """Spreadsheet row of each record Arrow kept, when blank lines or bad rows break 2, 3, ….

    A spreadsheet shows a blank line as a row (Arrow skips it), and a row with the wrong
    number of values (Arrow skips it too, via the handler) is reported here with its row.
    Only run when needed: a Python pass over a big file is slow.
    """
    kept: list[int] = []
    problems: list[Problem] = []
    # Arrow accepted every record (each under one block), so any field may be that long.
    csv.field_size_limit(max(csv.field_size_limit(), csvtext.MAX_RECORD_BYTES))
    reader = csv.reader(io.StringIO(text.decode("utf-8"), newline=""))
    next(reader, None)  # the header, row 1
    for number, record in enumerate(reader, start=2):
        if not record:
            continue
        if len(record) != width:
            problems.append(Problem(
                source, number, None, ",".join(record),
                f"has {len(record)} values but the header has {width} "
                "(a comma inside an unquoted value such as 1,234.50?)"))
            continue
        kept.append(number)
    return np.array(kept, dtype=np.int64), problems


def _combine(chunked: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
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
            columns[name] = as_text(_combine(arrow.column(i)))
        except NotTextError as exc:
            problems.append(Problem(source, None, arrow.column_names[i], None, str(exc)))
    return None if len(columns) < len(found) else columns


def _read_parquet(table: Table, path: Path, problems: list[Problem]) -> RawTable | None:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        problems.append(_unreadable_parquet(path, exc))
        return None
    found = _header_map(table, path.name, schema.names, problems)
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
            kept[name] = _combine(arrow.column(i))
        elif column.runs and coded_text(arrow.column(i)):
            kept[name] = arrow.column(i)
    return kept


def _read_workbook(path: Path) -> RawLedger:
    from python_calamine import CalamineError, CalamineWorkbook

    check_workbook(path)  # a bomb is refused before calamine inflates anything
    data = path.read_bytes()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise LedgerError([Problem(path.name, None, None, None,
                                   f"not a readable .xlsx workbook ({exc})")]) from None
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    sheets = _table_sheets(path.name, workbook.sheet_names, problems)
    for table in TABLES:
        if table.name in sheets and not sheets[table.name]:
            continue  # two sheets for the table: reported
        sheet = sheets.get(table.name)
        if sheet is None:
            if is_required(table, set(sheets)):
                problems.append(Problem(path.name, None, None, None,
                                        f"sheet {table.name} ({table.sheet_alias}) is missing"
                                        + _journal_hint(table)))
            continue
        source = f"{path.name}, sheet {sheet}"
        try:
            rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except CalamineError as exc:  # broken XML inside a sound zip
            problems.append(Problem(source, None, None, None, f"not a readable sheet ({exc})"))
            continue
        header = [_cell_text(v) or "" for v in rows[0]] if rows else []
        found = _header_map(table, source, header, problems)
        if not rows or any(p.file == source for p in problems):
            continue
        # Empty rows (left for readability, or formatted cells Excel keeps) are no records,
        # as blank lines in a CSV are not; the others keep the row number the sheet shows.
        numbered = [(number, row) for number, row in enumerate(rows[1:], start=2)
                    if any(v is not None and v != "" for v in row)]
        body = [row for _, row in numbered]
        columns = {
            name: pa.array([_cell_text(r[i]) if i < len(r) else None for r in body],
                           type=pa.string())
            for i, name in found.items()
        }
        tables[table.name] = RawTable(table, source, columns, len(body),
                                      np.array([n for n, _ in numbered], dtype=np.int64))
    return RawLedger(path, hashlib.sha256(data).hexdigest(), tables, tuple(problems))


def _table_sheets(source: str, names: list[str], problems: list[Problem]) -> dict[str, str]:
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


def _cell_text(value: object) -> str | None:
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
