"""The 借据明细 sheet against a bare openpyxl write-only loop over the same rows.

Usage: ``python bench/xlsx_loans.py LEDGER [--period 2025-12]``.  Builds the monthly model
once, then times (1) reportgen's styled loan sheet (number formats, header, autofilter,
formula-safe text) and (2) ``ws.append(row)`` for the same rows in a write-only workbook
with no styling at all.  Prints cells per second of each and their ratio: the target is
reportgen ≥ 90 % of the bare loop (styling may not cost more than that).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from reportgen import api
from reportgen.config import Config
from reportgen.labels import Labels
from reportgen.render.excel_loans import COLUMNS, write_loan_sheets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--period", default="2025-12")
    args = parser.parse_args()
    report = api.build(api.open_ledger(args.ledger), "monthly", args.period, Config())
    loans = report.loans
    assert loans is not None
    cells = len(loans) * len(COLUMNS)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        wb = Workbook(write_only=True)
        write_loan_sheets(wb, loans, Labels("zh"), lambda ws, n: None)
        wb.save(Path(tmp) / "ours.xlsx")
        ours = time.perf_counter() - started

        started = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("bare")
        for row in loans.rows():
            ws.append(row)
        wb.save(Path(tmp) / "bare.xlsx")
        bare = time.perf_counter() - started
    print(f"rows {len(loans):,}  cells {cells:,}")
    print(f"reportgen loan sheet  {ours:7.2f} s  {cells / ours:10,.0f} cells/s")
    print(f"bare openpyxl loop    {bare:7.2f} s  {cells / bare:10,.0f} cells/s")
    print(f"reportgen / bare cells per second: {bare / ours:.2f} (target ≥ 0.90)")


if __name__ == "__main__":
    main()
