"""reportgen/analysis: the written analysis (文字分析) drafted from the finished model.

Every number of every paragraph is parsed back and must be a figure the report's tables
show (tests/analysis_check.py), on generated ledgers (hypothesis) and on scenario ledgers
written here, whose expected sentences are worked out by hand.  Golden text for the demo
monthly and yearly reports in both languages (`make update-golden` rewrites it).
"""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from analysis_check import (
    CHANGE_ZH,
    change_words,
    expected_verb,
    shown_sign,
    unknown_numbers,
)
from hypothesis import given
from hypothesis import strategies as st
from ledgers import write_tables
from test_properties import FAST, LAST, NOW, PERIODS, Drawn, ledgers

from reportgen import api
from reportgen.analysis import draft, ensure
from reportgen.config import load_config
from reportgen.formatting import percent
from reportgen.model import Report

MakeReport = Callable[..., Report]
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "analysis"


def texts(report: Report) -> dict[str, str]:
    assert report.analysis is not None
    return {p.topic: p.text for p in report.analysis.paragraphs}


def drafted(report: Report, lang: str = "zh", unit: str = "wan") -> Report:
    return ensure(report, lang=lang, unit=unit)


# --- every number is a table figure, every verb follows its sign: generated ledgers ------


@FAST
@given(drawn=ledgers(), which=st.sampled_from(PERIODS), unit=st.sampled_from(["yuan", "wan"]))
def test_every_number_is_a_figure_of_the_report(drawn: Drawn, which: tuple[str, str],
                                                 unit: str) -> None:
    report_type, period = which
    with tempfile.TemporaryDirectory() as folder:
        path = write_tables(Path(folder), drawn.tables)
        # complete up to LAST, as in test_properties; its first date is DAY0, so a
        # comparison before it (monthly 2024-12's year start) is unknown
        report = api.build(api.open_ledger(path, as_of=LAST), report_type, period,
                           load_config(None), now=NOW)
    for lang in ("zh", "en"):
        shown = drafted(report, lang, unit)
        assert unknown_numbers(shown, lang, unit) == []
        assert shown.analysis is not None
        assert all("—" not in p.text for p in shown.analysis.paragraphs)
    zh = drafted(report, "zh", unit)
    balance = next(r for r in report.sections.summary.table if r.key == "balance")
    words = {"year_start": (CHANGE_ZH["year_start"], balance.change_year_start)}
    if report_type != "yearly":
        words["opening"] = (CHANGE_ZH["opening"][report_type], balance.change_opening)
    for word, change in words.values():
        if change is None:  # unknown: the clause is left out, never "—" or 0
            assert change_words(zh, "scale", word) == []
            continue
        assert isinstance(change, int)
        [(verb, number)] = change_words(zh, "scale", word)
        assert verb == expected_verb(shown_sign(change, unit))
        assert (number == "") == (verb == "持平")
    # a growth rate follows the year-start change only on a known, non-zero base
    scale = texts(zh)["scale"]
    year_start, change_year_start = balance.year_start, balance.change_year_start
    if change_year_start is not None:
        after = scale.split("比年初", 1)[1].split("；")[0].split("。")[0]
        assert isinstance(year_start, int)
        assert isinstance(change_year_start, int)
        # (and not when it shows as 0.00 %: "增加0.01元，增幅0.00%" says nothing)
        rated = (year_start > 0 and shown_sign(change_year_start, unit) != 0
                 and percent(Fraction(change_year_start, year_start)) != 0)
        assert ("增幅" in after or "降幅" in after) == rated
    # the NPL ratio's changes: 上升/下降 by the sign of the shown points, 持平 at 0.00
    npl_ratio = next(r for r in report.sections.quality.table if r.key == "npl_ratio")
    quality = texts(zh)["quality"]
    if npl_ratio.current is not None:
        segment = quality.split("不良贷款率", 1)[1].split("；")[0].split("。")[0]
        found = dict(re.findall(r"比(上旬末|上月末|上季末|年初|上年同期)(上升|下降|持平)",
                                segment))
        ratio_changes = {CHANGE_ZH["year_start"]: npl_ratio.change_year_start}
        if report_type != "yearly":
            ratio_changes[CHANGE_ZH["opening"][report_type]] = npl_ratio.change_opening
        for word, change in ratio_changes.items():
            if change is None:
                assert word not in found  # unknown: left out
            else:
                points = percent(Fraction(change))
                assert points is not None
                assert found[word] == expected_verb((points > 0) - (points < 0), money=False)
    else:
        assert "不良贷款率" not in quality


# --- scenario ledgers, worked out by hand -------------------------------------------------

CUSTOMERS = """
C1,甲制造公司,corporate,small,C,,,
C2,乙农场,individual,,A,,,
"""

# History before every comparison point of the scenarios (the earliest is 同期 of 2026-Q1,
# 31 Mar 2025): a separate customer C3 borrows 300,000 on 2 Dec 2024 and repays it all on
# 20 Dec 2024, so the ledger's first date is 2 Dec 2024 and the book is known to be empty
# at every year start, opening and same day last year the scenarios compare with.  L0 is of
# a branch, industry and product the scenarios already hold, so it adds no table rows.
HISTORY_CUSTOMER = "C3,丙贸易公司,corporate,small,C,,,"
HISTORY_LOAN = "L0,C3,城东支行,赵,流动资金贷款,credit,300000,2024-12-02,2024-12-20,4"
HISTORY_TRANSACTIONS = "L0,2024-12-02,disburse,300000\nL0,2024-12-20,repay,300000"


def with_history(ledger: dict[str, str]) -> dict[str, str]:
    """``ledger`` with L0 lent and repaid before 2025: the book was empty then, known."""
    return {**ledger,
            "customers": ledger["customers"] + "\n" + HISTORY_CUSTOMER,
            "loans": HISTORY_LOAN + "\n" + ledger["loans"],
            "transactions": HISTORY_TRANSACTIONS + "\n" + ledger["transactions"]}


# 2026-Q3 (O = 30 Jun, Y = 31 Dec 2025, L = 30 Sep 2025, D = 30 Sep 2026):
# L1 (制造业) 400,000 normal → substandard on 15 Aug; L3 (农业) 50,000 special mention →
# doubtful on 1 Sep; L2 (农业) 100,000 stays normal.  NPL on D = 450,000 of 550,000.
NPL_FROM_ONE_INDUSTRY = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,城东支行,王,流动资金贷款,credit,400000,2026-01-10,2028-01-10,4
        L2,C2,城西支行,李,个人经营性贷款,credit,100000,2026-01-10,2028-01-10,4
        L3,C2,城西支行,李,个人经营性贷款,credit,50000,2026-01-10,2028-01-10,4
        """,
    "transactions": """
        L1,2026-01-10,disburse,400000
        L2,2026-01-10,disburse,100000
        L3,2026-01-10,disburse,50000
        """,
    "classifications": """
        L1,2026-01-10,normal,
        L1,2026-08-15,substandard,
        L2,2026-01-10,normal,
        L3,2026-01-10,normal,
        L3,2026-05-01,special_mention,
        L3,2026-09-01,doubtful,
        """,
}


def test_a_quarter_where_npl_rises_mainly_from_one_industry(report_from: MakeReport) -> None:
    report = drafted(report_from("quarterly", "2026-Q3",
                                 **with_history(NPL_FROM_ONE_INDUSTRY)))
    quality = texts(report)["quality"]
    # NPL 450,000 yuan = 45.00 万元, all of it new since 30 Jun (0 then)
    assert quality.startswith("不良贷款余额45.00万元，比上季末增加45.00万元，比年初增加45.00万元")
    # 450,000 / 550,000 = 81.8181…% ; 0 on 30 Jun (550,000 live, none NPL) → +81.82 pp;
    # no ratio at the year start (nothing lent yet): no change since then is written
    assert "不良贷款率81.82%，比上季末上升81.82个百分点；" in quality
    assert "比年初上升" not in quality
    # new NPL: normal→substandard 400,000 (88.9 % of 450,000 ≥ 70 %: the only driver)
    assert "本季度新增不良贷款主要来自正常类下迁至次级类40.00万元。" in quality
    assert "关注类下迁" not in quality
    # by industry: 制造业 400,000 of 450,000 covers ≥ 70 % on its own
    assert "不良贷款主要集中在C 制造业（40.00万元）。" in quality
    assert unknown_numbers(report, "zh") == []


BREACH = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,城东支行,王,流动资金贷款,credit,900000,2026-01-10,2028-01-10,4
        L2,C2,城西支行,李,个人经营性贷款,credit,100000,2026-01-10,2028-01-10,4
        """,
    "transactions": """
        L1,2026-01-10,disburse,900000
        L2,2026-01-10,disburse,100000
        """,
    "classifications": """
        L1,2026-01-10,normal,
        L2,2026-01-10,normal,
        L2,2026-05-01,substandard,
        """,
}


@pytest.mark.parametrize(("lang", "sentence"), [
    # NPL 100,000 / 1,000,000 = 10.00 % against ≤ 5.00 %: 5.00 points over
    ("zh", "不良贷款率为10.00%，高于监管上限5.00%，超出5.00个百分点。"),
    ("en", "NPL ratio was 10.00%, above its maximum of 5.00% by 5.00 pp."),
])
def test_a_month_with_a_breach(report_from: MakeReport, lang: str, sentence: str) -> None:
    report = drafted(report_from("monthly", "2026-06", **BREACH), lang)
    assert texts(report)["breaches"] == sentence
    assert unknown_numbers(report, lang) == []


def test_no_breach_says_so(report_from: MakeReport) -> None:
    ledger = {**BREACH, "classifications": "L1,2026-01-10,normal,\nL2,2026-01-10,normal,"}
    report = drafted(report_from("monthly", "2026-06", **ledger))
    assert texts(report)["breaches"] == "各项监管指标均符合监管要求。"


# March: one repayment of 40.00 yuan — 0.004 万元, shown 0.00: the month reads 持平
FLAT = {
    "customers": CUSTOMERS,
    "loans": "L1,C1,城东支行,王,流动资金贷款,credit,500000,2026-01-10,2028-01-10,4",
    "transactions": """
        L1,2026-01-10,disburse,500000
        L1,2026-03-15,repay,40
        """,
    "classifications": "L1,2026-01-10,normal,",
}


@pytest.mark.parametrize(("unit", "expected"), [
    ("wan", "比上月末持平；比年初增加50.00万元"),  # −40 yuan rounds to 0.00 万元
    ("yuan", "比上月末减少40.00元，降幅0.01%；比年初增加499,960.00元"),  # 40/500,000
])
def test_a_flat_month(report_from: MakeReport, unit: str, expected: str) -> None:
    report = drafted(report_from("monthly", "2026-03", **with_history(FLAT)), "zh", unit)
    scale = texts(report)["scale"]
    assert expected in scale
    if unit == "wan":  # no rate after 持平; the 40 yuan collected is still said
        assert "降幅" not in scale
        assert "本月收回贷款0.00万元。" in scale
    assert unknown_numbers(report, "zh", unit) == []


def test_a_year_start_ledger_with_no_prior_data(report_from: MakeReport) -> None:
    # monthly 2026-01 from a ledger that starts on 1 Jan 2026: O and Y (31 Dec 2025) and L
    # (31 Jan 2025) lie before its first date, so the book then is unknown (datadate.md):
    # every 比上月末 / 比年初 / 比上年同期 clause, growth rate and ratio change is left out
    ledger = {**FLAT, "loans": FLAT["loans"].replace("2026-01-10", "2026-01-01"),
              "transactions": "L1,2026-01-01,disburse,500000",
              "classifications": "L1,2026-01-01,normal,"}
    report = drafted(report_from("monthly", "2026-01", **ledger))
    t = texts(report)
    assert t["scale"] == "截至1月末，各项贷款余额50.00万元。本月累计发放贷款50.00万元（1笔）。"
    for text in t.values():
        assert "比上月末" not in text
        assert "比年初" not in text
        assert "比上年同期" not in text
        assert "—" not in text
    assert "个百分点" not in t["quality"]
    assert "drivers" not in t  # no change since the year start or 上月末 is known
    assert report.sections.structure is not None
    assert all(r.change_opening is None and r.change_year_start is None
               for r in report.sections.structure.get("branch").rows)
    assert unknown_numbers(report, "zh") == []


def test_topics_come_in_the_specs_order(report_from: MakeReport) -> None:
    report = drafted(report_from("quarterly", "2026-Q3",
                                 **with_history(NPL_FROM_ONE_INDUSTRY)))
    order = ["scale", "drivers", "quality", "overdue", "breaches", "maturity", "watchlist",
             "targets", "deposits", "notes"]
    topics = list(texts(report))
    assert topics == sorted(topics, key=order.index)
    assert topics[:3] == ["scale", "drivers", "quality"]


def test_dekad_report_has_no_drivers_or_breaches(report_from: MakeReport) -> None:
    # the ten-day report holds no structure and no indicators (interface.md)
    topics = texts(drafted(report_from("dekad", "2026-03-D2", **FLAT)))
    assert "drivers" not in topics
    assert "breaches" not in topics
    assert {"scale", "quality", "overdue", "maturity", "watchlist"} <= set(topics)


# --- the demo: golden text in both languages ---------------------------------------------


@functools.cache
def demo(report: str, period: str) -> Report:
    config = load_config(ROOT / "sample_ledgers" / "demo.toml")
    session = api.open_ledger(ROOT / "sample_ledgers" / "demo")
    return api.build(session, report, period, config)


@pytest.mark.parametrize(("report", "period"), [("monthly", "2026-10"), ("yearly", "2025")])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_golden_demo_text(report: str, period: str, lang: str, update_golden: bool) -> None:
    shown = drafted(demo(report, period), lang)
    actual = "".join(f"[{topic}]\n{text}\n\n" for topic, text in texts(shown).items())
    golden = GOLDEN / f"{report}_{lang}.txt"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")
    assert unknown_numbers(shown, lang) == []


def test_draft_follows_the_language_and_unit() -> None:
    report = demo("monthly", "2026-10")
    zh, en = draft(report, lang="zh"), draft(report, lang="en", unit="yi")
    assert (zh.lang, zh.unit, en.lang, en.unit) == ("zh", "wan", "en", "yi")
    assert zh.paragraphs[0].text.startswith("截至10月末，各项贷款余额111,355.51万元")
    assert en.paragraphs[0].text.startswith(
        "As of 31 October 2026, total loans stood at 11.14 (in 100 million yuan)")
    assert ensure(ensure(report), lang="zh").analysis == zh  # kept when already drafted


# March 2026: 城东支行 (L1, 制造业) lent 500,000 in January and collects 100,000 in March;
# 城西支行 (L2, 农业) lends 300,000 in March.  Since 28 Feb: −100,000 and +300,000 (sum of
# sizes 400,000; 300,000 alone is 75 % ≥ 70 %).  Since 31 Dec 2025 (nothing then): +400,000
# and +300,000 (700,000; 400,000 is 57 % < 70 %, so both).
MONTH_MOVERS = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,城东支行,王,流动资金贷款,credit,500000,2026-01-10,2028-01-10,4
        L2,C2,城西支行,李,个人经营性贷款,credit,300000,2026-03-05,2028-03-05,4
        """,
    "transactions": """
        L1,2026-01-10,disburse,500000
        L1,2026-03-20,repay,100000
        L2,2026-03-05,disburse,300000
        """,
    "classifications": """
        L1,2026-01-10,normal,
        L2,2026-03-05,normal,
        """,
}


def test_monthly_drivers_since_year_start_and_last_month(report_from: MakeReport) -> None:
    report = drafted(report_from("monthly", "2026-03", **with_history(MONTH_MOVERS)))
    drivers = texts(report)["drivers"]
    assert drivers.startswith(
        "比年初贷款变动主要来自：分机构看，城东支行增加40.00万元、城西支行增加30.00万元；")
    assert "比上月末贷款变动主要来自：分机构看，城西支行增加30.00万元；" in drivers
    assert "分行业看，A 农、林、牧、渔业增加30.00万元；分产品看，个人经营性贷款增加30.00万元。" in (
        drivers)
    # the figure named is in the structure table (column 比上期) and the JSON
    branch = {r.key: r.change_opening for r in report.sections.structure.get("branch").rows}  # type: ignore[union-attr]
    assert branch == {"城东支行": -10_000_000, "城西支行": 30_000_000}
    assert unknown_numbers(report, "zh") == []


def test_quarterly_drivers_are_since_the_year_start_only(report_from: MakeReport) -> None:
    report = report_from("quarterly", "2026-Q1", **with_history(MONTH_MOVERS))
    drivers = texts(drafted(report))["drivers"]
    assert drivers.startswith("比年初贷款变动主要来自：")
    assert "比上季末" not in drivers


def test_a_growth_rate_that_shows_as_zero_is_left_out(report_from: MakeReport) -> None:
    # 0.01 yuan repaid out of 500,000: 0.000002 % shows 0.00 % — the change is said, no rate
    ledger = {**FLAT, "transactions": "L1,2026-01-10,disburse,500000\nL1,2026-03-15,repay,0.01"}
    scale = texts(drafted(report_from("monthly", "2026-03", **with_history(ledger)), "zh",
                          "yuan"))["scale"]
    assert "比上月末减少0.01元；比年初增加499,999.99元；" in scale
