"""cli_usage.py: click's errors as one line, and dates within bounds, on a tiny command."""

from __future__ import annotations

from datetime import date

import click
import pytest
from click.testing import CliRunner

from reportgen.cli_usage import Group, day_option


@click.group(cls=Group)
def tool() -> None:
    """A group like reportgen's."""


@tool.command()
@click.option("--day", callback=day_option(date(2000, 1, 1), date(2000, 12, 31), "test"))
@click.option("--n", type=click.IntRange(1, 5))
def show(day: date | None, n: int | None) -> None:
    click.echo(f"{day} {n}")


@pytest.mark.parametrize(("args", "expected"), [
    (["show", "--day", "1999-12-31"], "--day 1999-12-31 is out of range: expected 2000-01-01 "
                                      "to 2000-12-31 (test)"),
    (["show", "--day", "2001-01-01"], "out of range"),
    (["show", "--day", "２０００-01-01"], "is not a date like 2026-11-01"),
    (["show", "--day", "20000101"], "is not a date like 2026-11-01"),
    (["show", "--n", "9"], "Invalid value for '--n'"),
    (["show", "--nope"], "No such option '--nope'"),
    (["nope"], "No such command 'nope'"),
])
def test_every_usage_error_is_one_line_exit_2(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(tool, args, prog_name="tool")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("reportgen: ")
    assert expected in lines[0]


@pytest.mark.parametrize("day", ["2000-01-01", "2000-12-31", "2000-02-29"])
def test_dates_inside_the_bounds_pass(day: str) -> None:
    result = CliRunner().invoke(tool, ["show", "--day", day, "--n", "5"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{day} 5\n"
