"""The command line: a thin click layer over ``reportgen.api``.

Every command runs inside ``guard`` (cli_common.py), the one place that maps errors to
exit statuses (interface.md).  The commands a clerk runs by hand are here; ``run`` and
``periods`` are in cli_schedule.py and ``partition`` in cli_parts.py, added to the group
at the end of this module.
"""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import click

from reportgen import __version__
from reportgen.cli_common import (
    LEDGER_DAYS,
    as_of_option,
    bank_notice,
    check_folder,
    check_ledger,
    guard,
    ledger_exists,
    mapped_ledger,
    mapping_option,
    print_warnings,
)
from reportgen.cli_parts import partition_command, parts_options
from reportgen.cli_schedule import periods, run
from reportgen.cli_usage import Group, fail
from reportgen.errors import UsageError
from reportgen.log import setup_logging
from reportgen.model import REPORT_TYPES
from reportgen.periods import ACCEPTED_FORMS
from reportgen.preflight import log_file_problem

log = logging.getLogger("reportgen")


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
              type=click.Path(path_type=Path), callback=ledger_exists,
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
@guard
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
    check_folder(out or Path(config.output.dir), "--out" if out else None)
    ledger_path, mapping = mapped_ledger(ledger_path, mapping_path, config.ledger.mapping)
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
    bank_notice(config)  # once a report is about to be written without the bank's name
    print_warnings(api.warning_lines(model.warnings), model.warning_count, limit=10)  # on D
    for path in api.write(model, chosen, out or Path(config.output.dir), options):
        click.echo(str(path))


@main.command()
@click.option("--ledger", "ledger_path", required=True,
              type=click.Path(path_type=Path), callback=ledger_exists,
              help="Ledger folder or .xlsx workbook (a glob takes the newest dated match), "
                   "e.g. --ledger sample_ledgers/demo.")
@as_of_option
@mapping_option
@guard
def validate(ledger_path: Path, as_of: date | None, mapping_path: Path | None) -> None:
    """Check a ledger against every rule of the ledger format; exit 0, or 3 with the list.

    \b
    Example:
      reportgen validate --ledger sample_ledgers/demo
    """
    from reportgen import api

    ledger_path, mapping = mapped_ledger(ledger_path, mapping_path)
    if (ledger_path / "partitions.json").is_file():  # written by `reportgen partition`
        raise UsageError(f"{ledger_path} is a partitioned ledger: validate the ledger it was "
                         "split from (generate and run check every part as they read it)")
    session = api.open_ledger(ledger_path, progress=sys.stderr.isatty(), as_of=as_of,
                              mapping=mapping)
    warnings, warning_count = session.last_day_warnings
    print_warnings(warnings, warning_count)
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
@guard
def sample(out: Path, loans: int, seed: int, start: date, end: date, deposits: bool) -> None:
    """Write a realistic, deterministic sample ledger (Chinese names, grades, write-offs).

    \b
    Example:
      reportgen sample --out /tmp/big --loans 1000000 --seed 7
    """
    from reportgen.sample import generate_sample

    if end <= start:
        raise UsageError(f"--end {end} must be after --start {start}")
    check_folder(out, "--out")
    stats = generate_sample(out, loans=loans, seed=seed, start=start, end=end,
                            deposits=deposits)
    click.echo(str(stats))


@main.command("map")
@click.option("--ledger", "ledger_path", required=True, type=click.Path(path_type=Path),
              help="The export: a folder of CSV (UTF-8 or GBK) files or an .xlsx workbook, "
                   "e.g. --ledger /srv/export/信贷台账_20260331.xlsx.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mapping file here (whole or not at all) instead of stdout, "
                   "e.g. --out core.toml.")
@guard
def map_command(ledger_path: Path, out: Path | None) -> None:
    """Propose a commented mapping file for a core system's export (TODO where unsure).

    \b
    Example:
      reportgen map --ledger /srv/export/20260331 --out core.toml
      reportgen validate --ledger /srv/export/20260331 --mapping core.toml
    """
    from reportgen.ledger.propose import propose

    check_ledger(ledger_path)
    if out is not None:
        if out.is_dir():
            raise UsageError(f"--out {out}: is a folder; give the mapping file's name")
        check_folder(out.parent, "--out")
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


main.add_command(run)
main.add_command(periods)
main.add_command(partition_command(guard))
