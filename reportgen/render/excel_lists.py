"""The long lists of the section sheets (到期, 风险客户, 客户经理 …), written column by column.

At a million loans the 到期 and 风险客户 lists hold tens of thousands of rows in each
workbook, and openpyxl's per-cell path (a ``WriteOnlyCell``, its style array, lxml's
element per cell) took 240 s of a 350 s year-end run.  A table longer than ``THRESHOLD``
rows is therefore written the way the 借据明细 is (render/sheet_rows.py): each column of a
chunk of rows is converted at once — money rounded in integer arithmetic, dates to
serials, text cleaned and cut in one scan — into the XML openpyxl would write, and the
chunk's ``<row>`` elements are handed to the write-only sheet's stream in place of
openpyxl's own row writer.

The cells are openpyxl's to the byte: the same value text (``"%.16g"``, openpyxl's
``safe_string``), types, and style ids, registered in the workbook in the order openpyxl
would meet them (row by row, left to right), so the workbook's styles are the same too
(tests/test_render_excel_lists.py compares both paths' sheets and reads them back).
Shorter tables, the headings and the charts stay on openpyxl's path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from lxml import etree

from reportgen.formatting import (
    EXCEL_TEXT_MAX,
    NULL,
    UNITS,
    Kind,
    excel_text,
    excel_value,
    has_unsafe_text,
    looks_like_formula,
)
from reportgen.render import sheet_rows
from reportgen.render.tables import Table, table_columns

THRESHOLD = 200  # rows: a longer table goes through the row builder (0: every table)
CHUNK = 10_000  # rows built, parsed and streamed at a time
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
FIRST_SERIAL = 61  # 1900-03-01: earlier serials carry Excel's 1900 leap-day quirk
_PARSER = etree.XMLParser(huge_tree=True)
_BLANK_TEXT = etree.XPath('row/c[@t="inlineStr"][not(node())]')
# openpyxl's ``safe_string`` of a number: "%.16g" through %, which turns a Decimal into a
# float first (``format(Decimal, ".16g")`` would not: it keeps "12.30")
_SHOWN: Callable[[Any], str] = "%.16g".__mod__

# (kind, mark, is_text, quoted, numeric) → the style id of such a cell in the workbook
StyleOf = Callable[[Kind, str, bool, bool, bool], int]


class _Rows(tuple):  # type: ignore[type-arg]
    """Rows already built, as the children of one lxml element (a tuple, so the sheet's
    ``append`` takes it)."""


def stream(ws: Any) -> Callable[[Any, int], None] | None:
    """An ``append(root, rows)`` that writes the ``rows`` ``<row>`` children of ``root`` to
    the write-only sheet ``ws`` in one go (after its first row), or None when this
    openpyxl's sheet lacks the private hooks used.

    openpyxl numbers the rows it writes by counting ``append`` calls; a chunk of rows is
    one call, so the rows appended after it are numbered ``rows − 1`` further on.
    """
    writer = getattr(ws, "_writer", None)
    if writer is None or not hasattr(writer, "write_row") or not hasattr(ws, "_values_to_row"):
        return None
    if not hasattr(ws, "_reportgen_skip"):
        values_to_row, write_row = ws._values_to_row, writer.write_row
        ws._reportgen_skip = 0

        def to_row(values: Any, idx: int) -> Any:
            if type(values) is _Rows:
                return values
            return values_to_row(values, idx + ws._reportgen_skip)

        def write(xf: Any, row: Any, idx: int) -> None:
            if type(row) is _Rows:
                xf.write(*row[0])
            else:
                write_row(xf, row, idx + ws._reportgen_skip)

        ws._values_to_row, writer.write_row = to_row, write

    def append(root: Any, rows: int) -> None:
        ws.append(_Rows((root,)))
        ws._reportgen_skip += rows - 1

    return append


@dataclass
class Texts:
    """How text cells are made safe: the cut marker, and how many were cut."""

    marker: str
    cut: int = 0

    def safe(self, values: list[str]) -> list[str]:
        """``values`` as Excel cells can hold them (formatting.excel_text), counting the
        cells longer than Excel's limit as ``_Writer.safe`` does."""
        longest = max(map(len, values), default=0)
        if longest > EXCEL_TEXT_MAX:
            self.cut += sum(len(v) > EXCEL_TEXT_MAX for v in values)
        elif not has_unsafe_text("".join(values)):
            return values
        return [excel_text(v, self.marker) for v in values]


def write_rows(append: Callable[[Any, int], None], table: Table, first: int, rows: int,
               style_of: StyleOf, texts: Texts, unit: str) -> None:
    """Write the first ``rows`` rows of ``table``'s body from sheet row ``first`` on."""
    numeric = [c.numeric for c in table.columns]
    columns = table_columns(table)
    for start in range(0, rows, CHUNK):
        stop = min(rows, start + CHUNK)
        numbers = [str(first + n) for n in range(start, stop)]
        cells = [_column(column.part(start, stop), numeric[n], n, numbers, style_of, texts,
                         unit) for n, column in enumerate(columns)]
        root = etree.fromstring(f"<x>{sheet_rows.rows_xml(numbers, cells)}</x>", _PARSER)
        for blank in _BLANK_TEXT(root):  # openpyxl writes an empty string as <c …></c>
            blank.text = ""
        append(root, stop - start)


def register_styles(table: Table, rows: int, style_of: StyleOf) -> None:
    """Register the style of every kind of cell in the first ``rows`` rows in the order
    openpyxl meets them (by row, then column): the workbook's style ids come out the same."""
    seen: dict[tuple[Kind, str, bool, bool, bool], tuple[int, int]] = {}
    for n, (column, spec) in enumerate(zip(table_columns(table), table.columns, strict=True)):
        part = column.part(0, rows)
        for (kind, mark), where in _groups(part.kinds, part.marks, rows):
            values = [part.values[i] for i in where] if len(where) < rows else list(part.values)
            for i, key in _first_keys(kind, mark, values, spec.numeric):
                seen.setdefault(key, (where[i], n))
                seen[key] = min(seen[key], (where[i], n))
    for key, _ in sorted(seen.items(), key=lambda item: item[1]):
        style_of(*key)


def _first_keys(kind: Kind, mark: str, values: Sequence[Any],
                numeric: bool) -> Iterator[tuple[int, tuple[Kind, str, bool, bool, bool]]]:
    """(first position, style key) of each kind of cell among ``values`` of one kind: a
    null (the text "—"), a number, a text, a text that looks like a formula."""
    present = [i for i, v in enumerate(values) if v is not None]
    if len(present) < len(values):
        yield next(i for i, v in enumerate(values) if v is None), (kind, mark, True, False,
                                                                   numeric)
    if not present:
        return
    if kind is not Kind.TEXT:
        yield present[0], (kind, mark, False, False, numeric)
        return
    texts = [str(values[i]) for i in present]
    if has_unsafe_text("".join(texts)):  # as written: cleaned first (a cut keeps the start)
        texts = [excel_text(v) for v in texts]
    quoted: list[int] = []
    if sheet_rows.any_formula(texts):
        quoted = [i for i, v in zip(present, texts, strict=True) if looks_like_formula(v)]
    if len(quoted) < len(present):
        taken = set(quoted)
        yield next(i for i in present if i not in taken), (kind, mark, True, False, numeric)
    if quoted:
        yield quoted[0], (kind, mark, True, True, numeric)


def _groups(kinds: Sequence[Kind] | Kind, marks: Sequence[str] | str,
            rows: int) -> list[tuple[tuple[Kind, str], list[int]]]:
    """The rows of one column grouped by (kind, mark), in order of first appearance."""
    if isinstance(kinds, Kind) and isinstance(marks, str):
        return [((kinds, marks), list(range(rows)))]
    kind_of = (lambda i: kinds) if isinstance(kinds, Kind) else kinds.__getitem__
    mark_of = (lambda i: marks) if isinstance(marks, str) else marks.__getitem__
    groups: dict[tuple[Kind, str], list[int]] = {}
    for i in range(rows):
        groups.setdefault((kind_of(i), mark_of(i)), []).append(i)
    return list(groups.items())


def _column(part: Any, numeric: bool, n: int, numbers: list[str], style_of: StyleOf,
            texts: Texts, unit: str) -> list[str]:
    """The ``<c>`` elements of one column of a chunk."""
    refs = sheet_rows.refs(n, numbers)
    size = len(numbers)
    groups = _groups(part.kinds, part.marks, size)
    if len(groups) == 1:
        (kind, mark), _ = groups[0]
        return _cells(kind, mark, list(part.values), refs, numeric, style_of, texts, unit)
    out: list[str] = [""] * size
    for (kind, mark), where in groups:
        made = _cells(kind, mark, [part.values[i] for i in where], [refs[i] for i in where],
                      numeric, style_of, texts, unit)
        for i, cell in zip(where, made, strict=True):
            out[i] = cell
    return out


def _cells(kind: Kind, mark: str, values: list[Any], refs: list[str], numeric: bool,
           style_of: StyleOf, texts: Texts, unit: str) -> list[str]:
    """Cells of one kind and mark: text (a null is the text "—") or numbers."""
    nulls = [i for i, v in enumerate(values) if v is None]
    if kind is Kind.TEXT or len(nulls) == len(values):
        shown = texts.safe([NULL if v is None else str(v) for v in values])
        plain = style_of(kind, mark, True, False, numeric)
        quoted = plain  # registered only when a cell uses it, as openpyxl would
        if kind is Kind.TEXT and sheet_rows.any_formula(shown):
            quoted = style_of(kind, mark, True, True, numeric)
        return sheet_rows.text_cells(shown, refs, plain, quoted, blank=' t="inlineStr"')
    if not nulls:
        return sheet_rows.number_cells(_numbers(kind, values, unit), refs,
                                       style_of(kind, mark, False, False, numeric), ' t="n"')
    keep = [i for i, v in enumerate(values) if v is not None]
    out = [""] * len(values)
    made = sheet_rows.number_cells(_numbers(kind, [values[i] for i in keep], unit),
                                   [refs[i] for i in keep],
                                   style_of(kind, mark, False, False, numeric), ' t="n"')
    dash_style = style_of(kind, mark, True, False, numeric)
    dash = sheet_rows.text_cells([NULL] * len(nulls), [refs[i] for i in nulls], dash_style,
                                 dash_style)
    for where, cells in ((keep, made), (nulls, dash)):
        for i, cell in zip(where, cells, strict=True):
            out[i] = cell
    return out


def _numbers(kind: Kind, values: Sequence[Any], unit: str) -> list[str]:
    """Each value's cell text as openpyxl writes it: ``"%.16g"`` of the rounded amount."""
    if kind in (Kind.MONEY, Kind.YUAN) and all(type(v) is int for v in values):
        per_cent = UNITS["yuan" if kind is Kind.YUAN else unit] // 100  # fen per 0.01 unit
        fen = np.asarray(values, dtype=np.int64)
        cents = np.abs(fen) if per_cent == 1 else (np.abs(fen) + per_cent // 2) // per_cent
        # half away from zero, as round_fraction; q / 100 is the float of Decimal(q)/100
        return list(map(_SHOWN, (np.where(fen < 0, -cents, cents) / 100).tolist()))
    if kind is Kind.COUNT:
        return list(map(_SHOWN, values))
    if kind is Kind.DATE and all(type(v) is date for v in values):
        serial = (np.asarray(values, dtype="datetime64[D]") - EXCEL_EPOCH).astype(np.int64)
        if len(serial) and serial.min() < FIRST_SERIAL:
            from openpyxl.utils.datetime import to_excel

            return [_SHOWN(to_excel(v)) for v in values]
        return [str(v) for v in serial.tolist()]
    return [_SHOWN(_number(kind, v, unit)) for v in values]


def _number(kind: Kind, value: Any, unit: str) -> Any:
    if kind is Kind.DATE:
        from openpyxl.utils.datetime import to_excel

        return to_excel(value)
    shown = excel_value(kind, value, unit)
    assert not isinstance(shown, str), (kind, value)
    return shown

