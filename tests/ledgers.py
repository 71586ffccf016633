"""Small ledgers written inside tests: CSV text in, a ledger folder out.

Tests state their ledger as text so the expected figures can be worked out by hand from
what is on the page.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

CUSTOMERS_HEADER = "customer_id,customer_name,customer_type,enterprise_size,industry,credit_line,group_id,id_number"
LOANS_HEADER = "loan_id,customer_id,branch,account_manager,product,guarantee,contract_amount,start_date,maturity_date,rate"
TX_HEADER = "loan_id,date,type,amount"
CL_HEADER = "loan_id,date,grade,overdue_since"


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
    for name, content in files.items():
        (folder / name).write_bytes(content.encode(encoding))
    return folder
