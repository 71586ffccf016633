"""A bank's export as its core system writes it, shared by the tests that read one.

The mapping tests (test_ledger_mapped, test_ledger_shapes, test_parts_mapped), the frames
read through a mapping (test_api_frames) and the snapshot exports (test_ledger_snapshots)
imitate one core system: its value codes (客户类型 01, 担保方式 00, 摘要 还本冲正, 五级分类
10 … 50, 核销标志 已核销), its journal and balances headers, and a small export folder in
GBK.  They are written once here, so each test states only what it is about (usually as
``MAPPING.replace(...)``); the figures stay worked out by hand in the tests.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportgen import api
from reportgen.ledger.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "sample_ledgers" / "core_export"
OWN = ROOT / "sample_ledgers" / "core_export_own"

# The core system's codes, [values.TABLE.COLUMN] → {code: reportgen's value}.
CORE_CODES: dict[str, dict[str, str]] = {
    "customers.customer_type": {"01": "corporate", "04": "individual"},
    "customers.enterprise_size": {"3": "small"},
    "loans.guarantee": {"00": "credit"},
    "transactions.type": {"放款": "disburse", "还本": "repay", "还本冲正": "reverse:repay",
                          "结息": "ignore"},
    "classifications.grade": {"10": "normal"},
}
GRADE_CODES = {"normal": "10", "special_mention": "20", "substandard": "30",
               "doubtful": "40", "loss": "50"}
WRITTEN_OFF = {"已核销": "true", "未核销": "false"}  # 核销标志
JOURNAL_COLUMNS = {"date": "交易日期", "type": "摘要", "amount": "发生额"}  # 流水
BALANCE_COLUMNS = {"loan_id": "贷款账号", "date": "数据日期", "balance": "贷款余额(万元)"}


def columns_toml(table: str, columns: dict[str, str]) -> str:
    """A ``[tables.TABLE.columns]`` table: reportgen's column name = the export's header."""
    return f"[tables.{table}.columns]\n" + "".join(
        f'{name} = "{title}"\n' for name, title in columns.items())


def codes_toml(codes: dict[str, dict[str, str]]) -> str:
    """``[values.TABLE.COLUMN]`` tables, each code = reportgen's value."""
    return "".join(f"[values.{key}]\n" + "".join(f'"{code}" = "{value}"\n'
                                                  for code, value in table.items())
                   for key, table in codes.items())


def with_codes(extra: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """``CORE_CODES`` with more codes added to its columns (or new columns)."""
    return {key: {**CORE_CODES.get(key, {}), **extra.get(key, {})}
            for key in {**CORE_CODES, **extra}}


# The export folder ``export`` writes: 客户, 借据 (a title row and a 合计 row, GBK), 流水 (GBK)
# and 分类 files dated by name, as ``MAPPING`` reads them.
CUSTOMERS = "客户编号,客户名称,客户类型,企业规模,行业代码\nKH01,甲公司,01,3,C3311\nKH02,张三,04,,\n"
LOANS = ("借据明细表\n借据号,客户编号,机构号,机构名称,客户经理工号,担保方式,合同金额,发放日期,"
         "到期日期,执行利率(%)\n"
         "JJ1,KH01,0101,城东支行,0107,00,1000.00,20261001,20271001,4.35%\n"
         "合计,,,,,,1000.00,,,\n")
CLASSES = "借据号,日期,五级分类,逾期起始日\nJJ1,20261001,10,\n"
MAPPING = '''
[source]
date_from_name = '_(?P<date>\\d{8})'
[tables.customers]
file = "客户_*.csv"
[tables.customers.columns]
customer_id = "客户编号"
customer_type = "客户类型"
industry = "行业代码"
[tables.loans]
file = "借据_*.csv"
header_row = 2
skip_first_cell = ["合计"]
[tables.loans.columns]
customer_id = "客户编号"
branch_id = "机构号"
branch = "机构名称"
account_manager = "客户经理工号"
contract_amount = "合同金额"
start_date = "发放日期"
maturity_date = "到期日期"
rate = "执行利率(%)"
[tables.transactions]
file = "流水_*.csv"
''' + columns_toml("transactions", JOURNAL_COLUMNS) + '''[tables.classifications]
file = "分类_*.csv"
''' + codes_toml(CORE_CODES)


def write_mapping(path: Path, text: str) -> Path:
    """A mapping file (UTF-8, as mapping.md asks) at ``path``."""
    path.write_text(text, encoding="utf-8")
    return path


def write_gbk_export(folder: Path, files: dict[str, list[str]], *, newline: str = "\n"
                     ) -> Path:
    """A folder of GBK CSV files, each given as its lines (``newline``: "\r\n" as Windows
    core systems write them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (folder / name).write_bytes((newline.join(lines) + newline).encode("gbk"))
    return folder


def export(folder: Path, journal: str, *, mapping: str = MAPPING, stamp: str = "20261031",
           loans: str = LOANS) -> tuple[Path, Path]:
    """An export folder (the journal in GBK, as core systems write it) and its mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"客户_{stamp}.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / f"借据_{stamp}.csv").write_bytes(loans.encode("gbk"))
    (folder / f"流水_{stamp}.csv").write_bytes(
        ("借据号,交易日期,摘要,发生额\n" + journal).encode("gbk"))
    (folder / f"分类_{stamp}.csv").write_text(CLASSES, encoding="utf-8")
    return folder, write_mapping(folder.parent / f"{folder.name}.toml", mapping)


def loans_workbook(folder: Path, mapping: Path, amount: object, *, footer: bool = False,
                   extra: str = "") -> None:
    """The export's loans as a workbook in place of its CSV, as a clerk keeps them: a title
    row, the header in row 2, loan JJ1 in row 3 with contract amount ``amount`` (and a 合计
    row under it with ``footer``); the mapping points at sheet 借据 (``extra``: more keys
    for that table)."""
    from openpyxl import Workbook

    (folder / "借据_20261031.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.title = "借据"
    sheet.append(["借据明细表"])
    sheet.append(["借据号", "客户编号", "机构号", "机构名称", "客户经理工号", "担保方式",
                  "合同金额", "发放日期", "到期日期", "执行利率(%)"])
    sheet.append(["JJ1", "KH01", "0101", "城东支行", "0107", "00", amount,
                  "20261001", "20271001", "4.35%"])
    if footer:
        sheet.append(["合计", None, None, None, None, None, amount])
    book.save(folder / "借据_20261031.xlsx")
    text = mapping.read_text(encoding="utf-8").replace(
        'file = "借据_*.csv"', f'file = "借据_*.xlsx"\nsheet = "借据"{extra}')
    mapping.write_text(text, encoding="utf-8")


def open_export(folder: Path, mapping: Path, **kw: date) -> api.Session:
    return api.open_ledger(folder, mapping=load_mapping(mapping), **kw)
