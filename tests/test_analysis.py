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
from datetime import date
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
from test_properties import DAY0, FAST, LAST, NOW, PERIODS, Drawn, ledgers

from reportgen import api
from reportgen.analysis import draft, ensure
from reportgen.config import load_config
from reportgen.formatting import percent
from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "analysis"


def texts(report: Report) -> dict[str, str]:
    assert report.analysis is not None
    return {p.topic: p.text for p in report.analysis.paragraphs}


def drafted(report: Report, lang: str = "zh", unit: str = "wan") -> Report:
    return ensure(report, lang=lang, unit=unit)


# --- every number is a table figure, every verb follows its sign: generated ledgers ------


# test_properties' periods, and the report types that hold the dekad report's sections
# (weekly, custom) or the quarterly ones (halfyear)
ANALYSIS_PERIODS = [*PERIODS, ("weekly", "2026-W42"), ("custom", "2026-10-05..2026-10-18"),
                    ("halfyear", "2026-H1"), ("halfyear", "2026-H2")]


def branch_changes(drawn: Drawn, since: date, end: date) -> dict[str, int]:
    """Each branch's balance change from the end of ``since`` to the end of ``end``,
    worked out from the drawn events (the loans' branches as drawn)."""
    a, b = (since - DAY0).days, (end - DAY0).days
    sign = {"disburse": 1, "repay": -1, "writeoff": -1}
    branch_of = [row[2] for row in drawn.tables["loans"][1]]
    out: dict[str, int] = {}
    for loan, when, kind, fen in drawn.events:
        if a < when <= b:
            out[branch_of[loan]] = out.get(branch_of[loan], 0) + sign.get(kind, 0) * fen
    return out


def opening_word(report_type: str, period: str) -> str:
    """How the Chinese text names the last period's end (the first half-year's: 上年末)."""
    return "上年末" if period.endswith("-H1") else CHANGE_ZH["opening"][report_type]


def check_branch_drivers(drawn: Drawn, zh: Report, unit: str) -> None:
    """Every branch the drivers name moved by the amount the events say (the figure the
    JSON shows), in the direction the verb says, since a known day."""
    assert zh.analysis is not None
    dates = {"opening": zh.opening, "year_start": zh.year_start}
    for d in zh.analysis.drivers:
        if d.dimension == "branch":
            assert dates[d.side] >= DAY0  # an unknown base is never a side
            assert d.change == branch_changes(drawn, dates[d.side], zh.end)[d.key]
            verb = expected_verb(shown_sign(d.change, unit))
            assert f"{d.name}{verb}" in texts(zh)["drivers"]


@FAST
@given(drawn=ledgers(), which=st.sampled_from(ANALYSIS_PERIODS),
       unit=st.sampled_from(["yuan", "wan"]))
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
    check_branch_drivers(drawn, zh, unit)
    balance = next(r for r in report.sections.summary.table if r.key == "balance")
    words = {"year_start": (CHANGE_ZH["year_start"], balance.change_year_start)}
    if report_type != "yearly":
        words["opening"] = (opening_word(report_type, period), balance.change_opening)
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
        found = dict(re.findall(r"比(上旬末|上月末|上季末|上周末|期初|上半年末|上年末|年初|"
                                r"上年同期)(上升|下降|持平)", segment))
        ratio_changes = {CHANGE_ZH["year_start"]: npl_ratio.change_year_start}
        if report_type != "yearly":
            ratio_changes[opening_word(report_type, period)] = npl_ratio.change_opening
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


@pytest.mark.parametrize(("report_type", "period", "word", "period_word"), [
    ("quarterly", "2026-Q3", "上季末", "本季度"),
    # the second half-year holds the quarterly sections too (migration from 30 Jun)
    ("halfyear", "2026-H2", "上半年末", "下半年"),
])
def test_a_quarter_where_npl_rises_mainly_from_one_industry(
        report_from: MakeReport, report_type: str, period: str, word: str,
        period_word: str) -> None:
    report = drafted(report_from(report_type, period, **with_history(NPL_FROM_ONE_INDUSTRY)))
    quality = texts(report)["quality"]
    # NPL 450,000 yuan = 45.00 万元, all of it new since 30 Jun (0 then)
    assert quality.startswith(f"不良贷款余额45.00万元，比{word}增加45.00万元，比年初增加45.00万元")
    # 450,000 / 550,000 = 81.8181…% ; 0 on 30 Jun (550,000 live, none NPL) → +81.82 pp;
    # no ratio at the year start (nothing lent yet): no change since then is written
    assert f"不良贷款率81.82%，比{word}上升81.82个百分点；" in quality
    assert "比年初上升" not in quality
    # new NPL: normal→substandard 400,000 (88.9 % of 450,000 ≥ 70 %: the only driver)
    assert f"{period_word}新增不良贷款主要来自正常类下迁至次级类40.00万元。" in quality
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


FLAT_PERIODS = [  # every period holding 15 March whose opening is after 10 January
    ("monthly", "2026-03", "上月末", "本月"),
    ("dekad", "2026-03-D2", "上旬末", "本旬"),
    ("weekly", "2026-W11", "上周末", "本周"),  # 9–15 March
    ("custom", "2026-03-11..2026-03-20", "期初", "本期"),
]


@pytest.mark.parametrize(("report_type", "period", "word", "period_word"), FLAT_PERIODS)
@pytest.mark.parametrize(("unit", "expected"), [
    ("wan", "比{word}持平；比年初增加50.00万元"),  # −40 yuan rounds to 0.00 万元
    ("yuan", "比{word}减少40.00元，降幅0.01%；比年初增加499,960.00元"),  # 40/500,000
])
def test_a_flat_period(report_from: MakeReport, unit: str, expected: str, report_type: str,
                       period: str, word: str, period_word: str) -> None:
    report = drafted(report_from(report_type, period, **with_history(FLAT)), "zh", unit)
    scale = texts(report)["scale"]
    assert expected.format(word=word) in scale
    # the book was empty (known) at the year start and a year ago: no rate on a 0 base
    assert "增幅" not in scale
    if unit == "wan":  # no rate after 持平; the 40 yuan collected is still said
        assert "降幅" not in scale
        assert f"{period_word}收回贷款0.00万元。" in scale
        # no item moved by a shown amount since the opening: that side names none
        assert f"比{word}贷款变动" not in texts(report)["drivers"]
    assert unknown_numbers(report, "zh", unit) == []


@pytest.mark.parametrize(("report_type", "period"), [
    ("monthly", "2026-01"), ("dekad", "2026-01-D1"), ("custom", "2026-01-01..2026-01-15"),
    ("quarterly", "2026-Q1"), ("halfyear", "2026-H1"), ("yearly", "2026")])
def test_a_year_start_ledger_with_no_prior_data(report_from: MakeReport, report_type: str,
                                                period: str) -> None:
    # a ledger that starts on 1 Jan 2026: O and Y (31 Dec 2025) and L (a year before the
    # end) lie before its first date, so the book then is unknown (datadate.md): every
    # 比上期 / 比年初 / 比上年同期 clause, growth rate and ratio change is left out
    ledger = {**FLAT, "loans": FLAT["loans"].replace("2026-01-10", "2026-01-01"),
              "transactions": "L1,2026-01-01,disburse,500000",
              "classifications": "L1,2026-01-01,normal,"}
    report = drafted(report_from(report_type, period, **ledger))
    t = texts(report)
    if report_type == "monthly":
        assert t["scale"] == "截至1月末，各项贷款余额50.00万元。本月累计发放贷款50.00万元（1笔）。"
    assert t["scale"].startswith("截至")
    assert "各项贷款余额50.00万元。" in t["scale"]
    assert "累计发放贷款50.00万元（1笔）。" in t["scale"]
    for text in t.values():
        assert re.search("比(上旬末|上月末|上季末|上年末|期初|年初|上年同期)", text) is None
        assert "—" not in text
        assert "增幅" not in text
    assert "个百分点" not in t["quality"]
    assert "drivers" not in t  # no change since the year start or the opening is known
    assert report.analysis is not None
    assert report.analysis.drivers == ()
    if report.sections.structure is not None:
        assert all(r.change_opening is None and r.change_year_start is None
                   for r in report.sections.structure.get("branch").rows)
    else:
        assert report.changes is not None
        assert all(r.change_opening is None and r.change_year_start is None
                   for c in report.changes for r in c.rows)
    assert unknown_numbers(report, "zh") == []


def test_topics_come_in_the_specs_order(report_from: MakeReport) -> None:
    report = drafted(report_from("quarterly", "2026-Q3",
                                 **with_history(NPL_FROM_ONE_INDUSTRY)))
    order = ["scale", "drivers", "quality", "overdue", "breaches", "maturity", "watchlist",
             "targets", "deposits", "notes"]
    topics = list(texts(report))
    assert topics == sorted(topics, key=order.index)
    assert topics[:3] == ["scale", "drivers", "quality"]


def test_dekad_report_has_no_breaches(report_from: MakeReport) -> None:
    # the ten-day report holds no indicators (interface.md)
    topics = texts(drafted(report_from("dekad", "2026-03-D2", **with_history(FLAT))))
    assert "breaches" not in topics
    assert {"scale", "drivers", "quality", "overdue", "maturity", "watchlist"} <= set(topics)


# --- the drivers of the reports without the structure tables (dekad, weekly, custom) -----

# March 2026.  城东支行 (L1, C1 制造业, 流动资金贷款) lent 500,000 on 10 Jan and collects
# 200,000 on 15 Mar; 城西支行 (C2 农业, 个人经营性贷款) lent L2 200,000 on 1 Feb and L3
# 350,000 on 18 Mar.  The book was empty, and known, on 31 Dec 2025 (with_history).
DEKAD_MOVERS = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,城东支行,王,流动资金贷款,credit,500000,2026-01-10,2028-01-10,4
        L2,C2,城西支行,李,个人经营性贷款,credit,200000,2026-02-01,2028-02-01,4
        L3,C2,城西支行,李,个人经营性贷款,credit,350000,2026-03-18,2028-03-18,4
        """,
    "transactions": """
        L1,2026-01-10,disburse,500000
        L1,2026-03-15,repay,200000
        L2,2026-02-01,disburse,200000
        L3,2026-03-18,disburse,350000
        """,
    "classifications": """
        L1,2026-01-10,normal,
        L2,2026-02-01,normal,
        L3,2026-03-18,normal,
        """,
}
# Since 31 Dec 2025: 城东 +300,000, 城西 +550,000 (sum of sizes 850,000; 550,000 alone is
# 64.7 % < 70 %, so both), the same for 农业 / 制造业 and the two products.
DEKAD_YEAR_START_ZH = (
    "比年初贷款变动主要来自：分机构看，城西支行增加55.00万元、城东支行增加30.00万元；"
    "分行业看，A 农、林、牧、渔业增加55.00万元、C 制造业增加30.00万元；"
    "分产品看，个人经营性贷款增加55.00万元、流动资金贷款增加30.00万元。")
# Since 10 Mar (dekad D2, custom 11–20 Mar): 城西 +350,000, 城东 −200,000 (350,000 is 63.6 %
# of 550,000: both, the larger first).  Since Sunday 15 Mar (week 12, 16–22 Mar; the
# repayment is on the 15th, before it): 城西 +350,000 only.
BOTH_ZH = ("贷款变动主要来自：分机构看，城西支行增加35.00万元、城东支行减少20.00万元；"
           "分行业看，A 农、林、牧、渔业增加35.00万元、C 制造业减少20.00万元；"
           "分产品看，个人经营性贷款增加35.00万元、流动资金贷款减少20.00万元。")
ONE_ZH = ("贷款变动主要来自：分机构看，城西支行增加35.00万元；分行业看，A 农、林、牧、渔业增加"
          "35.00万元；分产品看，个人经营性贷款增加35.00万元。")


@pytest.mark.parametrize(("report_type", "period", "word", "since"), [
    ("dekad", "2026-03-D2", "上旬末", BOTH_ZH),
    ("custom", "2026-03-11..2026-03-20", "期初", BOTH_ZH),
    ("weekly", "2026-W12", "上周末", ONE_ZH),
])
def test_drivers_without_structure_tables(report_from: MakeReport, report_type: str,
                                          period: str, word: str, since: str) -> None:
    report = drafted(report_from(report_type, period, **with_history(DEKAD_MOVERS)))
    assert report.sections.structure is None  # not a section of these reports
    assert texts(report)["drivers"] == DEKAD_YEAR_START_ZH + f"比{word}" + since
    assert unknown_numbers(report, "zh") == []
    # the JSON's analysis shows every item the text names with its change, in yuan
    shown = report_dict(report)["sections"]["analysis"]["drivers"]
    branches = {(d["side"], d["key"]): d["change"] for d in shown if d["dimension"] == "branch"}
    expected = {("year_start", "城西支行"): "550000.00", ("year_start", "城东支行"): "300000.00",
                ("opening", "城西支行"): "350000.00"}
    if since == BOTH_ZH:
        expected[("opening", "城东支行")] = "-200000.00"
    assert branches == expected
    assert "structure" not in report_dict(report)["sections"]


@pytest.mark.parametrize(("report_type", "period"), [
    ("dekad", "2026-01-D1"), ("monthly", "2026-01"), ("custom", "2026-01-01..2026-01-20")])
def test_drivers_since_a_last_period_that_is_the_year_start_are_said_once(
        report_from: MakeReport, report_type: str, period: str) -> None:
    # O = Y = 31 Dec 2025 (known: the book was empty): L1 lent 500,000 on 10 Jan
    report = drafted(report_from(report_type, period, **with_history(DEKAD_MOVERS)))
    assert texts(report)["drivers"] == (
        "比年初贷款变动主要来自：分机构看，城东支行增加50.00万元；分行业看，C 制造业增加50.00万元；"
        "分产品看，流动资金贷款增加50.00万元。")
    assert report.analysis is not None
    assert {d.side for d in report.analysis.drivers} == {"year_start"}


def test_dekad_drivers_in_english(report_from: MakeReport) -> None:
    report = drafted(report_from("dekad", "2026-03-D2", **with_history(DEKAD_MOVERS)), "en")
    assert texts(report)["drivers"] == (
        "Changes since the start of the year came mainly from the following. By branch: "
        "城西支行 up 55.00, 城东支行 up 30.00; By industry: A Agriculture, forestry, animal "
        "husbandry and fishery up 55.00, C Manufacturing up 30.00; By product: 个人经营性贷款 "
        "up 55.00, 流动资金贷款 up 30.00. Changes since the previous dekad came mainly from "
        "the following. By branch: 城西支行 up 35.00, 城东支行 down 20.00; By industry: A "
        "Agriculture, forestry, animal husbandry and fishery up 35.00, C Manufacturing down "
        "20.00; By product: 个人经营性贷款 up 35.00, 流动资金贷款 down 20.00.")
    assert unknown_numbers(report, "en") == []


def test_a_flat_dekad_names_no_driver(report_from: MakeReport) -> None:
    # 21–31 March: nothing moves, so since 20 Mar no item changed and that side is left out;
    # the year-start side still says what moved since 31 Dec
    report = drafted(report_from("dekad", "2026-03-D3", **with_history(DEKAD_MOVERS)))
    assert texts(report)["drivers"] == DEKAD_YEAR_START_ZH
    assert all(d.side == "year_start" for d in report.analysis.drivers)  # type: ignore[union-attr]
    # and with the year start unknown too (no history), no drivers paragraph at all
    flat = drafted(report_from("dekad", "2026-03-D3", **DEKAD_MOVERS))
    assert "drivers" not in texts(flat)
    assert flat.analysis is not None
    assert flat.analysis.drivers == ()


@pytest.mark.parametrize(("unit", "expected"), [
    ("wan", None),  # −40 yuan shows 0.00 万元: 持平, so no branch is named
    ("yuan", "比上旬末贷款变动主要来自：分机构看，城东支行减少40.00元；"
             "分行业看，C 制造业减少40.00元；分产品看，流动资金贷款减少40.00元。"),
])
def test_a_dekad_change_that_shows_as_zero_names_nothing(report_from: MakeReport, unit: str,
                                                         expected: str | None) -> None:
    # FLAT from 10 Jan 2026: the year start is unknown; 11–20 Mar only 40 yuan repaid
    report = drafted(report_from("dekad", "2026-03-D2", **FLAT), "zh", unit)
    assert texts(report).get("drivers") == expected
    assert unknown_numbers(report, "zh", unit) == []


@pytest.mark.parametrize(("period", "first_day"), [
    ("2026-03-D1", "2026-03-01"),  # O (28 Feb) and Y before the first date: no side known
    ("2026-03-D2", "2026-03-05"),  # O (10 Mar) known, Y (31 Dec 2025) unknown
])
def test_a_dekad_with_an_unknown_base_leaves_it_out(report_from: MakeReport, period: str,
                                                    first_day: str) -> None:
    ledger = {
        "customers": CUSTOMERS,
        "loans": f"L1,C1,城东支行,王,流动资金贷款,credit,500000,{first_day},2028-01-10,4",
        "transactions": f"L1,{first_day},disburse,500000\nL1,2026-03-15,repay,100000",
        "classifications": f"L1,{first_day},normal,",
    }
    report = drafted(report_from("dekad", period, **ledger))
    assert report.changes is not None
    for c in report.changes:  # unknown, never 0
        assert all(r.change_year_start is None for r in c.rows)
    drivers = texts(report).get("drivers")
    if period.endswith("D1"):
        assert drivers is None
        assert all(r.change_opening is None for c in report.changes for r in c.rows)
    else:
        assert drivers == ("比上旬末贷款变动主要来自：分机构看，城东支行减少10.00万元；分行业看，"
                           "C 制造业减少10.00万元；分产品看，流动资金贷款减少10.00万元。")
    assert unknown_numbers(report, "zh") == []


# --- the demo: golden text in both languages ---------------------------------------------


@functools.cache
def demo(report: str, period: str) -> Report:
    config = load_config(ROOT / "sample_ledgers" / "demo.toml")
    session = api.open_ledger(ROOT / "sample_ledgers" / "demo")
    return api.build(session, report, period, config)


@pytest.mark.parametrize(("report", "period"), [("monthly", "2026-10"), ("yearly", "2025"),
                                               ("dekad", "2026-10-D2")])
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


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh", "截至4月末，各项存款余额7,500.00元，比上月末增加3,800.00元，增幅102.70%；"
           "比年初增加4,300.00元，增幅134.38%；其中储蓄存款1,000.00元，对公存款6,000.00元，"
           "保证金存款500.00元。本月存款日均余额5,866.67元，比上期日均增加2,166.67元。"
           "存贷比8.00%（按日均计13.64%）。"),
    ("en", "As of 30 April 2026, total deposits stood at 7,500.00 (in yuan), up 3,800.00 "
           "(+102.70%) on the previous month-end, up 4,300.00 (+134.38%) on the start of the "
           "year; savings 1,000.00, corporate 6,000.00, margin 500.00. The daily average for "
           "this month was 5,866.67, up 2,166.67 on the previous period. The loan-to-deposit "
           "ratio was 8.00% (13.64% on daily averages)."),
])
def test_deposits_topic(report_from: MakeReport, lang: str, expected: str) -> None:
    """The deposits topic of the hand-worked deposit ledger (tests/test_metrics_deposits.py):
    7,500 on 30 April against 3,700 on 31 March (+3,800, 102.70 %) and 3,200 at the year
    start (+4,300, 134.38 %); 日均 176,000 / 30 = 5,866.67 against March's 3,700.00;
    存贷比 600 / 7,500 = 8.00 %, 800 / 5,866.67 = 13.64 %.  Every number is a table's."""
    from test_metrics_deposits import CHANGES, LEDGER

    report = report_from("monthly", "2026-04", deposit_balances=CHANGES, **LEDGER)
    shown = drafted(report, lang, "yuan")
    assert shown.analysis is not None
    [text] = [p.text for p in shown.analysis.paragraphs if p.topic == "deposits"]
    assert text == expected
    assert unknown_numbers(shown, lang, "yuan") == []


def test_no_deposit_tables_no_deposits_topic(report_from: MakeReport) -> None:
    from test_metrics_deposits import LEDGER

    tables = {k: v for k, v in LEDGER.items() if k != "deposit_accounts"}
    shown = drafted(report_from("monthly", "2026-04", **tables), "zh", "yuan")
    assert shown.analysis is not None
    assert all(p.topic != "deposits" for p in shown.analysis.paragraphs)


def test_deposits_topic_of_a_dekad(report_from: MakeReport) -> None:
    """The same deposit ledger, ten days 11–20 April: 6,500 on 20 April (A1 6,000, A4 500;
    A2 opens on the 21st) against 3,500 on 10 April (A1 3,000, A3 0 since the 6th, A4 500):
    +3,000, 85.71 %; against 3,200 at the year start: +3,300, 103.13 %.  日均 6,500.00 (no
    balance moves inside the dekad); loans 1,000 to the 15th and 600 from the 16th: 日均
    800, 存贷比 600 / 6,500 = 9.23 % and 800 / 6,500 = 12.31 %."""
    from test_metrics_deposits import CHANGES, LEDGER

    report = report_from("dekad", "2026-04-D2", deposit_balances=CHANGES,
                         as_of=date(2026, 4, 21),
                         **LEDGER)  # complete to its latest row, the 21st
    shown = drafted(report, "zh", "yuan")
    text = texts(shown)["deposits"]
    assert text.startswith(
        "截至4月20日，各项存款余额6,500.00元，比上旬末增加3,000.00元，增幅85.71%；"
        "比年初增加3,300.00元，增幅103.13%；其中储蓄存款0.00元，对公存款6,000.00元，"
        "保证金存款500.00元。本旬存款日均余额6,500.00元")
    assert text.endswith("存贷比9.23%（按日均计12.31%）。")
    assert unknown_numbers(shown, "zh", "yuan") == []
