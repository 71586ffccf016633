"""Text keys to integer rows and codes, on whole columns: the ledger's joins.

Every table names its rows by text (loan, customer and account ids, branch and manager
names); the engine and the metrics work on integers.  This module is where one becomes
the other: a journal's loan ids to loan rows (a hash join on both cores, or integer keys
for ids of one fixed form), a deposit export's account ids to accounts (looked up once
per run of equal ids), and text columns to small codes in sorted order.  It knows nothing
of tables or messages; ``load.py`` reports the ids it could not find.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.ledger import idkeys, text_columns, textscan


def factorise(text: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """The distinct values of a text column (first appearance first) and each cell's index
    into them as int32, -1 for a blank: one hash pass in Arrow."""
    encoded = pc.dictionary_encode(text)
    if isinstance(encoded, pa.ChunkedArray):  # the chunks share one dictionary
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.array(
            [], pa.dictionary(pa.int32(), pa.string()))
    indices = encoded.indices
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    return encoded.dictionary, np.asarray(text_columns.to_numpy(indices), dtype=np.int32)


def sorted_codes(text: pa.Array | pa.ChunkedArray,
                 factorised: tuple[pa.Array, np.ndarray] | None = None,
                 ) -> tuple[np.ndarray, list[str]]:
    """Factorise text into int32 codes numbering the distinct values in sorted order; a
    blank cell counts as the text "", which sorts first.

    Arrow sorts the bytes, which is code-point order, the order Python sorts ``str`` in.
    """
    dictionary, indices = factorised or factorise(text)
    order = text_columns.to_numpy(pc.sort_indices(dictionary))
    values = dictionary.take(pa.array(order)).to_pylist()
    rank = np.empty(len(order) + 1, dtype=np.int32)  # the last entry: a blank's code
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = 0
    if bool((indices < 0).any()) and (not values or values[0] != ""):
        rank[:-1] += 1
        values.insert(0, "")
    return rank[indices], [str(v) for v in values]


def lookup(keys: pa.Array | pa.ChunkedArray, universe: pa.Array | pa.ChunkedArray
            ) -> np.ndarray:
    """Row number in ``universe`` of each key, -1 when absent or blank.

    Arrow's hash join runs on both cores and is about twice as fast as ``index_in`` for
    ten million keys.  It matches a key once per equal universe row, so a universe with a
    repeated id (a data error reported by the validator) or a blank one takes
    ``index_in``, which gives the first row, as before.  Ids of one fixed form (a prefix
    and digits, as core systems number them) are joined as integers instead
    (``idkeys``), with the same answer.
    """
    if _same_ascending(keys, universe):
        # The distinct ids of an export in the order of its accounts' table (a deposit
        # export's, each account's first row), sorted as core systems number them: row i
        # is row i, two comparisons instead of a join.
        return np.arange(len(keys), dtype=np.int32)
    fixed = idkeys.lookup(keys, universe)
    if fixed is not None:
        return fixed
    n = len(keys)
    if not keys.null_count and not universe.null_count and n:
        probe = pa.table({"key": keys, "row": pa.array(np.arange(n, dtype=np.int32))})
        build = pa.table({"key": universe,
                          "at": pa.array(np.arange(len(universe), dtype=np.int32))})
        joined = probe.join(build, keys="key", join_type="left outer", use_threads=True)
        if joined.num_rows == n:
            out = np.empty(n, dtype=np.int32)
            rows, at = joined.column("row"), pc.fill_null(joined.column("at"), -1)
            out[text_columns.to_numpy(rows)] = text_columns.to_numpy(at)
            return out
    index = pc.index_in(keys, value_set=universe)
    return np.asarray(text_columns.to_numpy(pc.fill_null(index, -1)), dtype=np.int32)


def lookup_repeated(keys: pa.Array | pa.ChunkedArray, universe: pa.Array | pa.ChunkedArray,
                    starts: np.ndarray | None = None) -> np.ndarray:
    """``lookup`` for keys that repeat a lot (a deposit account's id on each of its 31
    daily balance rows): only the distinct ids are looked up, and the rows are spread
    back.  Keys in runs (an export in account order) are cut into runs, each looked up
    once by its first key; otherwise each half of the chunks is dictionary-encoded on its
    own thread, and each row gets its value's row by index.

    A dictionary-coded column (``text_columns.coded_text``) has only its dictionaries looked up.
    ``starts``: the runs already found (``text_columns.clean_repeated``, which trims by them).

    Measured on 3.1 million rows of 100,000 accounts: the join of every row 0.51 s, the
    two dictionaries 0.32 s, the runs 0.17 s (the join then has the distinct ids only).
    """
    if text_columns.coded_text(keys):  # a Parquet column read as its dictionaries: look those up
        return text_columns.per_cell(keys, lambda values: lookup(values, universe), -1).astype(
            np.int32, copy=False)
    parts = list(keys.chunks) if isinstance(keys, pa.ChunkedArray) else [keys]
    if len(parts) < 2 or len(keys) < 1 << 16:
        return lookup(keys, universe)
    if starts is None:
        starts = textscan.run_starts(keys)
    if starts is not None:  # in account order: a run per account
        at = lookup(textscan.take_sorted(keys, starts), universe)
        lengths = np.diff(np.append(starts, len(keys)))
        return np.repeat(at, lengths)
    half = len(parts) // 2

    def spread(chunks: list[pa.Array]) -> np.ndarray:
        encoded = pc.dictionary_encode(pa.chunked_array(chunks, pa.string()))
        dictionary = encoded.chunk(0).dictionary
        at = np.append(lookup(dictionary, universe), np.int32(-1))  # last: a blank id
        return np.concatenate([at[text_columns.to_numpy(pc.fill_null(c.indices, len(dictionary)))]
                               for c in encoded.chunks])

    with ThreadPoolExecutor(max_workers=2) as pool:
        out = list(pool.map(spread, (parts[:half], parts[half:])))
    return np.concatenate(out).astype(np.int32, copy=False)


def _same_ascending(keys: pa.Array | pa.ChunkedArray, universe: pa.Array | pa.ChunkedArray
                    ) -> bool:
    """The keys are the universe itself, and it is strictly ascending (so no id repeats,
    and each key's row is its own position)."""
    n = len(keys)
    if n < 2 or n != len(universe) or keys.null_count or universe.null_count:
        return False
    whole = _chunked(universe)
    if not _chunked(keys).equals(whole):
        return False
    ascending = pc.less(whole.slice(0, n - 1), whole.slice(1))
    return bool(pc.all(ascending).as_py())


def _chunked(array: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
