"""借据明细: every live loan on D with its attributes, balance, grade and overdue days.

Column-oriented (``LoanBook``), built with array indexing only, so a million-loan ledger
costs a few array copies rather than a million objects.
"""

from __future__ import annotations

import numpy as np

from reportgen.ledger.parse import DECIMAL_SCALE, days_to_dates
from reportgen.ledger.schema import GRADE_CODES, GUARANTEES, INDUSTRIES, codes
from reportgen.metrics.context import Context
from reportgen.model import LoanBook


def loan_book(ctx: Context) -> LoanBook:
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    idx = np.flatnonzero(ctx.d.live)
    idx = idx[np.argsort(loans["loan_id"][idx].astype(str), kind="stable")]
    cust = ctx.loan_customer[idx]
    grade_codes = np.array(GRADE_CODES, dtype=object)
    guarantee_codes = np.array((*codes(GUARANTEES), ""), dtype=object)
    industry_codes = np.array((*codes(INDUSTRIES), ""), dtype=object)
    return LoanBook(
        loan_id=loans["loan_id"][idx].tolist(),
        customer_id=customers["customer_id"][cust].tolist(),
        customer_name=customers["customer_name"][cust].tolist(),
        branch=loans["branch"][idx].tolist(),
        account_manager=loans["account_manager"][idx].tolist(),
        product=loans["product"][idx].tolist(),
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
