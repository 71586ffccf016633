"""Every rule of the ledger format, on whole columns, all problems at once.

Cell problems (unparseable money, dates, enums, blanks) were collected while loading; this
module adds the rules that span cells, rows and tables: value ranges, uniqueness,
references and dates in order.  The rules that need the engine's sorted journal are in
``reportgen.journal_checks``.  Any error ends as ``LedgerError`` (exit 3) with file, row,
column and value.
Warnings (a live loan without a state row; a grade milder than its overdue days allow) are
returned and do not fail.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np

from reportgen.errors import UsageError
from reportgen.formatting import yuan
from reportgen.ledger.load import Ledger
from reportgen.ledger.parse import DECIMAL_SCALE, NO_DATE, days_to_dates
from reportgen.ledger.parsed import Columns
from reportgen.ledger.problems import Indexable, Problems
from reportgen.ledger.schema import CORPORATE, ENTERPRISE_SIZES, INDIVIDUAL, codes
from reportgen.periods import TARGET_PERIODS, parse_period


def _duplicates(values: np.ndarray) -> np.ndarray:
    """Mask of every occurrence after the first of a repeated value."""
    _, first = np.unique(values, return_index=True)
    mask = np.ones(len(values), dtype=bool)
    mask[first] = False
    return mask


def _repeated(codes: np.ndarray) -> np.ndarray:
    """``_duplicates`` for dense codes (``Columns.codes``), blanks (-1) left out; a column
    with as many distinct codes as values, the usual case, is settled without a sort."""
    present = codes >= 0
    if int(codes.max(initial=-1)) + 1 == int(np.count_nonzero(present)):
        return np.zeros(len(codes), dtype=bool)
    return _duplicates(codes) & present


def _range(problems: Problems, t: Columns, column: str, bad: np.ndarray, message: str,
           shown: Indexable | None = None) -> None:
    valid = ~t[f"{column}__blank"] & ~t[f"{column}__bad"]  # unparseable: reported already
    values = shown if shown is not None else t[column]
    problems.add_mask(t.source, column, bad & valid, t.rows, values, message)


class _Shown:
    """A column's values formatted for a message only when a problem shows one (a lazy
    sequence: formatting a million good values would cost more than the check)."""

    def __init__(self, values: np.ndarray, fmt: Callable[[int], str | None]) -> None:
        self.values = values
        self.fmt = fmt

    def __getitem__(self, i: int) -> str | None:
        return self.fmt(int(self.values[i]))


def _money_shown(values: np.ndarray) -> _Shown:
    return _Shown(values, yuan)


def _check_customers(problems: Problems, c: Columns) -> None:
    problems.add_mask(c.source, "customer_id",
                      _repeated(c.codes("customer_id")), c.rows,
                      c.text["customer_id"], "duplicate customer_id")
    corporate = c["customer_type"] == CORPORATE
    size_blank = c["enterprise_size__blank"]
    size = c["enterprise_size"]
    typed = c["customer_type"] >= 0
    problems.add_mask(c.source, "enterprise_size", corporate & size_blank, c.rows, None,
                      "required when customer_type is corporate")
    given = typed & ~corporate & (size >= 0)  # an unknown size was reported while parsing
    problems.add_mask(c.source, "enterprise_size", given, c.rows,
                      np.array((*codes(ENTERPRISE_SIZES), ""), dtype=object)[size],
                      "must be blank unless customer_type is corporate")
    individual = c["customer_type"] == INDIVIDUAL
    problems.add_mask(c.source, "industry", typed & ~individual & c["industry__blank"], c.rows,
                      None, "must not be blank (only an individual customer may have none)")
    credit = c["credit_line"]
    _range(problems, c, "credit_line", credit < 0, "must not be negative",
           _money_shown(credit))


def _check_loans(problems: Problems, loans: Columns) -> None:
    problems.add_mask(loans.source, "loan_id",
                      _repeated(loans.codes("loan_id")),
                      loans.rows, loans.text["loan_id"], "duplicate loan_id")
    problems.add_mask(loans.source, "customer_id",
                      (loans["customer"] < 0) & ~loans["customer_id__blank"], loans.rows,
                      loans.text["customer_id"], "no such customer_id in customers")
    amount = loans["contract_amount"]
    if (amount <= 0).any():
        _range(problems, loans, "contract_amount", amount <= 0, "must be greater than 0",
               _money_shown(amount))
    start, maturity = loans["start_date"], loans["maturity_date"]
    both = (start != NO_DATE) & (maturity != NO_DATE)
    problems.add_mask(loans.source, "maturity_date", both & (maturity <= start), loans.rows,
                      iso_days(maturity), "must be after start_date")
    rate = loans["rate"]
    _range(problems, loans, "rate", (rate < 0) | (rate >= 100 * DECIMAL_SCALE),
           "must be at least 0 and below 100 (percent)", _decimal_shown(rate))


def _iso_day(day: int) -> str | None:
    return None if day == NO_DATE else str(days_to_dates(np.array([day]))[0])


def iso_days(days: np.ndarray) -> _Shown:
    """Day numbers shown as ISO dates, lazily (a million state rows cost nothing when none
    of them is wrong)."""
    return _Shown(days, _iso_day)


def _decimal_text(value: int) -> str:
    """Millionths back to the decimal text a person typed (exact, via Decimal)."""
    return f"{Decimal(value).scaleb(-6).normalize():f}"


def _decimal_shown(values: np.ndarray) -> _Shown:
    return _Shown(values, _decimal_text)


def _check_transactions(problems: Problems, tx: Columns) -> None:
    amount = tx["amount"]
    if "reversal" in tx.values:  # a reversal was written positive: check it as written
        amount = np.where(tx["reversal"], -amount, amount)
    if (amount <= 0).any():
        _range(problems, tx, "amount", amount <= 0, "must be greater than 0",
               _money_shown(amount))


def _check_classifications(problems: Problems, cl: Columns) -> None:
    since, day = cl["overdue_since"], cl["date"]
    late = (since != NO_DATE) & (day != NO_DATE) & (since > day)
    problems.add_mask(cl.source, "overdue_since", late, cl.rows, iso_days(since),
                      "is after the row's date")


def _check_optional(problems: Problems, ledger: Ledger) -> None:
    figures = ledger.bank_figures
    if figures is not None and len(figures):
        amount = figures["amount"]
        if (amount < 0).any():
            _range(problems, figures, "amount", amount < 0, "must not be negative",
                   _money_shown(amount))
        key = figures["date"].astype(np.int64) * 8 + figures["item"]
        for name in ("branch_id", "branch"):  # a branch's own rows are other figures
            if name in figures.present:
                key = key * (int(figures.codes(name).max(initial=0)) + 2) + (
                    figures.codes(name) + 1)
        dated = (figures["date"] != NO_DATE) & (figures["item"] >= 0)  # else reported already
        problems.add_mask(figures.source, "date", _duplicates(key) & dated, figures.rows,
                          iso_days(figures["date"]), "a second row for the same item and date")
    targets = ledger.targets
    if targets is not None and len(targets):
        periods = targets["period"]
        distinct, index = np.unique(periods.astype(str), return_inverse=True)
        kinds = np.array([_period_kind(p) for p in distinct.tolist()], dtype=object)[index]
        problems.add_mask(targets.source, "period", (kinds == "") & (periods != ""),
                          targets.rows, periods, "not a year, quarter or month id, nor a "
                          "half-year id (e.g. 2026, 2026-Q4, 2026-10, 2026-H1)")
        value = targets["target"]
        _range(problems, targets, "target", value < 0, "must not be negative",
               _decimal_shown(value))
        counts = targets["metric"] == 2
        _range(problems, targets, "target", counts & (value % DECIMAL_SCALE != 0),
               "new_customers needs a whole number", _decimal_shown(value))
        _range(problems, targets, "target", counts & targets["target__currency"],
               "new_customers is a count, not money", _decimal_shown(value))
        money = (targets["metric"] >= 0) & ~counts
        _range(problems, targets, "target", money & (value % (DECIMAL_SCALE // 100) != 0),
               "money has at most 2 decimals", _decimal_shown(value))


def _check_deposits(problems: Problems, ledger: Ledger) -> None:
    """存款: one row per account, balances ≥ 0, one balance row per (account, date)."""
    accounts, balances = ledger.deposit_accounts, ledger.deposit_balances
    if accounts is not None and len(accounts):
        problems.add_mask(accounts.source, "account_id", _repeated(accounts.codes("account_id")),
                          accounts.rows, accounts.text["account_id"], "duplicate account_id")
    if balances is None or not len(balances):
        return
    amount = balances["balance"]
    if (amount < 0).any():
        _range(problems, balances, "balance", amount < 0, "must not be negative",
               _money_shown(amount))
    if "account" not in balances.values:  # accounts missing: reported by the loader
        return
    account, day = balances["account"], balances["date"]
    dated = (account >= 0) & (day != NO_DATE)
    if bool(dated.all()) and (_pairs_ascending(account, day) or _pairs_ascending(day, account)):
        return  # an export in (account, date) or (date, account) order: no sort needed
    account, day = account.astype(np.int64), day.astype(np.int64)
    key = np.where(dated, account * (1 << 32) + day, -1 - np.arange(len(day)))
    problems.add_mask(balances.source, "date", _duplicates(key) & dated, balances.rows,
                      iso_days(day), "a second balance row for the same account and date")


def _pairs_ascending(major: np.ndarray, minor: np.ndarray) -> bool:
    """The pairs (major, minor) strictly ascending: then no pair repeats.  Compared on
    the int32 columns as they are, without a 64-bit key: at thirty million balance rows
    each int64 copy costs 250 MB (the check took 1.2 s of CPU that way, 0.3 s now)."""
    if major.size < 2:
        return True
    before, after = major[:-1], major[1:]
    if not bool((after >= before).all()):  # an export in the other order stops here
        return False
    return bool(((after > before) | (minor[1:] > minor[:-1])).all())


def _period_kind(period_id: str) -> str:
    try:  # parse, not just match the form: 2026-13 has the form of a month
        kind = parse_period(period_id).report
    except UsageError:
        return ""
    return kind if kind in TARGET_PERIODS else ""


def validate_ledger(ledger: Ledger, problems: Problems | None = None) -> Problems:
    """Check every rule that needs no engine; the problems join ``ledger.problems``.

    The rules that read the journal in (loan, day) order (a second state row for one
    day, a balance below zero, a disbursement before the loan's start) live in
    ``reportgen.journal_checks``, above the engine; the caller raises once both ran, so
    the user still sees every problem at once.  Warnings are not computed here: they
    belong to a date (a report's as-of date, or the ledger's data date for ``validate``),
    and ``metrics.warnings.data_warnings`` gives them for the one asked.

    ``problems``: where the problems go (returned); by default ``ledger.problems``.  A
    separate list lets the rules run beside the engine's set-up (``api.open_ledger``),
    which reads ``ledger.problems`` to know whether every journal row is usable.
    """
    if problems is None:
        problems = ledger.problems
    _check_customers(problems, ledger.customers)
    _check_loans(problems, ledger.loans)
    _check_transactions(problems, ledger.transactions)
    _check_classifications(problems, ledger.classifications)
    _check_optional(problems, ledger)
    _check_deposits(problems, ledger)
    return problems
