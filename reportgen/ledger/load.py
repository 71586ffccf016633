"""Files/sheets → one typed, column-oriented ``Ledger`` of integer codes and integer fen.

Text keys are factorised once here (customer and loan ids to row numbers, branches,
managers, products and groups to small integer codes): every later step works on integer
arrays, which is what makes a million loans cheap (library-notes: string keys are what is
slow).  Each table is parsed on its own first (``parsed``: a cell that does not parse is a
problem and a sentinel value); the validator adds the cross-row rules and raises with the
whole list.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from reportgen.errors import Problem
from reportgen.ledger import idkeys, parse, text_columns
from reportgen.ledger.digest import LateDigest
from reportgen.ledger.joins import factorise, lookup, lookup_repeated, sorted_codes
from reportgen.ledger.mapped import read_mapped
from reportgen.ledger.mapping import Mapping
from reportgen.ledger.parsed import Columns, parse_tables
from reportgen.ledger.problems import Problems
from reportgen.ledger.raw import RawLedger
from reportgen.ledger.read import read_raw
from reportgen.ledger.schema import JOURNAL_TABLES
from reportgen.progress import QUIET, Steps


@dataclass
class Ledger:
    """The whole ledger as numpy columns; codes index into the small lists beside them."""

    path: Path
    digest: str | LateDigest  # ``sha256``, made after the load for a folder
    customers: Columns
    loans: Columns
    transactions: Columns
    classifications: Columns
    bank_figures: Columns | None
    targets: Columns | None
    branches: list[str]
    managers: list[str]
    products: list[str]
    groups: list[str]
    problems: Problems
    # Rows a mapping leaves out on purpose (合计 rows, values mapped to ignore): per table,
    # why → how many; shown by ``validate``, never silently dropped.
    skipped: dict[str, dict[str, int]] = field(default_factory=dict)
    named_date: date | None = None  # the data date the export's file name gives, if any
    # Per manager code its name, per branch code its id (机构号): None where not given.
    manager_names: list[str | None] = field(default_factory=list)
    branch_ids: list[str | None] = field(default_factory=list)
    deposit_accounts: Columns | None = None  # optional deposits (assessment.md)
    deposit_balances: Columns | None = None
    deposit_managers: list[str] = field(default_factory=list)
    # A snapshot ledger (``balances`` instead of a journal): the table as read, and its
    # snapshot dates; ``transactions`` and ``classifications`` are then derived from it.
    balances: Columns | None = None
    snapshot_days: frozenset[date] | None = None

    @property
    def sha256(self) -> str:
        """SHA-256 over the ledger's files (the report's ``ledger_sha256``); a folder's is
        hashed after the load, and this waits for it."""
        return self.digest if isinstance(self.digest, str) else self.digest.hexdigest()

    def start_digest(self) -> None:
        """Hash the files now, on a thread (a report is being built of this ledger)."""
        if isinstance(self.digest, LateDigest):
            self.digest.start()

    @property
    def n_loans(self) -> int:
        return len(self.loans)

    @property
    def n_transactions(self) -> int:
        return len(self.transactions)

    @property
    def n_classifications(self) -> int:
        return len(self.classifications)


def _join_loans(journal: Columns, loans: Columns, problems: Problems) -> None:
    """Give each journal row its loan's row number, report the ids not in loans, and let
    go of the ids' text: ten million strings (about 200 MB) that nothing reads again."""
    loan = lookup(journal.text["loan_id"], loans.text["loan_id"])
    journal.values["loan"] = loan
    problems.add_mask(journal.source, "loan_id", (loan < 0) & ~journal["loan_id__blank"],
                      journal.rows, journal.text.pop("loan_id"), "no such loan_id in loans")


def load_ledger(path: Path, *, steps: Steps = QUIET, mapping: Mapping | None = None,
                raw: RawLedger | None = None) -> Ledger:
    """Read and parse a ledger; cell problems are collected in ``ledger.problems``.

    With a ``mapping`` the ledger is a bank's export read as the mapping file says
    (``mapped.py``); ``raw``, when given, is the ledger already read (from pandas frames:
    ledger/frames.py). The ``Ledger`` that comes out is the same either way.
    """
    # pyarrow imports pandas (if installed) on its first conversion of a Python value, with
    # the GIL held: about 0.35 s of CPU that would otherwise stall the two parsing threads.
    # Started now, it runs while Arrow's reader works in C++ without the GIL.
    threading.Thread(target=pa.scalar, args=(0,), name="pyarrow-pandas-shim",
                     daemon=True).start()
    with steps.step("reading ledger files"):
        if raw is None:
            raw = read_raw(path) if mapping is None else read_mapped(path, mapping)
    skipped = {name: dict(t.skipped) for name, t in raw.tables.items() if t.skipped}
    named_date = raw.named_date
    with steps.step("parsing columns"):
        parsed = parse_tables(raw)
    problems = Problems()
    for table in raw.tables.values():
        if table.renumber is not None:
            problems.renumber_later(table.source, table.renumber)
    for problem in raw.problems:  # a missing file, sheet or column comes first
        problems.add(problem)
    for _, cell_problems in parsed.values():
        problems.extend(cell_problems)
    if raw.problems or _mixed_kinds(raw, problems):  # stops the load before cross-table rules
        problems.raise_if_any()
    tables = {name: columns for name, (columns, _) in parsed.items()}
    sha256 = raw.sha256
    del raw, parsed  # the text as read (ten million amounts, dates, types): parsed now
    customers, loans = tables["customers"], tables["loans"]
    balances = tables.get("balances")
    snapshot_days = None
    if balances is not None:
        transactions, classifications, snapshot_days = _from_balances(balances, loans, problems)
    else:
        transactions, classifications = tables["transactions"], tables["classifications"]

    with steps.step("joining ids, coding text"):
        # The text codes need nothing from the joins: they are made on a second thread
        # meanwhile (Arrow's hashing and numpy release the GIL).  The deposit tables' join
        # (thirty million account ids at a million accounts) reads nothing the loans' join
        # writes: it runs beside both, its problems kept apart and added after the loans',
        # where they always stood.
        with ThreadPoolExecutor(max_workers=2) as coder:
            coded = coder.submit(_code_text, loans, customers)
            deposit_join = coder.submit(_join_deposits, tables, customers)
            loans.values["customer"] = lookup(loans.text["customer_id"],
                                               customers.text["customer_id"])
            for journal in (transactions, classifications):
                if balances is None:
                    _join_loans(journal, loans, problems)
            codes, (branches, managers, products, groups) = coded.result()
            deposit_problems, deposit_managers = deposit_join.result()
        loans.values.update(codes["loans"])
        customers.values.update(codes["customers"])
        problems.extend(deposit_problems)
        # Hand Arrow's freed memory (the CSV blocks, the join's tables, the journals' ids) back
        # now: the engine is about to allocate as much again, from numpy, and would otherwise
        # stack on top of pages Arrow's allocator keeps for a while (peak 1.9 GB, not 1.6).
        pa.default_memory_pool().release_unused()
    return Ledger(
        path=path,
        digest=sha256,
        customers=customers,
        loans=loans,
        transactions=transactions,
        classifications=classifications,
        bank_figures=tables.get("bank_figures"),
        targets=tables.get("targets"),
        branches=branches,
        managers=managers,
        products=products,
        groups=groups,
        problems=problems,
        skipped=skipped,
        named_date=named_date,
        manager_names=_beside(loans, "manager_code", len(managers), "account_manager_name"),
        branch_ids=_beside(loans, "branch_code", len(branches), "branch_id"),
        deposit_accounts=tables.get("deposit_accounts"),
        deposit_balances=tables.get("deposit_balances"),
        deposit_managers=deposit_managers,
        balances=balances,
        snapshot_days=snapshot_days,
    )


def _code_text(loans: Columns, customers: Columns
               ) -> tuple[dict[str, dict[str, np.ndarray]], tuple[list[str], ...]]:
    """Sorted codes of the loans' branches, managers and products and the customers'
    groups and ids: per table the new columns, and the four lists of names."""
    branch, branches = sorted_codes(loans.text["branch"])
    manager, managers = sorted_codes(loans.text["account_manager"])
    product, products = sorted_codes(loans.text["product"])
    group_codes, groups = sorted_codes(customers.text["group_id"])
    if groups and groups[0] == "":
        group_codes = group_codes - 1  # the blank group is code -1: "no group"
        groups = groups[1:]
    ids = factorise(customers.text["customer_id"])
    # The ids' order (ties of the largest customers): their digits when the ids have one
    # fixed form, as int64, else the sorted codes of the text (a sort of a million strings).
    rank = idkeys.order_keys(customers.text["customer_id"])
    columns = {
        "loans": {"branch_code": branch, "manager_code": manager, "product_code": product},
        "customers": {"group": group_codes,
                      "customer_id__codes": ids[1],  # for the duplicate check
                      "id_rank": rank if rank is not None else sorted_codes(
                          customers.text["customer_id"], ids)[0]},
    }
    return columns, (branches, managers, products, groups)


def _beside(loans: Columns, code: str, n: int, column: str) -> list[str | None]:
    """Per code (a manager, a branch), the first non-blank value of an optional column
    beside it (the manager's name, the branch's id): None where the ledger gives none."""
    if column not in loans.present or not n:
        return [None] * n
    text = loans.text[column]
    given = ~text_columns.blank_mask(text)
    codes = loans.values[code]
    rows = np.flatnonzero(given)
    found, first = np.unique(codes[rows], return_index=True)
    out: list[str | None] = [None] * n
    values = text.take(pa.array(rows[first])).to_pylist()
    for c, value in zip(found.tolist(), values, strict=True):
        out[c] = value
    return out


def _join_deposits(tables: dict[str, Columns], customers: Columns
                   ) -> tuple[Problems, list[str]]:
    """Code the deposit tables: each balance row gets its account's row (-1 and a problem
    when the account is unknown), each account its customer's row (-1 when the depositor
    borrows nothing: that is allowed) and its manager a code; returns the problems and
    the managers' names.

    Balances given without accounts (or accounts without balances) are a data error: the
    two tables only make sense together.
    """
    problems = Problems()
    accounts, balances = tables.get("deposit_accounts"), tables.get("deposit_balances")
    # The ids' runs (``_cleaned``): not a column of rows, so never left among them.
    runs = None if balances is None else balances.values.pop("account_id__runs", None)
    if accounts is None and balances is None:
        return problems, []
    if accounts is None or balances is None:
        have, missing = (("deposit_accounts", "deposit_balances") if balances is None
                         else ("deposit_balances", "deposit_accounts"))
        problems.add(Problem(f"{missing}.csv", None, None, None,
                             f"missing: {have} is given, and the two deposit tables "
                             "go together"))
        return problems, []
    accounts.values["customer"] = lookup(accounts.text["customer_id"],
                                          customers.text["customer_id"])
    accounts.values["manager_code"], managers = sorted_codes(accounts.text["account_manager"])
    account = lookup_repeated(balances.text["account_id"], accounts.text["account_id"], runs)
    balances.values["account"] = account
    problems.add_mask(balances.source, "account_id",
                      (account < 0) & ~balances["account_id__blank"], balances.rows,
                      # the ids' text is not read again: 30 million strings let go
                      balances.text.pop("account_id"), "no such account_id in deposit_accounts")
    return problems, managers


def _mixed_kinds(raw: RawLedger, problems: Problems) -> bool:
    """A snapshot table replaces the journal: a ledger with both is refused, since which
    one would count is not for the program to guess."""
    balances = raw.tables.get("balances")
    journal = [raw.tables[name].source for name in JOURNAL_TABLES if name in raw.tables]
    if balances is not None and journal:
        problems.add(Problem(balances.source, None, None, None,
                             "a ledger gives balances (借据余额, a snapshot ledger) instead of "
                             "transactions and classifications, not both; also found: "
                             + ", ".join(journal)))
        return True
    return False


def _from_balances(balances: Columns, loans: Columns, problems: Problems
                   ) -> tuple[Columns, Columns, frozenset[date]]:
    """A snapshot ledger's journal and state rows, derived from its balances table
    (``reportgen.ledger.snapshots``); its rules' problems join ``problems``."""
    from reportgen.ledger import snapshots  # it reads this module's columns

    values = balances.values
    text = balances.text["written_off"]
    values["written_off__flag"], values["written_off__flag_bad"] = snapshots.written_off(text)
    loan = lookup(balances.text["loan_id"], loans.text["loan_id"])
    problems.add_mask(balances.source, "loan_id", (loan < 0) & ~balances["loan_id__blank"],
                      balances.rows, balances.text["loan_id"], "no such loan_id in loans")
    usable, order = snapshots.check(values, loan, loans["start_date"], balances.source,
                             balances.rows, text, problems)
    derived = snapshots.derive(values, loan, usable, order, balances.rows)
    n_tx, n_cl = len(derived.tx_rows), len(derived.cl_rows)
    no = np.zeros(n_tx, dtype=bool)
    transactions = Columns(balances.source, derived.tx_rows,
                           derived.tx | {"amount__blank": no, "amount__bad": no},
                           present={"loan_id", "date", "type", "amount"})
    no = np.zeros(n_cl, dtype=bool)
    classifications = Columns(balances.source, derived.cl_rows,
                              derived.cl | {"overdue_since__blank": derived.cl["overdue_since"]
                                            == parse.NO_DATE, "overdue_since__bad": no},
                              present={"loan_id", "date", "grade", "overdue_since"})
    return transactions, classifications, derived.days

