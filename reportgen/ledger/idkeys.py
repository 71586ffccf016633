"""Joining id columns as integers when their text has a fixed form (``JJ202401010000001``).

Core systems number loans and customers with fixed-width ids: a constant prefix or
separators and a run of digits (借据号 ``JJ202401010000001``, 客户号 ``KH000001``).  When
every id of both columns has the same byte length, and every position is either a digit in
every id or one constant byte in every id, two ids are equal exactly when their digits are
equal, so each id can be read as an int64 of its varying digits (at most 18) and the
join done on integers: no string hashing, and the ten million journal ids are read once
from the Arrow byte buffer in a few vectorised passes.  The proof is made on the bytes of
both columns; any id outside the form (a blank, another width, a letter where others have
a digit) makes the caller take the general string join, so both ways give the same rows.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.ledger.textscan import chunks

_MAX_WIDTH = 64  # longer ids are left to the string join
_MAX_DIGITS = 18  # varying digits that always fit an int64
_ZERO, _NINE = ord("0"), ord("9")
_BLOCK = 1 << 15  # rows whose keys are made together
_DENSE = 4  # a lookup table of up to 4 entries per universe row beats hashing


@dataclass(frozen=True)
class _Form:
    """Per byte position of a fixed-width id column: its smallest and largest byte."""

    width: int
    low: np.ndarray  # uint8, one per position
    high: np.ndarray


def _matrix(chunk: pa.Array, width: int) -> np.ndarray | None:
    """The chunk's bytes as a (rows, width) uint8 view, or None when some value has
    another length (or a null)."""
    if chunk.null_count:
        return None
    _, offsets_buffer, data_buffer = chunk.buffers()
    n = len(chunk)
    offsets = np.frombuffer(offsets_buffer, np.int32, count=n + 1, offset=4 * chunk.offset)
    start = int(offsets[0])
    if int(offsets[-1]) - start != n * width:
        return None
    if n > 1 and not bool((np.diff(offsets) == width).all()):
        return None
    if data_buffer is None:
        return None
    data = np.frombuffer(data_buffer, np.uint8)[start:start + n * width]
    return data.reshape(n, width)


def _width(array: pa.Array | pa.ChunkedArray) -> int | None:
    """The byte length of the first value, when the column is a string column that could
    have the fixed form at all."""
    if not pa.types.is_string(array.type) or not len(array) or array.null_count:
        return None
    first = array[0].as_py()
    width = len(first.encode("utf-8")) if isinstance(first, str) else 0
    return width if 0 < width <= _MAX_WIDTH else None


def _form(array: pa.Array | pa.ChunkedArray, width: int) -> _Form | None:
    """Smallest and largest byte at each position over the whole column (chunks on two
    threads)."""

    def bounds(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
        matrix = _matrix(chunk, width)
        if matrix is None:
            return None
        return _fold(matrix, np.minimum), _fold(matrix, np.maximum)

    parts = [c for c in chunks(array) if len(c)]
    if len(parts) == 1:
        found = [bounds(parts[0])]
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(bounds, parts))
    low = np.full(width, 255, np.uint8)
    high = np.zeros(width, np.uint8)
    for part in found:
        if part is None:
            return None
        np.minimum(low, part[0], out=low)
        np.maximum(high, part[1], out=high)
    return _Form(width, low, high)


def _fold(matrix: np.ndarray, op: np.ufunc) -> np.ndarray:
    """``op.reduce(matrix, axis=0)``, twice as fast: halving the rows pairs long runs of
    contiguous bytes, where a reduction along axis 0 walks rows of a few bytes."""
    rows = matrix
    while len(rows) > 256:
        half = len(rows) // 2
        folded = op(rows[:half], rows[half:2 * half])
        if len(rows) % 2:
            folded[0] = op(folded[0], rows[-1])
        rows = folded
    return np.asarray(op.reduce(rows, axis=0))


def _varying(a: _Form, b: _Form) -> np.ndarray | None:
    """Positions whose digits make the key, or None when the two columns' ids cannot be
    compared by digits: a position must be a digit in every id of both columns, or hold
    one and the same byte in every id of both."""
    if a.width != b.width:
        return None
    digits = (a.low >= _ZERO) & (a.high <= _NINE) & (b.low >= _ZERO) & (b.high <= _NINE)
    constant = (a.low == a.high) & (b.low == b.high) & (a.low == b.low)
    if not bool((digits | constant).all()):
        return None
    varying = np.flatnonzero(digits & ~constant)
    return varying if len(varying) <= _MAX_DIGITS else None


def _keys(array: pa.Array | pa.ChunkedArray, width: int, varying: np.ndarray) -> np.ndarray:
    """Each id's varying digits as one int64, chunk by chunk on two threads."""

    def chunk_keys(chunk: pa.Array) -> np.ndarray:
        matrix = _matrix(chunk, width)
        assert matrix is not None  # proved by _form
        keys = np.zeros(len(chunk), np.int64)
        positions = varying.tolist()
        for start in range(0, len(keys), _BLOCK):  # a block's bytes stay in cache
            block, out = matrix[start:start + _BLOCK], keys[start:start + _BLOCK]
            for position in positions:
                out *= 10
                out += block[:, position]
        # Every digit was added as its byte (48 + d): take the 48s back out at once.
        keys -= _ZERO * int(sum(10**k for k in range(len(varying))))
        return keys

    parts = [c for c in chunks(array) if len(c)]
    if not parts:
        return np.zeros(0, np.int64)
    if len(parts) == 1:
        return chunk_keys(parts[0])
    with ThreadPoolExecutor(max_workers=2) as pool:
        return np.concatenate(list(pool.map(chunk_keys, parts)))


def order_keys(array: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Per id an int64 that sorts as the id's text does (code-point order), when the
    column has one fixed form; None otherwise.

    Every id has the same length and each position is one constant byte in every id or a
    digit in every id, so two ids first differ at a digit, and comparing their varying
    digits as one number is comparing the texts: no sort of a million strings.
    """
    width = _width(array)
    if width is None:
        return None
    form = _form(array, width)
    if form is None:
        return None
    varying = _varying(form, form)
    return None if varying is None else _keys(array, width, varying)


def lookup(keys: pa.Array | pa.ChunkedArray, universe: pa.Array | pa.ChunkedArray
           ) -> np.ndarray | None:
    """Row number in ``universe`` of each key (its first row when an id repeats), -1 when
    absent; None when the ids do not have one fixed form (the caller joins the text)."""
    width = _width(universe)
    if width is None or _width(keys) != width:
        return None
    forms = _form(universe, width), _form(keys, width)
    if forms[0] is None or forms[1] is None:
        return None
    varying = _varying(forms[0], forms[1])
    if varying is None:
        return None
    built = _keys(universe, width, varying)
    probe = _keys(keys, width, varying)
    return _find(probe, built)


def _find(probe: np.ndarray, built: np.ndarray) -> np.ndarray:
    """Index of each probe key in ``built`` (first occurrence), -1 when absent."""
    if not len(built):
        return np.full(len(probe), -1, np.int32)
    low, high = int(built.min()), int(built.max())
    if high - low < _DENSE * len(built) + 1024:
        # Dense ids (sequential numbers): a table from key to row, filled last row first
        # so that a repeated id keeps its first row, as the string join does.
        table = np.full(high - low + 1, -1, np.int32)
        rows = np.arange(len(built), dtype=np.int32)
        table[(built - low)[::-1]] = rows[::-1]
        probe = probe - low
        inside = (probe >= 0) & (probe <= high - low)
        return np.where(inside, table[np.where(inside, probe, 0)], -1).astype(np.int32)
    by_suffix = _suffix_table(built)
    if by_suffix is not None:
        return _in_suffix_table(probe, built, *by_suffix)
    return _hashed(probe, pa.array(built))


def _suffix_table(built: np.ndarray) -> tuple[np.ndarray, int] | None:
    """A table from the last digits of each key to its row, when those digits alone tell
    the universe's ids apart and the table stays small (≤ 4 entries per row), else None.

    Core systems number loans as a date and a running number (``JJ`` 20240101 0000001):
    the keys are far from dense, but their last six or seven digits are a sequence.  A
    probe is then looked up by its own last digits and kept only where the whole key
    matches, so the answer is the hash join's, without hashing (a gather per probe key).
    A repeated id (a data error) repeats its suffix too, and is left to the hash join,
    which gives its first row.
    """
    n = len(built)
    modulus = 10 ** len(str(n - 1)) if n > 1 else 10  # the smallest power of ten ≥ n
    while modulus <= _DENSE * n + 1024:
        table = np.full(modulus, -1, np.int32)
        table[built % modulus] = np.arange(n, dtype=np.int32)
        if int(np.count_nonzero(table >= 0)) == n:  # n keys, n distinct suffixes
            return table, modulus
        modulus *= 10
    return None


def _in_suffix_table(probe: np.ndarray, built: np.ndarray, table: np.ndarray, modulus: int,
                     split: int = 1 << 20) -> np.ndarray:
    """Each probe key's row by ``_suffix_table``, -1 where the whole key differs; a big
    probe in two halves on two threads (numpy's gathers release the GIL)."""

    def part(piece: np.ndarray) -> np.ndarray:
        row = table[piece % modulus]
        hit = built[np.maximum(row, 0)] == piece
        hit &= row >= 0
        return np.where(hit, row, np.int32(-1))

    if len(probe) < split:
        return part(probe)
    half = len(probe) // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        return np.concatenate(list(pool.map(part, (probe[:half], probe[half:]))))


def _hashed(probe: np.ndarray, built: pa.Array, split: int = 1 << 20) -> np.ndarray:
    """``index_in`` on int64, a probe of ``split`` keys or more cut in two halves for two
    threads (each hashes the universe once: a million int64 cost a few tens of ms)."""

    def part(piece: np.ndarray) -> np.ndarray:
        found = pc.fill_null(pc.index_in(pa.array(piece), value_set=built), -1)
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int32)

    if len(probe) < split:
        return part(probe)
    half = len(probe) // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        return np.concatenate(list(pool.map(part, (probe[:half], probe[half:]))))
