"""reportgen/deliver/body.py: the mail opens with the report's written analysis."""

from __future__ import annotations

import dataclasses

from factories import make_report

from reportgen.analysis import ensure
from reportgen.deliver.archive import ReportRecord
from reportgen.deliver.body import key_figures, render_bodies


def _record(figures: dict[str, object]) -> ReportRecord:
    return ReportRecord(
        report="monthly", period="2026-10", start="2026-10-01", end="2026-10-31",
        files=(), ledger_sha256="ab" * 32, version="0.1.0",
        time="2026-11-01T01:05:00+08:00", recipients=(), figures=figures)


def test_analysis_paragraphs_open_the_body() -> None:
    report = ensure(dataclasses.replace(make_report("monthly"), notes=("<b>加强催收</b>",)))
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
    assert html.index(expected[0].replace("%", "%")[:10]) < html.index("主要指标")


def test_a_record_from_before_the_analysis_still_renders() -> None:
    figures = key_figures(make_report("monthly"))  # no analysis drafted
    assert figures["analysis"] == []
    del figures["analysis"]  # as an older manifest record holds it
    text, _ = render_bodies(_record(figures), [], lang="en", unit="wan")
    assert text.split("\n\n", 1)[1].startswith("Key figures")
