"""The scopes one ``reportgen run`` makes, and who gets each scope's reports (scopes.md).

A run makes, for every due period, the bank-level report (the whole bank, or
``bank.branch``'s branch), each ``[[scopes]]`` entry, and with ``[burst]`` one scope per
branch and/or manager of the ledger.  Recipients: ``email.recipients`` for the bank-level
report, ``[scopes.recipients]`` for an entry, and the rows of ``burst.recipients`` (a CSV
of scope, report, email; a blank report means every report) for the burst scopes.  A
scope nobody is to get is made and archived, not mailed; a CSV row naming a branch or
manager the ledger does not have is a warning in the run's log.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.config import SCHEDULABLE, Config
from reportgen.config_check import check_address
from reportgen.deliver.archive import ReportRecord
from reportgen.errors import ConfigError, UsageError
from reportgen.ledger.load import Ledger
from reportgen.scope import BRANCH, MANAGER, Selection, burst, matches, select

log = logging.getLogger(__name__)

CSV_COLUMNS = ("scope", "report", "email")


@dataclass(frozen=True)
class RecipientRow:
    row: int  # spreadsheet row (header = 1)
    scope: str
    report: str  # "" = every report
    email: str


@dataclass
class RunScope:
    """One scope a run makes, and its recipients per report type."""

    selection: Selection
    recipients: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def for_report(self, report: str) -> tuple[str, ...]:
        return self.recipients.get(report, ())


def read_recipients(path: Path) -> list[RecipientRow]:
    """The rows of a recipients CSV; every bad row at once is a ``ConfigError`` (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"burst.recipients = {str(path)!r} cannot be read: {exc}") from None
    reader = csv.reader(text.splitlines())
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ConfigError(f"{path}, row 1: missing column(s) {', '.join(missing)}; the "
                          f"header must be {','.join(CSV_COLUMNS)}")
    at = {c: header.index(c) for c in CSV_COLUMNS}
    rows, problems = [], []
    for number, cells in enumerate(reader, 2):
        if not any(c.strip() for c in cells):
            continue
        padded = cells + [""] * (len(header) - len(cells))
        scope, report, email = (padded[at[c]].strip() for c in CSV_COLUMNS)
        if not scope:
            problems.append(f"{path}, row {number}, column scope: must not be blank")
        if report not in ("", *SCHEDULABLE):
            problems.append(f"{path}, row {number}, column report: {report!r}; expected one "
                            f"of {', '.join(SCHEDULABLE)} or blank for every report")
        try:
            check_address("email", email, bare=True)
        except ConfigError as exc:
            problems.append(f"{path}, row {number}, column email: {exc}")
        rows.append(RecipientRow(number, scope, report, email))
    if problems:
        raise ConfigError("the recipients file has problems:\n  " + "\n  ".join(problems))
    return rows


def _addresses(rows: list[RecipientRow]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for report in SCHEDULABLE:
        chosen = [r.email for r in rows if r.report in ("", report)]
        out[report] = tuple(dict.fromkeys(a.lower() for a in chosen))
    return out


def run_scopes(config: Config, ledger: Ledger, main: Selection) -> list[RunScope]:
    """Every scope the run makes, the bank-level one first (see the module docstring)."""
    scopes = [RunScope(main, {r: config.email.recipients.for_report(r) for r in SCHEDULABLE})]
    taken = {main.id}
    for n, entry in enumerate(config.scopes, 1):
        try:
            selection = select(ledger, branches=entry.branches, managers=entry.managers,
                               scope_id_=entry.id, title=entry.title or None,
                               where=(f"scopes[{n}].branches:", f"scopes[{n}].managers:"))
        except UsageError as exc:
            raise ConfigError(str(exc)) from None
        scopes.append(RunScope(selection, {r: entry.recipients.for_report(r) for r in SCHEDULABLE}))
        taken.add(entry.id)
    if not config.burst.by:
        return scopes
    rows = read_recipients(Path(config.burst.recipients)) if config.burst.recipients else []
    matched: set[int] = set()
    for kind in (BRANCH, MANAGER):
        if kind not in config.burst.by:
            continue
        for selection in burst(ledger, kind):
            if selection.id in taken:
                log.warning("burst: scope %s is also configured in [[scopes]]; made once",
                            selection.id)
                continue
            taken.add(selection.id)
            mine = [r for r in rows if r.scope in selection.names]
            matched.update(r.row for r in mine)
            scopes.append(RunScope(selection, _addresses(mine)))
    for r in rows:
        if r.row not in matched:
            known = any(matches(ledger, k, r.scope).any() for k in (BRANCH, MANAGER))
            why = ("is not a scope of burst.by = " + ", ".join(config.burst.by) if known
                   else "matches no branch or manager of the ledger")
            log.warning("%s, row %d: scope %r %s; nobody is mailed for this row",
                        config.burst.recipients, r.row, r.scope, why)
    return scopes


def wanted(scopes: list[RunScope] | None, config: Config) -> Callable[[ReportRecord],
                                                                      tuple[str, ...]]:
    """Who a record may still be mailed to: its scope's recipients now.  Without the
    ledger (a run that only retries) a scope's recipients are those of its entry, or of
    the recipients file for a burst scope."""
    by_id = {s.selection.id: s for s in scopes or []}
    entries = {e.id: e for e in config.scopes}
    rows: list[RecipientRow] | None = None

    def lookup(record: ReportRecord) -> tuple[str, ...]:
        nonlocal rows
        if record.scope in by_id:
            return by_id[record.scope].for_report(record.report)
        if record.scope in entries:
            return entries[record.scope].recipients.for_report(record.report)
        # the bank-level scope, or a burst scope while the ledger is not loaded: anyone
        # still configured for the report type
        allowed = config.email.recipients.for_report(record.report)
        if config.burst.recipients and record.scope != "all":
            if rows is None:
                rows = read_recipients(Path(config.burst.recipients))
            allowed += _addresses(rows)[record.report]
        return allowed
    return lookup
