"""The report's per-loan lists: upcoming maturities, the watchlist and the loan book.

Split from model.py (which re-exports every name here): these sections hold one row per
loan, tens of thousands at bank scale, so they are kept as columns (``Listing``,
``LoanBook``) and a row object is made only for a row that is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Generic, TypeAlias, TypeVar, overload

import numpy as np
import pyarrow as pa

from reportgen.model_figures import Ratio

Row = TypeVar("Row")
ListingColumn: TypeAlias = np.ndarray | pa.Array | list[Any]


class Listing(Sequence[Row], Generic[Row]):
    """A long list of rows (upcoming maturities, the watchlist) kept as columns.

    At bank scale these lists hold tens of thousands of loans.  Taken out of the ledger by
    whole-array indexing they cost a few array copies, where one frozen dataclass per row
    cost more than computing the figures.  The JSON writer reads the columns; a row object
    is only made for a row that is read (the PDF reads the first forty).

    One column per field of ``row_type``, in field order: a numpy array (int64 money and
    counts, bool flags, ``datetime64[D]`` dates), an Arrow string array (text taken from
    the ledger, which keeps text in Arrow) or a list.  A row holds the columns' Python
    values (``int``, ``bool``, ``date``, ``str``), so it equals the row object made
    directly.
    """

    __slots__ = ("columns", "row_type")

    def __init__(self, row_type: type[Row], columns: Mapping[str, ListingColumn]) -> None:
        names = [f.name for f in fields(row_type)]  # type: ignore[arg-type]
        if list(columns) != names:
            raise ValueError(f"{row_type.__name__} columns {list(columns)} ≠ fields {names}")
        if len({len(c) for c in columns.values()}) > 1:
            raise ValueError(f"{row_type.__name__} columns differ in length")
        self.row_type = row_type
        self.columns: Mapping[str, ListingColumn] = dict(columns)

    @classmethod
    def of_rows(cls, row_type: type[Row], rows: Iterable[Row]) -> Listing[Row]:
        """The same rows as columns of Python values (for rows made one by one)."""
        names = [f.name for f in fields(row_type)]  # type: ignore[arg-type]
        items = list(rows)
        return cls(row_type, {n: [getattr(r, n) for r in items] for n in names})

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> Listing[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | Listing[Row]:
        if isinstance(index, slice):
            return Listing(self.row_type, {n: c[index] for n, c in self.columns.items()})
        return self.row_type(*(_python(c[index]) for c in self.columns.values()))

    def __iter__(self) -> Iterator[Row]:
        return map(self.row_type, *(column_values(c) for c in self.columns.values()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Listing | tuple | list):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Listing[{self.row_type.__name__}]({len(self)} rows)"


def _python(value: Any) -> Any:
    """A numpy or Arrow scalar as its Python value (int, bool, date, str); else as is."""
    if isinstance(value, np.generic):
        return value.item()
    return value.as_py() if isinstance(value, pa.Scalar) else value


def column_values(column: ListingColumn) -> list[Any]:
    """A column's cells as Python values."""
    if isinstance(column, np.ndarray):
        return column.tolist()
    return column.to_pylist() if isinstance(column, pa.Array) else column


@dataclass(frozen=True)
class ListedLoan:
    """The columns every per-loan list starts with: the loan, its customer, who manages it,
    where, and its balance on D (a row type adds its own columns after these)."""

    loan_id: str
    customer_id: str
    customer_name: str
    account_manager: str
    branch: str
    balance: int


@dataclass(frozen=True)
class UpcomingLoan(ListedLoan):
    maturity_date: date
    grade: str


@dataclass(frozen=True)
class Maturity:
    """到期: due this period with collection rate, and the upcoming list (soonest first)."""

    due_count: int
    due_amount: int
    due_collected: int
    due_collection_rate: Ratio
    upcoming_days: int  # 7 weekly, 10 dekad and custom, else 30
    upcoming_count: int
    upcoming_balance: int
    upcoming: Sequence[UpcomingLoan]  # a Listing when computed from a ledger


@dataclass(frozen=True)
class WatchEntry(ListedLoan):
    grade: str
    overdue_days: int
    new: bool | None  # neither overdue nor special_mention-or-worse on O; None: O unknown
    grade_check: bool  # grade milder than its overdue days allow


@dataclass(frozen=True)
class Watchlist:
    """风险客户 on D: worst grade first, then balance descending."""

    count: int
    balance: int
    new_count: int | None  # None: O is before the ledger's first date
    grade_check_count: int
    entries: Sequence[WatchEntry]  # a Listing when computed from a ledger


class TextColumn(Sequence[str]):
    """A column of text kept as one Arrow string array, read as a list of ``str``.

    The 借据明细 lists 620,000 live loans at a million: as Python lists its six text columns
    held the ledger's text as a million ``str`` objects each (about 500 MB, cached in the
    ledger for the rest of the run), where Arrow holds the same text in about 75 MB.  A
    cell becomes a ``str`` only when it is read; iterating converts the whole column at
    once (``to_pylist``), and a slice stays Arrow, so a writer that reads the column a
    chunk at a time never holds more than a chunk of strings.
    """

    __slots__ = ("array",)

    def __init__(self, array: pa.Array) -> None:
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        self.array: pa.Array = array

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> TextColumn: ...

    def __getitem__(self, index: int | slice) -> str | TextColumn:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return TextColumn(pa.array(self.array.to_pylist()[index], pa.string()))
            return TextColumn(self.array.slice(start, max(0, stop - start)))
        value: str = self.array[index].as_py()
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.array.to_pylist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TextColumn):
            return bool(self.array.equals(other.array))
        if isinstance(other, list | tuple):
            return self.array.to_pylist() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TextColumn({len(self)} values)"


@dataclass(frozen=True)
class LoanBook:
    """借据明细: every live loan on D, column-oriented (it can hold a million rows).

    The columns are plain numpy arrays / lists of equal length; ``rows()`` yields them as
    tuples in ``COLUMNS`` order for a writer that streams rows.
    """

    # text: a list, or a TextColumn (Arrow) as metrics/loanbook.py makes it
    loan_id: list[str] | TextColumn
    customer_id: list[str] | TextColumn
    customer_name: list[str] | TextColumn
    branch: list[str] | TextColumn
    account_manager: list[str] | TextColumn
    product: list[str] | TextColumn
    guarantee: list[str]
    industry: list[str]
    contract_amount: np.ndarray  # fen
    start_date: np.ndarray  # datetime64[D]
    maturity_date: np.ndarray  # datetime64[D]
    rate: np.ndarray  # percent, float for display only (never money)
    balance: np.ndarray  # fen
    grade: list[str]
    overdue_days: np.ndarray

    COLUMNS = (
        "loan_id", "customer_id", "customer_name", "branch", "account_manager", "product",
        "guarantee", "industry", "contract_amount", "start_date", "maturity_date", "rate",
        "balance", "grade", "overdue_days",
    )

    def __len__(self) -> int:
        return len(self.loan_id)

    def rows(self) -> Iterator[tuple[object, ...]]:
        """Yield rows as tuples of Python values (money stays int fen, dates ``date``)."""
        columns = [getattr(self, name) for name in self.COLUMNS]
        converted = [c.tolist() if isinstance(c, np.ndarray) else c for c in columns]
        return zip(*converted, strict=True)
