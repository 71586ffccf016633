"""The scheduled side of the command line: ``reportgen run`` (the cron entry) and
``reportgen periods`` (what a run would make on a date).

Kept out of cli.py, which holds the commands a clerk runs by hand; both commands read the
configuration's schedule and the archive's manifest (runner.py, schedule.py).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from reportgen.cli_common import (
    RUN_DAYS,
    as_of_option,
    bank_notice,
    check_folder,
    guard,
    mapping_option,
)
from reportgen.cli_parts import parts_options

CRON_EXAMPLE = "5 1 * * * cd /srv/reports && reportgen run --catch-up >>run.log 2>&1"


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


@click.command(help=RUN_HELP)
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
@guard
def run(config_path: Path | None, day: date | None, catch_up: bool, force: bool,
        no_email: bool, as_of: date | None, mapping_path: Path | None,
        dry_run: bool = False, partitions: int | None = None,
        cluster: str | None = None) -> None:
    from reportgen.config import load_config
    from reportgen.errors import DeliveryError
    from reportgen.runner import run as run_reports

    config = load_config(config_path)
    check_folder(Path(config.output.dir), None)
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
        bank_notice(config)
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


@click.command()
@click.option("--date", "day", callback=RUN_DAYS, default=None, metavar="YYYY-MM-DD",
              help="The day a run would happen (default: today in bank.timezone; "
                   "1901-01-01 to 2999-12-31), e.g. --date 2026-11-01.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Configuration file (default ./reportgen.toml when present), "
                                 "e.g. --config /srv/reports/reportgen.toml.")
@click.option("--catch-up", is_flag=True,
              help="Show what `run --catch-up` would make (reads the manifest's runs), "
                   "e.g. periods --catch-up.")
@guard
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
