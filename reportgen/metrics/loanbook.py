"""借据明细: every live loan on D with its attributes, balance, grade and overdue days.

Column-oriented (``LoanBook``), built with array indexing only, so a million-loan ledger
costs a few array copies rather than a million objects.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.ledger.parse import DECIMAL_SCALE, days_to_dates
from reportgen.ledger.schema import GRADE_CODES, GUARANTEES, INDUSTRIES, codes
from reportgen.metrics.context import Context, text_at
from reportgen.model import LoanBook, TextColumn


def loan_book(ctx: Context) -> LoanBook:
    """The live loans on D in loan id order; the text columns stay Arrow (``TextColumn``):
    asking the ledger for them as numpy would turn each of its million cells into a
    ``str`` kept for the rest of the run."""
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    idx = np.flatnonzero(ctx.d.live)
    ids = text_at(loans, "loan_id", idx)
    order = pc.sort_indices(ids).to_numpy()  # stable; UTF-8 byte order is code point order
    idx = idx[order]
    cust = ctx.loan_customer[idx]
    grade_codes = np.array(GRADE_CODES, dtype=object)
    guarantee_codes = np.array((*codes(GUARANTEES), ""), dtype=object)
    industry_codes = np.array((*codes(INDUSTRIES), ""), dtype=object)
    return LoanBook(
        loan_id=TextColumn(ids.take(pa.array(order))),
        customer_id=TextColumn(text_at(customers, "customer_id", cust)),
        customer_name=TextColumn(text_at(customers, "customer_name", cust)),
        branch=TextColumn(text_at(loans, "branch", idx)),
        account_manager=TextColumn(text_at(loans, "account_manager", idx)),
        product=TextColumn(text_at(loans, "product", idx)),
        guarantee=guarantee_codes[loans["guarantee"][idx]].tolist(),
        industry=industry_codes[customers["industry"][cust]].tolist(),
        contract_amount=loans["contract_amount"][idx],
        start_date=days_to_dates(loans["start_date"][idx]),
        maturity_date=days_to_dates(loans["maturity_date"][idx]),
        rate=loans["rate"][idx] / DECIMAL_SCALE,
        balance=ctx.d.balance[idx],
        grade=grade_codes[ctx.d.grade[idx]].tolist(),
        overdue_days=ctx.d.overdue_days[idx],
    )
