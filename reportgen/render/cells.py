"""A table cell, and the body of a long list kept as columns (Excel's full lists).

``Cell`` is what every format lays out (render/tables.py builds the tables).  At bank
scale the 到期 and 风险客户 lists hold tens of thousands of rows; as rows of ``Cell``
objects that is ten frozen objects per row, made and kept for every row, where Excel reads
the list a column at a time (render/excel_lists.py).  ``ColumnRows`` keeps such a body as
``ListColumn`` s over the model listing's own columns and makes a row of cells only when a
row is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import pyarrow as pa

from reportgen.formatting import Kind
from reportgen.model import ListingColumn, column_values
from reportgen.model_lists import _python


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: Kind = Kind.TEXT
    mark: str = ""  # "" · "breach" · "ok" · "new" · "check": shown red / marked


@dataclass(frozen=True)
class ListColumn:
    """One column of a long list's body, kept as a column: each row's value (a list, or the
    model listing's numpy or Arrow array), and its kind and mark — one for every row, or
    one per row."""

    values: ListingColumn | range
    kinds: Kind | Sequence[Kind] = Kind.TEXT
    marks: str | Sequence[str] = ""

    def part(self, start: int, stop: int) -> ListColumn:
        """Rows ``start``..``stop`` with their values as Python values."""
        values = self.values[start:stop]
        kinds = self.kinds if isinstance(self.kinds, Kind) else self.kinds[start:stop]
        marks = self.marks if isinstance(self.marks, str) else self.marks[start:stop]
        if isinstance(values, range | pa.ChunkedArray):
            python = list(values) if isinstance(values, range) else values.to_pylist()
        else:
            python = column_values(values)
        return ListColumn(python, kinds, marks)

    def cell(self, i: int) -> Cell:
        kind = self.kinds if isinstance(self.kinds, Kind) else self.kinds[i]
        mark = self.marks if isinstance(self.marks, str) else self.marks[i]
        return Cell(_python(self.values[i]), kind, mark)


class ColumnRows(Sequence[tuple["Cell", ...]]):
    """The body of a long list as columns (``ListColumn``): a row of ``Cell`` objects is
    made only when read, so Excel's full lists (tens of thousands of rows at bank scale)
    cost no object per cell; render/excel_lists.py reads the columns."""

    __slots__ = ("columns",)

    def __init__(self, columns: Sequence[ListColumn]) -> None:
        if len({len(c.values) for c in columns}) > 1:
            raise ValueError("list columns differ in length")
        self.columns = tuple(columns)

    def __len__(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    @overload
    def __getitem__(self, index: int) -> tuple[Cell, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> ColumnRows: ...

    def __getitem__(self, index: int | slice) -> tuple[Cell, ...] | ColumnRows:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("list rows are sliced in order")
            return ColumnRows([c.part(start, stop) for c in self.columns])
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return tuple(c.cell(index) for c in self.columns)

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return (self[i] for i in range(len(self)))
