"""reportgen/deliver/body.py: the mail opens with the report's written analysis."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_report
from mailserver import smtp_server
from runsetup import TEAM, write_bank_ledger, write_config

from reportgen.analysis import ensure
from reportgen.cli import main
from reportgen.deliver.archive import ReportRecord
from reportgen.deliver.body import key_figures, render_bodies


def _record(figures: dict[str, object]) -> ReportRecord:
    return ReportRecord(
        report="monthly", period="2026-10", start="2026-10-01", end="2026-10-31",
        files=(), ledger_sha256="ab" * 32, version="0.1.0",
        time="2026-11-01T01:05:00+08:00", recipients=(), figures=figures)


@pytest.mark.parametrize("kind", ["monthly", "dekad", "weekly", "custom"])
def test_analysis_paragraphs_open_the_body(kind: str) -> None:
    report = ensure(dataclasses.replace(make_report(kind), notes=("<b>加强催收</b>",)))
    assert report.analysis is not None
    figures = key_figures(report)
    expected = [p.text for p in report.analysis.paragraphs]
    assert figures["analysis"] == expected
    text, html = render_bodies(_record(figures), ["a.pdf"], lang="zh", unit="wan")
    body = text.split("报告期: 2026-10-01 – 2026-10-31\n\n", 1)[1]
    assert body.startswith(expected[0] + "\n\n" + expected[1] + "\n\n")
    assert body.index(expected[-1]) < body.index("主要指标")  # before the key figures
    assert "&lt;b&gt;加强催收&lt;/b&gt;" in html  # the clerk's words are escaped
    assert "<b>加强催收</b>" not in html
    assert html.index(expected[0][:10]) < html.index("主要指标")
    # the drivers paragraph (a branch named <script>…: escaped like any data)
    [drivers] = [p.text for p in report.analysis.paragraphs if p.topic == "drivers"]
    assert drivers in body
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_record_from_before_the_analysis_still_renders() -> None:
    figures = key_figures(make_report("monthly"))  # no analysis drafted
    assert figures["analysis"] == []
    del figures["analysis"]  # as an older manifest record holds it
    text, _ = render_bodies(_record(figures), [], lang="en", unit="wan")
    assert text.split("\n\n", 1)[1].startswith("Key figures")


def test_run_mails_open_with_the_archived_reports_analysis(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           ) -> None:
    # end to end: `reportgen run` → JSON archived → mail through a real SMTP server
    write_bank_ledger(tmp_path / "ledger")
    monkeypatch.chdir(tmp_path)
    with smtp_server() as server:
        write_config(tmp_path, server.port)
        result = CliRunner().invoke(main, ["run", "--date", "2026-11-01"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        handler = server.handler
    mails = handler.received_by(TEAM)
    assert len(mails) == 2  # the dekad 2026-10-D3 and the monthly 2026-10
    for msg in mails:
        period = "2026-10-D3" if "旬报" in str(msg["Subject"]) else "2026-10"
        kind = "dekad" if period.endswith("D3") else "monthly"
        archived = json.loads((tmp_path / "reports" / f"{kind}_{period}.json").read_text(
            encoding="utf-8"))
        paragraphs = [p["text"] for p in archived["sections"]["analysis"]["paragraphs"]]
        assert paragraphs[0].startswith("截至10月")
        body = msg.get_body(("plain",))
        assert body is not None
        after_period = body.get_content().split("\n\n", 2)[1:]
        assert "\n\n".join(after_period).startswith("\n\n".join(paragraphs))
