"""The exact reduce: the parts' per-loan notes joined into one engine the metrics read.

A part's loans and customers keep the original file's row numbers, so sorting the joined
rows by them gives back the order of the unsplit ledger: every per-loan array (a snapshot,
a flow) is the parts' arrays concatenated and put in that order, and the metrics then see
exactly the arrays a one-part run computes.  Sums, counts, top-N lists, group sums,
ratios and listings are therefore those of the one-part run, byte for byte, with no
reducer per section.  What is not per loan is merged by its own rule: the code lists
(branches, managers, products, groups) as the sorted union with each part's codes
remapped; the daily book totals added day by day; the period's disbursements re-sorted by
(loan, day); the live-contract flips likewise, then summed per customer as the engine does;
a snapshot ledger's dates as their union.  Deposit accounts are joined like loans, by their
row in the accounts file (parts/deposits.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from reportgen.daykeys import DAY_BITS, EPOCH, loan_day_keys
from reportgen.engine import Engine, Snapshot
from reportgen.errors import LedgerError, Problem
from reportgen.ledger.joins import sorted_codes
from reportgen.ledger.load import Ledger
from reportgen.ledger.parsed import Columns
from reportgen.ledger.problems import Problems
from reportgen.ledger.schema import CUSTOMERS, LOANS
from reportgen.metrics.daily import DailyTotals
from reportgen.parts.compute import PartFigures
from reportgen.parts.deposits import MissingAnswerError as PartsMissingAnswerError
from reportgen.parts.deposits import ReducedDepositBook
from reportgen.parts.text import PartColumns, PartText, PartTexts


def _order(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(order, position): joined[order] is in original row order; position[j] is where the
    j-th joined record lands."""
    joined = np.concatenate(rows) if rows else np.zeros(0, np.int32)
    order = np.argsort(joined, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    return order, position


def _join(parts: list[Columns], order: np.ndarray,
          remap: dict[str, list[np.ndarray]], text: PartColumns | None = None,
          text_names: list[str] | tuple[str, ...] = ()) -> Columns:
    """The parts' columns as one table in original order; ``remap`` gives, per coded
    column, each part's code → global code array; the ``text_names`` columns are read
    from the parts' files when asked (``text``: parts/text.py), not held."""
    first = parts[0]
    values: dict[str, np.ndarray] = {}
    for name in list(first.values):
        if name in first.text or name.endswith("__codes"):
            continue  # rebuilt from the text on first use
        arrays = [c.values[name] for c in parts]
        if name in remap:
            arrays = [m[a] if len(a) else a.astype(m.dtype)
                      for m, a in zip(remap[name], arrays, strict=True)]
        values[name] = np.concatenate(arrays)[order]
        del arrays
        for c in parts:  # each part's copy goes as soon as it is joined
            c.values.pop(name, None)
    lazy: dict[str, PartText] = ({name: PartText(text, name) for name in text_names}
                                 if text is not None else {})
    # Where the loader keeps a text column: as numpy on use (``Columns.__getitem__``,
    # which ``text_at`` prefers) and as Arrow; a ``PartText`` answers both ways.
    values.update(lazy)  # type: ignore[arg-type]
    rows = np.concatenate([c.rows for c in parts])[order]
    present = set().union(*(c.present for c in parts))
    joined = Columns(first.source, rows, values, present, PartTexts(lazy))
    for c in parts:  # the parts' copies go (their rows stay: ``len`` of a part)
        c.release()
    return joined


def _beside(parts: list[PartFigures], column: str, remap: list[np.ndarray], n: int
            ) -> list[str | None]:
    """Per code, the value of ``column`` beside it on the earliest loan row of the whole
    ledger that gives one (each part gave its earliest per code): ``load._beside``'s
    rule without the column's text on the client."""
    codes, rows, values = [], [], []
    for part, mapping in zip(parts, remap, strict=True):
        if column in part.beside:
            found, first, given = part.beside[column]
            codes.append(mapping[found] if len(found) else found)
            rows.append(first)
            values.extend(given)
    out: list[str | None] = [None] * n
    if not values:
        return out
    code, row = np.concatenate(codes), np.concatenate(rows)
    earliest = np.lexsort((row, code))  # by code, then row
    code = code[earliest]
    keep = earliest[np.r_[True, code[1:] != code[:-1]]]
    for c, i in zip(np.concatenate(codes)[keep].tolist(), keep.tolist(), strict=True):
        out[c] = values[i]
    return out


def _code_map(lists: list[list[str]]) -> tuple[list[str], list[np.ndarray]]:
    union = sorted(set().union(*lists))
    at = {name: i for i, name in enumerate(union)}
    return union, [np.array([at[n] for n in names] or [0], dtype=np.int32) for names in lists]


def _daily(parts: list[DailyTotals]) -> DailyTotals:
    """Daily totals added across parts: each part's running sums padded to the union of
    days (0 before its first day, its last sum after its last)."""
    used = [d for d in parts if d.amount.shape[1] > 1] or parts[:1]
    first = min(d.first_day for d in used)
    span = max(d.first_day + d.amount.shape[1] for d in used) - first
    amount = np.zeros((used[0].amount.shape[0], span), np.int64)
    count = np.zeros_like(amount)
    for d in used:
        lo = d.first_day - first
        hi = lo + d.amount.shape[1]
        amount[:, lo:hi] += d.amount
        amount[:, hi:] += d.amount[:, -1:]
        count[:, lo:hi] += d.count
        count[:, hi:] += d.count[:, -1:]
    return DailyTotals(first, amount, count)


class ReducedEngine(Engine):
    """An ``Engine`` that answers from the parts' notes (per-loan arrays in original loan
    order); asked anything no part noted, it fails loudly rather than guess."""

    def __init__(self, parts: list[PartFigures], path: Path, sha256: str) -> None:
        # The journal is not here: no Engine.__init__, only the answers.
        loan_order, loan_position = _order([p.loans.rows for p in parts])
        customer_order, customer_position = _order([p.customers.rows for p in parts])
        offsets_l = np.cumsum([0] + [len(p.loans) for p in parts])
        offsets_c = np.cumsum([0] + [len(p.customers) for p in parts])
        self._loan_of = [loan_position[offsets_l[i]:offsets_l[i + 1]].astype(np.int64)
                         for i in range(len(parts))]
        branches, branch_map = _code_map([p.branches for p in parts])
        managers, manager_map = _code_map([p.managers for p in parts])
        products, product_map = _code_map([p.products for p in parts])
        groups, group_map = _code_map([p.groups for p in parts])
        customer_map = [customer_position[offsets_c[i]:offsets_c[i + 1]].astype(np.int32)
                        for i in range(len(parts))]
        sizes_l, sizes_c = [len(p.loans) for p in parts], [len(p.customers) for p in parts]
        loan_text = PartColumns([Path(p.path) / f"{LOANS.name}.parquet" for p in parts],
                                LOANS, loan_order, sizes_l)
        customer_text = PartColumns([Path(p.path) / f"{CUSTOMERS.name}.parquet"
                                     for p in parts], CUSTOMERS, customer_order, sizes_c)
        loans = _join([p.loans for p in parts], loan_order, {
            "branch_code": branch_map, "manager_code": manager_map,
            "product_code": product_map, "customer": customer_map},
            loan_text, parts[0].text_columns[0])
        group_map = [np.append(m, -1).astype(np.int32) for m in group_map]  # -1 stays -1
        customers = _join([p.customers for p in parts], customer_order, {"group": group_map},
                          customer_text, parts[0].text_columns[1])
        self.text_sources = (loan_text, customer_text)
        # The ids' rank needs every id once: read, ranked, let go.
        customers.values["id_rank"] = sorted_codes(customer_text.whole("customer_id"))[0]
        first = parts[0]
        empty = np.zeros(0, np.int32)
        dated = [p.snapshot_days for p in parts if p.snapshot_days is not None]
        snapshot_days = frozenset[date]().union(*dated) if dated else None
        self.ledger = Ledger(
            path=path, digest=sha256, customers=customers, loans=loans,
            transactions=Columns(first.journal_source, empty),
            classifications=Columns(first.loans.source, empty),
            bank_figures=first.bank_figures, targets=first.targets,
            branches=branches, managers=managers, products=products, groups=groups,
            problems=Problems(),
            manager_names=_beside(parts, "account_manager_name", manager_map,
                                  len(managers)),
            branch_ids=_beside(parts, "branch_id", branch_map, len(branches)),
            # A snapshot ledger's table as read is released after the load, as in one
            # process: only that there was one (and its dates) is read from here on.
            balances=None if snapshot_days is None else Columns(first.journal_source, empty),
            snapshot_days=snapshot_days)
        self.n_loans = len(loans)
        self.loan_index = np.arange(self.n_loans, dtype=np.int64)
        self.memo = {("daily_totals",): _daily([p.daily for p in parts])}
        book = self._deposits(parts, customer_map)
        if book is not None:  # what ``metrics.deposits.deposit_book`` reads
            self.memo[("deposit_book",)] = book
        self._parts = parts
        self._loan_order = loan_order
        self._snapshots: dict[date, Snapshot] = {}
        self._flow_cache: dict[tuple[int, date, date], np.ndarray] = {}
        self._answers: dict[tuple[object, ...], np.ndarray] = {}
        self._balance_keys, self._balance_values = self._balances()
        days = [p.last_day for p in parts if p.last_day is not None]
        self._last_day = max(days) if days else None
        firsts = [p.first_day for p in parts if p.first_day is not None]
        self._first_day = min(firsts) if firsts else None
        self._has_journal = any(p.has_journal for p in parts)
        self.pids = sorted({p.pid for p in parts})

    def _deposits(self, parts: list[PartFigures], customer_map: list[np.ndarray]
                  ) -> ReducedDepositBook | None:
        """The deposit accounts joined in original order (their managers' codes remapped to
        the sorted union, their customers to the joined customers' rows, −1 kept) and the
        book that answers from the parts' per-account notes."""
        deposits = [p.deposits for p in parts]
        if any(d is None for d in deposits):
            return None
        found = [d for d in deposits if d is not None]
        order, _ = _order([d.accounts.rows for d in found])
        names, manager_map = _code_map([d.managers for d in found])
        accounts = _join([d.accounts for d in found], order, {
            "manager_code": manager_map,
            "customer": [np.append(m, -1).astype(np.int32) for m in customer_map]})
        self.ledger.deposit_accounts = accounts
        self.ledger.deposit_balances = Columns(found[0].accounts.source, np.zeros(0, np.int32))
        self.ledger.deposit_managers = names
        firsts = [d.first_day for d in found if d.first_day is not None]
        return ReducedDepositBook(
            accounts["kind"].astype(np.int64), accounts["manager_code"].astype(np.int64),
            accounts["customer"].astype(np.int64), [d.per_account for d in found], order,
            min(firsts) if firsts else None)

    # -- joining per-loan answers ----------------------------------------------------------
    def _answer(self, key: tuple[object, ...]) -> np.ndarray:
        """The parts' per-loan answer to ``key`` joined in loan order (once; each part's
        copy goes as it is joined)."""
        if key not in self._answers:
            self._answers[key] = self._per_loan(
                [p.per_loan.pop(key, None) for p in self._parts], key)
        return self._answers[key]

    def _per_loan(self, arrays: list[np.ndarray | None], what: object) -> np.ndarray:
        for part, array in zip(self._parts, arrays, strict=True):
            if array is None and len(part.loans):
                raise PartsMissingAnswerError(f"no part computed {what!r}")
        joined = np.concatenate([a for a in arrays if a is not None]) if any(
            a is not None for a in arrays) else np.zeros(0, np.int64)
        return joined[self._loan_order]

    def snapshots(self, days: list[date]) -> list[Snapshot]:
        for day in days:
            if day not in self._snapshots:
                # Taken out of the parts as joined: each day's arrays exist once.
                got = [p.snapshots.pop(day, None) for p in self._parts]
                if all(s is None for s in got):
                    raise PartsMissingAnswerError(f"no part computed the snapshot of {day}")
                fields = ("balance", "live", "grade", "overdue_days", "has_state")
                joined = {f: self._per_loan([None if s is None else getattr(s, f)
                                             for s in got], (day, f)) for f in fields}
                self._snapshots[day] = Snapshot(day, **joined)
        return [self._snapshots[day] for day in days]

    def balance(self, day: date) -> np.ndarray:
        return self.snapshot(day).balance

    def flow(self, tx_type: int, start: date, end: date) -> np.ndarray:
        out = self._answer(("flow", tx_type, start, end))
        out.setflags(write=False)
        return out

    def disburse_count(self, start: date, end: date) -> np.ndarray:
        return self._answer(("disburse_count", start, end))

    def day_sums(self, start: date, end: date) -> np.ndarray:
        return self._answer(("day_sums", start, end))

    def state(self, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        grade, since, has = (self._answer(("state", day, i)) for i in range(3))
        return grade, since, has

    def transactions_in(self, tx_type: int, start: date, end: date
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = (tx_type, start, end)
        loans, days, amounts = [], [], []
        for part, loan_of in zip(self._parts, self._loan_of, strict=True):
            if key not in part.transactions:
                if len(part.loans):
                    raise PartsMissingAnswerError(f"no part listed the transactions {key!r}")
                continue
            loan, day, amount = part.transactions[key]
            loans.append(loan_of[loan])
            days.append(day)
            amounts.append(amount)
        if not loans:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        loan, day, amount = (np.concatenate(x) for x in (loans, days, amounts))
        order = np.argsort(loan_day_keys(loan, day), kind="stable")  # the engine's order
        return loan[order], day[order], amount[order]

    def _balances(self) -> tuple[np.ndarray, np.ndarray]:
        keys, values = [], []
        for part, loan_of in zip(self._parts, self._loan_of, strict=True):
            loan = part.balance_keys >> DAY_BITS
            day_bits = part.balance_keys - (loan << DAY_BITS)
            keys.append((loan_of[loan] << DAY_BITS) + day_bits)
            values.append(part.balance_values)
        key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        order = np.argsort(key, kind="stable")
        return key[order], (np.concatenate(values) if values else np.zeros(0, np.int64))[order]

    def balances(self, loans: np.ndarray, days: np.ndarray) -> np.ndarray:
        wanted = loan_day_keys(loans, days)
        at = np.minimum(np.searchsorted(self._balance_keys, wanted), len(self._balance_keys) - 1)
        if len(wanted) and (not len(self._balance_keys)
                            or not bool((self._balance_keys[at] == wanted).all())):
            raise PartsMissingAnswerError("a balance no part computed")
        return self._balance_values[at] if len(wanted) else np.zeros(0, np.int64)

    def live_flips(self, loan_group: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The parts' flips (each part's every loan), in (loan, day) order, only the loans
        of a group when ``loan_group`` is given: ``Engine.live_totals`` sums them."""
        loans, days, entries = [], [], []
        for part, loan_of in zip(self._parts, self._loan_of, strict=True):
            if part.flips is None:
                if len(part.loans):
                    raise PartsMissingAnswerError("no part computed the live-contract flips")
                continue
            loan, day, entry = part.flips
            loans.append(loan_of[loan])
            days.append(day)
            entries.append(entry)
        if not loans:
            return np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, bool)
        loan, day, entry = (np.concatenate(x) for x in (loans, days, entries))
        if loan_group is not None:
            kept = np.flatnonzero(loan_group[loan] >= 0)
            loan, day, entry = loan[kept], day[kept], entry[kept]
        order = np.argsort(loan_day_keys(loan, day), kind="stable")
        return loan[order], day[order], entry[order]

    def last_day(self) -> date | None:
        return self._last_day

    def first_day(self) -> date | None:
        return self._first_day

    def has_journal(self) -> bool:
        return self._has_journal


def raise_part_errors(results: list[PartFigures | LedgerError]) -> list[PartFigures]:
    """The parts' figures, or one ``LedgerError`` listing every part's problems."""
    errors = [r for r in results if isinstance(r, LedgerError)]
    if errors:
        # bank_figures and targets are in every part: their problems once.
        problems: list[Problem] = list(dict.fromkeys(p for e in errors for p in e.problems))
        raise LedgerError(problems[:100] if len(problems) > 100 else problems,
                          max(len(problems), *(e.total for e in errors)))
    return [r for r in results if isinstance(r, PartFigures)]


__all__ = ["EPOCH", "PartsMissingAnswerError", "ReducedEngine", "raise_part_errors"]
