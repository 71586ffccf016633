"""labels.py: one catalogue, every label in both languages, period and month names."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from factories import make_report

from reportgen.labels import Labels
from reportgen.labels_catalogue import CATALOGUE, ENUM_EN, ENUM_ZH
from reportgen.ledger import schema
from reportgen.model import REPORT_TYPES, Sections
from reportgen.render.tables import build_sections

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_every_entry_has_both_languages_and_english_has_no_chinese() -> None:
    for key, (zh, en) in CATALOGUE.items():
        assert zh, key
        assert en or key == "page.after", key
        assert not CJK.search(en), f"{key}: {en!r} is not English"


def test_sheet_names_fit_excel() -> None:
    for lang in ("zh", "en"):
        t = Labels(lang)
        for name in [*Sections.ORDER, "cover", "data_quality", "loans"]:
            sheet = t(f"sheet.{name}")
            assert 0 < len(sheet) <= 31 - 4  # room for " (2)"
            assert not set(sheet) & set("[]:*?/\\")


@pytest.mark.parametrize(("report", "start", "zh", "en"), [
    ("dekad", date(2026, 10, 1), "2026年10月上旬", "Early October 2026"),
    ("dekad", date(2026, 10, 11), "2026年10月中旬", "Mid October 2026"),
    ("dekad", date(2026, 10, 21), "2026年10月下旬", "Late October 2026"),
    ("monthly", date(2026, 10, 1), "2026年10月", "October 2026"),
    ("quarterly", date(2026, 7, 1), "2026年第三季度", "Q3 2026"),
    ("yearly", date(2026, 1, 1), "2026年度", "Year 2026"),
])
def test_period_names(report: str, start: date, zh: str, en: str) -> None:
    assert Labels("zh").period_name(report, start) == zh
    assert Labels("en").period_name(report, start) == en


@pytest.mark.parametrize(("period_id", "zh", "en"), [
    ("2026", "2026年度", "Year 2026"), ("2026-Q4", "2026年第四季度", "Q4 2026"),
    ("2026-10", "2026年10月", "October 2026"),
    ("2026-10-D3", "2026年10月下旬", "Late October 2026"),
    ("FY26", "FY26", "FY26"),
])
def test_period_ids_in_words(period_id: str, zh: str, en: str) -> None:
    assert Labels("zh").period_id_name(period_id) == zh
    assert Labels("en").period_id_name(period_id) == en


def test_titles_months_and_units() -> None:
    zh, en = Labels("zh"), Labels("en")
    assert [zh.report_title(r) for r in REPORT_TYPES] == [
        "信贷业务旬报", "信贷业务周报", "信贷业务月报", "信贷业务季报", "信贷业务半年报",
        "信贷业务年报", "信贷业务区间报表"]
    assert en.report_title("halfyear") == "Credit Business Half-year Report"
    assert en.report_title("weekly") == "Credit Business Weekly Report"
    assert en.report_title("monthly") == "Credit Business Monthly Report"
    assert zh.month_name(10) == "10月"
    assert en.month_name(10) == "October"
    assert zh.month_id("2026-07") == "2026年7月"
    assert en.month_id("2026-07") == "July 2026"
    assert zh.unit("wan") == "万元"
    assert en.unit("yi") == "100 million yuan"
    assert zh("unit_note", unit="万元") == "单位：万元"
    assert zh("more_rows", count=3) == "另有 3 行见 Excel 文件"
    assert en("more_rows", count=3) == "3 more rows in the Excel file"


def test_every_enum_code_has_both_labels() -> None:
    enums = {"customer_type": schema.CUSTOMER_TYPES, "enterprise_size": schema.ENTERPRISE_SIZES,
             "industry": schema.INDUSTRIES, "guarantee": schema.GUARANTEES,
             "grade": schema.GRADES, "metric": schema.TARGET_METRICS}
    for dim, enum in enums.items():
        for code, label in enum:
            assert label in ENUM_ZH[dim][code]
            assert not CJK.search(ENUM_EN[dim][code])
    for dim in ("term", "amount_band"):
        assert ENUM_ZH[dim].keys() == ENUM_EN[dim].keys()
    assert Labels("zh").enum("branch", "城东支行") == "城东支行"  # ledger text as is
    assert Labels("zh").enum("product", "") == "（空白）"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("report", REPORT_TYPES)
def test_renderers_ask_only_for_catalogued_labels(report: str, lang: str,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    from reportgen.render.base import RenderOptions
    from reportgen.render.html import render_html

    with caplog.at_level(logging.WARNING, logger="reportgen.labels"):
        views = build_sections(make_report(report), Labels(lang))
        render_html(make_report(report), RenderOptions(lang=lang))
    assert not [r for r in caplog.records if "no label" in r.getMessage()]
    assert [v.title for v in views] == [Labels(lang).section(v.name) for v in views]


@pytest.mark.parametrize(("report", "start", "end", "zh", "en"), [
    ("halfyear", date(2026, 1, 1), date(2026, 6, 30), "2026年上半年", "H1 2026"),
    ("halfyear", date(2026, 7, 1), date(2026, 12, 31), "2026年下半年", "H2 2026"),
    ("weekly", date(2026, 11, 2), date(2026, 11, 8), "2026年第45周", "Week 45 of 2026"),
    # ISO years: week 1 of 2026 starts in 2025, week 53 of 2026 ends in 2027
    ("weekly", date(2025, 12, 29), date(2026, 1, 4), "2026年第1周", "Week 1 of 2026"),
    ("weekly", date(2026, 12, 28), date(2027, 1, 3), "2026年第53周", "Week 53 of 2026"),
    ("custom", date(2026, 10, 5), date(2026, 10, 18), "2026年10月5日至10月18日",
     "5 October 2026 to 18 October 2026"),
    ("custom", date(2025, 12, 20), date(2026, 1, 10), "2025年12月20日至2026年1月10日",
     "20 December 2025 to 10 January 2026"),
])
def test_assessment_period_names(report: str, start: date, end: date, zh: str,
                                 en: str) -> None:
    assert Labels("zh").period_name(report, start, end) == zh
    assert Labels("en").period_name(report, start, end) == en


def test_half_year_target_period_as_words() -> None:
    assert Labels("zh").period_id_name("2026-H1") == "2026年上半年"
    assert Labels("en").period_id_name("2026-H2") == "H2 2026"
