"""Load time of a mapped core export against the same ledger in reportgen's own format.

Usage: ``python bench/mapped_load.py LEDGER [--repeat 3]``, LEDGER made by
``reportgen sample --out LEDGER --loans 100000``.  The script writes the same book as a
core system would (Chinese headers, ``20261001`` dates, type 摘要 放款/还本/…, guarantee
codes 00/10/20/30, a title row and a 合计 row in the journal) next to it, with its mapping
file, and prints the median load time of each and the ratio (the goal: at most 1.3).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reportgen.ledger.load import load_ledger
from reportgen.ledger.mapping import load_mapping

MAPPING = '''
[tables.loans]
file = "借据_*.csv"
[tables.loans.columns]
customer_id = "客户编号"
branch = "机构名称"
account_manager = "客户经理工号"
product = "产品名称"
contract_amount = "合同金额"
start_date = "发放日期"
maturity_date = "到期日期"
rate = "执行利率"
[tables.transactions]
file = "流水_*.csv"
header_row = 2
skip_first_cell = ["合计"]
[tables.transactions.columns]
date = "交易日期"
type = "摘要"
amount = "发生额"
[values.loans.guarantee]
"00" = "credit"
"10" = "guarantee"
"20" = "pledge"
"30" = "mortgage"
[values.transactions.type]
"放款" = "disburse"
"还本" = "repay"
"还息" = "interest"
"核销" = "writeoff"
"核销后收回" = "recovery"
'''
LOAN_HEADERS = ["借据号", "客户编号", "机构名称", "客户经理工号", "产品名称", "担保方式",
                "合同金额", "发放日期", "到期日期", "执行利率"]


def _text(path: Path) -> pa.Table:
    names = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string())))


def _recode(column: pa.ChunkedArray, codes: dict[str, str]) -> pa.ChunkedArray:
    for old, new in codes.items():
        column = pc.if_else(pc.equal(column, old), new, column)
    return column


def make_export(own: Path, export: Path) -> Path:
    export.mkdir(parents=True, exist_ok=True)
    # Every table the export does not rewrite is the own format's file (a hard link when
    # the file system allows: a million loans' deposits are a gigabyte), so both load the
    # same ledger.
    for file in own.glob("*.csv"):
        if file.stem in ("loans", "transactions") or (export / file.name).exists():
            continue
        try:
            os.link(file, export / file.name)
        except OSError:
            shutil.copy(file, export / file.name)
    tx = _text(own / "transactions.csv")
    kinds = _recode(tx.column("type"), {"disburse": "放款", "repay": "还本", "interest": "还息",
                                        "writeoff": "核销", "recovery": "核销后收回"})
    journal = pa.table({"借据号": tx.column("loan_id"),
                        "交易日期": pc.replace_substring(tx.column("date"), "-", ""),
                        "摘要": kinds, "发生额": tx.column("amount")})
    with (export / "流水_20261128.csv").open("wb") as f:
        f.write("贷款交易流水\n".encode())
        pacsv.write_csv(journal, f, pacsv.WriteOptions(quoting_style="none"))
        f.write("合计,,,\n".encode())
    loans = _text(own / "loans.csv")
    at = loans.column_names.index("guarantee")
    loans = loans.set_column(at, "guarantee", _recode(
        loans.column(at), {"credit": "00", "guarantee": "10", "pledge": "20", "mortgage": "30"}))
    pacsv.write_csv(loans.rename_columns(LOAN_HEADERS), export / "借据_20261128.csv",
                    pacsv.WriteOptions(quoting_style="none"))
    mapping = export.parent / f"{export.name}.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    export = args.ledger.with_name(args.ledger.name + "_export")
    mapping = load_mapping(make_export(args.ledger, export))
    own_times, mapped_times = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        load_ledger(args.ledger)
        t1 = time.perf_counter()
        load_ledger(export, mapping=mapping)
        t2 = time.perf_counter()
        own_times.append(t1 - t0)
        mapped_times.append(t2 - t1)
    own, mapped = statistics.median(own_times), statistics.median(mapped_times)
    print(f"own format {own:.2f} s   mapped export {mapped:.2f} s   ratio {mapped / own:.2f} "
          f"(median of {args.repeat})")


if __name__ == "__main__":
    main()
