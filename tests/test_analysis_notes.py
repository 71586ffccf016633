"""reportgen/analysis/notes.py: the clerk's paragraphs, from --notes or [analysis] notes_dir,
kept as topic notes and escaped everywhere (never markup in HTML/PDF, never a formula in
Excel)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from ledgers import write_ledger

from reportgen.analysis.notes import find_notes, notes_file, paragraphs, read_notes
from reportgen.cli import main
from reportgen.errors import UsageError

LEDGER = {
    "customers": "C1,甲制造公司,corporate,small,C,,,",
    "loans": "L1,C1,城东支行,王,流动资金贷款,credit,500000,2026-01-10,2028-01-10,4",
    "transactions": "L1,2026-01-10,disburse,500000",
    # the March review reaches the data date to the end of the reported month
    "classifications": "L1,2026-01-10,normal,\nL1,2026-03-31,normal,",
}
HOSTILE = "=HYPERLINK(\"http://x\")\n\n<script>alert(1)</script> 下步：加强<b>催收</b>。"


@pytest.mark.parametrize(("text", "expected"), [
    ("一、存在问题\n部分贷款到期集中。\n\n二、下步措施\n加强催收。",
     ("一、存在问题部分贷款到期集中。", "二、下步措施加强催收。")),
    ("First line\nsecond line.\r\n\r\n\r\nNext.", ("First line second line.", "Next.")),
    ("\n\n  \n", ()),
    ("单段", ("单段",)),
])
def test_paragraphs(text: str, expected: tuple[str, ...]) -> None:
    assert paragraphs(text) == expected


def test_read_notes_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        read_notes(tmp_path / "missing.md")
    bad = tmp_path / "gbk.md"
    bad.write_bytes("加强催收".encode("gbk"))
    with pytest.raises(UsageError, match="not UTF-8"):
        read_notes(bad)
    bom = tmp_path / "bom.md"
    bom.write_bytes("\ufeff加强催收".encode())
    assert read_notes(bom) == ("加强催收",)


def test_notes_dir_file_names(tmp_path: Path) -> None:
    assert notes_file(tmp_path, "monthly", "2026-10").name == "monthly_2026-10.md"
    assert notes_file(tmp_path, "monthly", "2026-10", "城东支行").name == (
        "monthly_2026-10_城东支行.md")
    assert find_notes(tmp_path, "monthly", "2026-10") is None
    assert find_notes(None, "monthly", "2026-10") is None
    (tmp_path / "monthly_2026-10.md").write_text("加强催收。", encoding="utf-8")
    assert find_notes(tmp_path, "monthly", "2026-10") == ("加强催收。",)


def _generate(tmp_path: Path, *args: str, report: str = "monthly",
              period: str = "2026-03") -> None:
    ledger = write_ledger(tmp_path / "ledger", **LEDGER)
    result = CliRunner().invoke(main, [
        "generate", "--ledger", str(ledger), "--report", report, "--period", period,
        "--format", "json,html,xlsx", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("report", "period"), [
    ("monthly", "2026-03"), ("dekad", "2026-03-D3"), ("weekly", "2026-W13"),
    ("custom", "2026-03-01..2026-03-31")])
def test_notes_file_reaches_every_format_escaped(tmp_path: Path, report: str,
                                                 period: str) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(HOSTILE, encoding="utf-8")
    _generate(tmp_path, "--notes", str(notes), report=report, period=period)
    out = tmp_path / "out"
    analysis = json.loads((out / f"{report}_{period}.json").read_text(encoding="utf-8"))[
        "sections"]["analysis"]
    expected = ["=HYPERLINK(\"http://x\")", "<script>alert(1)</script> 下步：加强<b>催收</b>。"]
    assert analysis["notes"] == expected
    assert [p["text"] for p in analysis["paragraphs"] if p["topic"] == "notes"] == expected
    assert analysis["paragraphs"][-1]["topic"] == "notes"  # the last topic
    html = (out / f"{report}_{period}.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "<b>催收</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 下步：加强&lt;b&gt;催收&lt;/b&gt;。" in html
    assert "存在问题与下步措施" in html
    ws = openpyxl.load_workbook(out / f"{report}_{period}.xlsx")["文字分析"]
    cells = [c for row in ws.iter_rows() for c in row if c.value]
    formula = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"  # text, never a formula
    assert formula.quotePrefix


def test_notes_dir_from_the_config(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "monthly_2026-03.md").write_text("加强到期贷款催收。", encoding="utf-8")
    config = tmp_path / "reportgen.toml"
    config.write_text(f'[analysis]\nnotes_dir = "{folder.as_posix()}"\n', encoding="utf-8")
    _generate(tmp_path, "--config", str(config))
    analysis = json.loads((tmp_path / "out" / "monthly_2026-03.json").read_text(
        encoding="utf-8"))["sections"]["analysis"]
    assert analysis["notes"] == ["加强到期贷款催收。"]


def test_without_notes_the_topic_is_absent(tmp_path: Path) -> None:
    _generate(tmp_path)
    analysis = json.loads((tmp_path / "out" / "monthly_2026-03.json").read_text(
        encoding="utf-8"))["sections"]["analysis"]
    assert analysis["notes"] is None
    assert "notes" not in [p["topic"] for p in analysis["paragraphs"]]


def test_a_missing_notes_file_is_a_usage_error(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path / "ledger", **LEDGER)
    result = CliRunner().invoke(main, [
        "generate", "--ledger", str(ledger), "--report", "monthly", "--period", "2026-03",
        "--format", "json", "--out", str(tmp_path / "out"), "--notes",
        str(tmp_path / "nope.md")])
    assert result.exit_code == 2
    assert "notes file" in result.output
    assert "does not exist" in result.output
    assert not (tmp_path / "out").exists()
