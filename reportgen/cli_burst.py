"""What ``reportgen run --dry-run`` prints: the reports and scopes a run would make, and
who would get which file (kept out of cli.py, which stays a thin layer)."""

from __future__ import annotations

import click

from reportgen.runner import RunResult


def print_dry_run(result: RunResult) -> None:
    """One line per report and scope, one per recipient's files; then the retries."""
    p = result.plan
    window = f"{p.first_end} … {p.last_end}" if p.first_end != p.last_end else str(p.last_end)
    click.echo(f"reportgen run {result.today} --dry-run: periods ending {window}: "
               f"{len(p.due)} due, {len(p.due) - len(result.already)} to make, "
               f"{len(result.already)} already made; nothing is written or sent")
    for item in result.planned:
        scope = "" if item.scope == "all" else f" [{item.scope}: {item.title}]"
        click.echo(f"would make {item.due.report} {item.due.period}{scope}: "
                   + ", ".join(item.files))
        if item.recipients:
            for address in item.recipients:
                click.echo(f"  would mail {address}: " + (", ".join(item.attached) or "-"))
        else:
            click.echo("  archived, not mailed (no recipients)")
    for due in result.already:
        click.echo(f"already made {due.report} {due.period} (use --force to make it again)")
    for record, owed in result.retries:
        scope = "" if record.scope == "all" else f" [{record.scope}]"
        click.echo(f"would re-send {record.report} {record.period}{scope} to "
                   + ", ".join(owed))
    if result.email != "on":
        click.echo("email: " + ("off (--no-email)" if result.email == "off"
                                else "disabled (email.enabled = false)"))
