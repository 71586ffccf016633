"""Byte-level facts about a CSV file, on whole blocks with numpy: its line breaks, lines
too long to be a record, and lines whose encoding differs from the rest of the file.

A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac exports), as Arrow's CSV reader
and a spreadsheet count it, so row numbers in messages stay right whatever the line ends.
Files are read in blocks through one buffer, so a file with an absurd line costs no more
memory than a block.
"""

from __future__ import annotations

import contextlib
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
_NUMPY_COUNT = 1 << 16  # bytes from which ``breaks`` counts with numpy


def utf16_problem(head: bytes, source: str) -> Problem | None:
    """Excel's "Unicode Text" (UTF-16 with its byte-order mark, tab-separated) saved under
    a .csv name, named as such: read as UTF-8 or GB18030 it would only be "neither UTF-8
    nor GB18030 text" or rows of mixed encodings.  Neither encoding can start with these
    two bytes (0xFF is never a byte of either), so nothing else is caught."""
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return Problem(source, None, None, None,
                   "UTF-16 text (Excel's \"Unicode Text\"), not UTF-8 or GB18030: save the "
                   "sheet as \"CSV UTF-8\" (CSV UTF-8（逗号分隔）) instead")


def separator_problem(header: list[str], source: str, row: int = 1) -> Problem | None:
    """A header read as one value with tabs or semicolons in it: a tab- or
    semicolon-separated file (Excel's "Text", or a European locale's CSV) under a .csv
    name, said as such instead of a missing column for every column."""
    if len(header) != 1:
        return None
    for mark, name in (("\t", "tabs"), (";", "semicolons")):
        if mark in header[0]:
            return Problem(source, row, None, None,
                           f"the header is one value with {name} in it: a file separated "
                           f"by {name}, not commas? Save it as CSV (comma-separated)")
    return None


def breaks(data: bytes | bytearray, after_cr: bool = False, start: int = 0,
           end: int | None = None) -> int:
    """Line breaks in ``data[start:end]`` (counted in place, no copy): ``\\n``, ``\\r\\n``
    and a lone ``\\r`` count one each.  ``after_cr``: the bytes before ``start`` ended with
    ``\\r`` (a CRLF cut by a block edge)."""
    stop = len(data) if end is None else end
    if stop - start >= _NUMPY_COUNT:
        # numpy compares a block twice as fast as bytes.count and lets go of the GIL,
        # which the scanning thread shares with the rest of the load.
        view = np.frombuffer(data, np.uint8, count=stop - start, offset=start)
        count = int(np.count_nonzero(view == _LF))
    else:
        count = data.count(b"\n", start, stop)
    # Most files have no CR: finding none (memchr) costs a third of counting them.
    returns = data.count(b"\r", start, stop) if data.find(b"\r", start, stop) >= 0 else 0
    if returns:  # the two-byte search only for files that have CRs
        count += returns - data.count(b"\r\n", start, stop)
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


def _between(a: np.ndarray, low: int, high: int) -> np.ndarray:
    return (a >= low) & (a <= high)


def _invalid_utf8(a: np.ndarray) -> np.ndarray:
    """Mask of bytes that break UTF-8 (as Python's strict decoder sees it): a byte that
    may never appear, a lead without its continuation bytes, a stray continuation, an
    overlong form, a surrogate or a code point beyond U+10FFFF."""
    high = np.flatnonzero(a >= 0x80)
    bad = np.zeros(len(a), bool)
    bad[high[_invalid_high(a[high], high)]] = True
    return bad


def _invalid_high(b: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``_invalid_utf8`` on the non-ASCII bytes only (``b`` = the bytes, ``at`` = their
    positions): ASCII is always valid, so only the runs of non-ASCII bytes need reading,
    and a run must split into whole characters."""
    n = len(b)
    if not n:
        return np.zeros(0, bool)
    lead2, lead3, lead4 = _between(b, 0xC2, 0xDF), _between(b, 0xE0, 0xEF), _between(b, 0xF0, 0xF4)
    long = lead3 | lead4
    expected = np.zeros(n, bool)  # a continuation byte must be here
    bad = (b == 0xC0) | (b == 0xC1) | (b >= 0xF5)
    second = np.zeros(n, np.uint8)
    for k, leads in ((1, lead2 | long), (2, long), (3, lead4)):
        # together[i]: the byte k places after i in the array is k bytes after it in the
        # file (one run of non-ASCII bytes)
        together = np.zeros(n, bool)
        if n > k:
            together[:-k] = at[k:] - at[:-k] == k
            expected[k:] |= leads[:-k] & together[:-k]
        bad |= leads & ~together  # the run (or the bytes) ends inside the character
        if k == 1 and n > 1:
            second[:-1] = np.where(together[:-1], b[1:], 0)
    bad |= _between(b, 0x80, 0xBF) != expected
    bad |= ((b == 0xE0) & (second < 0xA0)) | ((b == 0xED) & (second > 0x9F))
    bad |= ((b == 0xF0) & (second < 0x90)) | ((b == 0xF4) & (second > 0x8F))
    return bad


def _chinese_leads(a: np.ndarray) -> np.ndarray:
    """Mask of UTF-8 lead bytes of CJK text (U+3000–U+9FFF, U+F000–U+FFFF): a GB18030
    line that happens to be valid UTF-8 mostly reads as Latin, Greek or Cyrillic letters
    (lead bytes C2–DF) instead, which is no sign of a UTF-8 line."""
    return _between(a, 0xE3, 0xE9) | (a == 0xEF)


@dataclass
class _Lines:
    """Per line class, the 0-based line numbers and (for candidates) their byte spans."""

    broken: list[np.ndarray]
    chinese: list[np.ndarray]
    spans: list[np.ndarray]  # (start, end) of each Chinese UTF-8 line, same order


def _line_blocks(data: bytes, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of blocks of whole lines."""
    start = 0
    while start < len(data):
        stop = min(start + size, len(data))
        end = stop if stop == len(data) else max(data.rfind(b"\n", start, stop),
                                                  data.rfind(b"\r", start, stop)) + 1
        if end <= start:  # one line longer than the block: take it whole
            ends = [i for i in (data.find(b"\n", stop), data.find(b"\r", stop)) if i >= 0]
            end = min(ends) + 1 if ends else len(data)
        if data[end - 1:end] == b"\r" and data[end:end + 1] == b"\n":
            end += 1  # keep a CRLF together
        yield start, end
        start = end


def _classify(data: bytes, size: int) -> _Lines:
    out = _Lines([], [], [])
    line0 = 0
    for start, end in _line_blocks(data, size):
        a = np.frombuffer(data, np.uint8, count=end - start, offset=start)
        is_end = _break_mask(a, data[end] if end < len(data) else 0)
        ends = np.flatnonzero(is_end)
        high = np.flatnonzero(a >= 0x80)
        if len(high):
            # the line of a byte: the breaks before it (a non-ASCII byte is no break)
            line_of = np.cumsum(is_end, dtype=np.int32)[high]
            count = len(ends) + 1
            b = a[high]
            broken = np.zeros(count, bool)
            broken[line_of[_invalid_high(b, high)]] = True
            chinese = np.zeros(count, bool)
            chinese[line_of[_chinese_leads(b)]] = True
            local = np.flatnonzero(chinese & ~broken)
            out.broken.append(np.flatnonzero(broken) + line0)
            out.chinese.append(local + line0)
            first = np.where(local > 0, ends[np.maximum(local - 1, 0)] + 1, 0)
            last = np.where(local < len(ends), ends[np.minimum(local, len(ends) - 1)], len(a))
            out.spans.append(np.stack((first + start, last + start), axis=1))
        line0 += len(ends)
    return out


def _common_chinese(text: str) -> int:
    """Characters of ``text`` among the 3,755 common hanzi (GB2312 level 1)."""
    count = 0
    for char in text:
        if "\u4e00" <= char <= "\u9fff":
            with contextlib.suppress(UnicodeEncodeError):
                count += 0xB0 <= char.encode("gb2312")[0] <= 0xD7
    return count


def _utf8_line(line: bytes) -> bool:
    """A valid UTF-8 line of CJK text in a GB18030 file: written in UTF-8, or GB18030
    bytes that happen to form UTF-8?  Real text is mostly common hanzi in its own
    encoding, and rare characters read the other way."""
    return _common_chinese(line.decode("utf-8")) > _common_chinese(
        line.decode("gb18030", "replace"))


_CONFIRM = 1000  # candidate lines looked at one by one, at most


def encoding_breaks(data: bytes, source: str, *, bom: bool, size: int = BLOCK
                    ) -> list[Problem]:
    """Lines whose encoding differs from the rest of a file that is not all UTF-8.

    A line of non-ASCII text is either valid UTF-8 or not (a GB18030 line is almost never
    valid UTF-8, and when it is, it reads as Latin or Cyrillic letters or as rare hanzi;
    a real UTF-8 line reads as common hanzi).  When a file has both kinds, transcoding it
    either way would print one kind as mojibake in a report: the fewer kind is reported
    by row (in a file with a UTF-8 BOM, every line that is not UTF-8).  Whole blocks are
    classified with numpy; only the few lines that could be UTF-8 inside a GB18030 file
    are decoded one by one.
    """
    lines = _classify(data, size)
    broken = np.concatenate(lines.broken) if lines.broken else np.zeros(0, np.int64)
    chinese = np.concatenate(lines.chinese) if lines.chinese else np.zeros(0, np.int64)
    if not len(broken):
        return []
    if len(broken) == 1 and _cut_inside_character(data) and int(broken[0]) == breaks(data):
        # a UTF-8 file whose only bad line is its last, cut off inside a character
        return [Problem(source, int(broken[0]) + 1, None, None,
                        "the file ends in the middle of a character: was it cut off "
                        "(a full disk, an interrupted copy)? Export it again")]
    if bom or len(chinese) > len(broken):
        rows, message = broken, ("not UTF-8 like the rest of the file (a GBK/GB18030 line?): "
                                 "save the whole file in one encoding")
    else:
        spans = np.concatenate(lines.spans)[:_CONFIRM]
        rows = chinese[:_CONFIRM][[_utf8_line(data[int(a):int(b)]) for a, b in spans]]
        message = "a UTF-8 line in a GB18030/GBK file: save the whole file in one encoding"
    return [Problem(source, int(row) + 1, None, None, message) for row in rows[:100]]


def _cut_inside_character(data: bytes) -> bool:
    """The file's last bytes start a UTF-8 character that nothing completes (the caller
    checks that the rest of the file is UTF-8: a GBK file may end in such a byte)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # not a continuation byte: the last character starts here
            need = 2 if 0xC0 <= byte < 0xE0 else 3 if 0xE0 <= byte < 0xF0 else 4
            return byte >= 0xC0 and need > back
    return False
