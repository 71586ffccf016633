"""Turning the generator's integer arrays into the ledger's CSV text, fast and exactly.

Money is integer fen until here and becomes "1234.50" by integer division and zero padding,
never through a float; dates are written by pyarrow as YYYY-MM-DD.  Files are written aside
and renamed, so an interrupted run never leaves a half-written ledger file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reportgen.ledger.schema import Table
from reportgen.sample.arrays import IntArray


def _digits(values: IntArray) -> pa.Array:
    """Integers → decimal text."""
    return pc.cast(pa.array(values, pa.int64()), pa.string())


def two_decimals(hundredths: IntArray) -> pa.Array:
    """Integer hundredths (≥ 0; -1 for blank) → "1234.50" text.

    Money is in fen and rates in hundredths of a percent, so both print this way.
    """
    whole, cents = np.divmod(np.maximum(hundredths, 0), 100)
    text = pc.binary_join_element_wise(_digits(whole), pc.utf8_lpad(_digits(cents), 2, "0"), ".")
    return pc.if_else(pa.array(hundredths >= 0), text, pa.scalar(None, pa.string()))


def days(values: IntArray) -> pa.Array:
    """Day numbers → dates (written YYYY-MM-DD), blank for -1."""
    return pa.array(values.astype(np.int32), pa.date32(), mask=values < 0)


def labels(codes: tuple[str, ...], idx: IntArray) -> pa.Array:
    """Enum indices → their English codes, blank for -1."""
    return pc.take(pa.array(codes, pa.string()), pa.array(idx, mask=idx < 0))


def integers(values: IntArray) -> pa.Array:
    """Counts as plain integer text."""
    return _digits(values)


def numbered(prefix: str, numbers: IntArray, width: int) -> pa.Array:
    """Identifiers like KH000123: a prefix and a zero-padded number."""
    padded = pc.utf8_lpad(_digits(numbers), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")


def write_table(folder: Path, table: Table, columns: dict[str, pa.Array]) -> int:
    """Write one ledger file with exactly the spec's columns, in its order; return the rows.

    The header is written by hand because pyarrow quotes header names; values never need
    quoting (the writer refuses a comma, quote or newline instead of writing bad CSV).
    """
    names = [c.name for c in table.columns if c.required or c.name in columns]
    if sorted(columns) != sorted(names):  # an optional column may be left out
        raise ValueError(f"{table.name}: columns {sorted(columns)} are not {sorted(names)}")
    data = pa.table([columns[n] for n in names], names=names)
    path = folder / f"{table.name}.csv"
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            f.write((",".join(names) + "\n").encode())
            options = pacsv.WriteOptions(include_header=False, quoting_style="none")
            pacsv.write_csv(data, f, options)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return data.num_rows
