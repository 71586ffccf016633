"""The 借据明细 sheet: openpyxl's write-only path against xlsxwriter's streaming one.

Usage: ``python bench/xlsx_loans.py LEDGER [--period 2025-12] [--repeat 3]``.  Builds the
monthly model once, then, interleaved (A B A B …), times (A) reportgen's styled loan sheet
through openpyxl (render/excel_loans.py, the former path), (B) the same sheet through
xlsxwriter in constant_memory mode (render/loan_pack.py, what the xlsx renderer uses), and
(C) copying B's written sheet into a report workbook as compressed bytes (what each
further workbook of the same as-of day costs).  Prints the medians and the ratio A / B:
the target (issue 14) is ≥ 2×.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from reportgen import api
from reportgen.config import Config
from reportgen.labels import Labels
from reportgen.render import loan_pack
from reportgen.render.excel_loans import COLUMNS, write_loan_sheets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--period", default="2025-12")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report = api.build(api.open_ledger(args.ledger), "monthly", args.period, Config())
    loans = report.loans
    assert loans is not None
    labels = Labels("zh")
    cells = len(loans) * len(COLUMNS)
    times: dict[str, list[float]] = {"openpyxl": [], "xlsxwriter": [], "copy": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(args.repeat):
            started = time.perf_counter()
            wb = Workbook(write_only=True)
            write_loan_sheets(wb, loans, labels, lambda ws, n: None)
            wb.save(folder / "openpyxl.xlsx")
            times["openpyxl"].append(time.perf_counter() - started)

            started = time.perf_counter()
            names = loan_pack.write_loan_workbook(loans, labels, folder / "xlsxwriter.xlsx")
            times["xlsxwriter"].append(time.perf_counter() - started)

            base = Workbook(write_only=True)
            loan_pack.register_styles(base)
            for name in names:
                base.create_sheet(name)
            base.save(folder / "base.xlsx")
            started = time.perf_counter()
            ours = loan_pack.sheet_members(folder / "base.xlsx")
            theirs = loan_pack.sheet_members(folder / "xlsxwriter.xlsx")
            loan_pack.splice(folder / "base.xlsx", folder / "xlsxwriter.xlsx",
                             {ours[n]: theirs[n] for n in names}, folder / "copied.xlsx")
            times["copy"].append(time.perf_counter() - started)
        size = (folder / "xlsxwriter.xlsx").stat().st_size
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"rows {len(loans):,}  cells {cells:,}  sheet zip {size / 2**20:.1f} MB  "
          f"(interleaved, median of {args.repeat})")
    for key, label in (("openpyxl", "openpyxl write-only loan sheet"),
                       ("xlsxwriter", "xlsxwriter constant_memory"),
                       ("copy", "copy into a workbook (bytes)")):
        print(f"{label:<32} {med[key]:7.2f} s  {cells / med[key]:12,.0f} cells/s  "
              f"runs {', '.join(f'{t:.2f}' for t in times[key])}")
    print(f"openpyxl / xlsxwriter: {med['openpyxl'] / med['xlsxwriter']:.2f}× (target ≥ 2×)")


if __name__ == "__main__":
    main()
