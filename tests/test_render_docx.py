"""reportgen/render/docx.py: the Word report, read back with python-docx.

The analysis is there as editable paragraphs (the same text as the JSON), the key tables
follow with the PDF's number formats, and every run names its East Asian font.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from factories import make_report

from reportgen.analysis import draft
from reportgen.cli import main
from reportgen.config import load_config
from reportgen.errors import ConfigError
from reportgen.render.base import RenderOptions, available, render
from reportgen.render.docx import FONT_EAST_ASIA

ROOT = Path(__file__).resolve().parent.parent


def _open(tmp_path: Path, report: str = "monthly", **options: object) -> docx.Document:
    [path] = render(make_report(report), ["docx"], tmp_path,
                    RenderOptions(**options))  # type: ignore[arg-type]
    assert path.suffix == ".docx"
    return docx.Document(str(path))


def _table_texts(document: docx.Document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


@pytest.mark.parametrize("report", ["monthly", "dekad", "weekly", "custom", "halfyear"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_analysis_paragraphs_are_editable_text(tmp_path: Path, lang: str, report: str) -> None:
    document = _open(tmp_path, report, lang=lang)
    paragraphs = [p.text for p in document.paragraphs]
    drafted = draft(make_report(report), lang=lang)
    expected = [p.text for p in drafted.paragraphs]
    assert "drivers" in [p.topic for p in drafted.paragraphs]  # every report type has them
    start = paragraphs.index(expected[0])
    assert paragraphs[start:start + len(expected)] == expected
    heading = paragraphs[start - 1]
    assert heading == ("文字分析" if lang == "zh" else "Analysis")


def test_key_tables_show_the_pdfs_numbers(tmp_path: Path) -> None:
    report = make_report("monthly")
    tables = _table_texts(_open(tmp_path))
    summary = next(t for t in tables if t[0][0] == "项目" and t[1][0] == "贷款余额")
    balance = report.sections.summary.balance
    from reportgen.formatting import money_text

    assert summary[1][1] == money_text(balance, "wan")  # e.g. "1,000.01": 万元, 2 places
    flat = {cell for t in tables for row in t for cell in row}
    npl_ratio = report.sections.quality.npl_ratio
    from reportgen.formatting import percent_text

    assert percent_text(npl_ratio) in flat
    assert "—" in flat  # an unknown figure is a dash, as in the PDF
    assert any(cell.endswith("个百分点") for cell in flat)


@pytest.mark.parametrize("report", ["monthly", "dekad", "weekly", "custom", "yearly"])
def test_chinese_font_in_the_east_asian_slot(tmp_path: Path, report: str) -> None:
    document = _open(tmp_path, report)
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells
             for p in c.paragraphs for r in p.runs]
    assert runs
    for run in runs:
        fonts = run._element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == FONT_EAST_ASIA
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == FONT_EAST_ASIA


def test_notes_follow_under_their_heading(tmp_path: Path) -> None:
    import dataclasses

    report = dataclasses.replace(make_report("monthly"), notes=("<b>加强催收</b>。",))
    [path] = render(report, ["docx"], tmp_path, RenderOptions())
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    at = paragraphs.index("存在问题与下步措施")
    assert paragraphs[at + 1] == "<b>加强催收</b>。"  # kept as the clerk wrote it, as text


def test_docx_is_a_format_of_the_cli_and_the_config(tmp_path: Path) -> None:
    assert "docx" in available()
    config = tmp_path / "reportgen.toml"
    config.write_text('[output]\nformats = ["docx", "json"]\n[email]\nenabled = false\n',
                      encoding="utf-8")
    assert load_config(config).output.formats == ("docx", "json")
    config.write_text('[output]\nformats = ["doc"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="docx"):
        load_config(config)
    result = CliRunner().invoke(main, [
        "generate", "--ledger", str(ROOT / "sample_ledgers" / "demo"), "--report",
        "monthly", "--period", "2026-10", "--format", "docx,json", "--config",
        str(ROOT / "sample_ledgers" / "demo.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(tmp_path / "out" / "monthly_2026-10.docx"))
    data = json.loads((tmp_path / "out" / "monthly_2026-10.json").read_text(encoding="utf-8"))
    texts = [p["text"] for p in data["sections"]["analysis"]["paragraphs"]]
    paragraphs = [p.text for p in document.paragraphs]
    assert all(t in paragraphs for t in texts)
    assert texts[0].startswith("截至10月末，各项贷款余额111,355.51万元")
    assert not list((tmp_path / "out").glob(".*.tmp"))  # written aside, then renamed
