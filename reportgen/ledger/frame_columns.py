"""One DataFrame column → Arrow text, exactly: what a frame's cells mean as ledger text.

Money never passes through a binary float on our side.  What a column may hold:

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

Split from frames.py, which turns whole frames into the reader's raw tables.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.errors import Problem
from reportgen.ledger.schema import Kind
from reportgen.ledger.typed_text import NotTextError, as_text, decimal_text

if TYPE_CHECKING:
    import pandas as pd

MAX_FLOAT_DIGITS = 15  # significant digits a float64 is certain to hold

FLOAT_EXACT = (f"a float with more than {MAX_FLOAT_DIGITS} significant digits is not one exact "
                "decimal: read the column as text or Decimal (e.g. pd.read_sql(..., "
                "coerce_float=False))")


def frame_column(series: pd.Series, kind: Kind, source: str, name: str,
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
        return frame_column(series.astype(object), kind, source, name, problems)
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed Python types in one column
        return _mixed(series, kind, source, name, problems)
    return _typed(array, series, kind, source, name, problems)


def _typed(array: pa.Array, series: pd.Series, kind: Kind, source: str, name: str,
           problems: list[Problem]) -> pa.Array:
    """An object column Arrow could type as one thing: dates kept as days for a date
    column, floats by the 15-digit rule, everything else as a Parquet cell is read
    (``typed_text``), so a list or struct column is a problem naming it."""
    if kind is Kind.DATE and pa.types.is_date(array.type):
        return array.cast(pa.date32())
    if kind is Kind.DATE and pa.types.is_timestamp(array.type):
        return _dates(series)
    if pa.types.is_floating(array.type):
        return _floats(series.astype("float64"), source, name, problems)
    try:
        text = as_text(array)
    except NotTextError as exc:
        problems.append(Problem(source, None, name, None, str(exc)))
        return pa.nulls(len(array), pa.string())
    return text.cast(pa.string())


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
            problems.append(Problem(source, position, name, repr(cell), FLOAT_EXACT))
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
        return str(decimal_text(pa.array([format(cell, "f")]))[0].as_py())
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
                                    FLOAT_EXACT))
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
