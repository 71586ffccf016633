"""The JSON text of a table of rows (upcoming maturities, the watchlist, the structure by
account manager), written column by column in Arrow.

``json.dumps`` of a list of rows first needs a dict per row, then visits every cell in
Python: at a million loans the listings hold tens of thousands of rows, and that cost more
than the rest of the report.  Here each column becomes an Arrow array of JSON texts in one
vectorised pass (integers cast to text, money split into yuan and fen, dates cast to ISO
text, strings quoted) and Arrow joins them into rows and the rows into the array.  Only
cells whose form Arrow cannot write (ratios, nested values, strings that need escaping)
are converted in Python, cell by cell.  The text is byte for byte what ``json.dumps(rows,
ensure_ascii=False, separators=(",", ":"))`` writes for the same rows as dicts
(tests/test_render_json_listing.py).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from enum import Enum
from json.encoder import encode_basestring
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.formatting import ratio6
from reportgen.model import Listing, ListingColumn, column_values

T = TypeVar("T")
# json.dumps(value, ensure_ascii=False, separators=(",", ":")), the writer's one form
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# What json.dumps escapes in a string when ensure_ascii is off (json.encoder.ESCAPE).
_NEEDS_ESCAPE = r'[\x00-\x1f\\"]'


class Form(Enum):
    """How a column is written."""

    MONEY = "money"  # int fen → "1234.50" (yuan, 2 places: formatting.yuan)
    COUNT = "count"  # int → 12
    TEXT = "text"  # str → "…", escaped as json.dumps escapes it
    DATE = "date"  # date → "2026-10-31"
    FLAG = "flag"  # bool → true / false; None (unknown) → null
    RATIO = "ratio"  # Fraction | None → "0.123457" (6 places: formatting.ratio6) / null
    OTHER = "other"  # anything else: json.dumps of the converter's value, cell by cell


def _arrow(column: ListingColumn) -> pa.Array:
    return column if isinstance(column, pa.Array) else pa.array(column)


def money_texts(column: ListingColumn) -> pa.Array:
    """Each amount of integer fen as a JSON string of yuan with 2 places."""
    fen = np.asarray(column.to_numpy() if isinstance(column, pa.Array) else column,
                     dtype=np.int64)
    whole, cents = np.divmod(np.abs(fen), 100)
    sign = pc.if_else(pa.array(fen < 0), '"-', '"')
    return pc.binary_join_element_wise(
        sign, pc.cast(pa.array(whole), pa.string()), ".",
        pc.utf8_lpad(pc.cast(pa.array(cents), pa.string()), 2, "0"), '"', "")


def text_texts(column: ListingColumn) -> pa.Array:
    """Each string as a JSON string; only a column holding a character JSON escapes goes
    through the json module's escaper, cell by cell."""
    strings = _arrow(column)
    if strings.null_count or pc.any(pc.match_substring_regex(strings, _NEEDS_ESCAPE)).as_py():
        return pa.array([dumps(value) for value in strings.to_pylist()], type=pa.string())
    return pc.binary_join_element_wise('"', strings, '"', "")


class MadeBefore:
    """JSON texts already made, by the identity of the model object they were made from.

    The reports of one run share the objects of the figures they share (the metrics
    memoise them per date): a month end's upcoming list, its watched loans and its
    structure are the same objects in the monthly, quarterly and yearly reports, so their
    text is made once.  The model is immutable; each entry holds its object, so that the
    object's id cannot be reused while the entry lives.  The oldest entries are dropped.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, str], tuple[object, Any]] = OrderedDict()

    def get(self, source: object, kind: str, make: Callable[[], T]) -> T:
        key = (id(source), kind)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is source:
            self._entries.move_to_end(key)
            made: T = entry[1]
            return made
        made = make()
        self._entries[key] = (source, made)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return made


MADE = MadeBefore(64)


def column_texts(form: Form, column: ListingColumn,
                 convert: Callable[[Any], Any] | None = None) -> pa.Array:
    """The JSON text of each cell of one column, as an Arrow string array (made once per
    array: lists, made afresh for each table of rows, are not remembered)."""
    if isinstance(column, np.ndarray | pa.Array):
        return MADE.get(column, form.value, lambda: _column_texts(form, column, convert))
    return _column_texts(form, column, convert)


def _column_texts(form: Form, column: ListingColumn,
                  convert: Callable[[Any], Any] | None) -> pa.Array:
    if form is Form.MONEY:
        return money_texts(column)
    if form is Form.TEXT:
        return text_texts(column)
    if form is Form.COUNT:
        return pc.cast(pa.array(column, type=pa.int64()), pa.string())
    if form is Form.DATE:
        return pc.binary_join_element_wise('"', pc.cast(_arrow(column), pa.string()), '"', "")
    if form is Form.FLAG:
        return pc.fill_null(pc.if_else(pa.array(column, type=pa.bool_()), "true", "false"),
                            "null")
    values = column_values(column)
    if form is Form.RATIO:
        return pa.array(["null" if value is None else f'"{ratio6(value)}"' for value in values],
                        type=pa.string())
    if convert is None:
        raise ValueError("Form.OTHER needs a converter")
    return pa.array([dumps(convert(value)) for value in values], type=pa.string())


def listing_json(listing: Listing[Any],
                 forms: Mapping[str, tuple[Form, Callable[[Any], Any] | None]]) -> str:
    """The listing as a JSON array of objects, one key per field in field order."""
    if not len(listing):
        return "[]"
    parts: list[Any] = []
    for i, (name, column) in enumerate(listing.columns.items()):
        form, convert = forms[name]
        parts.append(("{" if i == 0 else ",") + encode_basestring(name) + ":")
        parts.append(pc.fill_null(column_texts(form, column, convert), "null"))
    parts.append("}")
    rows = pc.binary_join_element_wise(*parts, "").cast(pa.large_string())
    one_list = pa.LargeListArray.from_arrays(pa.array([0, len(rows)], type=pa.int64()), rows)
    joined = pc.binary_join(one_list, pa.scalar(",", pa.large_string()))
    return "[" + str(joined[0].as_py()) + "]"
