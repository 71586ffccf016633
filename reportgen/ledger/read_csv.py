"""A CSV ledger file read by Arrow into text columns (dates and enum labels typed where
Arrow's multi-threaded reader can), with the spreadsheet row of each record.

UTF-8 (with or without BOM) is parsed by Arrow straight from disk; GB18030, detected by
Arrow's own UTF-8 check failing (a GB18030 byte sequence is almost never valid UTF-8), is
transcoded once.  A file whose encoding changes midway is an error by row, and a line too
long to be a record an error naming it (``csvtext``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from reportgen.errors import Problem
from reportgen.ledger import csvtext
from reportgen.ledger.invalid_rows import InvalidRows
from reportgen.ledger.raw import RawTable, combine, header_map
from reportgen.ledger.schema import Kind, Table

_SCAN_BLOCK = 1 << 22


def count_lines(path: Path) -> int:
    """The file's number of lines, not counting blank lines at the very end (they shift no
    row number).

    A line ends at LF, CRLF or a lone CR (old Mac exports), as Arrow counts records.
    The file is streamed through one reused buffer: on this kind of machine, touching
    fresh memory (a 400 MB ``bytes``, or a memory map) costs more than reading the page
    cache, so nothing the size of the file is allocated here.
    """
    block = bytearray(_SCAN_BLOCK)
    lines = 0
    tail = 0  # line breaks in the run of \r and \n that ends the bytes read so far
    after_cr = False  # the bytes read so far end with \r (a CRLF may be cut in two)
    text = False  # a byte other than a line break has been read
    with path.open("rb", buffering=0) as stream:
        while size := stream.readinto(block):
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


def read_typed_or_text(text: bytes | Path, names: list[str], kinds: dict[str, Kind]
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


def read_csv(table: Table, path: Path, scan: Future[int] | None, problems: list[Problem]
              ) -> RawTable | None:
    """A UTF-8 file is parsed by Arrow straight from disk; a GB18030 one is transcoded.
    ``scan``: the line count, being made; None to count only if a problem needs it."""
    with path.open("rb") as stream:
        head = stream.read(_HEAD)
    utf16 = csvtext.utf16_problem(head, path.name)
    if utf16 is not None:
        problems.append(utf16)
        return None
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
        return numbered(path.name, *arrow, count_lines(path), text)
    return numbered(path.name, *arrow, scan.result(), text)


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
    return numbered(source, *arrow, csvtext.body_lines(text), lambda: text)


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
    separated = csvtext.separator_problem(header, source)
    if separated is not None:
        problems.append(separated)
        return None
    found = header_map(table, source, header, problems)
    if not header or any(p.file == source for p in problems):
        return None
    names = [f"c{i}" for i in range(len(header))]  # titles may repeat; positions don't
    try:
        arrow, invalid = read_typed_or_text(text, names, {names[i]: table.column(name).kind
                                                           for i, name in found.items()})
    except pa.ArrowInvalid as exc:
        chunks = (csvtext.file_chunks(text) if isinstance(text, Path)
                  else csvtext.bytes_chunks(text))
        row = csvtext.first_long_line(chunks) if "straddl" in str(exc) else None
        problems.append(_long_line(source, row) if row is not None else
                        Problem(source, None, None, None, f"not a readable CSV file: {exc}"))
        return None
    columns = {name: combine(arrow.column(names[i])) for i, name in found.items()}
    return table, columns, arrow.num_rows, len(header), invalid


def numbered(source: str, table: Table, columns: dict[str, pa.Array], rows: int, width: int,
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

    def renumber() -> np.ndarray | None:  # what ``numbered`` gives once the lines are counted
        return numbered(path.name, table, columns, rows, width, False,
                         count_lines(path), text).row_numbers

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
