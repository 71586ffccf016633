"""Arrow text columns as the parser meets them: trimmed, their blanks, as numpy, and
dictionary-coded (a Parquet column read as its dictionary pages, each value looked at once).

Below ``parse`` (which reads values out of text) and beside ``textscan`` (the byte-level
proofs these lean on), so that the readers, the joins and the parser share one meaning of
"blank" and "trimmed".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.ledger import textscan


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow column as numpy (copying when it must).

    ``ChunkedArray.to_numpy`` goes through pandas, and importing pandas costs half a second
    that a report otherwise never spends; chunks are converted one by one instead.
    """
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks != 1:
            return (np.concatenate([c.to_numpy(zero_copy_only=False) for c in array.chunks])
                    if array.num_chunks else array.combine_chunks().to_numpy(zero_copy_only=False))
        array = array.chunk(0)
    return array.to_numpy(zero_copy_only=False)


def distinct(array: pa.Array) -> tuple[list[str | None], np.ndarray]:
    """The distinct raw values and, per cell, the index of its value.

    Dates and enum labels repeat a lot (a few thousand days, a handful of labels), so they
    are parsed once per distinct value and spread back by index: 10 million cells cost one
    hash pass instead of ten million regex matches.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
    values = encoded.dictionary.to_pylist()
    indices = to_numpy(pc.fill_null(encoded.indices, len(values)))
    return [*values, None], indices


def clean(array: pa.Array) -> pa.Array:
    """Trim blanks; an all-blank cell becomes null.  A dictionary-coded column (a Parquet
    column read as its dictionary pages) has only its dictionaries trimmed."""
    if coded_text(array):
        return _map_dictionaries(array, clean)
    return array if textscan.already_trimmed(array) else trim(array)


def clean_repeated(array: pa.Array | pa.ChunkedArray
                   ) -> tuple[pa.Array | pa.ChunkedArray, np.ndarray | None]:
    """``clean`` for a key column in runs (a deposit export in account order: each
    account's id on each of its 31 daily rows), and the runs' starts for its join
    (``joins.lookup_repeated``): a cell equals its run's first, so when those million
    firsts need no trim, neither do the thirty million cells."""
    starts = None if coded_text(array) else textscan.run_starts(array)
    if starts is not None and textscan.already_trimmed(textscan.take_sorted(array, starts)):
        return array, starts
    return clean(array), starts


def coded_text(array: pa.Array | pa.ChunkedArray) -> bool:
    """A text column held as a dictionary and each cell's index into it: thirty million
    deposit balance rows name a million accounts, each looked at once, not per row."""
    return pa.types.is_dictionary(array.type) and pa.types.is_string(array.type.value_type)


def _map_dictionaries(array: pa.Array | pa.ChunkedArray,
                      function: Callable[[pa.Array], pa.Array]) -> pa.ChunkedArray:
    parts = [pa.DictionaryArray.from_arrays(c.indices, function(c.dictionary))
             for c in textscan.chunks(array)]
    return pa.chunked_array(parts, array.type)


def decoded(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A dictionary-coded text column as plain text (any other column as it is)."""
    if not coded_text(array):
        return array
    return pa.chunked_array([c.dictionary_decode() for c in textscan.chunks(array)],
                            pa.string())


def dictionaries(array: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """The dictionaries of a dictionary-coded text column, chunk after chunk."""
    return pa.chunked_array([c.dictionary for c in textscan.chunks(array)],
                            array.type.value_type)


def per_cell(array: pa.Array | pa.ChunkedArray,
             per_value: Callable[[pa.ChunkedArray], np.ndarray], null: object) -> np.ndarray:
    """``per_value`` of a dictionary-coded column's dictionaries (all chunks' at once, one
    call), spread to the cells by their indices; ``null`` for a null cell."""
    values = np.asarray(per_value(dictionaries(array)))
    out = np.empty(len(array), dtype=np.result_type(values, np.asarray([null])))
    row = base = 0
    for chunk in textscan.chunks(array):
        size = len(chunk.dictionary)
        mine = np.append(values[base:base + size], np.asarray([null], out.dtype))
        indices = chunk.indices  # a null cell points past the chunk's values, at ``null``
        np.take(mine, to_numpy(pc.fill_null(indices, size) if chunk.null_count else indices),
                out=out[row:row + len(chunk)])
        row += len(chunk)
        base += size
    return out


def trim(array: pa.Array) -> pa.Array:
    """``clean`` for any column: trim with Arrow, then blank cells to null."""
    trimmed = pc.utf8_trim_whitespace(array)
    # Comparing lengths reads only the offsets; comparing strings to "" reads every byte.
    empty = pc.equal(pc.binary_length(trimmed), 0)
    if not pc.any(empty).as_py():
        return trimmed
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)


def blank_mask(array: pa.Array) -> np.ndarray:
    if coded_text(array):
        return per_cell(array, blank_mask, True)
    if not array.null_count:
        return np.zeros(len(array), dtype=bool)
    return np.asarray(to_numpy(pc.is_null(array)), dtype=bool)
