"""Whole-column checks on the bytes of Arrow string arrays, for the parsers' fast paths.

Most ledgers are exported by a core system: ids without stray blanks, amounts written
``1234.50``.  Proving that about a column lets the parser skip work that only messy
columns need (trimming ten million loan ids, the general money regex).  The proofs read
the array's offsets and UTF-8 bytes through zero-copy numpy views, a few vectorised
passes instead of a per-value regex; a column they cannot prove takes the general path,
so both paths accept exactly the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_DOT = ord(".")


@dataclass(frozen=True)
class _Values:
    """Start and end byte of each non-null value, and the array's byte buffer."""

    starts: np.ndarray
    ends: np.ndarray
    data: np.ndarray
    span: tuple[int, int]  # the bytes of all values, nulls included

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts


def _buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string chunk's offsets (one more than its values, nulls included) and bytes."""
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32, count=len(chunk) + 1,
                            offset=4 * chunk.offset)
    data = (np.frombuffer(data_buffer, np.uint8) if data_buffer is not None
            else np.zeros(0, np.uint8))
    return offsets, data


def _values(chunk: pa.Array) -> _Values:
    offsets, data = _buffers(chunk)
    starts, ends = offsets[:-1], offsets[1:]
    if chunk.null_count:
        valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        starts, ends = starts[valid], ends[valid]
    return _Values(starts, ends, data, (int(offsets[0]), int(offsets[-1])))


def chunks(array: pa.Array | pa.ChunkedArray) -> Iterator[pa.Array]:
    yield from (array.chunks if isinstance(array, pa.ChunkedArray) else (array,))


def _is_string(array: pa.Array | pa.ChunkedArray) -> bool:
    return pa.types.is_string(array.type)


def _between(values: np.ndarray, low: int, high: int) -> np.ndarray:
    return (values >= low) & (values <= high)


def _byte_at(data: np.ndarray, index: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """data[index] where ``needed`` (the value is long enough), else 0."""
    safe = np.where(needed, index, 0)
    return np.where(needed, data[safe] if len(data) else 0, 0)


def _trimmed_chunk(chunk: pa.Array) -> bool:
    """Every value is non-empty and begins and ends with a character that is surely not
    Unicode whitespace.

    Surely not whitespace: printable ASCII, or a character whose UTF-8 lead byte is
    C3–DF, E4–EF or F0–F4 (U+00C0–U+07FF, U+4000–U+FFFF, beyond U+FFFF), ranges that hold
    no space character.  That covers ids and Chinese names; anything else (C2 for U+00A0,
    E3 for U+3000 …) is left to the real trim.
    """
    values = _values(chunk)
    if not len(values.starts):
        return True
    lengths = values.lengths
    if not bool((lengths > 0).all()):
        return False
    data = values.data
    first = data[values.starts]
    last = data[values.ends - 1]
    # Printable ASCII at both ends settles most values (ids, codes) in two gathers; only
    # the others are looked at closer.
    open_first = np.flatnonzero(~_between(first, 0x21, 0x7E))
    open_last = np.flatnonzero(~_between(last, 0x21, 0x7E))
    lead = first[open_first]
    if not bool((_between(lead, 0xC3, 0xDF) | _between(lead, 0xE4, 0xF4)).all()):
        return False
    if not len(open_last):
        return True
    ends, lengths = values.ends[open_last], lengths[open_last]
    sure_last = (_between(_byte_at(data, ends - 2, lengths >= 2), 0xC3, 0xDF)
                 | _between(_byte_at(data, ends - 3, lengths >= 3), 0xE4, 0xEF)
                 | _between(_byte_at(data, ends - 4, lengths >= 4), 0xF0, 0xF4))
    # A lead byte at end-2/-3/-4 of valid UTF-8 is followed by exactly its continuation
    # bytes, so it starts the last character; ASCII ``last`` is that character itself.
    return bool(sure_last.all())


def already_trimmed(array: pa.Array | pa.ChunkedArray) -> bool:
    """True when trimming blanks could change no value and no value is empty."""
    return _is_string(array) and all(_trimmed_chunk(c) for c in chunks(array))


def _plain_chunk(chunk: pa.Array, places: int, max_whole: int) -> bool:
    values = _values(chunk)
    if not len(values.starts):
        return True
    lengths = values.lengths
    decimals = np.zeros(len(lengths), dtype=np.int8)
    for k in range(1, places + 1):
        decimals[_byte_at(values.data, values.ends - 1 - k, lengths >= k + 2) == _DOT] = k
    whole = lengths - 1 - decimals
    if not (bool((decimals > 0).all()) and bool(_between(whole, 1, max_whole).all())):
        return False
    low, high = values.span
    not_digit = int(np.count_nonzero((values.data[low:high] - np.uint8(48)) > 9))
    # Each value has its point; as many non-digits as values means nothing else.
    return not_digit == len(lengths)


def plain_decimals(array: pa.Array | pa.ChunkedArray, places: int, max_whole: int) -> bool:
    """Every non-null value is ``\\d{1,max_whole}\\.\\d{1,places}``: digits, one point and
    1 to ``places`` decimals, nothing else (no sign, blank, comma or exponent)."""
    return _is_string(array) and all(_plain_chunk(c, places, max_whole)
                                     for c in chunks(array))


def map_chunks(function: Callable[[pa.Array], np.ndarray],
               array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """``function`` over the chunks on two threads (Arrow and numpy release the GIL),
    results concatenated in order."""
    out = map_chunks_or_none(function, array)
    assert out is not None
    return out


def map_chunks_or_none(function: Callable[[pa.Array], np.ndarray | None],
                       array: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """``map_chunks`` for a function that declines a chunk (None): None when any did."""
    parts = list(chunks(array))
    if len(parts) == 1:
        return function(parts[0])
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(function, parts))
    done = [r for r in results if r is not None]
    if len(done) < len(results):
        return None
    return np.concatenate(done) if done else np.zeros(0, np.int64)


_ZEROS = np.uint64(0x3030303030303030)  # eight ASCII "0"
_PAD = 16  # bytes of "0" before a chunk's data: a word may start before the first value


def _digits8(words: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The number written by the last ``count`` (1–8) ASCII digits of each 8-byte word
    (the word ends where the digits end); the bytes before them are not read.

    SWAR: the digits become their values by an XOR (no borrow between bytes, whatever the
    bytes before them), the bytes before them are shifted out (zeros), and pairs, quads and the
    two halves are combined by one multiply-add each: eight digits at once per value.
    """
    words ^= _ZEROS
    before = np.uint64(64) - (count.astype(np.uint64) << np.uint64(3))  # bits to drop
    words >>= before
    words <<= before
    words = words * np.uint64(10) + (words >> np.uint64(8))
    words &= np.uint64(0x00FF00FF00FF00FF)
    words = words * np.uint64(100) + (words >> np.uint64(16))
    words &= np.uint64(0x0000FFFF0000FFFF)
    words = words * np.uint64(10000) + (words >> np.uint64(32))
    words &= np.uint64(0xFFFFFFFF)
    return words.view(np.int64)


def chunk_fen(chunk: pa.Array, max_whole: int) -> np.ndarray | None:
    """Exact fen of a string chunk of plain amounts (every non-null value
    ``\\d{1,max_whole}\\.\\d{1,2}``), 0 where null; None when a value is anything else,
    for the general parser.

    The usual export writes two decimals on every value: Arrow cuts the point out and
    reads the digits left (``_two_decimal_fen``); a chunk with one-decimal values is
    proved and read from its bytes (``plain_fen``).
    """
    fen = _two_decimal_fen(chunk, max_whole)
    if fen is not None:
        return fen
    return plain_fen(chunk) if _plain_chunk(chunk, 2, max_whole) else None


def _two_decimal_fen(chunk: pa.Array, max_whole: int) -> np.ndarray | None:
    """Fen of a chunk whose every non-null value is ``\\d{1,max_whole}\\.\\d\\d``, else None.

    Three gathers prove the form's frame (the length, a point third from the end, a digit
    first); Arrow then drops the point (``binary_replace_slice``) and its integer cast,
    which takes nothing but digits after that first one, proves the rest and reads the
    fen.  Measured on thirty million balances: 1.4 s of CPU, against 3.4 s for the byte
    proof and ``plain_fen``.
    """
    values = _values(chunk)
    if len(values.starts):
        if not bool(_between(values.lengths, 4, 3 + max_whole).all()):
            return None
        data = values.data
        if not bool((data[values.ends - 3] == _DOT).all()):
            return None
        if not bool(((data[values.starts] - np.uint8(ord("0"))) <= 9).all()):
            return None  # a sign or a blank first: the general parser's to read
    try:
        digits = pc.cast(pc.binary_replace_slice(chunk, start=-3, stop=-2, replacement=""),
                         pa.int64())
    except pa.ArrowInvalid:
        return None
    if digits.null_count:  # filling copies the column even when nothing is null
        digits = pc.fill_null(digits, 0)
    return np.asarray(digits.to_numpy(zero_copy_only=False), dtype=np.int64)


def plain_fen(chunk: pa.Array) -> np.ndarray:
    """Exact fen of a chunk ``plain_decimals(chunk, 2, 15)`` has proved plain (every
    non-null value ``\\d{1,15}\\.\\d{1,2}``), read from its bytes with numpy; 0 where null.

    What Arrow's decimal cast does for such a column, for less (measured on 5 million
    balances: 0.30 s of CPU against 0.45 s, the proof 0.10 s more either way; less again
    since the digits are read by XOR and shifts):
    the whole digits are two 8-byte words gathered at the point, the one or two decimals
    two bytes after it.  Only for proved columns: anything else gives garbage, not an
    error.
    """
    n = len(chunk)
    if not n:
        return np.zeros(0, np.int64)
    offsets, data = _buffers(chunk)
    low, high = int(offsets[0]), int(offsets[-1])
    padded = np.full(_PAD + high - low + 2, ord("0"), np.uint8)
    padded[_PAD:_PAD + high - low] = data[low:high]
    ends = offsets[1:].astype(np.int64)
    ends += _PAD - low
    starts = offsets[:-1].astype(np.int64)
    starts += _PAD - low
    two = padded[ends - 3] == _DOT  # two decimals, else one
    dot = ends - 2
    dot -= two
    whole = dot - starts  # 1–15 digits (below 1 only for a null, which has no bytes)
    # ``words[i]``: the 8 bytes ending just before byte i + 8 (unaligned, no copy).
    words = np.ndarray((len(padded) - 7,), np.dtype("<u8"), padded, strides=(1,))
    fen = _digits8(words[dot - 8], np.clip(whole, 1, 8))
    upper = np.flatnonzero(whole > 8)
    if len(upper):
        fen[upper] += _digits8(words[dot[upper] - 16], whole[upper] - 8) * 100_000_000
    fen *= 100
    tenths = padded[dot + 1].astype(np.int64)
    tenths -= ord("0")
    fen += tenths * 10
    hundredths = padded[dot + 2].astype(np.int64)
    hundredths -= ord("0")
    fen += np.where(two, hundredths, 0)
    if chunk.null_count:
        fen[~np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)] = 0
    return fen


def runs(keys: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Where each run of equal consecutive keys starts (a blank, null, is its own run):
    an export in account order names each account once a run, so only the runs' first
    ids need looking up.

    Compared chunk by chunk (each against itself shifted by one, and each chunk's first
    key against the last before it): comparing two shifted views of the whole column
    makes Arrow realign every chunk, twice the time at thirty million keys.
    """
    changed = np.ones(len(keys), dtype=bool)
    at = 0
    before: pa.Scalar | None = None
    for chunk in chunks(keys):
        size = len(chunk)
        if not size:
            continue
        if size > 1:
            same = pc.equal(chunk.slice(1), chunk.slice(0, size - 1))
            if same.null_count:  # a blank key: filling copies even when nothing is null
                same = pc.fill_null(same, False)
            changed[at + 1:at + size] = ~same.to_numpy(zero_copy_only=False)
        first = chunk[0]
        changed[at] = not (before is not None and before.is_valid and first.is_valid
                           and before == first)
        before = chunk[size - 1]
        at += size
    return np.flatnonzero(changed)


_SAMPLE = 1 << 16  # rows looked at to tell a column in runs


def run_starts(keys: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Where each run of equal keys starts, for a long column in runs (an export in
    account order: fewer than one run in eight rows, judged first on its first 65,536
    rows); None for any other column."""
    if len(keys) < _SAMPLE or len(runs(keys.slice(0, _SAMPLE))) >= _SAMPLE // 8:
        return None
    starts = runs(keys)
    return starts if len(starts) < len(keys) // 8 else None


def take_sorted(keys: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.ChunkedArray:
    """``keys.take(rows)`` for ascending ``rows`` (the runs' first keys), chunk by chunk:
    Arrow's take on a column of many chunks joins them first (0.16 s for a million of
    thirty million keys, against 0.02 s this way)."""
    parts, base = [], 0
    for chunk in chunks(keys):
        low, high = np.searchsorted(rows, (base, base + len(chunk)))
        if high > low:
            parts.append(chunk.take(pa.array(rows[low:high] - base)))
        base += len(chunk)
    return pa.chunked_array(parts, keys.type)
