"""render/sandbox.py: a bank's template cannot run code, read the environment or files.

Each escape is written as a user template and rendered as the CLI would; the test sets a
secret in the environment (as the SMTP password would be) and asserts that it appears in
no output, that the render fails with a TemplateError naming the template (exit 2 from
the CLI, one line, no traceback) and that no report file is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_report
from ledgers import write_ledger

from reportgen.cli import main
from reportgen.errors import TemplateError
from reportgen.render.base import RenderOptions, render
from reportgen.render.html import render_html
from reportgen.render.sandbox import check_name, sandbox

SECRET = "smtp-password-4f9c2"

# Escapes through Jinja's globals, the template's own objects and the model's objects.
ESCAPES = {
    "cycler_globals": "{{ cycler.__init__.__globals__.os.environ }}",
    "joiner_globals": "{{ joiner.__init__.__globals__['os'].popen('id').read() }}",
    "lipsum_globals": "{{ lipsum.__globals__['os'].environ['RG_SECRET'] }}",
    "namespace_class": "{{ namespace.__class__.__mro__ }}",
    "self_context": "{{ self._TemplateReference__context }}",
    "report_class": "{{ report.__class__.__mro__[-1].__subclasses__() }}",
    "labels_globals": "{{ t.__call__.__globals__ }}",
    "labels_method_module": "{{ t.field.__func__ }}",
    "config_like_walk": "{{ report.sections.__class__.__init__.__globals__['os'] }}",
    "format_string": "{{ '{0.__class__.__init__.__globals__}'.format(report) }}",
    "numpy_tofile": "{{ report.loans.balance.tofile('LEAK') }}",
    "numpy_dump": "{{ report.loans.start_date.dump('LEAK') }}",
    "listing_columns": "{{ report.sections.watchlist.entries.columns }}",
    "dict_mutation": "{% set d = {} %}{{ d.update(a=1) }}",
    "list_mutation": "{{ sections.quality.tables.append(1) }}",
    "python_error": "{{ 1 // 0 }}",
    "huge_range": "{{ range(10 ** 9) | list | length }}",
}

# Includes, imports and extends that resolve outside the template folders.
LEAVING = {
    "parent": '{% include "../../../../../../etc/passwd" %}',
    "absolute": '{% include "/etc/passwd" %}',
    "default_parent": '{% extends "default:../../../../../etc/passwd" %}',
    "import_parent": '{% import "../secret.html" as s %}',
    "backslash": '{% include "..\\\\secret.html" %}',
    "symlink_file": '{% include "_linked.html" %}',
    "symlink_folder": '{% include "linked/secret.html" %}',
}


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RG_SECRET", SECRET)


def user_folder(tmp_path: Path, source: str, name: str = "monthly.html") -> Path:
    """A user template folder with ``source`` as ``name``, beside a folder with a secret
    file that symlinks in the template folder point to."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.html").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.html").write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    for link, target in (("_linked.html", outside / "secret.html"), ("linked", outside)):
        if not (folder / link).is_symlink():
            (folder / link).symlink_to(target)
    (folder / name).write_text(source, encoding="utf-8")
    return folder


@pytest.mark.parametrize("source", list(ESCAPES.values()), ids=list(ESCAPES))
def test_escapes_through_objects_are_refused(tmp_path: Path, source: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    options = RenderOptions(templates=user_folder(tmp_path, source))
    with pytest.raises(TemplateError, match=r"template monthly\.html, line 1: ") as raised:
        render_html(make_report("monthly"), options)
    assert SECRET not in str(raised.value)
    assert not (tmp_path / "LEAK").exists()


@pytest.mark.parametrize("source", list(LEAVING.values()), ids=list(LEAVING))
def test_templates_outside_the_folders_are_refused(tmp_path: Path, source: str) -> None:
    options = RenderOptions(templates=user_folder(tmp_path, source))
    with pytest.raises(TemplateError, match=r"outside the template folders|leaves the "
                                            r"template folders") as raised:
        render_html(make_report("monthly"), options)
    assert SECRET not in str(raised.value)


def test_a_symlink_into_a_template_folder_is_followed(tmp_path: Path) -> None:
    """A bank may link a shared partial into its folder, as long as it ends inside one."""
    folder = user_folder(tmp_path, '{% extends "default:monthly.html" %}'
                                   '{% block signatures %}{% include "_shared.html" %}'
                                   "{% endblock %}")
    (folder / "shared").mkdir()
    (folder / "shared" / "signatures.html").write_text("<p id=shared>共用签章</p>",
                                                       encoding="utf-8")
    (folder / "_shared.html").symlink_to(folder / "shared" / "signatures.html")
    html = render_html(make_report("monthly"), RenderOptions(templates=folder))
    assert "<p id=shared>共用签章</p>" in html


def test_the_built_in_templates_run_in_the_sandbox_too() -> None:
    from reportgen.render.html import environment
    from reportgen.render.sandbox import ReportSandbox

    assert isinstance(environment(RenderOptions()), ReportSandbox)
    html = render_html(make_report("yearly"), RenderOptions())
    assert SECRET not in html


def test_what_a_template_may_use_still_works(tmp_path: Path) -> None:
    """The documented names: the model's fields, labels, tables, filters, loops, macros."""
    source = ('{% from "_table.html" import data_table with context %}'
              "{{ report.bank }}|{{ report.end.isoformat() }}|{{ t('sign.preparer') }}|"
              "{{ sections.quality.table('grades').rows | length }}|"
              "{{ report.sections.summary.balance }}|{{ '110101199001011234' | mask_id }}|"
              "{% for w in report.warnings %}{{ w.loan_id }};{% endfor %}|"
              "{{ data_table(sections.provision.table('figures')) | length > 100 }}")
    html = render_html(make_report("monthly"), RenderOptions(templates=user_folder(
        tmp_path, source)))
    assert html == ("示例农村商业银行|2026-10-31|制表人|7|1000005000|110101********1234|"
                    "L0002;L0006;|True")


@pytest.mark.parametrize("name", ["../x.html", "a/../../x.html", "/etc/passwd", "C:/x.html",
                                  "a\\..\\x.html", "default:../x.html"[8:]])
def test_check_name_refuses_names_that_leave_a_folder(name: str) -> None:
    with pytest.raises(TemplateError, match="leaves the template folders"):
        check_name(name)


@pytest.mark.parametrize("name", ["monthly.html", "partials/_x.html", "default:base.html"])
def test_check_name_accepts_names_inside(name: str) -> None:
    check_name(name)


def test_output_is_cleaned_and_cut() -> None:
    env = sandbox(limit=10)
    assert env.from_string("{{ x }}").render(x="a\x00b\x1bc\u0085d") == "abcd"
    assert env.from_string("{{ x }}").render(x="y" * 50) == "y" * 9 + "…"
    assert env.from_string("{{ x | safe }}").render(x="<b>\x00" + "z" * 50 + "</b>") == \
        "<b>" + "z" * 50 + "</b>"  # markup is cleaned, never cut inside a tag


LEDGER = {
    "customers": "C1,甲公司,corporate,small,C,,,\n",
    "loans": "L1,C1,城东支行,王五,,credit,500000,2026-01-15,2027-01-15,4.35\n",
    "transactions": "L1,2026-01-15,disburse,500000\nL1,2026-10-31,interest,100\n",
    "classifications": "L1,2026-01-15,normal,\n",
}


@pytest.mark.parametrize("source", [ESCAPES["cycler_globals"], ESCAPES["numpy_tofile"],
                                    LEAVING["parent"], LEAVING["symlink_file"]],
                         ids=["globals", "numpy", "parent", "symlink"])
def test_the_cli_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, source: str) -> None:
    ledger = write_ledger(tmp_path / "ledger", **LEDGER)
    folder = user_folder(tmp_path, source)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--ledger", str(ledger), "--report",
                                       "monthly", "--period", "2026-10", "--format",
                                       "json,xlsx,pdf", "--templates", str(folder),
                                       "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "template" in result.stderr
    assert SECRET not in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_nothing_leaks_into_any_format(tmp_path: Path) -> None:
    """The built-in templates, every format: the secret is in none of the files."""
    paths = render(make_report("monthly"), ["json", "xlsx", "html"], tmp_path,
                   RenderOptions())
    for path in paths:
        assert SECRET.encode() not in path.read_bytes()
    assert os.environ["RG_SECRET"] == SECRET
