"""pandas DataFrames → the reader's raw tables, so frames are loaded like files.

A bank that pulls its ledger with ``pd.read_sql`` hands reportgen DataFrames, not files.
Each frame becomes a ``RawTable`` of Arrow text columns (dates may arrive already as
``date32``, as from a typed CSV), named by their English column names, and from there the
load is the one every file takes: the same parsing, the same validation, the same messages.

Money never passes through a binary float on our side.  What a frame may hold:

* text (``object``/``string`` of ``str``), ``Decimal`` and integer columns: read as the
  text they show (an integer is whole yuan; a ``Decimal`` keeps its digits exactly);
* ``float64`` columns (what ``read_sql`` gives for a NUMERIC column by default): each value
  is read as the shortest decimal that round-trips to the same float — the number the
  database or the person typed — and then has to pass the usual rules, so ``1234.5`` is
  1234.50 yuan while ``0.30000000000000004`` (float arithmetic) is refused as "more than 2
  decimals".  A float with more than 15 significant digits is refused outright: beyond
  that a float does not identify one decimal.  This is exactly what the workbook reader
  does with a numeric cell (Excel stores floats too);
* ``datetime64`` columns and columns of ``datetime.date``: dates (a time of day is dropped:
  a journal row stamped 14:30 happened on that day).

Row numbers here are positions 0, 1, …; ``frame_problem`` turns a problem's position into
the frame's index label for the message.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.errors import Problem, UsageError
from reportgen.ledger.mapping import Mapping as LedgerMapping
from reportgen.ledger.mapping import TableMap
from reportgen.ledger.read import RawLedger, RawTable
from reportgen.ledger.schema import TABLES, Kind, Table, is_required

if TYPE_CHECKING:
    import pandas as pd

FRAMES_PATH = Path("<DataFrames>")  # the ledger's "path" in a Session opened from frames
MAX_FLOAT_DIGITS = 15  # significant digits a float64 is certain to hold

_FLOAT_EXACT = (f"a float with more than {MAX_FLOAT_DIGITS} significant digits is not one exact "
                "decimal: read the column as text or Decimal (e.g. pd.read_sql(..., "
                "coerce_float=False))")


def source_name(table: str) -> str:
    """How a frame is named in messages (the ``file`` of its problems)."""
    return f"frame {table}"


def raw_from_frames(frames: Mapping[str, pd.DataFrame | None],
                    mapping: LedgerMapping | None = None) -> RawLedger:
    """The given frames as a ``RawLedger``; missing frames and columns are its problems.

    ``frames`` is keyed by table name; a name that is not a table of this version's schema
    is a ``UsageError`` (exit 2): a caller's mistake, not the data's.  With a ``mapping``
    the frames are in the bank's own headers and codes: each table's column map renames
    the frame's columns, and its value maps, reversals, footer words and money unit are
    applied by the code that applies them to files (``mapapply.apply_map``), so a frame
    and a file of the same export read the same.  A table's ``file``, ``sheet`` and
    ``header_row`` say where a file's table is; a frame has none, they are not used.
    """
    import pandas as pd

    known = {table.name: table for table in TABLES}
    for name, frame in frames.items():
        if frame is None:
            continue
        if name not in known:
            raise UsageError(f"open_frames: {name}= is not a table this version of reportgen "
                             f"reads (tables: {', '.join(known)})")
        if not isinstance(frame, pd.DataFrame):
            raise UsageError(f"open_frames: {name}= must be a pandas DataFrame, "
                             f"not {type(frame).__name__}")
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    digest = hashlib.sha256()
    present = {name for name, frame in frames.items() if frame is not None}
    for table in TABLES:
        frame = frames.get(table.name)
        if frame is None:
            if is_required(table, present):  # a balances frame stands in for the journal
                problems.append(Problem(source_name(table.name), None, None, None,
                                        f"required frame missing (open_frames({table.name}=…))"))
            continue
        tmap = mapping.table(table.name) if mapping is not None else None
        if tmap is not None:
            raw = _mapped_table(table, frame, tmap, problems)
        else:
            raw = _raw_table(table, frame, problems)
        if raw is not None:
            tables[table.name] = raw
            _digest(digest, raw)
    return RawLedger(FRAMES_PATH, digest.hexdigest(), tables, tuple(problems))


def _digest(digest: Any, raw: RawTable) -> None:
    """Feed a table's columns as read (Arrow buffers, no Python per cell) to the digest:
    the same frames give the same digest, a changed cell another."""
    digest.update(f"{raw.table.name}\x00{raw.rows}\x00".encode())
    for name, column in raw.columns.items():
        digest.update(f"{name}\x00{column.type}\x00".encode())
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        chunks = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c  # mapped
                  for c in chunks]
        for chunk in chunks:
            # Text as its value lengths and bytes; dates as their day numbers.  Nulls as
            # a mask, so a blank cell and "" or 0 differ.
            digest.update(np.asarray(chunk.is_null().to_numpy(zero_copy_only=False)).tobytes())
            if pa.types.is_string(chunk.type):
                digest.update(np.asarray(pc.binary_length(chunk).fill_null(0).to_numpy(
                    zero_copy_only=False)).tobytes())
                offsets_buffer, data = chunk.buffers()[1:3]
                if data is not None and len(chunk):
                    offsets = np.frombuffer(offsets_buffer, dtype=np.int32,
                                            count=chunk.offset + len(chunk) + 1)
                    digest.update(memoryview(data)[offsets[chunk.offset]:offsets[-1]])
            else:
                digest.update(np.asarray(chunk.cast(pa.int32()).fill_null(0).to_numpy(
                    zero_copy_only=False)).tobytes())


def _mapped_table(table: Table, frame: pd.DataFrame, tmap: TableMap,
                  problems: list[Problem]) -> RawTable | None:
    """A frame in the bank's own headers and codes, through its table's map."""
    from reportgen.ledger.mapapply import apply_map
    from reportgen.ledger.shapes import header_key

    source = source_name(table.name)
    by_header: dict[str, Any] = {}
    for label in frame.columns:
        by_header.setdefault(header_key(str(label)), label)
    renamed: dict[Any, str] = {}
    for name, title in tmap.columns.items():
        label = by_header.get(header_key(title))
        if label is None:
            problems.append(Problem(source, None, name, None,
                                    f"the mapping names column {title!r} for {name}, but "
                                    "the frame has no such column"))
            continue
        renamed[label] = name
    if any(p.file == source for p in problems):
        return None
    # A column the map leaves out keeps its label (read by its usual names), unless the
    # map already gives its field another column: then the two are reported as ambiguous.
    plain = frame.rename(columns=lambda label: renamed.get(label, label))
    raw = _raw_table(table, plain, problems)
    if raw is None:
        return None
    first: pa.Array | None = None
    if len(frame.columns):
        first = _column(frame.iloc[:, 0], Kind.TEXT, source, "", [])
    columns = dict(raw.columns)
    if first is not None:
        columns["__first"] = first
    index = frame.index

    def row_label(position: int) -> str:
        shown = index[position]
        return f"label {shown.item() if isinstance(shown, np.generic) else shown!r}"

    return apply_map(replace(raw, columns=columns), tmap, problems, shown_row=row_label)


def _raw_table(table: Table, frame: pd.DataFrame, problems: list[Problem]) -> RawTable | None:
    source = source_name(table.name)
    names = {c.name: c.name for c in table.columns} | {c.alias: c.name for c in table.columns}
    found: dict[str, Any] = {}  # English name → the frame's column label
    for label in frame.columns:
        name = names.get(str(label).strip())
        if name is None:
            continue
        if name in found:
            problems.append(Problem(source, None, str(label), None,
                                    f"two columns for {name} ({found[name]!r} and {label!r})"))
            continue
        found[name] = label
    missing = [c for c in table.columns if c.required and c.name not in found]
    for column in missing:
        problems.append(Problem(source, None, column.name, None,
                                f"missing column (name it {column.name} or {column.alias})"))
    if missing or not frame.columns.is_unique:
        if not frame.columns.is_unique:
            problems.append(Problem(source, None, None, None, "column labels repeat"))
        return None
    rows = len(frame)
    positions = np.arange(rows, dtype=np.int64)
    cell_problems: list[Problem] = []
    columns = {name: _column(frame[label], table.column(name).kind, source, name,
                             cell_problems)
               for name, label in found.items()}
    return RawTable(table, source, columns, rows, positions, tuple(cell_problems))


def _column(series: pd.Series, kind: Kind, source: str, name: str,
            problems: list[Problem]) -> pa.Array:
    """One frame column as Arrow text (or ``date32`` for a date column of dates)."""
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):  # Arrow-backed: typed by Arrow itself
        arrow = pa.array(series)
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        if pa.types.is_floating(arrow.type):
            return _floats(series, source, name, problems)
        return _typed(arrow, series, kind, source, name, problems)
    if kind is Kind.DATE and (pd.api.types.is_datetime64_any_dtype(dtype)):
        return _dates(series)
    if pd.api.types.is_float_dtype(dtype):
        return _floats(series, source, name, problems)
    if pd.api.types.is_bool_dtype(dtype):
        return pa.array(series, from_pandas=True, type=pa.bool_()).cast(pa.string())
    if pd.api.types.is_numeric_dtype(dtype):  # integers (numpy or nullable Int64)
        return pa.array(series, from_pandas=True).cast(pa.string())
    if isinstance(dtype, pd.CategoricalDtype):
        return _column(series.astype(object), kind, source, name, problems)
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed Python types in one column
        return _mixed(series, kind, source, name, problems)
    return _typed(array, series, kind, source, name, problems)


def _typed(array: pa.Array, series: pd.Series, kind: Kind, source: str, name: str,
           problems: list[Problem]) -> pa.Array:
    """An object column Arrow could type as one thing."""
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array.cast(pa.string())
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), pa.string())
    if pa.types.is_date(array.type):
        return array.cast(pa.date32()) if kind is Kind.DATE else pc.strftime(
            array.cast(pa.timestamp("s")), format="%Y-%m-%d")
    if pa.types.is_timestamp(array.type):
        return _dates(series) if kind is Kind.DATE else pc.strftime(array, format="%Y-%m-%d")
    if pa.types.is_decimal(array.type):
        return _decimal_text(array.cast(pa.string()))
    if pa.types.is_floating(array.type):
        return _floats(series.astype("float64"), source, name, problems)
    if pa.types.is_boolean(array.type) or pa.types.is_integer(array.type):
        return array.cast(pa.string())
    if pa.types.is_dictionary(array.type):
        return array.dictionary_decode().cast(pa.string())
    return array.cast(pa.string())


def _mixed(series: pd.Series, kind: Kind, source: str, name: str,
           problems: list[Problem]) -> pa.Array:
    """A column mixing Python types (text and numbers, say), which Arrow will not type:
    each cell as text, one by one.  Only such a column takes this slow path."""
    del kind  # dates arrive as ISO text and are parsed like a CSV's
    cells = series.to_numpy(dtype=object)
    text: list[str | None] = []
    for position, cell in enumerate(cells.tolist()):
        shown = _cell_text(cell)
        if shown is _INEXACT:
            problems.append(Problem(source, position, name, repr(cell), _FLOAT_EXACT))
            shown = None
        text.append(shown)
    return pa.array(text, type=pa.string())


_INEXACT = "\x00inexact"


def _cell_text(cell: object) -> str | None:
    """One cell of a mixed column as the text a CSV would hold."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if isinstance(cell, float | np.floating):
        value = float(cell)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        shown = repr(value)
        digits = re.sub(r"^[-+]?[0.]*|\.", "", shown).rstrip("0")
        return _INEXACT if "e" in shown or len(digits) > MAX_FLOAT_DIGITS else shown
    if isinstance(cell, Decimal):
        return str(_decimal_text(pa.array([format(cell, "f")]))[0].as_py())
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _dates(series: pd.Series) -> pa.Array:
    """A datetime column as ``date32`` (NaT as null; the time of day, if any, dropped).

    A time-zone-aware column keeps its wall-clock day (2026-03-10 00:00+08:00 is the 10th,
    not the 9th in UTC).
    """
    import pandas as pd

    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series)
    try:
        zone = series.dt.tz
    except (AttributeError, NotImplementedError):
        zone = None
    if zone is not None:
        series = series.dt.tz_localize(None)
    values = series.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    days = values.astype("datetime64[D]")
    return pa.array(days, type=pa.date32(), from_pandas=True)


def _decimal_text(text: pa.Array) -> pa.Array:
    """Arrow writes a decimal column with one scale (2 → "2.000" next to "1.005"): trailing
    fraction zeros are dropped so that "2.000" is 2 yuan, not "more than 2 decimals"."""
    trimmed = pc.replace_substring_regex(text, r"(\.\d*?)0+$", r"\1")
    return pc.replace_substring_regex(trimmed, r"\.$", "")


def _floats(series: pd.Series, source: str, name: str, problems: list[Problem]) -> pa.Array:
    """A float column as the shortest decimal text of each value; a value with more than
    15 significant digits (or written with an exponent) is a problem, not a guess."""
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    array = pa.array(values, from_pandas=True)  # NaN → null
    text = array.cast(pa.string())
    integral = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 1e15)
    whole = pa.array(np.where(integral, values, 0).astype(np.int64)).cast(pa.string())
    text = pc.if_else(pa.array(integral), whole, text)  # 101.0 → "101", a code or a count
    # Arrow writes a big or tiny value with an exponent (1.5e+10); those few cells are
    # written positionally, one by one (numpy's shortest round-trip digits).
    exponent = np.flatnonzero(np.asarray(pc.fill_null(pc.match_substring(text, "e"), False)
                                         .to_numpy(zero_copy_only=False), dtype=bool))
    if exponent.size:
        fixed = [np.format_float_positional(v, unique=True, trim="-")
                 for v in values[exponent].tolist()]
        mask = np.zeros(len(values), dtype=bool)
        mask[exponent] = True
        text = pc.replace_with_mask(text, pa.array(mask), pa.array(fixed, pa.string()))
    inexact = np.flatnonzero(_too_many_digits(values, text, integral))
    if inexact.size:
        # The first cells are named here and blanked; any further ones keep their text,
        # which parse.py refuses in its own words (too many decimals, too large).
        named = inexact[:100]
        for position in named.tolist():
            problems.append(Problem(source, int(position), name, repr(float(values[position])),
                                    _FLOAT_EXACT))
        mask = np.zeros(len(values), dtype=bool)
        mask[named] = True
        text = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), text)
    return text


def _too_many_digits(values: np.ndarray, text: pa.Array, integral: np.ndarray) -> np.ndarray:
    """Cells whose shortest decimal (written without exponent) has more than 15
    significant digits.

    Counted from the text's length, not by regular expressions (a million cells): a
    non-integral ``-0.00123`` has a sign, "0", a point and two zeros before its digits.
    """
    finite = np.isfinite(values)
    length = np.asarray(pc.fill_null(pc.binary_length(text), 0).to_numpy(
        zero_copy_only=False), dtype=np.int64)
    magnitude = np.abs(np.where(finite & (values != 0), values, 1.0))
    below_one = magnitude < 1
    zeros = np.where(below_one, -np.floor(np.log10(magnitude)).astype(np.int64) - 1, 0)
    point = np.asarray(pc.fill_null(pc.match_substring(text, "."), False).to_numpy(
        zero_copy_only=False), dtype=bool)
    # Trailing zeros of a whole number (1e20 → "100000000000000000000") are digits too:
    # beyond 15 of them the float is not the integer it shows.
    significant = length - (values < 0) - point - (below_one & point) - zeros
    return finite & (significant > MAX_FLOAT_DIGITS)


def frame_problems(problems: list[Problem], total: int, labels: Mapping[str, pd.Index]
                   ) -> tuple[list[Problem], int]:
    """A load's problems as a frame's user reads them: index labels for row positions, and
    no "must not be blank" for a float cell already refused as inexact (it was blanked)."""
    inexact = {(p.file, p.row, p.column) for p in problems if p.message == _FLOAT_EXACT}
    kept = [p for p in problems if not (p.message == "must not be blank"
                                        and (p.file, p.row, p.column) in inexact)]
    return [frame_problem(p, labels) for p in kept], total - (len(problems) - len(kept))


def frame_problem(problem: Problem, labels: Mapping[str, pd.Index]) -> Problem:
    """A problem of a frame with its row position replaced by the frame's index label."""
    for table, index in labels.items():
        if problem.file != source_name(table):
            continue
        if problem.row is None or not 0 <= problem.row < len(index):
            return problem
        label = index[problem.row]
        shown = label.item() if isinstance(label, np.generic) else label
        return Problem(f"{problem.file}, row label {shown!r}", None, problem.column,
                       problem.value, problem.message)
    return problem
