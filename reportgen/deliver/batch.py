"""One mail per address per run: every report owed to an address, in one message.

With scopes, a branch head may be owed the branch's 旬报 and 月报, a person heading two
branches both branches' packs: fifty mails from one run would bury them.  The reports owed
to each address (``Archive.pending``) are grouped by address; each group becomes one
message whose subject names the reports and which carries all their attachments.  The
outcome is recorded per (report, period, scope, address) the moment the relay answers,
so a refused address is owed exactly its own reports by the next run and nobody else is
mailed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from reportgen.deliver.archive import FAILED, SENT, TOO_LARGE, Archive, ReportRecord
from reportgen.deliver.body import render_bodies, subject
from reportgen.deliver.email import (
    MIME_TYPES,
    Mailer,
    Outcome,
    SendFailedError,
    _outcome,
    attachment_names,
    deliver,
    encoded_size,
)
from reportgen.errors import DeliveryError

log = logging.getLogger(__name__)

Pending = list[tuple[ReportRecord, list[str]]]


def by_address(pending: Pending) -> dict[str, list[ReportRecord]]:
    """The records owed to each address (lower-cased), oldest first, addresses in order."""
    out: dict[str, list[ReportRecord]] = {}
    for record, owed in pending:
        for address in owed:
            out.setdefault(address.lower(), []).append(record)
    return out


def batch_subject(records: list[ReportRecord], lang: str) -> str:
    """One report: its own subject; several: how many, then each one's subject."""
    if len(records) == 1:
        return subject(records[0], lang)
    head = f"{len(records)} 份报表" if lang == "zh" else f"{len(records)} reports"
    return f"{head}: " + "; ".join(subject(r, lang) for r in records)


def _body(html: str) -> str:
    """The inside of an HTML document's <body>, to stack several reports' bodies."""
    inner = html.split("<body", 1)[-1].split(">", 1)[-1]
    return inner.rsplit("</body>", 1)[0]


def build_batch(records: list[ReportRecord], address: str, mailer: Mailer, out_dir_names:
                dict[int, list[str]], *, lang: str, unit: str, now: datetime,
                archive: Archive) -> EmailMessage:
    cfg = mailer.config
    msg = EmailMessage()
    msg["Subject"] = batch_subject(records, lang)
    msg["From"] = cfg.sender
    msg["To"] = address
    msg["Date"] = format_datetime(now)
    domain = parseaddr(cfg.sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(idstring=f"reports.{len(records)}", domain=domain)
    texts, htmls = [], []
    for i, record in enumerate(records):
        text, html = render_bodies(record, out_dir_names[i], lang=lang, unit=unit)
        texts.append(text)
        htmls.append(_body(html))
    msg.set_content("\n\n".join(texts))
    msg.add_alternative("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>"
                        + "<hr>".join(htmls) + "</body></html>\n", subtype="html")
    for i in range(len(records)):
        for name in out_dir_names[i]:
            maintype, subtype = MIME_TYPES[name.rpartition(".")[2]]
            msg.add_attachment((archive.out_dir / name).read_bytes(), maintype=maintype,
                               subtype=subtype, filename=name)
    return msg


def deliver_all(pending: Pending, *, archive: Archive, mailer: Mailer, lang: str, unit: str,
                now: Callable[[], datetime], batch: bool = True
                ) -> list[tuple[ReportRecord, Outcome]]:
    """Mail each address its owed reports in one message; record every outcome.

    Addresses owed exactly the same reports share one message (one envelope with several
    recipients, as a report's team list always did); each address still gets one mail.
    ``batch=False`` (a run without scopes): one message per report, as before scopes.
    """
    out: list[tuple[ReportRecord, Outcome]] = []
    if not batch:
        for record, owed in pending:
            out += [(record, o) for o in deliver(record, owed, archive=archive,
                                                 mailer=mailer, lang=lang, unit=unit, now=now)]
        return out
    groups: dict[tuple[tuple[str, ...], ...], tuple[list[ReportRecord], list[str]]] = {}
    originals = {a.lower(): a for _, owed in pending for a in owed}
    for address, records in by_address(pending).items():
        key = tuple(r.key for r in records)
        groups.setdefault(key, (records, []))[1].append(originals[address])
    for records, addresses in groups.values():
        if len(records) == 1:  # the message of one report, exactly as before scopes
            out += [(records[0], o) for o in deliver(records[0], addresses, archive=archive,
                                                     mailer=mailer, lang=lang, unit=unit,
                                                     now=now)]
            continue
        for address in addresses:
            out += _deliver_batch(address, records, archive=archive, mailer=mailer,
                                  lang=lang, unit=unit, now=now)
    return out


def _deliver_batch(address: str, records: list[ReportRecord], *, archive: Archive,
                   mailer: Mailer, lang: str, unit: str, now: Callable[[], datetime]
                   ) -> list[tuple[ReportRecord, Outcome]]:
    results: list[tuple[ReportRecord, Outcome]] = []
    ready: list[ReportRecord] = []
    names: dict[int, list[str]] = {}
    for record in records:  # a report whose files are gone fails alone
        try:
            names[len(ready)] = attachment_names(record, archive.out_dir, mailer.config)
            ready.append(record)
        except DeliveryError as exc:
            results.append((record, Outcome(address, FAILED, 0, None, None, str(exc))))
    if ready:
        try:
            msg = build_batch(ready, address, mailer, names, lang=lang, unit=unit, now=now(),
                              archive=archive)
            size = encoded_size(msg)
            if size > mailer.config.max_bytes:
                reason = (f"the message of {len(ready)} reports is {size:,} bytes encoded, over "
                          f"email.max_bytes ({mailer.config.max_bytes:,}); nothing was sent")
                outcome = Outcome(address, TOO_LARGE, 0, None, None, reason)
            else:
                refused, attempts = mailer.send(msg, [address])
                outcome = _outcome(address, refused, attempts, str(msg["Message-ID"]))
        except SendFailedError as exc:
            outcome = Outcome(address, FAILED, exc.attempts, None, exc.code, exc.reason)
        except (DeliveryError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
            outcome = Outcome(address, FAILED, 0, None, None, str(exc))
        results += [(record, outcome) for record in ready]
    stamp = now()
    for record, o in results:
        archive.record_delivery(record, o.recipient, o.status, attempts=o.attempts,
                                message_id=o.message_id, time=stamp, code=o.code,
                                error=o.error)
        if o.status == SENT:
            log.info("sent %s %s %s to %s (%s)", record.report, record.period, record.scope,
                     o.recipient, o.message_id)
        else:
            log.error("%s %s %s not delivered to %s: %s %s", record.report, record.period,
                      record.scope, o.recipient, o.status, o.error or "")
    return results
