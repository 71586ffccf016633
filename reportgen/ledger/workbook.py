"""Refuses a workbook that would exhaust memory before calamine reads it.

calamine builds each sheet as one dense rectangle from A1 to its last cell, and gives a
shared string to Python once per cell that refers to it: a 700 KB file with one cell at
XFD1048576, a member that inflates to many gigabytes, or a megabyte-long shared string
referred to by thousands of cells aborts the process (a Rust abort, or the machine runs out
of memory).  A ``.xlsx`` is a zip: its directory gives each member's uncompressed size
before anything is inflated, and the sheets and shared strings are streamed here through a
small buffer, so the checks themselves run in bounded memory.

The limits are generous for a real bank's export (a 1,048,576-row sheet, Excel's own
maximum, of a few dozen columns passes) and documented in docs/ledger-format.md.

The same pass finds the cells calamine would give as blank though they hold no blank: an
Excel error (``#N/A`` from a failed VLOOKUP, ``#DIV/0!``) and a formula with no saved
value (a workbook written by a program that does not calculate).  Read as blank, an error
in an optional column (a group, an overdue date, an enterprise size) would silently change
a figure; the readers report each one instead (``unread_in``).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reportgen.errors import LedgerError, Problem

MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 702  # A … ZZ
MAX_CELLS = 32 * MAX_ROWS  # rows × columns of a sheet's rectangle: 33,554,432
MAX_MEMBER = 2 << 30  # uncompressed bytes of one member (a 1M-row sheet is ~0.5 GB)
MAX_TOTAL = 4 << 30  # uncompressed bytes of the whole workbook
MAX_RATIO = 500  # uncompressed / compressed, for members over 1 MB (real sheet XML: 5–50)
MAX_STRING_BYTES = 256 << 10  # one shared string's text (32,767 characters, escaped)
_RATIO_FROM = 1 << 20
_HEAD = 4096  # <dimension> is the first element of a sheet's XML
_BLOCK = 1 << 22

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?"')
# Simple patterns with a literal start: Python's re scans for those fast (0.2 s for a
# 100,000-row sheet, where a pattern starting with an optional group took 1.4 s).
_ROW = re.compile(rb'row[^>]* r="(\d+)"')
# A cell beyond column Z, or at row 1,000,000 or beyond: rare in a ledger, so the matches
# are few and the common cell ("B17") fails after two characters.
_FAR_CELL = re.compile(rb' r="([A-Z]{2,}\d+|[A-Z]\d{7,})"')
_REF = re.compile(rb"([A-Z]+)(\d+)")
_LT = ord("<")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


@dataclass(frozen=True)
class Unread:
    """A cell calamine gives as blank that is no blank: an Excel error or a formula with
    no saved value."""

    row: int  # the sheet's row, from 1
    column: int  # from 0 (A)
    shown: str  # the error ("#N/A") or the formula ("=VLOOKUP(…)")
    error: bool  # an error value, else a formula without a value


def check_workbook(path: Path) -> dict[str, list[Unread]]:
    """Raise ``LedgerError`` (exit 3) when ``path`` is not a zip or is too large to read;
    else the unread cells of each sheet, by the sheet's name."""
    unread: dict[str, list[Unread]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            problems = _check_sizes(path.name, archive)
            if not problems:
                problems = _check_contents(path.name, archive, unread)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError) as exc:
        raise LedgerError([Problem(path.name, None, None, None,
                                   f"not a readable .xlsx workbook ({exc})")]) from None
    if problems:
        raise LedgerError(problems)
    return unread


def unread_in(source: str, cells: list[Unread], columns: dict[int, str], first_row: int,
              row_numbers: np.ndarray) -> tuple[list[Problem], dict[str, np.ndarray]]:
    """The data error for each unread cell of a ledger column (``columns``: position →
    name) at or below ``first_row``, the first row of records; and per column, the mask
    of the records (by their sheet rows, ``row_numbers``) so reported: ``RawTable.reported``,
    for the parser to read those cells as bad, not blank."""
    problems = []
    rows: dict[str, list[int]] = {}
    for cell in cells:
        name = columns.get(cell.column)
        if name is None or cell.row < first_row:
            continue
        why = ("an Excel error value, not data (the formula behind it failed)" if cell.error
               else "a formula with no saved value (save the workbook in Excel, or export "
               "values)")
        problems.append(Problem(source, cell.row, name, cell.shown, why))
        rows.setdefault(name, []).append(cell.row)
    return problems, {name: np.isin(row_numbers, found) for name, found in rows.items()}


def _too_large(source: str, what: str, found: str, limit: str) -> Problem:
    return Problem(source, None, None, None, f"{what} too large: {found} (the limit is {limit})")


def _check_sizes(source: str, archive: zipfile.ZipFile) -> list[Problem]:
    """Uncompressed sizes and compression ratios, from the zip directory alone."""
    problems: list[Problem] = []
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > MAX_MEMBER:
            problems.append(_too_large(source, f"member {info.filename}",
                                       f"{info.file_size:,} bytes uncompressed",
                                       f"{MAX_MEMBER:,} bytes"))
        elif (info.file_size > _RATIO_FROM
              and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            ratio = info.file_size // max(info.compress_size, 1)
            problems.append(_too_large(source, f"member {info.filename}",
                                       f"compressed {ratio:,} to 1", f"{MAX_RATIO} to 1"))
    if total > MAX_TOTAL:
        problems.append(_too_large(source, "workbook", f"{total:,} bytes uncompressed",
                                   f"{MAX_TOTAL:,} bytes"))
    return problems


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet member → the sheet's name as Excel shows it (for messages)."""
    names: dict[str, str] = {}
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return names
    targets: dict[str, str] = {}
    for element in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        ident, target = _attribute(element, b"Id"), _attribute(element, b"Target")
        if ident and target:
            targets[ident] = target
    for element in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        target = targets.get(_attribute(element, b"r:id") or "", "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        names[member] = _unescape(_attribute(element, b"name") or member)
    return names


def _attribute(element: bytes, name: bytes) -> str | None:
    """One attribute of an XML start tag, in any order among the others."""
    match = re.search(rb"\s" + re.escape(name) + rb'\s*=\s*"([^"]*)"', element)
    return None if match is None else match.group(1).decode("utf-8", "replace")


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _check_contents(source: str, archive: zipfile.ZipFile, unread: dict[str, list[Unread]]
                    ) -> list[Problem]:
    problems: list[Problem] = []
    names = _sheet_names(archive)
    for info in archive.infolist():
        member = info.filename
        if member in names or (member.startswith("xl/worksheets/") and member.endswith(".xml")):
            sheet = names.get(member, member)
            rows, columns = _sheet_extent(archive, member, unread.setdefault(sheet, []))
            found = f"{rows:,} rows × {columns:,} columns"
            if rows > MAX_ROWS:
                problems.append(_too_large(source, f"sheet {sheet}", found,
                                           f"{MAX_ROWS:,} rows"))
            elif columns > MAX_COLUMNS:
                problems.append(_too_large(source, f"sheet {sheet}", found,
                                           f"{MAX_COLUMNS} columns"))
            elif rows * columns > MAX_CELLS:
                problems.append(_too_large(source, f"sheet {sheet}", found,
                                           f"{MAX_CELLS:,} cells from A1 to the last cell"))
        elif member == "xl/sharedStrings.xml":
            longest = _longest_text(archive, member)
            if longest > MAX_STRING_BYTES:
                problems.append(_too_large(source, "a shared string",
                                           f"{longest:,} bytes",
                                           f"{MAX_STRING_BYTES:,} bytes; a cell holds at most "
                                           "32,767 characters"))
    return problems


def _sheet_extent(archive: zipfile.ZipFile, member: str, unread: list[Unread]
                  ) -> tuple[int, int]:
    """(last row, last column) of a sheet: the larger of its declared <dimension> and the
    cells it really has (a dimension may be missing, or lie); its unread cells go to
    ``unread``."""
    rows = columns = 0
    pending = b""  # the text after the last row end read so far
    with archive.open(member) as stream:
        head = stream.read(_HEAD)
        match = _DIMENSION.search(head)
        if match is not None:
            first_col, first_row, last_col, last_row = match.groups()
            letters = last_col if last_col is not None else first_col
            digits = last_row if last_row is not None else first_row
            columns = _column_number(letters)
            rows = int(digits) if digits else 0
        carry = b""
        block = head
        while block:
            text = carry + block
            found = _ROW.findall(text)
            if found:
                rows = max(rows, *map(int, found))
            for ref in set(_FAR_CELL.findall(text)):
                match = _REF.fullmatch(ref)
                if match is not None:
                    columns = max(columns, _column_number(match.group(1)))
                    rows = max(rows, int(match.group(2)))
            # An element cut by the block edge is found whole in the next round.
            cut = text.rfind(b"<")
            carry = text[cut:] if cut >= 0 and len(text) - cut < 512 else b""
            pending = _whole_rows(pending + block, unread)
            block = stream.read(_BLOCK)
        _unread_cells(pending, unread)
    return rows, max(columns, 1 if rows else 0)


def _whole_rows(text: bytes, unread: list[Unread]) -> bytes:
    """Look at the cells of the whole rows in ``text`` (no cell spans a row's end); return
    the rest, for the next block.  A row longer than any real one (702 columns of 32,767
    characters) is cut at a cell's end instead, so memory stays bounded."""
    end = text.rfind(b"row>") + 4
    if end < 4 and len(text) > _MAX_ROW_BYTES:
        end = text.rfind(b"c>") + 2
        if end < 2:
            return b""  # no cell end in all that: no cell to lose
    if end < 2:
        return text
    _unread_cells(text[:end], unread)
    return text[end:]


_MAX_ROW_BYTES = 128 << 20
# Any <f>, <f …> or <f/> (prefixed or not) has an "f" and then ">", a blank or "/": a
# literal first character, which re scans for fast (3 ms for 4 MB of sheet XML, against
# 6 ms for the substring "<f", whose "<" starts every element).
_MAYBE_FORMULA = re.compile(rb"f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_TEXT_TYPE = re.compile(rb'\bt="str"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b(?:[^>]*/>|[^>]*>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.S)


def _unread_cells(text: bytes, unread: list[Unread]) -> None:
    """The error cells and the formulas without a saved value among whole rows of sheet
    XML.  Most sheets have neither, and two quick searches say so without a regex over
    every cell."""
    if b't="e"' not in text and _MAYBE_FORMULA.search(text) is None:
        return
    for cell in _CELL.finditer(text):
        attributes, content = cell.group(1), cell.group(2) or b""
        ref = _CELL_REF.search(attributes)
        if ref is None:  # a cell without its reference: positioned by order, rare
            continue
        row, column = int(ref.group(2)), _column_number(ref.group(1)) - 1
        if _ERROR_TYPE.search(attributes):
            value = _VALUE.search(content)
            shown = value.group(1).decode("utf-8", "replace") if value else "#error"
            unread.append(Unread(row, column, _unescape(shown), True))
            continue
        formula = _FORMULA.search(content)
        if formula is None:
            continue
        value = _VALUE.search(content)
        # An empty value is a saved empty text only for a text result (t="str").
        if value is None or (not value.group(1) and not _TEXT_TYPE.search(attributes)):
            text_of = (formula.group(1) or b"").decode("utf-8", "replace")
            unread.append(Unread(row, column, "=" + _unescape(text_of) if text_of
                                 else "(a shared formula)", False))


def _longest_text(archive: zipfile.ZipFile, member: str) -> int:
    """The longest run of bytes between two ``<`` in the shared strings: an upper bound on
    the longest text node, found in bounded memory."""
    longest = 0
    last = 0  # absolute position of the latest '<'
    offset = 0
    with archive.open(member) as stream:
        while block := stream.read(_BLOCK):
            at = np.flatnonzero(np.frombuffer(block, np.uint8) == _LT) + offset
            if len(at):
                gaps = np.diff(at, prepend=last)
                longest = max(longest, int(gaps.max()))
                last = int(at[-1])
            offset += len(block)
            longest = max(longest, offset - last)
    return longest
