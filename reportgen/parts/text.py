"""The loans' and customers' text on the client: read back from the parts' files when a
section asks for some rows, instead of held for the whole ledger.

The reduce needs the ledger's numbers for every loan (balances, codes, dates) but its text
(loan and customer ids, names, branches, managers: about 250 bytes a loan, two thirds of
what the client held at a million loans) only for the rows a listing shows: the top ten
customers, the watchlist, the maturities, the data warnings, a few thousand rows.  So a
part hands back no text; each text column of the joined table is a ``PartText`` that
knows, for every row in original order, its part and its row in that part, and reads the
asked rows from that part's Parquet file, with the loader's own rules (header or alias,
typed cells as text, trimmed, blank = null).  The parts' folder must stay readable while
the reports are built (a temporary split lives as long as the reduced engine).

Only the Excel 借据明细 (every live loan) asks for a whole column: it is read part by part
and held while that sheet is built, as the one-process run holds it.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reportgen.errors import Problem
from reportgen.ledger import text_columns
from reportgen.ledger.raw import header_map
from reportgen.ledger.schema import Table
from reportgen.ledger.typed_text import as_text  # the one-process rules, reused

CACHE_BYTES = 32 << 20  # parts' columns kept for the next ask (of the same listing's rows)


class PartColumns:
    """The text of one table (loans or customers) in its parts' files, with a small cache:
    the watchlist and the maturities ask the same columns for rows spread over every
    part, and one report asks them for several days."""

    def __init__(self, files: list[Path], table: Table, order: np.ndarray,
                 sizes: list[int]) -> None:
        self.files = files
        self.table = table
        self.order = order  # the joined (part after part) row of each original row
        self.offsets = np.cumsum([0, *sizes])
        self._cache: OrderedDict[tuple[int, str], pa.Array] = OrderedDict()
        self.keeper: object = None  # what keeps the files (a temporary split) while read

    def column(self, part: int, name: str, keep: bool = True) -> pa.Array:
        """Column ``name`` of one part as the loader cleans it (all null if absent);
        ``keep``: cache it for the next ask."""
        key = (part, name)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        rows = int(self.offsets[part + 1] - self.offsets[part])
        if not rows:
            return pa.array([], pa.string())
        path = self.files[part]
        titles = pq.read_schema(path).names
        found = {i: n for i, n in header_map(self.table, path.name, titles,
                                             list[Problem]()).items() if n == name}
        if found:
            read = pq.read_table(path, columns=[titles[next(iter(found))]]).column(0)
            array = text_columns.clean(as_text(read.combine_chunks()))
        else:
            array = pa.nulls(rows, pa.string())
        if not keep:
            return array
        self._cache[key] = array
        while sum(a.nbytes for a in self._cache.values()) > CACHE_BYTES and len(self._cache) > 1:
            self._cache.popitem(last=False)
        return array

    def take(self, name: str, rows: np.ndarray) -> pa.Array:
        """Column ``name`` at original ``rows`` (null where blank), one read per part."""
        at = self.order[rows]
        part = np.searchsorted(self.offsets, at, side="right") - 1
        pieces, where = [], []
        for p in np.unique(part).tolist():
            chosen = np.flatnonzero(part == p)
            local = pa.array(at[chosen] - self.offsets[p], type=pa.int64())
            pieces.append(self.column(p, name).take(local).cast(pa.large_string()))
            where.append(chosen)
        if not pieces:
            return pa.array([], pa.string())
        back = np.empty(len(at), np.int64)
        back[np.concatenate(where)] = np.arange(len(at))
        joined = pa.concat_arrays(pieces).take(pa.array(back))
        return joined.cast(pa.string())

    def whole(self, name: str) -> pa.Array:
        """Column ``name`` of every row in original order: the parts' columns one after
        another, put in order (not cached: it is the size of the ledger's column)."""
        chunks = [self.column(p, name, keep=False).cast(pa.large_string())
                  for p in range(len(self.files))]
        joined = pa.concat_arrays(chunks) if chunks else pa.array([], pa.large_string())
        del chunks
        return joined.take(pa.array(self.order)).cast(pa.string())


class PartTexts(dict[str, "PartText"]):
    """``Columns.text`` of the joined table: a column asked for as Arrow is read whole from
    the parts and handed over, not kept (``scope.select`` compares a whole branch column
    with ``bank.branch``; the data warnings index the loan ids).  ``in`` and iteration see
    the names, as for the loader's dict."""

    def __getitem__(self, name: str) -> pa.Array:
        return super().__getitem__(name).whole()

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        return super().__getitem__(name).whole() if name in self else default


class PartText:
    """One text column of the joined table, in original row order, read from the parts.

    It stands where the loader puts a text column as numpy (``Columns.values``) and as
    Arrow (``Columns.text``, through ``PartTexts``): indexed with rows it gives their text
    as a numpy array of ``str`` ("" where blank), with one row its ``str``.
    """

    def __init__(self, source: PartColumns, name: str) -> None:
        self.source = source
        self.name = name

    def __len__(self) -> int:
        return len(self.source.order)

    def __getitem__(self, rows: int | np.integer | slice | np.ndarray) -> object:
        n = len(self)
        if isinstance(rows, int | np.integer):
            index = int(rows) + (n if rows < 0 else 0)
            if not 0 <= index < n:
                raise IndexError(f"row {rows} of {n}")
            return str(self.source.take(self.name, np.array([index]))[0].as_py() or "")
        if isinstance(rows, slice):
            picked = np.arange(*rows.indices(n))
        else:
            picked = np.asarray(rows)
            picked = (np.flatnonzero(picked) if picked.dtype == bool
                      else np.where(picked < 0, picked + n, picked).astype(np.int64))
        text = pc.fill_null(self.source.take(self.name, picked), "")
        return np.asarray(text_columns.to_numpy(text), dtype=object)

    def whole(self) -> pa.Array:
        """Every row (null where blank), in original order."""
        return self.source.whole(self.name)
