"""render/base.py: the registry imports only the renderers a command asks for; a report's
formats are written all or nothing; stale temporaries of a killed render are removed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from factories import make_report

from reportgen.errors import TemplateError, UsageError
from reportgen.render import base
from reportgen.render.base import (
    TEMP_NAME,
    RenderOptions,
    remove_stale_temporaries,
    render,
    temporary,
)


def _modules_after(code: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(*sys.modules)"],
                         capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_json_alone_imports_neither_openpyxl_nor_weasyprint() -> None:
    # Jinja is needed: the JSON holds the written analysis, drafted from sentence templates
    loaded = _modules_after("from reportgen.render.base import get\nget('json')")
    assert "reportgen.render.json" in loaded
    assert not {"openpyxl", "weasyprint", "docx", "reportgen.render.excel"} & loaded


def test_every_builtin_format_is_available() -> None:
    from reportgen.render.base import available, get

    assert {"json", "xlsx", "html", "pdf"} <= set(available())
    assert get("xlsx").extension == "xlsx"


# --- a report's formats are replaced all together or not at all ---------------------------

def _broken_templates(tmp_path: Path) -> Path:
    """A user folder whose monthly template fails while the HTML/PDF is made."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "monthly.html").write_text("{{ no_such_name }}", encoding="utf-8")
    return folder


@pytest.mark.parametrize("formats", [["json", "xlsx", "html"], ["html", "json", "xlsx"],
                                     ["json", "html", "xlsx"]])
def test_a_failed_format_leaves_the_previous_set_untouched(tmp_path: Path,
                                                           formats: list[str]) -> None:
    out = tmp_path / "out"
    report = make_report("monthly")
    first = render(report, formats, out, RenderOptions())
    before = {p.name: p.read_bytes() for p in first}
    later = make_report("monthly", bank="另一家银行")  # every format would change
    with pytest.raises(TemplateError, match="no_such_name"):
        render(later, formats, out, RenderOptions(templates=_broken_templates(tmp_path)))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary left


def test_a_failed_first_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(TemplateError):
        render(make_report("monthly"), ["json", "xlsx", "html"], out,
               RenderOptions(templates=_broken_templates(tmp_path)))
    assert list(out.iterdir()) == []


def test_a_successful_run_replaces_every_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render(make_report("monthly"), ["json", "html"], out, RenderOptions())
    paths = render(make_report("monthly", bank="另一家银行"), ["json", "html"], out,
                   RenderOptions())
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    assert all("另一家银行" in p.read_text(encoding="utf-8") for p in paths)


def test_out_under_a_regular_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="cannot write reports into"):
        render(make_report("dekad"), ["json"], tmp_path / "file" / "out", RenderOptions())


# --- stale temporaries of a killed render ---------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _touch(folder: Path, name: str, age: float = 0.0) -> Path:
    path = folder / name
    path.write_bytes(b"half a report")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_temporaries_are_named_by_the_pattern(tmp_path: Path) -> None:
    tmp = temporary(tmp_path / "monthly_2026-10.pdf")
    match = TEMP_NAME.fullmatch(tmp.name)
    assert match
    assert (match["target"], int(match["pid"])) == ("monthly_2026-10.pdf", os.getpid())


def test_only_stale_temporaries_of_this_program_are_removed(tmp_path: Path) -> None:
    host, other = base._host(), "0f0f0f" if base._host() != "0f0f0f" else "1e1e1e"
    dead, alive = _dead_pid(), os.getpid()
    hour = base.STALE_AFTER
    stale = [
        _touch(tmp_path, f".monthly_2026-10.pdf.{host}-{dead}.abcd1234.tmp"),  # writer gone
        _touch(tmp_path, f".dekad_2026-10-D2.xlsx.{host}-{alive}.x_y_z_12.tmp", 2 * hour),
        _touch(tmp_path, f".yearly_2026.json.{other}-{dead}.abcdefgh.tmp", hour + 60),
    ]
    kept = [
        _touch(tmp_path, f".monthly_2026-10.xlsx.{host}-{alive}.abcd1234.tmp"),  # running
        _touch(tmp_path, f".monthly_2026-10.json.{other}-{dead}.abcd1234.tmp"),  # elsewhere
        _touch(tmp_path, "monthly_2026-10.pdf", 3 * hour),  # a report
        _touch(tmp_path, ".monthly_2026-10.pdf.tmp", 3 * hour),  # not our pattern
        _touch(tmp_path, f".monthly_2026-10.pdf.{host}-{dead}.abcd1234.tmp.bak", 3 * hour),
        _touch(tmp_path, f".monthly_2026-10.pdf.{host}-{dead}.ABCD1234.tmp", 3 * hour),
        _touch(tmp_path, f"monthly_2026-10.pdf.{host}-{dead}.abcd1234.tmp", 3 * hour),
        _touch(tmp_path, "notes.tmp", 3 * hour),
    ]
    (tmp_path / f".x.{host}-{dead}.abcd1234.tmp").mkdir()  # a folder is never removed
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted(stale)
    assert all(p.exists() for p in kept)
    assert not any(p.exists() for p in stale)


def test_the_next_render_removes_what_a_killed_one_left(tmp_path: Path) -> None:
    """A real process makes its temporary and dies without cleaning up (as under kill -9)."""
    out = tmp_path / "out"
    out.mkdir()
    code = ("import os, sys\nfrom pathlib import Path\n"
            "from reportgen.render.base import temporary\n"
            "print(temporary(Path(sys.argv[1])).name)\nos._exit(9)")
    child = subprocess.run([sys.executable, "-c", code, str(out / "monthly_2026-10.pdf")],
                           capture_output=True, text=True, check=False)
    assert child.returncode == 9
    left = out / child.stdout.strip()
    assert left.exists()
    render(make_report("dekad"), ["json"], out, RenderOptions())
    assert not left.exists()
    assert [p.name for p in out.iterdir()] == ["dekad_2026-10-D2.json"]


def test_a_pdf_failing_after_json_and_xlsx_leaves_the_old_set(tmp_path: Path) -> None:
    """The issue's case: the PDF fails last (a refused fetch is found only once WeasyPrint
    has laid the document out), after the JSON and the workbook were written."""
    out = tmp_path / "out"
    formats = ["json", "xlsx", "pdf"]
    first = render(make_report("dekad"), formats, out, RenderOptions())
    before = {p.name: p.read_bytes() for p in first}
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "dekad.html").write_text(
        '{% extends "default:dekad.html" %}{% block head_extra %}'
        '<link rel="stylesheet" href="file:///etc/hostname">{% endblock %}', encoding="utf-8")
    with pytest.raises(TemplateError, match="outside the template folders"):
        render(make_report("dekad", bank="另一家银行"), formats, out,
               RenderOptions(templates=folder))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
