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
"""

from __future__ import annotations

import re
import zipfile
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


def check_workbook(path: Path) -> None:
    """Raise ``LedgerError`` (exit 3) when ``path`` is not a zip or is too large to read."""
    try:
        with zipfile.ZipFile(path) as archive:
            problems = _check_sizes(path.name, archive)
            if not problems:
                problems = _check_contents(path.name, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError) as exc:
        raise LedgerError([Problem(path.name, None, None, None,
                                   f"not a readable .xlsx workbook ({exc})")]) from None
    if problems:
        raise LedgerError(problems)


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


def _check_contents(source: str, archive: zipfile.ZipFile) -> list[Problem]:
    problems: list[Problem] = []
    names = _sheet_names(archive)
    for info in archive.infolist():
        member = info.filename
        if member in names or (member.startswith("xl/worksheets/") and member.endswith(".xml")):
            sheet = names.get(member, member)
            rows, columns = _sheet_extent(archive, member)
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


def _sheet_extent(archive: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(last row, last column) of a sheet: the larger of its declared <dimension> and the
    cells it really has (a dimension may be missing, or lie)."""
    rows = columns = 0
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
            block = stream.read(_BLOCK)
    return rows, max(columns, 1 if rows else 0)


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
