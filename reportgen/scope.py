"""Scopes: which part of the bank a report covers (scopes.md).

A scope is a *selection*: one object holding a mask over the loans, the customers of those
loans and the account managers who hold them.  Every section reads the ledger through the
engine a report's ``Context`` carries; a scoped report's engine (``reportgen.scoped``)
masks the snapshots and flows with the selection, so no section needs scope code of its
own, and deposits can later use the same masks.

A scope value (``--branch``, ``--manager``, ``[[scopes]]``, the recipients CSV) names a
branch by its id or its name, a manager by their id or name: ``matches`` is the one place
that decides what a value means, using the optional ``loans.branch_id`` and
``loans.account_manager_name`` columns when the ledger has them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.errors import UsageError
from reportgen.ledger import text_columns
from reportgen.ledger.load import Ledger

ALL = "all"
BRANCH, MANAGER = "branch", "manager"
# The columns a value may name, per kind: the id first (file names use it), then the name.
KEY_COLUMNS = {BRANCH: ("branch_id", "branch"), MANAGER: ("account_manager",
                                                          "account_manager_name")}
# The columns of deposit_accounts an account's own branch or manager is read from.
DEPOSIT_KEY_COLUMNS = {BRANCH: ("branch_id", "branch"), MANAGER: ("account_manager",)}
_ASCII_ID = re.compile(r"[A-Za-z0-9_-]+")
_SHOWN_KNOWN = 30  # known values listed in a message


@dataclass(frozen=True)
class Selection:
    """The loans, customers and managers of one scope; ``loans is None`` for the whole bank.

    ``branches`` are the branch keys (ids, else names) the scope covers, for the
    per-branch rows of ``bank_figures``; empty for a manager scope.
    """

    id: str = ALL
    kind: str = ALL  # all | branch | manager | mixed
    title: str = ""  # shown where the bank's name is
    loans: np.ndarray | None = None  # bool per loan
    customers: np.ndarray | None = None  # bool per customer: has a loan in the scope
    managers: frozenset[int] = frozenset()  # manager codes with a loan in the scope
    branches: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # as asked
    names: tuple[str, ...] = ()  # what a recipients row may call it: id and name
    # Per deposit account, whether it is the scope's: its own branch (or manager) is one of
    # the scope's; None for the whole bank or a ledger without deposits.
    deposits: np.ndarray | None = None

    @property
    def is_all(self) -> bool:
        return self.loans is None


WHOLE_BANK = Selection()


def scope_id(kind: str, key: str) -> str:
    """``b``/``m`` + the id when it is ASCII letters, digits, ``-`` and ``_``, else + the
    first 8 hex digits of its SHA-1 (so two ids in Chinese never collide on a file name)."""
    prefix = "b" if kind == BRANCH else "m"
    if _ASCII_ID.fullmatch(key):
        return prefix + key
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def key_columns(ledger: Ledger, kind: str) -> list[str]:
    """The columns of ``loans`` a value of ``kind`` may name, those the ledger has."""
    return [name for name in KEY_COLUMNS[kind] if name in ledger.loans.text
            and (name in ledger.loans.present or name in ("branch", "account_manager"))]


def matches(ledger: Ledger, kind: str, value: str) -> np.ndarray:
    """Mask of the loans whose branch (or manager) id or name is ``value``."""
    mask = np.zeros(ledger.n_loans, dtype=bool)
    for name in key_columns(ledger, kind):
        equal = pc.fill_null(pc.equal(ledger.loans.text[name], pa.scalar(value)), False)
        if isinstance(equal, pa.ChunkedArray):
            equal = equal.combine_chunks()
        mask |= np.asarray(equal.to_numpy(zero_copy_only=False), dtype=bool)
    return mask


def aliases(ledger: Ledger, kind: str, key: str) -> set[str]:
    """Every id and name the loans matching ``key`` carry (a branch's id and its name)."""
    mask = matches(ledger, kind, key)
    out = {key}
    for name in key_columns(ledger, kind):
        column = ledger.loans.text[name]
        out |= {str(v) for v in pc.unique(pc.filter(column, pa.array(mask))).to_pylist() if v}
    return out


def known_values(ledger: Ledger, kind: str) -> list[tuple[str, str]]:
    """Every (id, name) pair of ``kind`` in the ledger, sorted by id (name "" if none)."""
    columns = key_columns(ledger, kind)
    id_col, name_col = columns[0], columns[-1]
    table = pa.table({"id": pc.fill_null(ledger.loans.text[id_col], ""),
                      "name": pc.fill_null(ledger.loans.text[name_col], "")})
    pairs = table.group_by(["id", "name"]).aggregate([]).sort_by("id")
    ids, names = pairs.column("id").to_pylist(), pairs.column("name").to_pylist()
    return [(str(i), "" if name_col == id_col else str(n))
            for i, n in zip(ids, names, strict=True) if i]


def _shown(pair: tuple[str, str]) -> str:
    key, name = pair
    return f"{key} ({name})" if name and name != key else key


def unknown_value_error(ledger: Ledger, kind: str, value: str, where: str) -> UsageError:
    known = [_shown(p) for p in known_values(ledger, kind)]
    listed = ", ".join(known[:_SHOWN_KNOWN]) + (
        f" … ({len(known)} in all)" if len(known) > _SHOWN_KNOWN else "")
    return UsageError(f"{where} {value!r} matches no loan of the ledger; known "
                      f"{'branches' if kind == BRANCH else 'account managers'}: "
                      f"{listed or 'none'}")


def _key_and_name(ledger: Ledger, kind: str, mask: np.ndarray) -> tuple[str, str]:
    """The id and the name of the branch (or manager) of the first loan in ``mask``."""
    columns = key_columns(ledger, kind)
    first = int(np.flatnonzero(mask)[0])
    key = str(ledger.loans.text[columns[0]][first].as_py() or "")
    name = str(ledger.loans.text[columns[-1]][first].as_py() or "")
    return key, name or key


def _key_and_title(ledger: Ledger, kind: str, mask: np.ndarray) -> tuple[str, str]:
    """The scope's id key (branch or manager id) and the name it is shown under."""
    key, name = _key_and_name(ledger, kind, mask)
    if kind == BRANCH:
        return key, name or key
    return key, f"客户经理: {name} ({key})" if name and name != key else f"客户经理: {key}"


def select(ledger: Ledger, *, branches: Sequence[str] = (), managers: Sequence[str] = (),
           scope_id_: str | None = None, title: str | None = None,
           where: tuple[str, str] = ("--branch", "--manager")) -> Selection:
    """The selection of ``branches`` and ``managers`` (values are united within a kind and
    intersected across kinds); a value that matches no loan is a ``UsageError`` listing
    the known values, so a typo never yields an empty report."""
    if not branches and not managers:
        return WHOLE_BANK
    mask: np.ndarray | None = None
    keys: dict[str, list[tuple[str, str]]] = {}
    for kind, values, flag in ((BRANCH, branches, where[0]), (MANAGER, managers, where[1])):
        if not values:
            continue
        kind_mask = np.zeros(ledger.n_loans, dtype=bool)
        for value in values:
            one = matches(ledger, kind, value)
            if not one.any():
                raise unknown_value_error(ledger, kind, value, flag)
            keys.setdefault(kind, []).append(_key_and_title(ledger, kind, one))
            kind_mask |= one
        mask = kind_mask if mask is None else mask & kind_mask
    assert mask is not None
    kind = next(iter(keys)) if len(keys) == 1 else "mixed"
    pairs = [pair for kind_pairs in keys.values() for pair in kind_pairs]
    default_id = "_".join(scope_id(k, key) for k, kind_pairs in keys.items()
                          for key, _ in kind_pairs)
    return make_selection(
        ledger, mask, id=scope_id_ or default_id, kind=kind,
        title=title or "、".join(dict.fromkeys(t for _, t in pairs)),
        branches=tuple(dict.fromkeys(k for k, _ in keys.get(BRANCH, []))),
        values={BRANCH: tuple(branches), MANAGER: tuple(managers)})


def make_selection(ledger: Ledger, mask: np.ndarray, *, id: str, kind: str, title: str,
                   branches: tuple[str, ...] = (),
                   values: dict[str, tuple[str, ...]] | None = None) -> Selection:
    """A selection from a loan mask: its customers and managers follow from the loans."""
    customer = ledger.loans["customer"]
    customers = np.zeros(len(ledger.customers), dtype=bool)
    customers[customer[mask & (customer >= 0)]] = True
    managers = frozenset(int(m) for m in np.unique(ledger.loans["manager_code"][mask]))
    return Selection(id=id, kind=kind, title=title, loans=mask, customers=customers,
                     managers=managers, branches=branches, values=values or {},
                     deposits=deposit_mask(ledger, values or {}, mask, kind))


def deposit_mask(ledger: Ledger, values: dict[str, tuple[str, ...]], loans: np.ndarray,
                 kind: str) -> np.ndarray | None:
    """The deposit accounts of a scope: those whose own branch (``branch_id`` or
    ``branch``) or own manager (``account_manager``) is one the scope's values name,
    united within a kind and intersected across kinds, as for loans.

    A value means what it means for loans: every id and name the loans matching it carry
    (``aliases``), so ``--branch B01`` finds the accounts of 城东支行 when the loans say
    B01 is 城东支行 and deposit_accounts gives only the name.  The account's own fields
    decide, not its customer's loans: a saver of 城东支行 who borrows at 城西支行 is
    城东支行's.  A blank field matches no value (the account is only the whole bank's).
    Without values (a mask made otherwise), the names come from the scope's loans.
    """
    accounts = ledger.deposit_accounts
    if accounts is None:
        return None
    out = np.ones(len(accounts), dtype=bool)
    asked_kinds = [k for k in (BRANCH, MANAGER) if values.get(k)]
    for one in asked_kinds or ([kind] if kind in (BRANCH, MANAGER) else [BRANCH, MANAGER]):
        names: set[str] = set()
        for value in values.get(one, ()):
            names |= aliases(ledger, one, value)
        if not asked_kinds:
            names = {str(v) for name in key_columns(ledger, one)
                     for v in pc.unique(pc.filter(ledger.loans.text[name],
                                                  pa.array(loans))).to_pylist() if v}
        mine = np.zeros(len(accounts), dtype=bool)
        value_set = pa.array(sorted(names), pa.string())
        for column in DEPOSIT_KEY_COLUMNS[one]:
            if column in accounts.present and column in accounts.text:
                hit = pc.fill_null(pc.is_in(accounts.text[column], value_set=value_set), False)
                mine |= np.asarray(text_columns.to_numpy(hit), dtype=bool)
        out &= mine
    return out


def burst(ledger: Ledger, kind: str) -> list[Selection]:
    """One selection per branch (or manager) of the ledger, from one grouping of the codes
    rather than a text comparison per scope."""
    columns = key_columns(ledger, kind)
    text = pc.fill_null(ledger.loans.text[columns[0]], "")
    encoded = pc.dictionary_encode(text)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    keys = [str(k) for k in encoded.dictionary.to_pylist()]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    out = []
    for code in sorted(range(len(keys)), key=lambda c: keys[c]):
        if not keys[code]:
            continue
        mask = np.zeros(ledger.n_loans, dtype=bool)
        mask[order[bounds[code]:bounds[code + 1]]] = True
        key, title = _key_and_title(ledger, kind, mask)
        selection = make_selection(ledger, mask, id=scope_id(kind, key), kind=kind,
                                   title=title, branches=(key,) if kind == BRANCH else (),
                                   values={kind: (key,)})
        out.append(replace(selection, names=tuple(dict.fromkeys(
            _key_and_name(ledger, kind, mask)))))
    return out
