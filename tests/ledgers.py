"""Small ledgers written inside tests: CSV text in, a ledger folder out.

Tests state their ledger as text so the expected figures can be worked out by hand from
what is on the page.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

CUSTOMERS_HEADER = ("customer_id,customer_name,customer_type,enterprise_size,industry,"
                    "credit_line,group_id,id_number")
LOANS_HEADER = ("loan_id,customer_id,branch,account_manager,product,guarantee,contract_amount,"
                "start_date,maturity_date,rate")
TX_HEADER = "loan_id,date,type,amount"
CL_HEADER = "loan_id,date,grade,overdue_since"
DEPOSIT_ACCOUNTS_HEADER = "account_id,customer_id,branch,account_manager,kind"


def _csv(header: str, body: str) -> str:
    body = textwrap.dedent(body).strip("\n")
    return header + "\n" + (body + "\n" if body else "")


def write_ledger(
    folder: Path,
    *,
    customers: str,
    loans: str,
    transactions: str,
    classifications: str = "",
    bank_figures: str | None = None,
    targets: str | None = None,
    encoding: str = "utf-8",
    deposit_accounts: str | None = None,
    deposit_balances: str | None = None,
) -> Path:
    """Write the given rows (without headers) as a ledger folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "customers.csv": _csv(CUSTOMERS_HEADER, customers),
        "loans.csv": _csv(LOANS_HEADER, loans),
        "transactions.csv": _csv(TX_HEADER, transactions),
        "classifications.csv": _csv(CL_HEADER, classifications),
    }
    if bank_figures is not None:
        files["bank_figures.csv"] = _csv("date,item,amount", bank_figures)
    if targets is not None:
        files["targets.csv"] = _csv("account_manager,period,metric,target", targets)
    if deposit_accounts is not None:
        files["deposit_accounts.csv"] = _csv(DEPOSIT_ACCOUNTS_HEADER, deposit_accounts)
    if deposit_balances is not None:
        files["deposit_balances.csv"] = _csv("account_id,date,balance", deposit_balances)
    for name, content in files.items():
        (folder / name).write_bytes(content.encode(encoding))
    return folder


# -- the same ledger in other shapes: Chinese headers/labels, GB18030, one workbook ----------

Tables = dict[str, tuple[list[str], list[list[str]]]]  # table → (English header, rows)


def read_tables(folder: Path) -> Tables:
    """A ledger folder written by ``write_ledger`` (UTF-8, English headers) as rows of text."""
    import csv

    from reportgen.ledger.schema import TABLES

    tables: Tables = {}
    for table in TABLES:
        path = folder / f"{table.name}.csv"
        if path.exists():
            rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
            tables[table.name] = (rows[0], [r for r in rows[1:] if r])
    return tables


def to_chinese(tables: Tables) -> Tables:
    """The same tables with Chinese column aliases and Chinese enum labels."""
    from reportgen.ledger.schema import TABLES, Kind

    out: Tables = {}
    for table in TABLES:
        if table.name not in tables:
            continue
        header, rows = tables[table.name]
        columns = [table.column(h) for h in header]
        new_rows = []
        for row in rows:
            cells = []
            for column, cell in zip(columns, row, strict=True):
                if column.kind is Kind.ENUM and cell.strip():
                    labels = {code.lower(): label for code, label in column.enum} | {
                        label.lower(): label for _, label in column.enum}
                    cells.append(labels[cell.strip().lower()])
                else:
                    cells.append(cell)
            new_rows.append(cells)
        out[table.name] = ([c.alias for c in columns], new_rows)
    return out


def write_tables(folder: Path, tables: Tables, *, encoding: str = "utf-8") -> Path:
    """Write tables as CSV files (quoted where needed) in ``encoding``."""
    import csv
    import io

    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        (folder / f"{name}.csv").write_bytes(buffer.getvalue().encode(encoding))
    return folder


def write_workbook(path: Path, tables: Tables, *, chinese_sheets: bool = False,
                   typed: bool = True) -> Path:
    """Write tables as one .xlsx; with ``typed``, dates are Excel date cells and money,
    rates and targets numeric cells (what a person's workbook holds)."""
    from datetime import date
    from decimal import Decimal

    from openpyxl import Workbook

    from reportgen.ledger.schema import TABLES, Kind

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in TABLES:
        if table.name not in tables:
            continue
        header, rows = tables[table.name]
        by_title = {c.name: c for c in table.columns} | {c.alias: c for c in table.columns}
        kinds = [by_title[h].kind if h in by_title else Kind.TEXT for h in header]
        sheet = workbook.create_sheet(table.sheet_alias if chinese_sheets else table.name)
        sheet.append(header)
        for row in rows:
            cells: list[object] = []
            for kind, cell in zip(kinds, row, strict=True):
                text = cell.strip()
                value: object = cell if cell != "" else None
                try:  # a value that does not parse stays text, as in a person's workbook
                    if typed and text and kind is Kind.DATE:
                        value = date.fromisoformat(text.replace("/", "-"))
                    elif typed and text and kind in (Kind.MONEY, Kind.DECIMAL):
                        number = Decimal(text.lstrip("¥￥").replace(",", ""))
                        value = int(number) if number == number.to_integral_value() else (
                            float(number))
                except (ValueError, ArithmeticError):
                    pass
                cells.append(value)
            sheet.append(cells)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, even for text starting with "="
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    workbook.save(path)
    return path
