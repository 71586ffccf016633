"""The ledger rules that read the journal in (loan, day) order, checked on the engine.

They sit above the engine (ledger → engine → journal checks), not in ``ledger/validate``:
a lower layer never reaches up.  Each works on the engine's sorted keys, so it costs a few
passes over arrays the engine built anyway; the problems join ``ledger.problems`` next to
the validator's, and the caller raises once with all of them.
"""

from __future__ import annotations

import numpy as np

from reportgen.daykeys import key_days, key_loans
from reportgen.engine import Engine
from reportgen.formatting import yuan
from reportgen.ledger.parse import NO_DATE
from reportgen.ledger.problems import Problems
from reportgen.ledger.schema import DISBURSE, TX_TYPES, codes
from reportgen.ledger.validate import _Shown, iso_days

TX_TYPE_CODES = codes(TX_TYPES)


def check_journal(engine: Engine) -> None:
    """Add the journal's problems to ``engine.ledger.problems`` (does not raise)."""
    ledger = engine.ledger
    problems = ledger.problems
    _check_state_rows(problems, engine, ledger.classifications.source)
    _check_negative_balance(problems, engine, ledger.transactions.source)
    _check_disbursed_before_start(problems, engine)
    _check_reversals(problems, engine, ledger.transactions.source)


def _check_reversals(problems: Problems, engine: Engine, source: str) -> None:
    """A reversal (冲正) that makes a loan's cumulative flow of its type negative at the end
    of any day reverses more than was ever booked: reported at that day's last row."""
    if engine.type_row is None:
        return
    for t, (keys, cum, rows) in enumerate(zip(engine.type_key, engine.type_cum,
                                              engine.type_row, strict=True)):
        if not len(keys):
            continue
        loans = key_loans(keys)
        starts = np.ones(len(keys), dtype=bool)
        starts[1:] = loans[1:] != loans[:-1]
        first = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
        running = cum[1:] - cum[first]
        end_of_day = np.ones(len(keys), dtype=bool)
        end_of_day[:-1] = keys[1:] != keys[:-1]
        negative = end_of_day & (running < 0)
        if negative.any():
            shown = _Shown(running, lambda v: f"cumulative {yuan(v)}")
            problems.add_mask(source, "amount", negative, rows, shown,
                              f"a reversal makes the loan's {TX_TYPE_CODES[t]} flow "
                              "negative (it reverses more than was booked)")


def _check_state_rows(problems: Problems, engine: Engine, source: str) -> None:
    same = np.flatnonzero(engine.cl_key[1:] == engine.cl_key[:-1]) + 1
    mask = np.zeros(len(engine.cl_key), dtype=bool)
    mask[same] = True
    problems.add_mask(source, "date", mask, engine.cl_row, iso_days(engine.cl_day),
                      "a second state row for the same loan_id and date")


def _check_negative_balance(problems: Problems, engine: Engine, source: str) -> None:
    """A balance below zero at the end of any day: reported once per loan, at its first day."""
    if not len(engine.tx_key):
        return
    end_of_day = np.ones(len(engine.tx_key), dtype=bool)
    end_of_day[:-1] = engine.tx_key[1:] != engine.tx_key[:-1]
    running = engine.cum_principal[engine.tx_first[engine.tx_loan]]  # the loan's start
    np.subtract(engine.cum_principal[1:], running, out=running)  # in place: 80 MB less
    negative = end_of_day & (running < 0)
    if not negative.any():
        return
    hits = np.flatnonzero(negative)
    _, first_per_loan = np.unique(engine.tx_loan[hits], return_index=True)
    mask = np.zeros(len(running), dtype=bool)
    mask[hits[first_per_loan]] = True
    shown = np.full(len(running), None, dtype=object)
    ids = engine.ledger.loans.text["loan_id"]  # Arrow: only the shown ids become str
    for i in np.flatnonzero(mask)[:100].tolist():
        shown[i] = f"{ids[int(engine.tx_loan[i])]} balance {yuan(int(running[i]))}"
    problems.add_mask(source, "amount", mask, engine.tx_row, shown,
                      "the loan's balance goes below zero at the end of this day")


def _check_disbursed_before_start(problems: Problems, engine: Engine) -> None:
    """A disbursement dated before its loan's start_date: money out before the loan
    exists, which would make the loan live (and counted) before its start.

    The engine's disbursement keys (one row per disbursement, about one per loan) are
    enough to find whether any loan has one; only then are the journal's rows searched,
    to name each offending row.
    """
    keys = engine.type_key[DISBURSE]
    start = engine.ledger.loans["start_date"]
    if not len(keys) or not len(start):
        return
    early = key_days(keys, np.int32) < start[key_loans(keys)]  # NO_DATE: never later
    if not early.any():
        return
    tx = engine.ledger.transactions
    loan, day = tx["loan"], tx["date"]
    known = loan >= 0
    loan_start = np.where(known, start[np.where(known, loan, 0)], NO_DATE)
    mask = ((tx["type"] == DISBURSE) & known & (day != NO_DATE) & (loan_start != NO_DATE)
            & (day < loan_start))
    problems.add_mask(tx.source, "date", mask, tx.rows, iso_days(day),
                      "a disbursement dated before its loan's start_date")
