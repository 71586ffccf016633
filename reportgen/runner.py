"""``reportgen run``: make whatever report fell due, archive it, mail it — once.

The order of the steps is the design:

1. take the output folder's lock (one run at a time, ``deliver.lock``);
2. ask the schedule what is due and drop what the manifest already records (unless
   ``--force``): a second run the same day does nothing; a period counts as recorded
   only when every scope due for it is (a run that died part-way leaves the rest);
3. if anything is left, load and validate the ledger ONCE (a ledger with errors raises
   ``LedgerError`` here, before any file is written: nothing made, exit 3), then build,
   write and record each report, oldest first, each record fsync'd before the next;
4. mail every report still owed to someone — the new ones and any whose delivery failed
   in an earlier run — recording each outcome as it happens;
5. record the run and the days of period ends it covered (what ``--catch-up`` looks
   past next time).

A due period the ledger does not cover (``PeriodNotCoveredError``) is logged as a warning
naming both dates, made nothing of and not recorded as made; the run goes on with the
others and exits 0.  A *stale* one (it ends after the ledger's data date) is the bank's
normal morning state before the day's export lands, not a failure to page anyone about:
the run also leaves its end day uncovered, so the next run — the same day without
options, or any later ``--catch-up`` run (the cron line) — makes it from a fresher export.
An *early* one (it starts before the ledger's first date) will not heal with time; it is
covered and left to ``reportgen generate`` once a ledger with that history exists.

Delivery failures do not raise here: the caller gets them in ``RunResult.undelivered`` and
exits 4 after printing what was made, so the cron log shows both.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportgen import __version__, api
from reportgen.burst import RunScope, run_scopes, wanted
from reportgen.config import Config
from reportgen.deliver.archive import SENT, Archive, ReportRecord, file_entry
from reportgen.deliver.batch import deliver_all
from reportgen.deliver.body import key_figures
from reportgen.deliver.email import Mailer, Outcome
from reportgen.deliver.lock import run_lock
from reportgen.errors import ConfigError, PeriodNotCoveredError, UsageError
from reportgen.ledger.mapped import resolve_ledger
from reportgen.ledger.mapping import load_mapping
from reportgen.preflight import ledger_problem
from reportgen.render.base import RenderOptions
from reportgen.render.pool import Rendered, Renders, workers_for
from reportgen.schedule import Due, Plan, plan

log = logging.getLogger(__name__)


@dataclass
class Made:
    due: Due
    files: list[Path]
    scope: str = "all"
    pid: int = 0  # the process that rendered it (render/pool.py)


@dataclass(frozen=True)
class Planned:
    """What ``run --dry-run`` says a run would make: one report of one scope, and who
    would get which of its files."""

    due: Due
    scope: str
    title: str
    files: tuple[str, ...]
    recipients: tuple[str, ...]
    attached: tuple[str, ...]


@dataclass
class RunResult:
    """What one run did, for the CLI's summary and exit status."""

    today: date
    plan: Plan
    made: list[Made] = field(default_factory=list)
    already: list[Due] = field(default_factory=list)  # due but already in the manifest
    not_covered: list[tuple[Due, str]] = field(default_factory=list)  # stale/early, why
    stale: list[Due] = field(default_factory=list)  # due but past the ledger's data date
    deliveries: list[tuple[ReportRecord, Outcome]] = field(default_factory=list)
    email: str = "on"  # on | off (--no-email) | disabled (email.enabled = false)
    planned: list[Planned] = field(default_factory=list)  # --dry-run: what would be made
    retries: list[tuple[ReportRecord, list[str]]] = field(default_factory=list)  # --dry-run
    # the 借据明细 written once per as-of day and scope, and the workbooks it was copied into
    loan_sheets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def undelivered(self) -> list[tuple[ReportRecord, Outcome]]:
        return [(r, o) for r, o in self.deliveries if o.status != SENT]


def today_in(config: Config) -> date:
    """Today in the configured time zone: 01:05 in Shanghai is still yesterday in UTC."""
    return datetime.now(ZoneInfo(config.bank.timezone)).date()


def run(config: Config, *, today: date | None = None, catch_up: bool = False,
        force: bool = False, email: bool = True, progress: bool = False,
        clock: Callable[[], datetime] | None = None,
        mailer: Mailer | None = None, as_of: date | None = None,
        mapping_path: Path | None = None, dry_run: bool = False,
        partitions: int | None = None, cluster: str | None = None) -> RunResult:
    """Make, archive and mail what is due on ``today`` (see the module docstring).

    ``dry_run``: say what would be made for which scope and who would get which file
    (``RunResult.planned``, ``retries``); take no lock, write and send nothing.
    """
    if "ledger" not in config.tables:
        where = config.source or "./reportgen.toml (not found)"
        raise ConfigError(
            f"reportgen run needs a configuration file with a [ledger] table and its path; "
            f"read: {where}. Copy reportgen.example.toml to reportgen.toml and edit it, or "
            "pass --config FILE"
        )
    tz = ZoneInfo(config.bank.timezone)

    def now() -> datetime:
        return (clock() if clock else datetime.now(tz)).astimezone(tz)

    today = today or now().date()
    out = Path(config.output.dir)
    if dry_run:
        return _dry_run(config, today, catch_up=catch_up, force=force, email=email,
                        as_of=as_of, mapping_path=mapping_path)
    with run_lock(out, wait=config.schedule.lock_wait):
        archive = Archive(out)
        covered = archive.covered()
        the_plan = plan(today, config.schedule.reports, catch_up=catch_up, covered=covered)
        result = RunResult(today, the_plan)
        if not (email and config.email.enabled):
            result.email = "disabled" if not config.email.enabled else "off"
        recorded = archive.made()
        todo = [d for d in the_plan.due if force or d.key not in recorded]
        result.already = [d for d in the_plan.due if d not in todo]
        scopes = None
        if todo:
            scopes = _make(config, todo, archive, result, now=now, progress=progress,
                           as_of=as_of, mapping_path=mapping_path, force=force,
                           partitions=partitions, cluster=cluster)
        if result.email == "on":
            mailer = mailer or Mailer(config.email)
            result.deliveries += deliver_all(
                archive.pending(wanted(scopes, config)), archive=archive, mailer=mailer,
                lang=config.output.lang, unit=config.bank.unit, now=now,
                batch=bool(config.scopes or config.burst.by))
        window = _covered(the_plan, result.stale, first_run=not covered)
        archive.record_run(
            today, covered=window,
            made=[f"{m.due.report} {m.due.period}" + ("" if m.scope == "all" else f" {m.scope}")
                  for m in result.made],
            catch_up=catch_up, force=force, version=__version__, time=now(),
            delivery="failed" if result.undelivered else result.email,
            loan_sheets=result.loan_sheets,
        )
    return result


def _covered(the_plan: Plan, stale: list[Due], *, first_run: bool) -> tuple[date, date]:
    """The days of period ends this run dealt with: its plan's window, cut short before
    the first stale period's end so that a later ``--catch-up`` run makes it (a window that
    ends before it starts covers nothing).  A first run left with nothing still covers the
    day before its window: catch-up looks back only to the first covered day, and a first
    run owes nothing older."""
    first, last = the_plan.first_end, min([the_plan.last_end]
                                          + [d.end - timedelta(days=1) for d in stale])
    if last < first and first_run:
        first = last = the_plan.first_end - timedelta(days=1)
    return first, last


def _open(config: Config, *, progress: bool, as_of: date | None,
          mapping_path: Path | None = None, todo: list[Due] | None = None,
          partitions: int | None = None, cluster: str | None = None
          ) -> tuple[api.Session, list[RunScope]]:
    """Load the ledger once (through its mapping, when one is given; or part by part for
    ``todo``'s reports) and resolve every scope the run makes on it."""
    chosen = mapping_path or (Path(config.ledger.mapping) if config.ledger.mapping else None)
    mapping = load_mapping(chosen) if chosen is not None else None
    ledger_path = resolve_ledger(Path(config.ledger.path),
                                 mapping.date_from_name if mapping else None)
    if (problem := ledger_problem(ledger_path)) is not None:
        raise ConfigError(f"ledger.path = {config.ledger.path!r}: {problem} "
                          f"(relative paths are relative to {Path.cwd()})")
    jobs = [(due.report, due.period, "xlsx" in config.output.formats) for due in todo or []]
    session = api.open_session(ledger_path, jobs, config, partitions=partitions,
                               cluster=cluster, progress=progress, as_of=as_of,
                               mapping=mapping)
    try:
        main = api.scope_of(session, config)
    except UsageError as exc:
        raise ConfigError(str(exc)) from None
    scopes = run_scopes(config, session.ledger, main)
    if session.partitioned and (not main.is_all or len(scopes) > 1):  # bank.branch: id all
        raise ConfigError("scopes and bursting (bank.branch, [[scopes]], [burst]) cannot be "
                          "combined with partitions or a cluster yet; run them in one process")
    return session, scopes


def _dry_run(config: Config, today: date, *, catch_up: bool, force: bool,
             email: bool, as_of: date | None, mapping_path: Path | None) -> RunResult:
    """``run --dry-run``: the plan, every scope's files and recipients; nothing written."""
    from reportgen.render.base import get

    archive = Archive(Path(config.output.dir))
    the_plan = plan(today, config.schedule.reports, catch_up=catch_up,
                    covered=archive.covered())
    result = RunResult(today, the_plan)
    if not (email and config.email.enabled):
        result.email = "disabled" if not config.email.enabled else "off"
    recorded = archive.made()
    todo = [d for d in the_plan.due if force or d.key not in recorded]
    result.already = [d for d in the_plan.due if d not in todo]
    scopes = None
    if todo:
        scopes = _open(config, progress=False, as_of=as_of, mapping_path=mapping_path)[1]
        extensions = [get(name).extension for name in config.output.formats]
        made = {} if force else archive.scopes_made()
        for due in todo:
            for scope in scopes:
                if scope.selection.id in made.get(due.key, set()):
                    continue  # made by a run that died before the period's other scopes
                suffix = "" if scope.selection.id == "all" else f"_{scope.selection.id}"
                files = tuple(f"{due.report}_{due.period}{suffix}.{ext}" for ext in extensions)
                who = scope.for_report(due.report) if result.email == "on" else ()
                attached = tuple(f for f in files if f.rpartition(".")[2] in config.email.attach)
                result.planned.append(Planned(due, scope.selection.id,
                                              scope.selection.title, files, who, attached))
    if result.email == "on":
        result.retries = archive.pending(wanted(scopes, config))
    return result


def _make(config: Config, todo: list[Due], archive: Archive, result: RunResult, *,
          now: Callable[[], datetime], progress: bool, as_of: date | None,
          mapping_path: Path | None = None, force: bool = False,
          partitions: int | None = None, cluster: str | None = None) -> list[RunScope]:
    """Build every due report of every scope from one load, render them (in parallel
    processes when it pays, render/pool.py) and record each, oldest first."""
    ledger_path = Path(config.ledger.path)
    session, scopes = _open(config, progress=progress, as_of=as_of,
                            mapping_path=mapping_path, todo=todo,
                            partitions=partitions, cluster=cluster)
    # A partitioned session holds the figures of the reports' days only, not the data
    # date's: its warnings are those in each report.
    warning_count = 0 if session.partitioned else session.last_day_warnings[1]
    if warning_count:
        log.warning("the ledger has %d warning(s); `reportgen validate --ledger %s` lists them",
                    warning_count, ledger_path)
    options = api.render_options(config)
    recorded = {} if force else archive.scopes_made()
    formats = list(config.output.formats)
    workers = workers_for(len(todo) * len(scopes), formats,
                          0 if session.partitioned else session.ledger.n_loans)
    with contextlib.ExitStack() as stack:
        if "xlsx" in formats:  # the reports of one as-of day share their 借据明细 sheet
            folder = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="reportgen-loans-")))
            options = replace(options, loan_sheets=folder)
        renders = stack.enter_context(Renders(workers))
        scope_ids = [s.selection.id for s in scopes]
        for due in todo:
            # a period an earlier run left half made (it died after some scopes): only the
            # scopes without a record are made now, and only their reports are mailed
            left = [s for s in scopes if s.selection.id not in recorded.get(due.key, set())]
            if not left:  # every scope of today's configuration is recorded: close it
                archive.record_period(due.report, due.period, scope_ids)
                continue
            # a run of one scope writes no period record: its one report record says it all
            period_record = _PeriodRecord(archive, due, scope_ids, written=len(scopes) == 1)
            try:  # the period's check comes before any file of its first scope is written
                for scope in left:
                    for done in _make_one(
                            config, session, due, scope, renders, options, archive.out_dir,
                            now=now, before_record=period_record):
                        _record(config, done, archive, result, now=now)
            except PeriodNotCoveredError as exc:
                log.warning("not made: %s", exc)
                result.not_covered.append((due, str(exc)))
                if exc.stale:
                    result.stale.append(due)
        for done in renders.finish():
            _record(config, done, archive, result, now=now)
        if options.loan_sheets is not None:
            from reportgen.render.loan_pack import written  # imports xlsxwriter: only here

            result.loan_sheets = _shared_sheets(result.made, written(options.loan_sheets))
    if workers > 1:
        log.info("rendered in %d processes", len({m.pid for m in result.made}))
    return scopes


@dataclass
class _PeriodRecord:
    """Writes the ``period`` record of ``due`` (every scope due for it) once, just before
    its first report record of this run: the period counts as made only when all those
    scopes are recorded (``Archive.made``).  Not before: a period the ledger does not
    cover yet is refused by its first scope's build and must leave no record."""

    archive: Archive
    due: Due
    scope_ids: list[str]
    written: bool = False

    def __call__(self) -> None:
        if not self.written:
            self.archive.record_period(self.due.report, self.due.period, self.scope_ids)
            self.written = True


@dataclass(frozen=True)
class _Job:
    """What the runner keeps of a report while it renders elsewhere (not the model)."""

    due: Due
    scope: RunScope
    ledger_sha256: str
    figures: dict[str, Any]
    before_record: Callable[[], None] | None = None


def _make_one(config: Config, session: api.Session, due: Due, scope: RunScope,
              renders: Renders, options: RenderOptions, out_dir: Path, *,
              now: Callable[[], datetime],
              before_record: Callable[[], None] | None = None) -> Iterator[Rendered]:
    """Build one scope's report of one due period and hand it to the renderers; yields
    the reports finished meanwhile."""
    selection = scope.selection
    report = api.build(session, due.report, due.period, config, now=now(),
                       formats=list(config.output.formats), options=options,
                       selection=selection)
    job = _Job(due, scope, report.ledger_sha256, key_figures(report), before_record)
    yield from renders.submit(job, report, list(config.output.formats), out_dir, options)


def _record(config: Config, done: Rendered, archive: Archive, result: RunResult, *,
            now: Callable[[], datetime]) -> None:
    """Record one written report (and who gets it) in the manifest."""
    job: _Job = done.tag
    due, files, scope = job.due, done.files, job.scope.selection.id
    recipients: tuple[str, ...] = ()
    if result.email == "on":
        recipients = job.scope.for_report(due.report)
        if not recipients and scope == "all":
            log.warning("%s %s: no recipients (email.recipients.%s); archived, not mailed",
                        due.report, due.period, due.report)
        elif not recipients:
            log.info("%s %s %s: no recipients; archived, not mailed", due.report,
                     due.period, scope)
    if job.before_record is not None:
        job.before_record()
    archive.record_report(ReportRecord(
        report=due.report, period=due.period, start=due.start.isoformat(),
        end=due.end.isoformat(), files=tuple(file_entry(p, archive.out_dir) for p in files),
        ledger_sha256=job.ledger_sha256, version=__version__,
        time=now().isoformat(timespec="seconds"), recipients=recipients,
        figures=job.figures, scope=scope,
    ))
    log.info("made %s %s: %s", due.report, due.period, ", ".join(p.name for p in files))
    result.made.append(Made(due, files, scope, done.pid))


def _shared_sheets(made: list[Made], written: list[str]) -> list[dict[str, Any]]:
    """The manifest's account of the shared 借据明细 sheets: per as-of day and scope, the
    workbooks that hold the one written copy."""
    groups: dict[tuple[str, str], list[str]] = {}
    for m in made:
        for path in m.files:
            if path.suffix == ".xlsx":
                groups.setdefault((m.due.end.isoformat(), m.scope), []).append(path.name)
    if len(written) != len(groups):
        log.warning("%d loan sheet(s) written for %d as-of day(s) and scope(s)",
                    len(written), len(groups))
    return [{"as_of": day, "scope": scope, "written": 1, "workbooks": names}
            for (day, scope), names in groups.items()]
