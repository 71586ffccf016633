"""The HTML renderer and its templates: escaping, languages, capping, user overrides."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from factories import FORMULA, HOSTILE, make_report, watchlist

from reportgen.config import SignaturesConfig
from reportgen.errors import TemplateError
from reportgen.formatting import SHOWN_TEXT_MAX
from reportgen.model import REPORT_TYPES, Report
from reportgen.render.base import RenderOptions, render
from reportgen.render.html import TEMPLATES, render_html
from reportgen.render.sandbox import OUTPUT_MAX

CJK = re.compile(r"[\u3400-\u9fff]")


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def section(html: str, name: str) -> str:
    """The outer HTML of one section (golden tests use the same split)."""
    [element] = parse(html).xpath(f'//*[@id="section-{name}"]')
    return lxml.html.tostring(element, encoding="unicode", with_tail=False)


def test_document_is_self_contained_chinese_html() -> None:
    html = render_html(make_report("monthly"), RenderOptions())
    doc = parse(html)
    assert doc.get("lang") == "zh-CN"
    assert doc.xpath("//title")[0].text == "示例农村商业银行 信贷业务月报 2026年10月"
    assert doc.xpath('//meta[@name="dcterms.created"]/@content') == ["2026-10-31"]
    style = doc.xpath("//style")[0].text
    assert '"Noto Sans CJK SC"' in style
    assert "@page" in style
    assert "table-header-group" in style
    assert not doc.xpath("//link | //script | //img | //iframe")
    assert not doc.xpath("//@src | //@href")
    assert len(doc.xpath("//svg")) == 1  # the quality mix; no trend in a monthly report


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_each_report_type_shows_its_sections(report: str) -> None:
    r = make_report(report)
    doc = parse(render_html(r, RenderOptions()))
    shown = [s.get("id").removeprefix("section-") for s in doc.xpath("//section")]
    assert shown[0] == "analysis"  # the written analysis opens the report (analysis.md)
    assert sorted(shown) == sorted(["analysis", *r.sections.present(), "data_quality"])


def test_hostile_names_are_plain_text() -> None:
    html = render_html(make_report("yearly"), RenderOptions())
    doc = parse(html)
    # nothing the ledger said became markup …
    assert not doc.xpath("//script | //img")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    # … and a reader sees exactly what the ledger holds
    cells = {td.text_content() for td in doc.xpath("//td")}
    assert set(HOSTILE) <= cells
    assert "-2+3" in cells


def test_figures_and_marks() -> None:
    doc = parse(render_html(make_report("monthly"), RenderOptions()))
    rows = {tr.xpath("./td")[0].text_content(): list(tr.xpath("./td"))
            for tr in doc.xpath('//*[@id="section-indicators"]//tbody/tr')}
    coverage = rows["拨备覆盖率"]
    assert [td.text_content() for td in coverage] == ["拨备覆盖率", "120.00%", "≥ 150.00%", "超限"]
    assert "breach" in coverage[1].get("class")
    assert "breach" not in rows["不良贷款率"][1].get("class")  # at the limit
    summary = section(render_html(make_report("monthly"), RenderOptions()), "summary")
    assert ">1,000.01<" in summary  # 1,000.005 万元, half-up
    assert ">0.13<" in summary  # recovered 0.125 万元
    watch = parse(section(render_html(make_report("monthly"), RenderOptions()), "watchlist"))
    new = watch.xpath('//td[contains(@class, "new")]')
    assert [td.text_content() for td in new] == ["新增"]
    assert [td.text_content() for td in watch.xpath('//td[contains(@class, "check")]')] == [
        "分类偏轻"]


def test_null_figures_show_a_dash() -> None:
    grades = parse(section(render_html(make_report("monthly"), RenderOptions()), "quality"))
    row = grades.xpath("//tbody/tr")[-1]
    assert [td.text_content() for td in row] == [
        "不良贷款率", "5.00%", "4.21%", "0.79个百分点", "4.00%", "1.00个百分点", "—", "—"]


def test_english_changes_every_label() -> None:
    r = make_report("yearly")
    html = render_html(r, RenderOptions(lang="en"))
    doc = parse(html)
    assert doc.get("lang") == "en"
    assert doc.xpath("//h1")[0].text == "Credit Business Annual Report"
    text = doc.text_content()
    for data in (r.bank, r.branch, "城东支行", "张三", "李四", "经营贷"):
        text = text.replace(data, "")
    assert not CJK.search(text), CJK.findall(text)[:20]
    assert "Year 2026" in text
    assert "December 2026" in text  # trend month names


def test_long_lists_are_capped_with_a_note() -> None:
    r = make_report("monthly")
    many = replace(watchlist(), entries=watchlist().entries * 25, count=100)
    r = replace(r, sections=replace(r.sections, watchlist=many))
    doc = parse(section(render_html(r, RenderOptions(pdf_max_rows=7)), "watchlist"))
    entries = doc.xpath('//table[contains(@class, "entries")]/tbody/tr')
    assert len(entries) == 7
    assert doc.xpath('//p[@class="more"]')[0].text == "另有 93 行见 Excel 文件"


def test_signatures_come_from_config() -> None:
    options = RenderOptions(signatures=SignaturesConfig("王五", "赵六", "钱七"))
    block = parse(render_html(make_report("dekad"), options)).xpath('//*[@id="signatures"]')[0]
    assert block.text_content().split() == ["制表人：王五", "复核人：赵六", "负责人：钱七"]


def _without(html: str, name: str) -> str:
    return re.sub(rf'<table class="signatures" id="{name}">.*?</table>\n', "", html,
                  flags=re.S)


def test_a_user_template_replaces_one_block_only(tmp_path: Path) -> None:
    (tmp_path / "monthly.html").write_text(
        '{% extends "default:monthly.html" %}\n'
        '{% block signatures %}<div id="bank-signatures">行长：{{ report.bank }}</div>\n'
        "{% endblock %}\n", encoding="utf-8")
    r = make_report("monthly")
    default = render_html(r, RenderOptions())
    custom = render_html(r, RenderOptions(templates=tmp_path))
    assert '<div id="bank-signatures">行长：示例农村商业银行</div>' in custom
    assert 'id="signatures"' not in custom
    assert custom.replace('<div id="bank-signatures">行长：示例农村商业银行</div>\n', "") == \
        _without(default, "signatures")


def test_user_partials_are_found_first(tmp_path: Path) -> None:
    (tmp_path / "_provision.html").write_text(
        '<section id="section-provision">拨备：{{ sections.provision.title }}</section>\n',
        encoding="utf-8")
    html = render_html(make_report("monthly"), RenderOptions(templates=tmp_path))
    assert section(html, "provision") == '<section id="section-provision">拨备：贷款拨备</section>'
    assert 'id="section-inclusive"' in html  # the others are the built-ins


def test_undefined_names_and_missing_templates_are_template_errors(tmp_path: Path) -> None:
    (tmp_path / "dekad.html").write_text('{% extends "default:dekad.html" %}'
                                         "{% block cover %}{{ no_such_name }}{% endblock %}",
                                         encoding="utf-8")
    with pytest.raises(TemplateError, match="no_such_name"):
        render_html(make_report("dekad"), RenderOptions(templates=tmp_path))
    (tmp_path / "monthly.html").write_text('{% extends "default:nothing.html" %}',
                                           encoding="utf-8")
    with pytest.raises(TemplateError, match=r"nothing\.html"):
        render_html(make_report("monthly"), RenderOptions(templates=tmp_path))
    (tmp_path / "yearly.html").write_text("{% block x %}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"yearly\.html"):
        render_html(make_report("yearly"), RenderOptions(templates=tmp_path))


def test_html_file_is_written_whole(tmp_path: Path) -> None:
    r: Report = make_report("quarterly")
    [path] = render(r, ["html"], tmp_path, RenderOptions())
    assert path.name == "quarterly_2026-Q3.html"
    assert path.read_text(encoding="utf-8") == render_html(r, RenderOptions())
    assert FORMULA in parse(path.read_text(encoding="utf-8")).text_content()


def test_templates_folder_is_found_from_the_package() -> None:
    assert (TEMPLATES / "base.html").is_file()
    names = {p.name for p in TEMPLATES.iterdir()}
    assert {"base.html", "dekad.html", "monthly.html", "quarterly.html", "yearly.html",
            "_table.html", "report.css"} <= names


def test_the_documented_override_works(tmp_path: Path) -> None:
    """docs/templates.md's first example, run as written."""
    doc = (Path(__file__).parent.parent / "docs" / "templates.md").read_text(encoding="utf-8")
    example = re.search(r"```jinja\n(.*?)```", doc, flags=re.S).group(1)  # type: ignore[union-attr]
    (tmp_path / "monthly.html").write_text(example, encoding="utf-8")
    options = RenderOptions(templates=tmp_path, signatures=SignaturesConfig("王五", "赵六", ""))
    html = render_html(make_report("monthly"), options)
    block = parse(html).xpath('//*[@id="signatures"]')[0].text_content().split()
    assert block == ["编制：王五", "审核：赵六", "行长：", "（盖章）"]
    assert section(html, "summary") == section(render_html(make_report("monthly"),
                                                           RenderOptions()), "summary")


# --- control characters and long text ------------------------------------------------------

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                    "\U0001fffe\U0010ffff]")
CONTROL_NAMES = ["甲\x00乙", "\x01=HYPERLINK(\"http://x\")", "丙\x1b[0m丁", "戊\x7f\x85\x9f己",
                 "庚\ud800辛", "壬\ufffe\uffff癸", "子\ufdd0\U0010ffff丑", "寅\x0b\x0c卯"]


def _everywhere(name: str) -> Report:
    """A report whose bank, branch, customer names and warning loan ids are all ``name``."""
    from factories import WARNINGS

    r = make_report("monthly", bank=name, branch=name,
                    warnings=tuple(replace(w, loan_id=name) for w in WARNINGS))
    s = r.sections
    assert s.concentration is not None
    return replace(r, sections=replace(
        s,
        watchlist=replace(s.watchlist, entries=tuple(replace(e, customer_name=name)
                                                     for e in s.watchlist.entries)),
        maturity=replace(s.maturity, upcoming=tuple(replace(u, customer_name=name)
                                                    for u in s.maturity.upcoming)),
        concentration=replace(s.concentration, top10=tuple(
            replace(t, customer_name=name) for t in s.concentration.top10))))


@pytest.mark.parametrize("name", CONTROL_NAMES)
def test_control_characters_never_reach_the_html(name: str, tmp_path: Path) -> None:
    [path] = render(_everywhere(name), ["html"], tmp_path, RenderOptions())
    html = path.read_text(encoding="utf-8")  # written as UTF-8: no lone surrogate left
    assert not UNSAFE.search(html)
    cleaned = UNSAFE.sub("", name)
    cells = {td.text_content() for td in parse(html).xpath("//td")}
    assert cleaned in cells


@pytest.mark.parametrize("length", [SHOWN_TEXT_MAX + 1, 10_000, 100_000])
def test_every_text_cell_is_cut_with_an_ellipsis(length: int) -> None:
    name = "名" * length
    html = render_html(_everywhere(name), RenderOptions())
    doc = parse(html)
    texts = [td.text_content() for td in doc.xpath("//td")]
    shown = [t for t in texts if t.startswith("名名名")]
    assert shown
    assert all(len(t) <= OUTPUT_MAX for t in texts)  # the cover's bank name: 200
    assert "名" * (SHOWN_TEXT_MAX - 1) + "…" in [t for t in shown if len(t) == SHOWN_TEXT_MAX]
    assert "名" * 1_000 not in html
    warnings = [li.text_content() for li in doc.xpath('//ol[@class="warnings"]/li')]
    assert warnings[0].startswith("借据 " + "名" * (SHOWN_TEXT_MAX - 1) + "… 在 2026-10-31")


def test_a_name_at_the_limit_is_shown_whole() -> None:
    name = "名" * SHOWN_TEXT_MAX
    cells = {td.text_content() for td in parse(render_html(_everywhere(name),
                                                           RenderOptions())).xpath("//td")}
    assert name in cells


def test_warnings_beyond_the_pdf_budget_say_how_many_and_where() -> None:
    from factories import WARNINGS

    many = replace(make_report("monthly", warnings=WARNINGS * 50), warning_count=1_234)
    doc = parse(render_html(many, RenderOptions(pdf_max_rows=40)))
    assert len(doc.xpath('//ol[@class="warnings"]/li')) == 40
    [note] = doc.xpath('//section[@id="section-data_quality"]/p[@class="more"]')
    assert note.text_content() == ("共 1,234 条提示，此处列出 40 条；"
                                   "Excel 文件的数据质量表列出 100 条")
    cover = {tr[0].text_content(): tr[1].text_content()
             for tr in doc.xpath('//table[@class="cover-items"]/tr')}
    assert cover["数据提示"] == "1,234 条（见数据质量表）"
    assert "无数据提示" in render_html(make_report("monthly", warnings=()), RenderOptions())


def test_control_characters_a_user_template_holds_are_removed_too(tmp_path: Path) -> None:
    (tmp_path / "dekad.html").write_text(
        '{% extends "default:dekad.html" %}{% block head_extra %}'
        "<style>/* \x00\x1b[2J */</style>{% endblock %}", encoding="utf-8")
    html = render_html(make_report("dekad"), RenderOptions(templates=tmp_path))
    assert "<style>/* [2J */</style>" in html
    assert not UNSAFE.search(html)
