"""What a table's map does to its rows once read: the one code for files and frames.

``mapped.py`` reads a file's table (CSV, Parquet, a sheet) and ``frames.py`` a DataFrame
into the same ``RawTable`` of text columns; ``apply_map`` then takes out footer rows
(合计), blank lines and rows whose value is mapped to ``ignore`` (all counted), reads
Excel's serial dates, and puts each enum column through its value map, marking the
reversal rows.  Value maps work on the distinct values of a column, never on its rows one
by one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.errors import Problem
from reportgen.ledger import text_columns
from reportgen.ledger.mapping import TableMap, ValueMap, value_enum
from reportgen.ledger.raw import RawTable
from reportgen.ledger.schema import Kind
from reportgen.ledger.shapes import header_key, lookup, serial_dates

_SHOWN_VALUES = 10  # distinct unmapped values a message lists
_SHORT = 8  # bytes: a cell this short may be only spaces (a blank line's cells)


def footer_key(tmap: TableMap) -> str:
    """How skipped footer rows are counted (``validate`` prints it)."""
    return "footer rows (" + ", ".join(tmap.skip_first_cell) + ")"


def apply_map(raw: RawTable, tmap: TableMap, problems: list[Problem],
              shown_row: Callable[[int], str] = str) -> RawTable:
    """Footer and blank rows and ignored values out (counted), Excel's serial dates read,
    value maps and reversals applied: a file's table and a frame (``open_frames``) alike.

    ``shown_row`` turns a row number into how a message shows it ("14"; a frame's
    "label 'a'").
    """
    columns = dict(raw.columns)
    first = columns.pop("__first", None)
    rows = raw.row_numbers if raw.row_numbers is not None else np.arange(
        2, raw.rows + 2, dtype=np.int64)
    drop = np.zeros(raw.rows, dtype=bool)
    skipped: dict[str, int] = dict(raw.skipped)
    if tmap.skip_first_cell and first is not None and raw.rows:
        footer = _footers(first, tmap.skip_first_cell)
        if footer.any():
            key = footer_key(tmap)
            skipped[key] = skipped.get(key, 0) + int(footer.sum())
        drop |= footer
    blank = _blank_rows(columns, raw.rows) & ~drop
    if blank.any():  # a blank line (",,,,") between or below the records
        skipped["blank rows"] = int(blank.sum())
        drop |= blank
    for column in raw.table.columns:
        if column.kind is Kind.DATE and column.name in columns:
            columns[column.name] = serial_dates(columns[column.name])
    reversal: np.ndarray | None = None
    for name, vmap in tmap.values.items():
        if name not in columns:
            continue
        header = tmap.columns.get(name, name)
        column = raw.table.column(name)
        mapped, ignored, reversed_ = _map_values(
            columns[name], vmap, value_enum(raw.table.name, column), raw.source, header, rows,
            ~drop, problems, shown_row, column.kind is Kind.ENUM and name != "industry")
        columns[name] = mapped
        if ignored.any():
            for value, count in _counts(columns_text := raw.columns[name], ignored).items():
                skipped[f"{header} = {value!r} (ignore)"] = count
            del columns_text
        drop |= ignored
        if reversed_ is not None:
            reversal = reversed_
    keep = ~drop
    reported = raw.reported
    if drop.any():  # every per-record array follows the records kept
        columns = _kept(columns, keep)
        rows = rows[keep]
        if reversal is not None:
            reversal = reversal[keep]
        reported = {name: mask[keep] for name, mask in reported.items()}
    return replace(raw, columns=columns, rows=int(keep.sum()), row_numbers=rows,
                   money_places=tmap.money_places, reversal=reversal, skipped=skipped,
                   reported=reported)


def _kept(columns: dict[str, pa.Array], keep: np.ndarray) -> dict[str, pa.Array]:
    kept = int(keep.sum())
    if keep[:kept].all():  # only footer rows at the end, the usual case: a slice
        return {name: array.slice(0, kept) for name, array in columns.items()}
    mask = pa.array(keep)
    return {name: pc.filter(array, mask) for name, array in columns.items()}


def _footers(first: pa.Array | pa.ChunkedArray, words: tuple[str, ...]) -> np.ndarray:
    """Rows whose first cell starts with a footer word: 合计, "合 计" and "合计：" alike
    (the cell without its spaces)."""
    text = pc.fill_null(pc.cast(first, pa.string()), "")
    footer = np.zeros(len(first), dtype=bool)
    # Only cells that are not plain ASCII (合计 is not) are looked at closely: an ASCII
    # check over a million loan ids costs little, a regular expression does not.
    near = np.ones(len(first), dtype=bool)
    if all(word.isascii() is False for word in words):
        near = ~np.asarray(text_columns.to_numpy(pc.string_is_ascii(text)), dtype=bool)
    if not near.any():
        return footer
    at = np.flatnonzero(near)
    cell = pc.replace_substring_regex(text.take(pa.array(at)), r"\s+", "")
    hit = np.zeros(len(at), dtype=bool)
    for word in words:
        hit |= np.asarray(text_columns.to_numpy(pc.starts_with(cell, header_key(word))), dtype=bool)
    footer[at[hit]] = True
    return footer


def _blank_rows(columns: dict[str, pa.Array], rows: int) -> np.ndarray:
    """Rows where every column read is blank (or only spaces), found from the columns'
    null masks; only rows blank so far have their text looked at."""
    # Rows whose every cell is null or short (a few spaces) are candidates, by the
    # columns' null masks and value lengths alone; only those have their text trimmed.
    blank = np.ones(rows, dtype=bool) if columns else np.zeros(rows, dtype=bool)
    for array in columns.values():
        short = (pc.less_equal(pc.binary_length(array), _SHORT)
                 if pa.types.is_string(array.type) else pc.is_null(array))
        blank &= np.asarray(text_columns.to_numpy(pc.fill_null(short, True)), dtype=bool)
        if not blank.any():
            return blank
    at = np.flatnonzero(blank)
    empty = np.ones(len(at), dtype=bool)
    for array in columns.values():
        picked = array.take(pa.array(at))
        if pa.types.is_string(picked.type):
            picked = pc.if_else(pc.equal(pc.utf8_trim_whitespace(picked), ""),
                                pa.scalar(None, pa.string()), picked)
        empty &= np.asarray(text_columns.to_numpy(pc.is_null(picked)), dtype=bool)
    blank[at] = empty
    return blank


def _counts(text: pa.Array | pa.ChunkedArray, mask: np.ndarray) -> dict[str, int]:
    picked = pc.filter(pc.utf8_trim_whitespace(text), pa.array(mask))
    counted = pc.value_counts(picked).to_pylist()
    return {str(c["values"]): int(c["counts"]) for c in counted}


def _spread(out: list[str | None], indices: np.ndarray, encoded: bool) -> pa.Array:
    """The mapped distinct values spread back over the rows.  An enum column stays
    dictionary-encoded (the loader's enum parser reads the dictionary as it is, instead
    of encoding ten million strings again); any other as plain text."""
    values = pa.array(out, type=pa.string())
    if not encoded:
        return values.take(pa.array(indices))
    blank = np.array([v is None for v in out], dtype=bool)[indices]
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32), mask=blank),
                                          values)


def _map_values(text: pa.Array | pa.ChunkedArray, vmap: ValueMap,
                enum: tuple[tuple[str, str], ...], source: str, header: str,
                rows: np.ndarray, live: np.ndarray, problems: list[Problem],
                shown_row: Callable[[int], str] = str, encoded: bool = False
                ) -> tuple[pa.Array, np.ndarray, np.ndarray | None]:
    """One enum column through its value map, on its distinct values.

    Returns the column as reportgen values (a reversal row as its type), the mask of
    ignored rows and, for a map with reversals, the mask of reversal rows.  A value that
    is neither mapped nor a valid reportgen value fails closed, grouped by value.
    """
    values, indices = text_columns.distinct(pc.utf8_trim_whitespace(text)
                                     if pa.types.is_string(text.type) else text)
    valid = {code.lower() for code, _ in enum} | {label.lower() for _, label in enum}
    out: list[str | None] = []
    ignored = np.zeros(len(values), dtype=bool)
    reversed_ = np.zeros(len(values), dtype=bool)
    unmapped = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if value is None or value == "":
            out.append(None)
        elif value in vmap.targets:
            out.append(vmap.targets[value])
        elif value in vmap.ignored:
            ignored[i] = True
            out.append(None)
        elif value in vmap.reversed:
            reversed_[i] = True
            out.append(vmap.reversed[value])
        elif (found := lookup(vmap, value)) is not None:  # 00 that Excel saved as 0
            kind, target = found
            ignored[i] = kind == "ignore"
            reversed_[i] = kind == "reverse"
            out.append(target or None)
        else:
            out.append(value)
            unmapped[i] = value.lower() not in valid
    if unmapped.any():
        per_row = unmapped[indices] & live
        listed = []
        for i in np.flatnonzero(unmapped).tolist():
            hit = np.flatnonzero((indices == i) & live)
            if len(hit):
                listed.append((values[i], len(hit), int(rows[hit[0]])))
        listed.sort(key=lambda item: item[2])
        if per_row.any():
            shown = ", ".join(f"{v!r} ({n} rows, first row {shown_row(r)})"
                              for v, n, r in listed[:_SHOWN_VALUES])
            more = ", …" if len(listed) > _SHOWN_VALUES else ""
            problems.append(Problem(source, None, header, None,
                                    f"{len(listed)} values not mapped: {shown}{more}"))
    return (_spread(out, indices, encoded), ignored[indices],
            reversed_[indices] if vmap.reversed else None)
