"""The long section lists written column by column (render/excel_lists.py, sheet_rows.py).

Each workbook is written twice: every table through the column-wise row builder
(``THRESHOLD = 0``) and every table through openpyxl's per-cell path (``THRESHOLD`` out of
reach).  The two must be the same file but for its timestamps — every sheet's XML and the
styles, byte for byte — and read back with openpyxl the same cells.  Hand-checked cells:
30,000,000 fen = 30.00 万元; 5,000,250 fen = 5.00025 万元 → 5.00 (half-up at 0.005 would
need 5,000,500); 2026-11-05 is a date cell; a name that starts with "=" is a quoted text.
"""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from factories import FORMULA, make_report
from openpyxl import load_workbook

from reportgen.labels import Labels
from reportgen.model import Listing, Report, UpcomingLoan, WatchEntry
from reportgen.render import excel_lists, excel_loans
from reportgen.render.base import RenderOptions, render
from reportgen.render.tables import Cell, ColumnRows, build_sections

NAMES = [FORMULA, "<r><t>x</t></r>", "a & b <c> d", " lead and trail ", "\r=2", "two\nlines",
         "\x01=HYPERLINK(\"http://x\")", "\x00+1", "\ufffe@x", "_x0041_", "1e5", "0012",
         "客户\u3000名", "\t@x", "", "长" * 40_000, "=" + "x" * 50_000, "-2+3", "普通客户"]


def _as_listing(rows: tuple[Any, ...], row_type: type, arrow: bool) -> Listing[Any]:
    """Rows as a model ``Listing`` with the column types the metrics give: numpy money,
    counts, flags and dates, Arrow (or list) text."""
    listing = Listing.of_rows(row_type, rows)
    columns: dict[str, Any] = {}
    for name, values in listing.columns.items():
        first = values[0] if len(values) else None
        if isinstance(first, bool) and all(v is not None for v in values):
            columns[name] = np.asarray(values, dtype=bool)
        elif isinstance(first, int):
            columns[name] = np.asarray(values, dtype=np.int64)
        elif isinstance(first, date):
            columns[name] = np.asarray(values, dtype="datetime64[D]")
        elif isinstance(first, str) and arrow:
            columns[name] = pa.array(values, pa.string())
        else:
            columns[name] = values
    return Listing(row_type, columns)


def _long_report(rows: int, *, names: list[str], listing: str = "tuple",
                 report: str = "monthly", new_unknown: bool = False) -> Report:
    """The hand-made report with ``rows`` upcoming loans and watchlist entries, named in
    turn by ``names``; balances step by 1,250 fen (a 万元 figure that rounds half-up)."""
    r = make_report(report)
    s = r.sections
    entries = tuple(replace(e, loan_id=f"W{n:05d}", customer_name=names[n % len(names)],
                            balance=e.balance + 1_250 * n,
                            new=None if new_unknown else (n % 3 == 0),
                            grade_check=n % 5 == 0)
                    for n, e in enumerate(s.watchlist.entries * (rows // 4 + 1)))[:rows]
    upcoming = tuple(replace(u, loan_id=f"U{n:05d}", customer_name=names[-n % len(names)],
                             balance=-u.balance if n % 7 == 0 else u.balance + 5_000 * n,
                             maturity_date=date(2026, 11, 1 + n % 30))
                     for n, u in enumerate(s.maturity.upcoming * (rows // 3 + 1)))[:rows]
    if listing != "tuple":
        arrow = listing == "arrow"
        entries = _as_listing(entries, WatchEntry, arrow)  # type: ignore[assignment]
        upcoming = _as_listing(upcoming, UpcomingLoan, arrow)  # type: ignore[assignment]
    return replace(r, sections=replace(
        s, watchlist=replace(s.watchlist, entries=entries, count=rows),
        maturity=replace(s.maturity, upcoming=upcoming, upcoming_count=rows)))


def _both(tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch,
          **options: Any) -> tuple[Path, Path]:
    """The workbook written by the row builder (every table) and by openpyxl per cell."""
    paths = []
    for label, threshold in (("lists", 0), ("cells", 10**9)):
        monkeypatch.setattr(excel_lists, "THRESHOLD", threshold)
        [path] = render(report, ["xlsx"], tmp_path / label, RenderOptions(**options))
        paths.append(path)
    return paths[0], paths[1]


def _same_members(a: Path, b: Path) -> None:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            if name != "docProps/core.xml":  # its created/modified times
                assert za.read(name) == zb.read(name), name


def _cells(path: Path) -> dict[str, list[list[tuple[Any, ...]]]]:
    wb = load_workbook(path)
    return {ws.title: [[(c.value, c.data_type, c.number_format, c.quotePrefix, c.font.b,
                         c.font.color.rgb if c.font.color else None, c.fill.fgColor.rgb,
                         c.border.left.style, c.alignment.horizontal)
                        for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


CASES = {
    "factories monthly": lambda: make_report("monthly"),
    "factories yearly": lambda: make_report("yearly"),
    "factories dekad": lambda: make_report("dekad"),
    "hostile, tuples": lambda: _long_report(40, names=NAMES),
    "hostile, arrow listing": lambda: _long_report(40, names=NAMES, listing="arrow"),
    "hostile, list listing, quarterly": lambda: _long_report(
        25, names=NAMES, listing="list", report="quarterly"),
    "new unknown (—)": lambda: _long_report(12, names=["甲", "乙"], listing="arrow",
                                            new_unknown=True),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_same_workbook_as_the_per_cell_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            case: str) -> None:
    report = CASES[case]()
    lists, cells = _both(tmp_path, report, monkeypatch)
    _same_members(lists, cells)
    assert _cells(lists) == _cells(cells)


@pytest.mark.parametrize("options", [{"unit": "yuan", "lang": "en"}, {"unit": "yi"}],
                         ids=["yuan en", "yi"])
def test_same_workbook_in_other_units_and_languages(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    options: dict[str, str]) -> None:
    lists, cells = _both(tmp_path, _long_report(30, names=NAMES, listing="arrow"),
                         monkeypatch, **options)
    _same_members(lists, cells)


def test_a_long_list_at_the_default_threshold(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """450 rows: the lists go through the row builder at the shipped threshold, the short
    tables through openpyxl, and the file is the all-openpyxl one."""
    report = _long_report(450, names=NAMES[:5] + ["普通客户"] * 7, listing="arrow")
    [ours] = render(report, ["xlsx"], tmp_path / "default", RenderOptions())
    monkeypatch.setattr(excel_lists, "THRESHOLD", 10**9)
    [theirs] = render(report, ["xlsx"], tmp_path / "cells", RenderOptions())
    _same_members(ours, theirs)
    ws = load_workbook(ours)["风险客户"]
    numbers = [row[0] for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert numbers == list(range(1, 451))


def test_hand_checked_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_lists, "THRESHOLD", 0)
    report = _long_report(8, names=[FORMULA, "a & b <c>", " 前后空格 "], listing="arrow")
    [path] = render(report, ["xlsx"], tmp_path, RenderOptions())
    wb = load_workbook(path)
    watch = wb["风险客户"]
    header = next(r for r in watch.iter_rows(min_row=1, max_row=20)
                  if r[0].value == "序号")[0].row
    first, second = watch[header + 1], watch[header + 2]
    # entry 0: L0003's 5,000,250 fen = 5.00025 万元 → 5.00, loss, 400 days, new, checked
    assert [c.value for c in first] == [1, "W00000", FORMULA, "张三", "城东支行",
                                        pytest.approx(5.0), "损失", 400, "新增", "分类偏轻"]
    assert first[2].data_type == "s"
    assert first[2].quotePrefix
    assert first[5].number_format == "#,##0.00"
    assert first[7].number_format == "#,##0"
    assert first[8].fill.fgColor.rgb == "00FFF2CC"
    assert first[9].font.b
    # entry 1: L0004's 15,000,000 + 1,250 fen = 15.00125 万元 → 15.00; not new: blank
    assert second[5].value == pytest.approx(15.0)
    assert second[8].value is None
    assert second[8].has_style
    assert [second[1].value, second[2].value] == ["W00001", "a & b <c>"]
    assert watch[header + 3][2].value == " 前后空格 "
    # entry 4: L0003's 5,000,250 + 5,000 fen = 5.00525 万元 → 5.01 (half-up)
    assert watch[header + 5][5].value == pytest.approx(5.01)
    due = wb["到期"]
    rows = {r[1].value: r for r in due.iter_rows() if str(r[1].value).startswith("U")}
    # U00000: −40,000,000 fen = −40.00 万元; U00001: 30,005,000 fen = 30.005 → 30.01
    assert rows["U00000"][5].value == pytest.approx(-40.0)
    assert rows["U00001"][5].value == pytest.approx(30.01)
    assert rows["U00001"][6].value == datetime(2026, 11, 2)
    assert rows["U00001"][6].number_format == "yyyy-mm-dd"
    assert rows["U00001"][2].value == " 前后空格 "


def test_a_list_cut_at_excels_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list that runs past the sheet's last row ends with the note of what was left
    out, at the same row and with the same count on both paths."""
    monkeypatch.setattr(excel_loans, "MAX_ROWS", 30)
    report = _long_report(60, names=NAMES, listing="arrow")
    lists, cells = _both(tmp_path, report, monkeypatch)
    _same_members(lists, cells)
    ws = load_workbook(lists)["风险客户"]
    last = [row for row in ws.iter_rows(values_only=True) if any(v is not None for v in row)]
    # the list's header is on row 12 (title, subtitle, blank, the summary's title, header
    # and 4 rows, a blank, the list's title): rows 13–29 fit (30 − 1 − 12 = 17), 43 do not
    assert last[-1][0] == "另有 43 行超出 Excel 工作表行数上限，未列出"
    assert last[-2][0] == 17


@pytest.mark.parametrize("listing", ["arrow", "list"])
def test_column_rows_are_the_cells_of_each_row(listing: str) -> None:
    """The column-wise body of a listing reads as the per-row body: every Cell equal."""
    t = Labels("zh")
    columnar = build_sections(_long_report(30, names=NAMES, listing=listing), t)
    rows = build_sections(_long_report(30, names=NAMES), t)
    for ours, theirs in zip(columnar, rows, strict=True):
        for a, b in zip(ours.tables, theirs.tables, strict=True):
            if a.key in ("upcoming", "entries"):
                assert isinstance(a.rows, ColumnRows)
                assert a.rows[-1] == tuple(b.rows[-1])
                assert list(a.rows[3:5]) == [tuple(r) for r in b.rows[3:5]]
            assert [tuple(r) for r in a.rows] == [tuple(r) for r in b.rows]
    assert isinstance(rows[0].tables[0].rows[0][0], Cell)


@pytest.mark.parametrize(("report", "period"), [("monthly", "2026-10"), ("yearly", "2025")])
def test_the_demo_ledger_writes_the_same_workbook_both_ways(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report: str, period: str) -> None:
    # A real ledger's model (Arrow listings, the loan book), not a hand-made one.
    from reportgen import api
    from reportgen.config import Config

    demo = Path(__file__).resolve().parents[1] / "sample_ledgers" / "demo"
    model = api.build(api.open_ledger(demo), report, period, Config(), formats=["xlsx"])
    lists, cells = _both(tmp_path, model, monkeypatch)
    _same_members(lists, cells)
