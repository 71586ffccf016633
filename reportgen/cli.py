"""The command line: a thin click layer over ``reportgen.api``.

Every command runs inside ``_guard``, the one place that maps errors to exit statuses
(interface.md): a user's mistake prints its message and exits 2/3/4 without a traceback;
anything unexpected prints one line and exits 1 (the traceback only with ``--debug``).
"""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reportgen import __version__
from reportgen.cli_parts import partition_command, parts_options
from reportgen.cli_usage import Group, day_option, fail
from reportgen.errors import ConfigError, ReportgenError, UsageError
from reportgen.log import setup_logging
from reportgen.model import REPORT_TYPES
from reportgen.periods import ACCEPTED_FORMS, MAX_YEAR, MIN_YEAR
from reportgen.preflight import folder_problem, ledger_problem, log_file_problem

if TYPE_CHECKING:
    from reportgen.config import Config
    from reportgen.ledger.mapping import Mapping

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("reportgen")

CRON_EXAMPLE = "5 1 * * * cd /srv/reports && reportgen run --catch-up >>run.log 2>&1"


def _guard(func: F) -> F:
    """Run a command, turning errors into the spec's exit statuses."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except ReportgenError as exc:
            click.echo(f"reportgen: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug, not the user's mistake
            if debug:
                traceback.print_exc()
            what = " ".join(str(exc).split())  # one line, as README promises
            click.echo(
                f"reportgen: unexpected error: {type(exc).__name__}: {what} "
                "(run again with --debug for the traceback, and please report it)",
                err=True,
            )
            ctx.exit(1)

    return wrapper  # type: ignore[return-value]


RUN_DAYS = day_option(date(MIN_YEAR + 1, 1, 1), date(MAX_YEAR, 12, 31),
                      "reports of periods from 1900 to 2999")
LEDGER_DAYS = day_option(date(1900, 1, 1), date(2199, 12, 31), "a ledger's dates")
parse_day = LEDGER_DAYS  # the callback's earlier name, for options a ledger date is given to


def _quiet() -> bool:
    return bool(click.get_current_context().find_root().params.get("quiet"))


def _warn(text: str, *, kind: str = "warning") -> None:
    """One warning (or note) line on stderr, unless ``-q`` (errors only) was given."""
    if not _quiet():
        click.echo(f"{kind}: {text}", err=True)


def _check_folder(path: Path, option: str | None) -> None:
    """Stop before any work when no file can be written into ``path``."""
    problem = folder_problem(path)
    if problem is None:
        return
    if option is None:
        raise ConfigError(f"output.dir = {str(path)!r}: {problem}")
    raise UsageError(f"{option} {path}: {problem}")


def _check_ledger(path: Path) -> None:
    problem = ledger_problem(path)
    if problem is not None:
        raise UsageError(f"--ledger {path}: {problem}")


def _mapped_ledger(path: Path, mapping_path: Path | None, config_mapping: str = ""
                   ) -> tuple[Path, Mapping | None]:
    """The mapping (``--mapping``, else ``[ledger] mapping``) and the ledger path, a glob
    resolved to its newest dated match (mapping.md)."""
    from reportgen.ledger.mapped import resolve_ledger
    from reportgen.ledger.mapping import load_mapping

    chosen = mapping_path or (Path(config_mapping) if config_mapping else None)
    mapping = load_mapping(chosen) if chosen is not None else None
    path = resolve_ledger(path, mapping.date_from_name if mapping else None)
    _check_ledger(path)
    return path, mapping


def _ledger_exists(_ctx: click.Context, _param: click.Parameter, value: Path | None
                   ) -> Path | None:
    """click's own "does not exist" for a plain path; a glob is resolved later."""
    if value is not None and not any(c in str(value) for c in "*?[") and not value.exists():
        raise click.BadParameter(f"Path {str(value)!r} does not exist.")
    return value


MAPPING_HELP = ("Mapping file for a core system's export (headers, title and footer rows, "
                "code values; see docs/mapping.md), e.g. --mapping core.toml.")


def mapping_option(func: F) -> F:
    return click.option("--mapping", "mapping_path", default=None,
                        type=click.Path(dir_okay=False, path_type=Path),
                        help=MAPPING_HELP)(func)


def _bank_notice(config: Config) -> None:
    """Say once that the reports will carry no bank name (the default is blank).

    A "note", not a "warning": the data-quality warnings of a ledger keep their meaning
    (a clean ledger prints no warning), and a script can tell the two apart.
    """
    if config.bank.name:
        return
    if not config.source:
        _warn("no reportgen.toml: the bank's name is blank; set [bank] name "
              "(see reportgen.example.toml)", kind="note")
    elif "bank" not in config.tables:
        _warn(f"{config.source} has no [bank] table: the bank's name is blank; "
              "set [bank] name", kind="note")


AS_OF_HELP = ("The ledger's data date: the export is complete up to this day (default: "
              "[ledger] as_of, else its latest transaction or classification date); a row "
              "dated after it is an error, e.g. --as-of 2026-10-31.")


def as_of_option(func: F) -> F:
    return click.option("--as-of", "as_of", callback=parse_day, default=None,
                        metavar="YYYY-MM-DD", help=AS_OF_HELP)(func)


@click.group(cls=Group,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reportgen")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True,
              help="Only errors on stderr: no warnings or notes (results still on stdout).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also append the log to this file (its folder must exist), "
                   "e.g. --log-file run.log.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def main(verbose: int, quiet: bool, log_file: Path | None, debug: bool) -> None:
    """reportgen: credit-business reports (旬报/月报/季报/年报) from a loan ledger.

    \b
    Example:
      reportgen generate --ledger sample_ledgers/demo --report monthly --period 2026-10
    """
    del debug
    if log_file is not None and (problem := log_file_problem(log_file)):
        fail(click.get_current_context(), f"--log-file {problem}")
    try:
        setup_logging(verbose=verbose, quiet=quiet, log_file=log_file)
    except OSError as exc:  # a race or a file system the checks cannot see
        fail(click.get_current_context(), f"--log-file {log_file}: {exc.strerror or exc}")


@main.command()
@click.option("--ledger", "ledger_path", required=True,
              type=click.Path(path_type=Path), callback=_ledger_exists,
              help="Ledger folder of CSV/Parquet files or one .xlsx workbook (a glob takes "
                   "the newest dated match), e.g. --ledger sample_ledgers/demo.")
@click.option("--report", type=click.Choice(REPORT_TYPES), required=True,
              help="Report type, e.g. --report monthly.")
@click.option("--period", required=True,
              help="Period id: 2026-10-D2 (dekad), 2026-W45 (ISO week), 2026-10 (month), "
                   "2026-Q3, 2026-H1 (half-year), 2026, 2026-10-05..2026-10-18 (custom).")
@click.option("--format", "formats", default=None,
              help="Comma-separated formats among xlsx,pdf,json,html,docx "
                   "(default: the config's, else xlsx,pdf), e.g. --format json,pdf.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default ./reports), e.g. --out /srv/reports.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Configuration file (default ./reportgen.toml when present), "
                                 "e.g. --config /srv/reports/reportgen.toml.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of labels and titles (default zh), e.g. --lang en.")
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Folder of templates searched before the built-in ones, "
                                 "e.g. --templates bank_templates.")
@click.option("--notes", "notes_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="The clerk's own paragraphs (plain UTF-8 text, blank line between "
                   "paragraphs) appended to the written analysis as topic notes "
                   "(default: [analysis] notes_dir/{report}_{period}.md when present), "
                   "e.g. --notes notes/monthly_2026-10.md.")
@as_of_option
@click.option("--branch", "branches", multiple=True, metavar="ID_OR_NAME",
              help="Only this branch's loans (its id or name; repeatable; default: "
                   "bank.branch, else the whole bank), e.g. --branch 880101.")
@click.option("--manager", "managers", multiple=True, metavar="ID_OR_NAME",
              help="Only this account manager's loans (id or name; repeatable), "
                   "e.g. --manager 1023.")
@mapping_option
@parts_options
@_guard
def generate(ledger_path: Path, report: str, period: str, formats: str | None,
             out: Path | None, config_path: Path | None, lang: str | None,
             templates: Path | None, notes_path: Path | None,
             as_of: date | None, mapping_path: Path | None,
             branches: tuple[str, ...] = (), managers: tuple[str, ...] = (),
             partitions: int | None = None, cluster: str | None = None) -> None:
    """Make one report from a ledger.

    \b
    Example:
      reportgen generate --ledger sample_ledgers/demo --report dekad \\
          --period 2026-10-D2 --format json,xlsx,pdf --out reports
    """
    from reportgen import api
    from reportgen.analysis.notes import read_notes
    from reportgen.config import load_config
    from reportgen.periods import parse_period
    from reportgen.render.base import get

    config = load_config(config_path)
    if formats is not None and not formats.strip():
        raise UsageError("--format is empty; list formats among xlsx,pdf,json,html")
    chosen = [f.strip() for f in formats.split(",")] if formats else list(config.output.formats)
    for name in chosen:  # usage errors before any work
        get(name)
    if period != period.strip() or any(c.isspace() for c in period):
        raise UsageError(f"--period {period!r} has spaces; accepted forms: {ACCEPTED_FORMS}")
    parse_period(period, report)
    _check_folder(out or Path(config.output.dir), "--out" if out else None)
    ledger_path, mapping = _mapped_ledger(ledger_path, mapping_path, config.ledger.mapping)
    notes = None if notes_path is None else read_notes(notes_path)  # before the ledger
    options = api.render_options(config, lang=lang, templates=templates)
    session = api.open_session(ledger_path, [(report, period, "xlsx" in chosen)], config,
                               partitions=partitions, cluster=cluster,
                               progress=sys.stderr.isatty(), as_of=as_of, mapping=mapping)
    selection = api.scope_of(session, config, branches=branches, managers=managers)
    if session.partitioned and not selection.is_all:  # bank.branch too (scope id "all")
        raise UsageError("--branch/--manager (or bank.branch) cannot be combined with "
                         "--partitions/--cluster yet; make the scope's report in one process")
    model = api.build(session, report, period, config, formats=chosen, notes=notes,
                      options=options, selection=selection)
    _bank_notice(config)  # once a report is about to be written without the bank's name
    _print_warnings(api.warning_lines(model.warnings), model.warning_count, limit=10)  # on D
    for path in api.write(model, chosen, out or Path(config.output.dir), options):
        click.echo(str(path))


@main.command()
@click.option("--ledger", "ledger_path", required=True,
              type=click.Path(path_type=Path), callback=_ledger_exists,
              help="Ledger folder or .xlsx workbook (a glob takes the newest dated match), "
                   "e.g. --ledger sample_ledgers/demo.")
@as_of_option
@mapping_option
@_guard
def validate(ledger_path: Path, as_of: date | None, mapping_path: Path | None) -> None:
    """Check a ledger against every rule of the ledger format; exit 0, or 3 with the list.

    \b
    Example:
      reportgen validate --ledger sample_ledgers/demo
    """
    from reportgen import api

    ledger_path, mapping = _mapped_ledger(ledger_path, mapping_path)
    if (ledger_path / "partitions.json").is_file():  # written by `reportgen partition`
        raise UsageError(f"{ledger_path} is a partitioned ledger: validate the ledger it was "
                         "split from (generate and run check every part as they read it)")
    session = api.open_ledger(ledger_path, progress=sys.stderr.isatty(), as_of=as_of,
                              mapping=mapping)
    warnings, warning_count = session.last_day_warnings
    _print_warnings(warnings, warning_count)
    ledger = session.ledger
    journal = (f"{ledger.n_transactions} transactions, {ledger.n_classifications} "
               "classification rows" if ledger.balances is None else
               f"{len(ledger.balances)} balances rows on {len(ledger.snapshot_days or ())} "
               "snapshot dates (flows derived from balance changes)")
    for table, reasons in ledger.skipped.items():  # left out on purpose, but never silently
        for reason, count in reasons.items():
            click.echo(f"skipped: {table}: {count} row(s): {reason}")
    click.echo(
        f"ok: {len(ledger.customers)} customers, {ledger.n_loans} loans, {journal}; "
        f"{warning_count} warning(s)"
    )
    log.info("the ledger covers %s … %s", session.first_day, session.data_date)


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the ledger CSVs into, e.g. --out /tmp/ledger.")
@click.option("--loans", default=2000, show_default=True, type=click.IntRange(1, 10_000_000),
              help="Number of loans (at most 10,000,000), e.g. --loans 1000000.")
@click.option("--seed", default=1, show_default=True, type=click.IntRange(0, 2**63 - 1),
              help="Random seed; the same seed gives the same files, e.g. --seed 7.")
@click.option("--start", default="2024-01-01", show_default=True, callback=LEDGER_DAYS,
              help="First date of the ledger (from 1900-01-01), e.g. --start 2024-01-01.")
@click.option("--end", default="2026-11-28", show_default=True, callback=LEDGER_DAYS,
              help="Last date of the ledger (up to 2199-12-31), e.g. --end 2026-11-28.")
@click.option("--deposits/--no-deposits", default=True, show_default=True,
              help="Also write the deposit tables (存款账户, 存款余额); leave them out "
                   "with e.g. --no-deposits.")
@_guard
def sample(out: Path, loans: int, seed: int, start: date, end: date, deposits: bool) -> None:
    """Write a realistic, deterministic sample ledger (Chinese names, grades, write-offs).

    \b
    Example:
      reportgen sample --out /tmp/big --loans 1000000 --seed 7
    """
    from reportgen.sample import generate_sample

    if end <= start:
        raise UsageError(f"--end {end} must be after --start {start}")
    _check_folder(out, "--out")
    stats = generate_sample(out, loans=loans, seed=seed, start=start, end=end,
                            deposits=deposits)
    click.echo(str(stats))


RUN_HELP = f"""Make, archive and mail every report that fell due (the cron entry).

On date T (default: today in bank.timezone) it makes each report of schedule.reports
whose period ended on T − 1, writes it to output.dir, records it in
output.dir/manifest.jsonl and mails it to email.recipients.<report>. A report already
in the manifest is not made again; a mail that failed is re-sent by the next run; nobody
gets the same report twice. The ledger is loaded and validated once per run.

\b
Crontab example (every night at 01:05; --catch-up makes whatever a downtime missed):
  {CRON_EXAMPLE}

\b
Exit status (for a monitor):
  0  done (possibly nothing was due, or a due period is not in the ledger yet: a
     stale export is logged as a warning, and a later run makes the period)
  2  bad configuration or usage
  3  the ledger has data errors: nothing was made
  4  reports were made and archived but some mail failed: the next run retries
  5  another run holds the lock (it waited schedule.lock_wait seconds): did nothing
  1  anything unexpected (run again with --debug for the traceback)

\b
Example:
  reportgen run --catch-up
  reportgen run --date 2026-11-01 --config /srv/reports/reportgen.toml
  reportgen run --date 2026-11-01 --force --no-email
"""


@main.command(help=RUN_HELP)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Configuration file (default ./reportgen.toml), e.g. --config /srv/r.toml.")
@click.option("--date", "day", callback=RUN_DAYS, default=None, metavar="YYYY-MM-DD",
              help="Act as if today were this date (default: today in bank.timezone; "
                   "1901-01-01 to 2999-12-31), e.g. --date 2026-11-01 makes what ended on "
                   "2026-10-31.")
@click.option("--catch-up", is_flag=True,
              help="Also make every report whose period ended on a day no earlier "
                   "successful run covered (a downtime), at most 400 days back, e.g. after "
                   "a run on 2026-10-07, `run --catch-up` on 2026-11-01 makes 2026-10-D1, "
                   "-D2, -D3 and 2026-10. On a first run it does no more than a plain run.")
@click.option("--force", is_flag=True,
              help="Make and mail the due reports even when the manifest already has them, "
                   "e.g. --date 2026-11-01 --force after fixing the ledger.")
@click.option("--no-email", is_flag=True,
              help="Make and archive only; mail nobody, neither now nor in later runs "
                   "(re-make with --force to mail them), e.g. --date 2026-11-01 --no-email.")
@as_of_option
@click.option("--dry-run", is_flag=True,
              help="List every report and scope that would be made and who would get which "
                   "file; write and send nothing, e.g. --date 2026-11-01 --dry-run.")
@mapping_option
@parts_options
@_guard
def run(config_path: Path | None, day: date | None, catch_up: bool, force: bool,
        no_email: bool, as_of: date | None, mapping_path: Path | None,
        dry_run: bool = False, partitions: int | None = None,
        cluster: str | None = None) -> None:
    from reportgen.config import load_config
    from reportgen.errors import DeliveryError
    from reportgen.runner import run as run_reports

    config = load_config(config_path)
    _check_folder(Path(config.output.dir), None)
    if dry_run:
        from reportgen.cli_burst import print_dry_run

        print_dry_run(run_reports(config, today=day, catch_up=catch_up, force=force,
                                  email=not no_email, as_of=as_of, dry_run=True,
                                  mapping_path=mapping_path))
        return
    result = run_reports(config, today=day, catch_up=catch_up, force=force,
                         email=not no_email, progress=sys.stderr.isatty(), as_of=as_of,
                         mapping_path=mapping_path, partitions=partitions, cluster=cluster)
    if result.made:
        _bank_notice(config)
    p = result.plan
    window = f"{p.first_end} … {p.last_end}" if p.first_end != p.last_end else str(p.last_end)
    click.echo(f"reportgen run {result.today}: periods ending {window}: "
               f"{len(p.due)} due, {len(result.made)} made, {len(result.already)} already made")
    for made in result.made:
        click.echo(f"made {made.due.report} {made.due.period}: "
                   + ", ".join(str(f) for f in made.files))
    for due in result.already:
        click.echo(f"already made {due.report} {due.period} (use --force to make it again)")
    for due, reason in result.not_covered:
        click.echo(f"not made {due.report} {due.period}: {reason}")
    for record, outcome in result.deliveries:
        if outcome.status == "sent":
            click.echo(f"sent {record.report} {record.period} to {outcome.recipient}")
    if result.email != "on":
        click.echo("email: " + ("off (--no-email)" if result.email == "off"
                                else "disabled (email.enabled = false)"))
    failed = result.undelivered
    if failed:
        lines = [f"  {r.report} {r.period} to {o.recipient}: {o.status}"
                 + (f" ({o.code})" if o.code else "") + (f": {o.error}" if o.error else "")
                 for r, o in failed]
        raise DeliveryError(
            f"{len(failed)} mail(s) not delivered; the reports are archived and the next "
            "run retries them:\n" + "\n".join(lines)
        )


@main.command()
@click.option("--date", "day", callback=RUN_DAYS, default=None, metavar="YYYY-MM-DD",
              help="The day a run would happen (default: today in bank.timezone; "
                   "1901-01-01 to 2999-12-31), e.g. --date 2026-11-01.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Configuration file (default ./reportgen.toml when present), "
                                 "e.g. --config /srv/reports/reportgen.toml.")
@click.option("--catch-up", is_flag=True,
              help="Show what `run --catch-up` would make (reads the manifest's runs), "
                   "e.g. periods --catch-up.")
@_guard
def periods(day: date | None, config_path: Path | None, catch_up: bool) -> None:
    """Show which periods `run` would make on a date, and which are already made.

    \b
    Example:
      reportgen periods --date 2026-11-01
      dekad      2026-10-D3  2026-10-21 … 2026-10-31  to make
      monthly    2026-10     2026-10-01 … 2026-10-31  to make
    """
    from reportgen.config import load_config
    from reportgen.deliver.archive import Archive
    from reportgen.runner import today_in
    from reportgen.schedule import plan

    config = load_config(config_path)
    archive = Archive(Path(config.output.dir))
    today = day or today_in(config)
    the_plan = plan(today, config.schedule.reports, catch_up=catch_up,
                    covered=archive.covered())
    made, partly = archive.made(), archive.scopes_made()
    if not the_plan.due:
        click.echo(f"nothing is due on {today} (no period of "
                   f"{', '.join(config.schedule.reports)} ended on {the_plan.last_end})")
    for due in the_plan.due:
        state = ("already made" if due.key in made
                 else "partly made (the rest to make)" if due.key in partly else "to make")
        click.echo(f"{due.report:<10} {due.period:<11} {due.start} … {due.end}  {state}")


def _print_warnings(warnings: list[str], total: int, *, limit: int = 100) -> None:
    """Print up to ``limit`` data-quality warnings and how many more there are.

    ``validate`` shows all it keeps (100); a report shows 10 — the rest are on the Excel
    data-quality sheet, and a clerk's terminal should not scroll past the file names.
    """
    for text in warnings[:limit]:
        _warn(text)
    if total > min(limit, len(warnings)):
        _warn(f"… and {total - min(limit, len(warnings))} more warning(s)")


@main.command("map")
@click.option("--ledger", "ledger_path", required=True, type=click.Path(path_type=Path),
              help="The export: a folder of CSV (UTF-8 or GBK) files or an .xlsx workbook, "
                   "e.g. --ledger /srv/export/信贷台账_20260331.xlsx.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mapping file here (whole or not at all) instead of stdout, "
                   "e.g. --out core.toml.")
@_guard
def map_command(ledger_path: Path, out: Path | None) -> None:
    """Propose a commented mapping file for a core system's export (TODO where unsure).

    \b
    Example:
      reportgen map --ledger /srv/export/20260331 --out core.toml
      reportgen validate --ledger /srv/export/20260331 --mapping core.toml
    """
    from reportgen.ledger.propose import propose

    _check_ledger(ledger_path)
    if out is not None:
        if out.is_dir():
            raise UsageError(f"--out {out}: is a folder; give the mapping file's name")
        _check_folder(out.parent, "--out")
    text = propose(ledger_path)
    if out is None:
        click.echo(text, nl=False)
        return
    import os

    from reportgen.render.base import temporary

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary(out)  # beside the file, renamed over it: whole or not at all
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    todo = text.count('"TODO"') + text.count("# TODO:")
    click.echo(f"{out} ({todo} TODO to check)")


main.add_command(partition_command(_guard))
