"""The parts' notes kept on disk, not in memory, until the reduce reads them.

While the parts are computed one after another, the client would hold the notes of every
part done so far (about 180 bytes a loan: the loans' numbers, the per-loan answers, the
live-contract flips) beside the part being computed, whose load is the largest memory of
the run.  So each part's arrays are written to a scratch file as the part comes back and
mapped again read-only (copy-on-write): a mapped page that is never read costs no memory,
and the reduce reads each array once, when it joins it, then lets it go.  The file is
unlinked at once (the mapping keeps it until the array goes), so nothing is left behind,
even when the run stops.  Small arrays stay in memory (a page table entry per file is not
worth a few kilobytes).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from itertools import count
from pathlib import Path

import numpy as np

from reportgen.engine import Snapshot
from reportgen.ledger.parsed import Columns
from reportgen.parts.compute import PartDeposits, PartFigures

SPILL_BYTES = 1 << 20  # arrays at least this big go to disk
FIELDS = ("balance", "live", "grade", "overdue_days", "has_state")  # a Snapshot's arrays


class Spill:
    """A scratch folder the parts' arrays are written to and mapped back from."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="reportgen-notes-",
                                            dir=os.environ.get("REPORTGEN_PARTS_DIR")))
        self._names = count()

    def close(self) -> None:
        """Remove the (empty) folder: every file was unlinked when it was mapped."""
        for leftover in self.folder.iterdir():  # a write that failed midway
            leftover.unlink(missing_ok=True)
        self.folder.rmdir()

    def array(self, array: np.ndarray) -> np.ndarray:
        """``array`` mapped from disk (the same values, read-only pages, written copies
        private), or itself when small, of Python objects, or the disk is full."""
        if array.nbytes < SPILL_BYTES or array.dtype.hasobject:
            return array
        path = self.folder / f"{next(self._names)}.npy"
        try:
            np.save(path, array, allow_pickle=False)
            mapped = np.load(path, mmap_mode="c")
        except OSError:
            return array
        finally:
            path.unlink(missing_ok=True)
        return np.asarray(mapped)  # a plain ndarray over the mapping

    def columns(self, columns: Columns) -> Columns:
        for name, values in columns.values.items():
            columns.values[name] = self.array(values)
        return columns

    def figures(self, part: PartFigures) -> PartFigures:
        """``part`` with its per-loan (and per-account) arrays on disk."""
        self.columns(part.loans)
        self.columns(part.customers)
        part.per_loan = {key: self.array(a) for key, a in part.per_loan.items()}
        part.snapshots = {day: Snapshot(day, *(self.array(getattr(snap, f)) for f in FIELDS))
                          for day, snap in part.snapshots.items()}
        if part.flips is not None:
            loan, day, entry = part.flips
            part.flips = (self.array(loan), self.array(day), self.array(entry))
        if part.deposits is not None:
            deposits: PartDeposits = part.deposits
            self.columns(deposits.accounts)
            part.deposits = replace(deposits, per_account={
                key: self.array(a) for key, a in deposits.per_account.items()})
        return part
