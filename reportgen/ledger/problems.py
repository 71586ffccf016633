"""Collects every data problem of a ledger, so the user sees them all at once.

Rules are checked on whole columns; a rule that fails hands over a boolean mask, and only
the first ``LIMIT`` problems become ``Problem`` objects (the rest are counted), so a
million bad rows cost no more than a hundred.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

import numpy as np
import pyarrow as pa

from reportgen.errors import LedgerError, Problem

LIMIT = 100


class Indexable(Protocol):
    """Anything whose i-th value can be shown: a list, a numpy or Arrow array, a lazy
    formatter."""

    def __getitem__(self, i: int, /) -> object: ...


class Problems:
    """An error (or warning) list with a cap on what is kept and an exact total."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.items: list[Problem] = []
        self.total = 0
        self._renumber: dict[str, Callable[[], np.ndarray | None]] = {}

    def renumber_later(self, source: str, renumber: Callable[[], np.ndarray | None]) -> None:
        """``source``'s rows were numbered 2, 3, … without counting its lines (a deposit
        export of thirty million rows: the count is 0.6 s of CPU, and only a problem
        shows a row); before the problems are raised, ``renumber`` gives each record's
        true row when blank lines or multi-line values shift them (None: they do not)."""
        self._renumber[source] = renumber

    def __bool__(self) -> bool:
        return self.total > 0

    def extend(self, other: Problems) -> None:
        """Append another list's problems (kept and counted) after these."""
        for problem in other.items:
            self.add(problem)
        self.total += other.total - len(other.items)

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def add_mask(
        self,
        source: str,
        column: str | None,
        mask: np.ndarray,
        rows: np.ndarray,
        values: Indexable | None,
        message: str,
    ) -> None:
        """Record a problem for each row where ``mask`` is true.

        ``rows`` holds the spreadsheet row number of each element (header = row 1);
        ``values`` the offending value of each element (or None when there is none).
        """
        hits = np.flatnonzero(mask)
        if hits.size == 0:
            return
        room = max(self.limit - len(self.items), 0)
        for i in hits[:room].tolist():
            value = None if values is None else values[i]
            if isinstance(value, pa.Scalar):
                value = value.as_py()
            shown = None if value is None else _short(str(value))
            self.items.append(Problem(source, int(rows[i]), column, shown, message))
        self.total += int(hits.size)

    def raise_if_any(self) -> None:
        if self.total:
            self._renumbered()
            raise LedgerError(self.items, self.total)

    def _renumbered(self) -> None:
        for source, renumber in self._renumber.items():
            if all(_record(p, source) is None for p in self.items):
                continue
            numbers = renumber()
            if numbers is not None:  # record i (row i + 2 as numbered) is row numbers[i]
                self.items = [p if (i := _record(p, source)) is None
                              else replace(p, row=int(numbers[i])) for p in self.items]
        self._renumber.clear()

    def lines(self) -> list[str]:
        return [str(p) for p in self.items]


def _record(problem: Problem, source: str) -> int | None:
    """The record a problem on a row of ``source`` names (row 2 is record 0), else None."""
    if problem.file != source or problem.row is None or problem.row < 2:
        return None
    return problem.row - 2


_SHOWN = 80  # characters of a value a message shows


def _short(text: str) -> str:
    """A value as a message shows it: a 40,000-character cell is cut, with its length."""
    if len(text) <= _SHOWN:
        return text
    return f"{text[:_SHOWN]}… ({len(text):,} characters)"
