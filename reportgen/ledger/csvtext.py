"""Byte-level facts about a CSV file, on whole blocks with numpy: its line breaks, lines
too long to be a record, and lines whose encoding differs from the rest of the file.

A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac exports), as Arrow's CSV reader
and a spreadsheet count it, so row numbers in messages stay right whatever the line ends.
Files are read in blocks through one buffer, so a file with an absurd line costs no more
memory than a block.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reportgen.errors import Problem

_CR, _LF = 13, 10
BLOCK = 1 << 22
# Excel's own limit for one cell; a field longer than this is no ledger value (a broken
# quote that swallowed the rest of the file, or a hostile file).
MAX_FIELD_CHARS = 32_767
# Arrow reads a CSV in blocks of this size and cannot read a record longer than one block.
MAX_RECORD_BYTES = 1 << 24


def breaks(data: bytes | bytearray, after_cr: bool = False, start: int = 0,
           end: int | None = None) -> int:
    """Line breaks in ``data[start:end]`` (counted in place, no copy): ``\n``, ``\r\n``
    and a lone ``\r`` count one each.  ``after_cr``: the bytes before ``start`` ended with
    ``\r`` (a CRLF cut by a block edge)."""
    stop = len(data) if end is None else end
    count = (data.count(b"\n", start, stop) + data.count(b"\r", start, stop)
             - data.count(b"\r\n", start, stop))
    if after_cr and stop > start and data[start] == _LF:
        count -= 1
    return count


def header_end(head: bytes) -> int:
    """Index of the first line break in ``head``; -1 when there is none."""
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    return min(ends) if ends else -1


def body_lines(data: bytes) -> int:
    """Line breaks before the blank lines at the very end (which shift no row): the
    number of lines after the header, as Arrow counts records when none is blank."""
    return breaks(data[:len(data.rstrip(b"\r\n"))])


def _break_mask(a: np.ndarray, next_byte: int) -> np.ndarray:
    """Mask of bytes that end a line: LF, or CR not followed by LF."""
    following = np.empty_like(a)
    following[:-1] = a[1:]
    if len(a):
        following[-1] = next_byte
    return (a == _LF) | ((a == _CR) & (following != _LF))


@dataclass
class _Block:
    data: np.ndarray
    first_line: int  # 0-based line of the block's first byte
    breaks: np.ndarray  # positions of the bytes that end a line


def _blocks(read: Iterator[bytes]) -> Iterator[_Block]:
    """The bytes in blocks with the line number each starts at; a block keeps one byte
    of look-ahead so a CR at its end is known to be a CRLF or a lone CR."""
    line = 0
    pending = b""
    for chunk in read:
        data = pending + chunk
        if not data:
            continue
        body, pending = data[:-1], data[-1:]
        a = np.frombuffer(body, np.uint8)
        ends = np.flatnonzero(_break_mask(a, data[-1]))
        yield _Block(a, line, ends)
        line += len(ends)
    if pending:
        a = np.frombuffer(pending, np.uint8)
        yield _Block(a, line, np.flatnonzero(_break_mask(a, 0)))


def file_chunks(path: Path, size: int = BLOCK) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while chunk := stream.read(size):
            yield chunk


def bytes_chunks(data: bytes, size: int = BLOCK) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def first_long_line(chunks: Iterator[bytes], limit: int = MAX_RECORD_BYTES) -> int | None:
    """The row (header = 1) of the first line longer than ``limit`` bytes, or None; read
    block by block, so an absurd line is found without holding it."""
    start = 0  # absolute byte where the current line starts
    offset = 0
    for block in _blocks(chunks):
        ends = block.breaks + offset
        starts = np.concatenate(([start], ends[:-1] + 1)) if len(ends) else np.array([start])
        if len(ends):
            long = np.flatnonzero(ends - starts[:len(ends)] > limit)
            if len(long):
                i = int(long[0])
                return block.first_line + i + 1
            start = int(ends[-1]) + 1
        offset += len(block.data)
        if offset - start > limit:
            return block.first_line + len(ends) + 1
    return None


def _invalid_utf8(a: np.ndarray) -> np.ndarray:
    """Mask of bytes that break UTF-8 (as Python's strict decoder sees it): a byte that
    may never appear, a lead without its continuation bytes, a stray continuation, an
    overlong form, a surrogate or a code point beyond U+10FFFF."""
    cont = (a >= 0x80) & (a <= 0xBF)
    length = np.zeros(len(a), np.int8)
    length[(a >= 0xC2) & (a <= 0xDF)] = 2
    length[(a >= 0xE0) & (a <= 0xEF)] = 3
    length[(a >= 0xF0) & (a <= 0xF4)] = 4
    expected = np.zeros(len(a), bool)
    for k in (1, 2, 3):
        expected[k:] |= length[:-k] > k
    bad = (cont != expected) | (a == 0xC0) | (a == 0xC1) | (a >= 0xF5)
    bad |= length > len(a) - np.arange(len(a))  # a character cut by the end of the bytes
    second = np.zeros(len(a), np.uint8)
    second[:-1] = a[1:]
    bad |= ((a == 0xE0) & (second < 0xA0)) | ((a == 0xED) & (second > 0x9F))
    bad |= ((a == 0xF0) & (second < 0x90)) | ((a == 0xF4) & (second > 0x8F))
    return bad


def encoding_breaks(chunks: Iterator[bytes], source: str, *, bom: bool) -> list[Problem]:
    """Lines whose encoding differs from the rest of a file that is not all UTF-8.

    A line holding non-ASCII text is either valid UTF-8 or not (a GB18030 line is
    almost never valid UTF-8).  When a file has both kinds, transcoding it either way
    would print one kind as mojibake in a report: the fewer kind is reported, by row
    (a file with a UTF-8 BOM is UTF-8, so every other line is reported).
    """
    utf8: list[np.ndarray] = []
    other: list[np.ndarray] = []
    carry = np.zeros(0, np.uint8)  # the block's unfinished last line
    carry_line = 0
    for block in _blocks(chunks):
        a = np.concatenate((carry, block.data)) if len(carry) else block.data
        high = np.flatnonzero(a >= 0x80)
        if not len(high):
            carry = np.zeros(0, np.uint8)
            continue
        # Keep the last line of the block for the next one: it may continue there.
        last_break = int(block.breaks[-1]) + len(carry) if len(block.breaks) else -1
        done = a[:last_break + 1]
        breaks_at = block.breaks + len(carry)
        line0 = block.first_line  # carried bytes have no break: they start this line
        if len(done):
            high = high[high <= last_break]
            bad = np.flatnonzero(_invalid_utf8(done))
            line_of_high = line0 + np.searchsorted(breaks_at, high)
            line_of_bad = line0 + np.searchsorted(breaks_at, bad)
            lines_bad = np.unique(line_of_bad)
            lines_high = np.unique(line_of_high)
            other.append(lines_bad)
            utf8.append(np.setdiff1d(lines_high, lines_bad, assume_unique=True))
        carry = a[last_break + 1:].copy()
        carry_line = block.first_line + len(block.breaks)
    if len(carry):
        bad = np.flatnonzero(_invalid_utf8(carry))
        high = np.flatnonzero(carry >= 0x80)
        if len(bad):
            other.append(np.array([carry_line]))
        elif len(high):
            utf8.append(np.array([carry_line]))
    good = np.concatenate(utf8) if utf8 else np.zeros(0, np.int64)
    broken = np.concatenate(other) if other else np.zeros(0, np.int64)
    if not len(broken) or not (bom or len(good)):
        return []  # all UTF-8 (no mixture), or all GB18030 with ASCII lines
    if bom or len(broken) < len(good):
        rows, message = broken, ("not UTF-8 like the rest of the file (a GBK/GB18030 line?): "
                                 "save the whole file in one encoding")
    else:
        rows, message = good, ("a UTF-8 line in a GB18030/GBK file: save the whole file in "
                               "one encoding")
    return [Problem(source, int(row) + 1, None, None, message) for row in rows[:100]]

