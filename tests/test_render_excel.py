"""The Excel renderer, tested by meaning: the workbook read back with openpyxl.

Expected figures are the hand-made report's (tests/factories.py), converted on paper:
balance 1,000,005,000 fen = 1,000.005 万元 → 1000.01; npl ratio 5%; coverage 120% breached.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from factories import FORMULA, HOSTILE, SCRIPT, make_report
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reportgen.model import REPORT_TYPES, Report
from reportgen.render import excel_loans
from reportgen.render.base import RenderOptions, output_path, render
from reportgen.render.json import report_dict

SHEETS = {
    "dekad": ["封面", "文字分析", "总量", "五级分类", "逾期", "到期", "风险客户", "数据质量",
              "借据明细"],
    "monthly": ["封面", "文字分析", "总量", "五级分类", "逾期", "结构", "集中度", "普惠", "拨备",
                "到期", "风险客户", "客户经理", "监管指标", "数据质量", "借据明细"],
    "quarterly": ["封面", "文字分析", "总量", "五级分类", "逾期", "结构", "集中度", "普惠", "拨备",
                  "迁徙", "到期", "风险客户", "客户经理", "趋势", "监管指标", "数据质量",
                  "借据明细"],
}
SHEETS["yearly"] = SHEETS["halfyear"] = SHEETS["quarterly"]
SHEETS["weekly"] = SHEETS["custom"] = SHEETS["dekad"]


def write(tmp_path: Path, report: Report, **options: Any) -> Path:
    [path] = render(report, ["xlsx"], tmp_path, RenderOptions(**options))
    return path


def rows(ws: Worksheet) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def find(ws: Worksheet, label: str) -> list[Any]:
    """The row whose first cell is ``label``, as cells."""
    for row in ws.iter_rows():
        if row[0].value == label:
            return list(row)
    raise AssertionError(f"no row {label!r} on {ws.title}")


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("xlsx")
    return {r: load_workbook(write(out, make_report(r))) for r in REPORT_TYPES}


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_sheet_names_follow_the_report_type(workbooks: dict[str, Any], report: str) -> None:
    assert workbooks[report].sheetnames == SHEETS[report]


def test_cover_says_what_and_from_which_ledger(workbooks: dict[str, Any]) -> None:
    cover = {r[0]: r[1] for r in rows(workbooks["monthly"]["封面"]) if r[0]}
    assert cover["银行"] == "示例农村商业银行"
    assert cover["机构"] == "城东支行"
    assert cover["报表"] == "信贷业务月报"
    assert cover["报表期间"] == "2026年10月"
    assert cover["金额单位"] == "万元"
    assert cover["生成时间"] == "2026-11-01 08:30:00"
    assert cover["台账校验码（SHA-256）"] == "ab" * 32
    assert cover["工作表"].startswith("文字分析、总量、五级分类")


def test_money_is_a_number_in_wan_with_two_decimals(workbooks: dict[str, Any]) -> None:
    ws = workbooks["monthly"]["总量"]
    header = find(ws, "项目")
    assert [c.value for c in header] == ["项目", "本期末", "上期末", "比上期", "年初", "比年初",
                                         "同期", "同比"]
    balance = find(ws, "贷款余额")
    assert [c.value for c in balance[1:]] == [1000.01, 950, 50.01, 800, 200.01, 700, 300.01]
    assert {c.number_format for c in balance[1:]} == {"#,##0.00"}
    assert all(c.data_type == "n" for c in balance[1:])
    accounts = find(ws, "借据笔数")
    assert [c.value for c in accounts[1:3]] == [12, 11]
    assert accounts[1].number_format == "#,##0"
    assert find(ws, "核销后收回")[1].value == 0.13  # 0.125 万元, half-up


def test_yearly_tables_drop_the_previous_period_columns(workbooks: dict[str, Any]) -> None:
    header = find(workbooks["yearly"]["总量"], "项目")
    assert [c.value for c in header] == ["项目", "本期末", "年初", "比年初", "同期", "同比"]


def test_ratios_are_fractions_with_percent_format_and_null_is_a_dash(
        workbooks: dict[str, Any]) -> None:
    ws = workbooks["monthly"]["五级分类"]
    npl_ratio = find(ws, "不良贷款率")
    assert npl_ratio[1].value == 0.05
    assert npl_ratio[1].number_format == "0.00%"
    assert npl_ratio[2].value == 0.0421  # 4/95 = 4.2105…% → 4.21%
    assert npl_ratio[5].value == 1.0  # 比年初: 5% − 4% = 1.00 percentage point
    assert npl_ratio[5].number_format.startswith('0.00"个百分点"')
    assert npl_ratio[6].value == "—"  # no figure for the same day last year
    rate = find(workbooks["monthly"]["普惠"], "新发放贷款平均利率")[1]
    assert (rate.value, rate.number_format) == (0.0436, "0.00%")  # 4.355% → 4.36%


def test_breached_indicators_are_red(workbooks: dict[str, Any]) -> None:
    ws = workbooks["monthly"]["监管指标"]
    coverage = find(ws, "拨备覆盖率")
    assert coverage[1].value == 1.2
    assert coverage[2].value == 1.5
    assert coverage[2].number_format == '"≥ "0.00%'
    assert coverage[3].value == "超限"
    assert coverage[1].fill.fgColor.rgb == "00FFC7CE"
    assert coverage[3].fill.fgColor.rgb == "00FFC7CE"
    npl = find(ws, "不良贷款率")  # exactly at the 5% limit: not a breach
    assert npl[3].value == "达标"
    assert npl[1].fill.fgColor.rgb != "00FFC7CE"
    red = [r[0].value for r in ws.iter_rows() if r[1].fill.fgColor.rgb == "00FFC7CE"]
    assert red == ["拨备覆盖率", "单一客户贷款集中度", "单一集团客户授信集中度"]


def test_xlsx_shows_the_json_figures_in_the_configured_unit(workbooks: dict[str, Any]) -> None:
    doc = report_dict(make_report("quarterly"))["sections"]
    ws = workbooks["quarterly"]["五级分类"]
    for row in doc["quality"]["table"]:
        if row["key"] == "npl_ratio":
            continue
        label = {"normal": "正常类", "special_mention": "关注类", "substandard": "次级类",
                 "doubtful": "可疑类", "loss": "损失类", "npl": "不良贷款"}[row["key"]]
        wan = (Decimal(row["current"]) / 10_000).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(str(find(ws, label)[1].value)) == wan
    for indicator in doc["indicators"]:
        value = Decimal(indicator["value"]).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        cells = [r for r in workbooks["quarterly"]["监管指标"].iter_rows(min_row=5)
                 if r[0].value]
        assert value in {Decimal(str(r[1].value)) for r in cells}


def test_hostile_names_stay_text(workbooks: dict[str, Any]) -> None:
    wb = workbooks["monthly"]
    for sheet, column in (("集中度", 2), ("风险客户", 2), ("到期", 2), ("借据明细", 2)):
        cells = {c.value: c for row in wb[sheet].iter_rows() for c in row[column:column + 1]}
        for name in HOSTILE:
            assert name in cells, (sheet, name)
            assert cells[name].data_type == "s"
        assert cells[FORMULA].quotePrefix
    loans = {c.value: c for row in wb["借据明细"].iter_rows() for c in row[2:3]}
    for name in ("@SUM(A1)", "+1-1", SCRIPT):
        assert loans[name].data_type == "s"
        assert loans[name].quotePrefix == (name != SCRIPT)


def test_no_formula_anywhere(tmp_path: Path) -> None:
    import zipfile

    path = write(tmp_path, make_report("yearly"))
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
        assert b"HYPERLINK" in b"".join(z.read(n) for n in sheets)


def test_headers_are_bold_frozen_and_printed_on_every_page(workbooks: dict[str, Any]) -> None:
    ws = workbooks["monthly"]["风险客户"]
    header = find(ws, "序号")
    assert all(c.font.b for c in header if c.value)
    assert ws.freeze_panes == f"A{header[0].row + 1}"  # below the watchlist's header
    assert ws.print_title_rows == f"${header[0].row}:${header[0].row}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    assert ws.column_dimensions["C"].width >= 28  # customer names fit


def test_watchlist_marks_new_entries_and_grade_checks(workbooks: dict[str, Any]) -> None:
    ws = workbooks["monthly"]["风险客户"]
    entries = {r[1].value: r for r in ws.iter_rows() if str(r[1].value).startswith("L0")}
    assert entries["L0005"][8].value == "新增"
    assert entries["L0006"][9].value == "分类偏轻"
    assert entries["L0006"][9].fill.fgColor.rgb == "00FCE4D6"
    assert entries["L0003"][8].value is None


def test_native_charts(workbooks: dict[str, Any]) -> None:
    assert len(workbooks["monthly"]["五级分类"]._charts) == 1
    assert len(workbooks["monthly"]["总量"]._charts) == 0
    assert len(workbooks["yearly"]["趋势"]._charts) == 1
    assert len(workbooks["quarterly"]["趋势"]._charts) == 1


def test_data_quality_sheet_lists_warnings_in_the_reports_language(
        workbooks: dict[str, Any], tmp_path: Path) -> None:
    values = rows(workbooks["monthly"]["数据质量"])
    assert values[3] == ["序号", "类型", "借据号", "日期", "提示"]
    assert values[4][:3] == [1, "无分类记录", "L0002"]
    assert values[4][3].date() == date(2026, 10, 31)
    assert values[4][4] == ("借据 L0002 在 2026-10-31 未结清，但没有五级分类记录"
                            "（按正常类、未逾期计）")
    assert values[5][1:3] == ["分类偏轻", "L0006"]
    assert values[5][4] == "借据 L0006 在 2026-10-31 逾期 95 天，分类为关注类，应至少为次级类"
    assert values[-1][0] == 2
    english = rows(load_workbook(write(tmp_path, make_report("monthly"), lang="en"))
                   ["Data quality"])
    assert english[5][4] == ("loan L0006 is 95 days overdue on 2026-10-31 but graded "
                             "special_mention; at least substandard expected")


def test_cover_says_how_many_warnings_and_where(workbooks: dict[str, Any]) -> None:
    cover = {r[0]: r[1] for r in rows(workbooks["monthly"]["封面"]) if r and r[0]}
    assert cover["数据提示"] == "2 条（见数据质量表）"


def test_loan_sheet_holds_every_live_loan(workbooks: dict[str, Any]) -> None:
    ws = workbooks["monthly"]["借据明细"]
    assert ws.auto_filter.ref == "A1:O6"
    assert ws.freeze_panes == "A2"
    data = rows(ws)
    assert data[0][:3] == ["借据号", "客户号", "客户名称"]
    assert len(data) == 6
    loan4 = next(r for r in data if r[0] == "L0004")
    assert loan4[6:8] == ["质押", "A 农、林、牧、渔业"]
    assert loan4[8] == 500_000  # contract amount in yuan
    assert loan4[12] == 123_456.78  # balance in yuan, exact to the fen
    assert loan4[9].date().isoformat() == "2025-01-15"
    assert loan4[13:] == ["正常", 0]
    row5 = next(row for row in ws.iter_rows() if row[0].value == "L0005")
    assert (row5[12].value, row5[12].number_format) == (0.99, "#,##0.00")
    assert row5[9].number_format == "yyyy-mm-dd"


def test_loans_beyond_the_row_limit_continue_on_another_sheet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_loans, "MAX_ROWS", 4)  # 3 loans per sheet
    monkeypatch.setattr(excel_loans, "CHUNK", 2)
    wb = load_workbook(write(tmp_path, make_report("dekad")))
    assert wb.sheetnames[-2:] == ["借据明细", "借据明细 (2)"]
    first, second = (rows(wb[name]) for name in wb.sheetnames[-2:])
    assert [r[0] for r in first] == ["借据号", "L0001", "L0002", "L0003"]
    assert [r[0] for r in second] == ["借据号", "L0004", "L0005"]
    assert wb["借据明细 (2)"].auto_filter.ref == "A1:O3"
    cover = [r[1] for r in rows(wb["封面"]) if r[1]]
    assert "借据明细共 5 行，分列于 2 个工作表" in cover


def test_the_fast_loan_writer_matches_openpyxls_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_workbook(write(tmp_path / "fast", make_report("dekad")))["借据明细"]
    monkeypatch.setattr(excel_loans, "_fast_append", lambda ws: None)
    slow = load_workbook(write(tmp_path / "slow", make_report("dekad")))["借据明细"]
    described = [[(c.value, c.data_type, c.number_format, c.quotePrefix) for c in row]
                 for ws in (fast, slow) for row in ws.iter_rows()]
    half = len(described) // 2
    assert described[:half] == described[half:]


def test_other_units_and_english(tmp_path: Path) -> None:
    yuan = load_workbook(write(tmp_path / "yuan", make_report("monthly"), unit="yuan"))
    assert find(yuan["总量"], "贷款余额")[1].value == 10_000_050
    yi = load_workbook(write(tmp_path / "yi", make_report("monthly"), unit="yi"))
    assert find(yi["总量"], "贷款余额")[1].value == 0.1
    en = load_workbook(write(tmp_path / "en", make_report("monthly"), lang="en"))
    assert en.sheetnames[:4] == ["Cover", "Analysis", "Summary", "Quality"]
    assert find(en["Summary"], "Loan balance")[1].value == 1000.01
    assert en["Summary"].oddFooter.center.text == "Page &P of &N"


def test_file_name_and_atomic_write(tmp_path: Path) -> None:
    path = write(tmp_path, make_report("dekad"))
    assert path == output_path(tmp_path, make_report("dekad"), "xlsx")
    assert path.name == "dekad_2026-10-D2.xlsx"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left behind


def test_data_quality_sheet_without_warnings_and_with_more_than_listed(tmp_path: Path) -> None:
    none = load_workbook(write(tmp_path / "none", make_report("dekad", warnings=())))
    assert [None, "无数据提示", None, None, None] in rows(none["数据质量"])
    assert ["数据提示", "无"] in rows(none["封面"])
    many = replace(make_report("dekad"), warning_count=1234)
    listed = rows(load_workbook(write(tmp_path / "many", many))["数据质量"])
    assert listed[-1] == [None, "共 1,234 条提示，列出 2 条", None, None, None]


# --- text that is cleaned, and only then checked for a formula start ----------------------

# Each starts like a formula only once the characters Excel's XML cannot hold are removed.
DISGUISED = ['\x01=HYPERLINK("http://x","y")', "\x00+1+1", "\x1b-2", "\x85@SUM(A1)",
             "\ufffe=1", "\x7f\x9f=cmd|' /C calc'!A0", "\t=1", "\r=2", "\x08\t@x"]


def _disguised_report(names: list[str]) -> Report:
    """The monthly report with ``names`` as every customer name (lists, top 10, loans),
    as the bank's name and as the loan ids of the warnings."""
    from factories import WARNINGS, loan_book

    r = make_report("monthly", bank=names[0],
                    warnings=tuple(replace(w, loan_id=n) for w, n in zip(
                        WARNINGS * len(names), names, strict=False)))
    s = r.sections
    assert s.concentration is not None
    conc = replace(s.concentration, top10=tuple(
        replace(t, customer_name=n) for t, n in zip(s.concentration.top10 * 3, names,
                                                    strict=False)))
    watch = replace(s.watchlist, entries=tuple(
        replace(e, customer_name=n) for e, n in zip(s.watchlist.entries * 3, names,
                                                    strict=False)))
    upcoming = replace(s.maturity, upcoming=tuple(
        replace(u, customer_name=n) for u, n in zip(s.maturity.upcoming * 3, names,
                                                    strict=False)))
    book = loan_book()
    k = len(book)
    loans = replace(book, customer_name=(names * k)[:k], product=(names[::-1] * k)[:k])
    return replace(r, loans=loans, sections=replace(s, concentration=conc, watchlist=watch,
                                                    maturity=upcoming))


def _text_cells(wb: Any) -> dict[str, list[Any]]:
    cells: dict[str, list[Any]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    cells.setdefault(c.value, []).append(c)
    return cells


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_formula_check_looks_at_the_cleaned_text(tmp_path: Path, path: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if path == "slow":
        monkeypatch.setattr(excel_loans, "_fast_append", lambda ws: None)
    wb = load_workbook(write(tmp_path, _disguised_report(DISGUISED)))
    cells = _text_cells(wb)
    for name in DISGUISED:
        clean = name.lstrip("\x00\x01\x08\x1b\x7f\x85\x9f\ufffe")
        sheets = {c.parent.title for c in cells.get(clean, ())}
        assert {"集中度", "风险客户", "到期", "借据明细", "数据质量"} <= sheets, (name, sheets)
        for cell in cells[clean]:
            assert cell.data_type == "s", (name, cell.parent.title)
            assert cell.quotePrefix, (name, cell.parent.title, cell.coordinate)
    cover = [c for c in cells[DISGUISED[0][1:]] if c.parent.title == "封面"]
    assert cover
    assert all(c.quotePrefix for c in cover)
    for value in cells:
        assert not any(ch in value for ch in "\x00\x01\x08\x1b\x7f\x85\x9f\ufffe"), value


def test_no_formula_element_in_any_sheet(tmp_path: Path) -> None:
    import zipfile

    path = write(tmp_path, _disguised_report(DISGUISED))
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_text_longer_than_an_excel_cell_is_cut_with_a_note(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    long = "长" * 40_000
    wb = load_workbook(write(tmp_path, _disguised_report([long, "=" + "x" * 50_000])))
    cells = _text_cells(wb)
    cut = [v for v in cells if len(v) > 30_000]
    assert cut
    for value in cut:
        assert len(value) == 32_767
        match = re.search(r"…（超出 Excel 单元格 32,767 字的上限，已截断；原文 ([\d,]+) 字）$",
                          value)
        assert match, value[-60:]
        assert int(match.group(1).replace(",", "")) >= 40_000
    sheets = {c.parent.title for v in cut for c in cells[v]}
    assert {"集中度", "风险客户", "到期", "借据明细"} <= sheets
    formula = next(v for v in cut if v.startswith("="))
    assert all(c.quotePrefix and c.data_type == "s" for c in cells[formula])
    assert "longer than Excel's 32,767 characters were cut" in caplog.text


def test_target_progress_beside_each_target_red_when_behind(tmp_path: Path) -> None:
    """时间进度 / 完成进度 on the 客户经理 sheet; a target behind its time is red; on 30
    June a yearly target on pace reads 双过半 (assessment.md)."""
    from fractions import Fraction as F  # noqa: N817 (as in factories.py)

    from reportgen.model import AccountManagers, ManagerRow, TargetResult

    year = F(181, 365)  # 30 Jun 2026
    targets = (
        TargetResult("disbursed", "2026", 100_000_000, 60_000_000, F(3, 5), year, True, True),
        TargetResult("disbursed", "2026-H1", 100_000_000, 60_000_000, F(3, 5), F(1), False),
        TargetResult("balance_increase", "2026", 0, 5_000_000, None, year, None),
    )
    book = AccountManagers((ManagerRow("王五", 60_000_000, 0, 60_000_000, 1, 1, 60_000_000,
                                       0, F(0), targets),), has_targets=True)
    base = make_report("halfyear")
    report = replace(base, sections=replace(base.sections, account_managers=book))
    ws = load_workbook(write(tmp_path, report))["客户经理"]
    [header] = [[c.value for c in r if c.value is not None] for r in ws.iter_rows()
                if r[1].value == "考核指标"]
    assert header[-3:] == ["完成率", "时间进度", "完成进度"]
    row = {(r[1].value, r[2].value): r for r in ws.iter_rows() if r[0].value == "王五"
           and r[1].value in ("发放额", "余额净增")}
    on_pace = row[("发放额", "2026年度")]
    assert on_pace[-1].value == "时间过半、任务过半（双过半）"
    assert on_pace[-2].value == 0.4959  # 181/365 = 49.589…%, stored as shown (49.59%)
    assert on_pace[-1].fill.fgColor.rgb != "00FFC7CE"
    behind = row[("发放额", "2026年上半年")]
    assert behind[-1].value == "落后进度"
    assert behind[-3].fill.fgColor.rgb == behind[-1].fill.fgColor.rgb == "00FFC7CE"
    assert behind[-2].value == 1
    unknown = row[("余额净增", "2026年度")]
    assert unknown[-3].value == unknown[-1].value == "—"


def test_deposits_sheet_shows_balances_averages_and_ratios(tmp_path: Path, report_from: Any
                                                           ) -> None:
    """存款 sheet of the hand-worked deposit ledger (tests/test_metrics_deposits.py), in yuan:
    the April average 176,000 / 30 = 5,866.666… shown 5866.67 (rounded once, half-up)."""
    from test_metrics_deposits import CHANGES, LEDGER, WEIGHTED

    report = report_from("monthly", "2026-04", config=WEIGHTED, deposit_balances=CHANGES,
                         **LEDGER)
    book = load_workbook(write(tmp_path, report, unit="yuan"))
    assert "存款" in book.sheetnames
    assert book.sheetnames.index("存款") < book.sheetnames.index("监管指标")
    values = [[c for c in row if c is not None]
              for row in book["存款"].iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row]
    for label in ("存款合计", "有贷户", "存贷比（日均）"):
        assert label in flat
    total_avg = next(row for row in values if row and row[0] == "存款合计" and len(row) == 5)
    assert [Decimal(str(v)) for v in total_avg[1:]] == [
        Decimal("5866.67"), Decimal("3995.83"), Decimal("3700.00"), Decimal("2166.67")]
    ratio_row = next(row for row in values if row and row[0] == "存贷比（时点）")
    assert Decimal(str(ratio_row[1])) == Decimal("0.08")


def test_no_deposit_tables_no_deposits_sheet(tmp_path: Path) -> None:
    book = load_workbook(write(tmp_path, make_report("monthly")))
    assert "存款" not in book.sheetnames


@pytest.mark.parametrize("report", REPORT_TYPES)
def test_analysis_sheet_holds_every_paragraph_as_text(tmp_path: Path, report: str) -> None:
    """文字分析: one row per paragraph (topic, text), the drivers too (a dekad report's from
    its changes, with a branch named like a formula kept as text)."""
    from reportgen.analysis import draft

    made = make_report(report)
    ws = load_workbook(write(tmp_path, made))["文字分析"]
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=1) if r[1].value]
    paragraphs = draft(made).paragraphs
    assert rows[-len(paragraphs):] == [(topic_name(p.topic), p.text) for p in paragraphs]
    assert "drivers" in [p.topic for p in paragraphs]


def topic_name(topic: str) -> str:
    from reportgen.labels import Labels

    return Labels("zh")(f"topic.{topic}")
