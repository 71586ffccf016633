"""The PDF renderer, tested by meaning: text (pdftotext), fonts (pdffonts), metadata.

Rendering costs about a second a page, so each report type is rendered once per module.
Every render is watched for WeasyPrint's ".notdef glyph" warning (a character drawn as an
empty box), which fails the test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from factories import HOSTILE, make_report, watchlist

from reportgen.errors import TemplateError
from reportgen.formatting import SHOWN_TEXT_MAX
from reportgen.model import REPORT_TYPES, Report
from reportgen.render.base import RenderOptions, render
from reportgen.render.html import TEMPLATES
from reportgen.render.json import report_dict
from reportgen.render.pdf import template_fetcher, weasyprint_warnings, write_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftotext, pdffonts) is not installed")


def pdf(report: Report, out: Path, **options: object) -> Path:
    """Render ``report`` to PDF; fails on a .notdef warning."""
    with weasyprint_warnings() as messages:
        [path] = render(report, ["pdf"], out, RenderOptions(**options))  # type: ignore[arg-type]
    assert not [m for m in messages if ".notdef" in m], messages
    return path


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in
                                                 out.splitlines())}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    return {r: pdf(make_report(r), out) for r in REPORT_TYPES}


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_cjk_fonts_are_embedded(pdfs: dict[str, Path], report: str) -> None:
    fonts = subprocess.run(["pdffonts", str(pdfs[report])], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "Noto-Sans-CJK-SC" in line, line
        assert re.search(r"\byes\s+yes\s+yes\b", line), line  # embedded, subset, unicode


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_title_period_unit_and_page_numbers(pdfs: dict[str, Path], report: str) -> None:
    r = make_report(report)
    text = pdftotext(pdfs[report], "-layout")
    title = {"dekad": "信贷业务旬报", "monthly": "信贷业务月报", "quarterly": "信贷业务季报",
             "yearly": "信贷业务年报", "weekly": "信贷业务周报", "halfyear": "信贷业务半年报",
             "custom": "信贷业务区间报表"}[report]
    period = {"dekad": "2026年10月中旬", "monthly": "2026年10月", "quarterly": "2026年第三季度",
              "yearly": "2026年度", "weekly": "2026年第45周", "halfyear": "2026年上半年",
              "custom": "2026年10月5日至10月18日"}[report]
    assert title in text
    assert period in text
    assert "单位：万元" in text
    pages = int(info(pdfs[report])["Pages"])
    footers = re.findall(r"第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页", text)
    assert footers == [(str(n), str(pages)) for n in range(1, pages + 1)]
    assert text.count(f"{title} · {period} · 单位：万元") == pages - 1  # header from page 2
    assert r.bank in text


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_metadata_title_and_creation_date(pdfs: dict[str, Path], report: str) -> None:
    meta = info(pdfs[report])
    r = make_report(report)
    assert meta["Title"].startswith("示例农村商业银行 信贷业务")
    created = {"dekad": "Oct 20", "monthly": "Oct 31", "quarterly": "Sep 30",
               "yearly": "Dec 31", "weekly": "Nov  8", "halfyear": "Jun 30",
               "custom": "Oct 18"}[report]
    assert created in meta["CreationDate"]
    assert str(r.end.year) in meta["CreationDate"]


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_pdf_shows_the_json_figures_in_wan(pdfs: dict[str, Path], report: str) -> None:
    doc = report_dict(make_report(report))["sections"]
    text = squeeze(pdftotext(pdfs[report]))

    def wan(yuan: str) -> str:
        value = (Decimal(yuan) / 10_000).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return f"{value:,.2f}"

    def pct(ratio: str) -> str:
        return f"{(Decimal(ratio) * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"

    assert wan(doc["summary"]["balance"]) == "1,000.01"
    for key in ("balance", "disbursed", "collected", "written_off", "recovered"):
        assert wan(doc["summary"][key]) in text, key
    for row in doc["quality"]["table"]:
        if row["key"] != "npl_ratio":
            assert wan(row["current"]) in text, row["key"]
    assert pct(doc["quality"]["npl_ratio"]) == "5.00%"
    assert pct(doc["quality"]["npl_ratio"]) in text
    for indicator in doc.get("indicators", []):
        assert pct(indicator["value"]) in text, indicator["key"]
    for entry in doc["watchlist"]["entries"]:
        assert wan(entry["balance"]) in text
        assert entry["loan_id"] in text


def test_breaches_are_red(pdfs: dict[str, Path], tmp_path: Path) -> None:
    """The breached figures are drawn in the breach colour (#9c0006), found in the page."""
    import zlib

    raw = pdfs["monthly"].read_bytes()
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, flags=re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    red = b"0.611765 0 0.023529"  # 9c0006 as PDF rgb
    assert any(red in s for s in streams)


def test_hostile_names_are_text_and_nothing_is_fetched(pdfs: dict[str, Path],
                                                       tmp_path: Path) -> None:
    text = squeeze(pdftotext(pdfs["monthly"]))
    for name in HOSTILE:
        assert squeeze(name) in text
    from reportgen.render.html import render_html

    fetcher = write_pdf(render_html(make_report("dekad"), RenderOptions()), RenderOptions(),
                        tmp_path / "dekad.pdf")
    assert fetcher.served == []
    assert fetcher.refused == []


def test_fetcher_serves_only_the_template_folders(tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    fetcher = template_fetcher([user, TEMPLATES])
    assert fetcher.fetch((user / "logo.svg").as_uri()).read().startswith(b"<svg")
    assert b"@page" in fetcher.fetch((TEMPLATES / "report.css").as_uri()).read()
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in ("file:///etc/passwd", (user / ".." / "x").as_uri(), "http://example.com/",
                (TEMPLATES / ".." / "setup.cfg").as_uri(), "ftp://example.com/x"):
        with pytest.raises(ValueError, match="outside"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_a_template_asking_for_a_file_elsewhere_fails(tmp_path: Path) -> None:
    (tmp_path / "dekad.html").write_text(
        '{% extends "default:dekad.html" %}{% block cover %}<img src="file:///etc/passwd">'
        '<img src="logo.svg">{% endblock %}', encoding="utf-8")
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "utf-8")
    with pytest.raises(TemplateError, match="/etc/passwd"):
        render(make_report("dekad"), ["pdf"], tmp_path / "out",
               RenderOptions(templates=tmp_path))
    assert not (tmp_path / "out" / "dekad_2026-10-D2.pdf").exists()


def test_notdef_warning_is_caught(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with weasyprint_warnings() as messages:
        write_pdf('<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\'">'
                  "\ue000</body></html>", RenderOptions(), tmp_path / "box.pdf")
    assert any(".notdef" in m for m in messages)
    assert "font lacks" in caplog.text


def test_long_lists_do_not_grow_the_pdf(tmp_path: Path) -> None:
    def with_entries(n: int) -> Report:
        r = make_report("dekad")
        w = replace(watchlist(), entries=watchlist().entries * (n // 4), count=n)
        return replace(r, sections=replace(r.sections, watchlist=w))

    small = pdf(with_entries(200), tmp_path / "small", pdf_max_rows=40)
    large = pdf(with_entries(4000), tmp_path / "large", pdf_max_rows=40)
    assert info(small)["Pages"] == info(large)["Pages"]
    text = pdftotext(large, "-layout")
    assert "另有 3960 行见 Excel 文件" in text


def test_english_pdf(tmp_path: Path) -> None:
    path = pdf(make_report("monthly"), tmp_path, lang="en")
    text = pdftotext(path, "-layout")
    assert "Credit Business Monthly Report" in text
    assert "October 2026" in text
    assert re.search(r"Page\s+1\s+of\s+\d+", text)
    assert "Unit: 10,000 yuan" in text


def test_identical_input_gives_identical_bytes(pdfs: dict[str, Path], tmp_path: Path) -> None:
    again = pdf(make_report("dekad"), tmp_path)
    assert again.read_bytes() == pdfs["dekad"].read_bytes()


def test_table_headers_repeat_on_every_page(tmp_path: Path) -> None:
    r = make_report("dekad")
    w = replace(watchlist(), entries=watchlist().entries * 25, count=100)
    path = pdf(replace(r, sections=replace(r.sections, watchlist=w)), tmp_path,
               pdf_max_rows=100)
    pages_with_rows = 0
    for page in range(1, int(info(path)["Pages"]) + 1):
        text = pdftotext(path, "-layout", "-f", str(page), "-l", str(page))
        if "L0006" in text:  # a watchlist row is on this page …
            pages_with_rows += 1
            assert "逾期天数" in text, page  # … so is the table's header
    assert pages_with_rows >= 2


# --- what a template may fetch ------------------------------------------------------------

SECRET = "fetched-secret-7d1e"


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    """A template folder, and beside it a stylesheet that would print a secret if fetched."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.css").write_text(f'body::before {{ content: "{SECRET}" }}', "utf-8")
    (outside / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text y="10">{SECRET}</text></svg>', "utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "linked.css").symlink_to(outside / "secret.css")
    (folder / "ok.css").write_text("body { color: #111 }", "utf-8")
    return folder, outside


FETCHES = {
    "img_file": '<img src="file://{outside}/secret.svg">',
    "img_etc_passwd": '<img src="file:///etc/passwd">',
    "link_file": '<link rel="stylesheet" href="file://{outside}/secret.css">',
    "link_relative_up": '<link rel="stylesheet" href="../outside/secret.css">',
    "link_symlink_out": '<link rel="stylesheet" href="linked.css">',
    "link_http": '<link rel="stylesheet" href="http://127.0.0.1:9/secret.css">',
    "link_https": '<link rel="stylesheet" href="https://example.com/secret.css">',
    "css_url_file": "<style>body {{ background: url(file://{outside}/secret.svg) }}</style>",
    "css_import": '<style>@import url("file://{outside}/secret.css");</style>',
    "css_font_face": "<style>@font-face {{ font-family: x; src: url(file:///etc/passwd) }}"
                     "</style>",
    "object_data": '<object data="file://{outside}/secret.svg"></object>',
}


@pytest.mark.parametrize("tag", list(FETCHES.values()), ids=list(FETCHES))
def test_fetches_outside_the_template_folders_are_refused(tmp_path: Path, tag: str) -> None:
    folder, outside = _outside(tmp_path)
    html = (f'<html lang="zh-CN"><head><link rel="stylesheet" href="ok.css">'
            f"{tag.format(outside=outside)}</head><body><p>正文</p></body></html>")
    target = tmp_path / "out.pdf"
    with pytest.raises(TemplateError, match="outside the template folders") as raised:
        write_pdf(html, RenderOptions(templates=folder), target)
    assert SECRET not in str(raised.value)
    if target.exists():  # write_pdf wrote a temporary of render(): the text never has it
        assert SECRET not in pdftotext(target)


def test_a_user_template_that_fetches_a_secret_writes_no_pdf(tmp_path: Path) -> None:
    folder, _ = _outside(tmp_path)
    (folder / "dekad.html").write_text(
        '{% extends "default:dekad.html" %}{% block head_extra %}'
        '<link rel="stylesheet" href="linked.css">{% endblock %}', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(TemplateError, match=r"linked\.css"):
        render(make_report("dekad"), ["json", "pdf"], out, RenderOptions(templates=folder))
    assert list(out.iterdir()) == []  # nor the JSON: a report's formats come all or none


# --- hostile and long text ----------------------------------------------------------------


def _with_names(report: Report, name: str) -> Report:
    """``report`` with every customer name of its loan lists set to ``name``."""
    s = report.sections
    m = replace(s.maturity, upcoming=tuple(replace(u, customer_name=name)
                                           for u in s.maturity.upcoming))
    w = replace(s.watchlist, entries=tuple(replace(e, customer_name=name)
                                           for e in s.watchlist.entries))
    return replace(report, sections=replace(s, maturity=m, watchlist=w))


CONTROL = "甲\x00乙\x01丙\x1b[31m丁\x7f戊\x85己\x9f庚\ufffe辛\uffff壬\U0010ffff癸"


def test_control_characters_never_reach_the_pdf(tmp_path: Path) -> None:
    path = pdf(_with_names(make_report("dekad"), CONTROL), tmp_path)
    text = pdftotext(path).replace("\f", "")  # pdftotext ends each page with a form feed
    assert "甲乙丙[31m丁戊己庚辛壬癸" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]", text)


@pytest.mark.parametrize("length", [10_000, 100_000])
def test_a_huge_name_does_not_grow_the_pdf(tmp_path: Path, length: int,
                                           pdfs: dict[str, Path]) -> None:
    """Rendered in bounded time: without the cap a 10,000-character name took minutes."""
    name = "X" * length
    path = pdf(_with_names(make_report("dekad"), name), tmp_path)
    assert info(path)["Pages"] == info(pdfs["dekad"])["Pages"]
    text = squeeze(pdftotext(path))
    assert "X" * (SHOWN_TEXT_MAX - 1) + "…" in text
    assert "X" * (SHOWN_TEXT_MAX + 1) not in text


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_the_analysis_comes_first_after_the_cover(pdfs: dict[str, Path], report: str) -> None:
    from reportgen.analysis import draft

    text = squeeze(pdftotext(pdfs[report]))
    paragraphs = [squeeze(p.text) for p in draft(make_report(report)).paragraphs]
    at = text.index("文字分析")
    assert text.index(paragraphs[0]) > at
    for paragraph in paragraphs:  # every paragraph, in order (glyphs the PDF can show)
        assert paragraph in text
    first_section = min(text.index(title) for title in ("贷款总量", "监管指标")
                        if title in text[at:])
    assert at < first_section
