"""The Excel renderer: a styled workbook of real numbers, written with openpyxl.

One sheet per section (the same ``SectionView`` tables the PDF shows), a cover, a
data-quality sheet and the loan-level 借据明细.  The whole workbook is in openpyxl's
write-only mode, because write-only and normal sheets cannot be mixed in one workbook and
the loan sheet must stream a million rows; every cell is therefore a ``WriteOnlyCell``
styled as it is appended, and each sheet's widths, freeze panes, print titles and charts
are decided from a layout computed before its first row is written.  The body of a table
longer than ``excel_lists.THRESHOLD`` rows (到期, 风险客户, 客户经理 … at bank scale) skips
the per-cell path: render/excel_lists.py builds its rows column by column as the XML this
path would write, and streams them into the same sheet.

Numbers are numbers: money is the rounded amount in the configured unit with
``#,##0.00``, a ratio the rounded fraction with ``0.00%`` (formatting.py decides both, so
Excel shows the digits the PDF shows).  Text is always a string cell, never a formula.
"""

from __future__ import annotations

import logging
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties

from reportgen.formatting import (
    EXCEL_TEXT_MAX,
    Kind,
    clean_text,
    excel_format,
    excel_text,
    excel_value,
    looks_like_formula,
)
from reportgen.labels import Labels
from reportgen.model import Report
from reportgen.render import excel_lists, excel_loans, loan_pack
from reportgen.render.base import RenderOptions, register, temporary, with_analysis
from reportgen.render.tables import Cell, SectionView, Table, build_sections, cover_items

LOG = logging.getLogger(__name__)
# Who writes the 借据明细: "xlsxwriter" (render/loan_pack.py: streamed, written once per
# as-of day in a run and copied as bytes) or "openpyxl" (excel_loans.write_loan_sheets, the
# former path, kept to compare against).
LOAN_WRITER = "xlsxwriter"
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right")
PARAGRAPH = Alignment(wrap_text=True, vertical="top")
MARKS = {  # cell mark → (fill, font): red for breaches, as in the PDF
    "breach": (PatternFill("solid", fgColor="FFC7CE"), Font(bold=True, color="9C0006")),
    "ok": (None, Font(color="006100")),
    "new": (PatternFill("solid", fgColor="FFF2CC"), None),
    "check": (PatternFill("solid", fgColor="FCE4D6"), Font(bold=True, color="9C5700")),
}
MAX_WIDTH = 60


@dataclass
class _Placed:
    """Where a table lands on its sheet (1-based rows)."""

    table: Table
    title_row: int | None
    header_row: int
    first_row: int
    last_row: int  # == first_row - 1 when the table is empty


@dataclass
class _Layout:
    rows: int = 3  # title, subtitle, blank
    placed: list[_Placed] = field(default_factory=list)


class _Writer:
    """Writes one report's workbook."""

    def __init__(self, report: Report, options: RenderOptions) -> None:
        self.report = with_analysis(report, options)
        self.options = options
        self.t = Labels(options.lang)
        self.wb = Workbook(write_only=True)
        if LOAN_WRITER == "xlsxwriter":  # before any other style: the copied bytes use them
            registered = loan_pack.register_styles(self.wb)
            assert registered == loan_pack.expected_styles(), registered
        self.title = self.t.report_title(report.report)
        self.period = self.t.period_name(report.report, report.start, report.end)
        self.unit_note = self.t("unit_note", unit=self.t.unit(options.unit))
        self.styles: dict[tuple[object, ...], Any] = {}  # cell kind/mark → style array
        self.cut = 0  # text cells cut at Excel's limit

    # --- cells --------------------------------------------------------------------

    def text_cell(self, ws: Any, value: str, font: Font | None = None) -> WriteOnlyCell:
        """A string cell that stays text even when it looks like a formula.

        The text is cleaned and cut first (``formatting.excel_text``) and the formula check
        looks at what is written: ``"\\x01=HYPERLINK(…)"`` is written as ``=HYPERLINK(…)``.
        """
        value = self.safe(value)
        cell = WriteOnlyCell(ws)
        cell.value = value
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
        if font is not None:
            cell.font = font
        return cell

    def safe(self, value: str) -> str:
        """``value`` as an Excel cell can hold it (cleaned, at most 32,767 characters)."""
        if len(value) > EXCEL_TEXT_MAX:
            self.cut += 1
        return excel_text(value, self.t("excel.cut"))

    def cell(self, ws: Any, cell: Cell, numeric: bool) -> WriteOnlyCell:
        value = excel_value(cell.kind, cell.value, self.options.unit)
        text = self.safe(value) if isinstance(value, str) else None
        is_text = text is not None
        quoted = text is not None and looks_like_formula(text)
        key = (cell.kind, cell.mark, is_text, quoted, numeric)
        style = self.styles.get(key)
        if style is not None:
            # Assigning Font/Fill/Border objects costs a hash of each per cell (40 s for
            # a 25,000-row watchlist); a cell styled like an earlier one copies its style
            # array, the way openpyxl's docs copy styles between cells.
            out = WriteOnlyCell(ws, value if text is None else text)
            if is_text:
                out.data_type = "s"  # never a formula
            out._style = copy(style)
            return out
        if text is not None:
            out = self.text_cell(ws, text)
            if numeric:  # "—" in a column of figures
                out.alignment = RIGHT
        else:
            out = WriteOnlyCell(ws, value)
            out.number_format = excel_format(cell.kind, self.options.lang)
        out.border = BORDER
        fill, font = MARKS.get(cell.mark, (None, None))
        if fill is not None:
            out.fill = fill
        if font is not None:
            out.font = font
        self.styles[key] = copy(out._style)
        return out

    def header(self, ws: Any, labels: list[str]) -> list[WriteOnlyCell]:
        cells = []
        for label in labels:
            cell = self.text_cell(ws, label, BOLD)
            cell.fill, cell.border, cell.alignment = HEADER_FILL, BORDER, CENTER
            cells.append(cell)
        return cells

    # --- sheets -------------------------------------------------------------------

    def setup(self, ws: Any, columns: int) -> None:
        """Print setup shared by every sheet: A4 landscape, one page wide, page numbers."""
        del columns
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.oddHeader.left.text = _header_text(self.report.bank)
        ws.oddHeader.center.text = _header_text(f"{self.title} {self.period}")
        ws.oddHeader.right.text = _header_text(self.unit_note)
        ws.oddFooter.center.text = self.t("excel.footer")

    def start_sheet(self, name: str, widths: list[int]) -> Any:
        ws = self.wb.create_sheet(name)
        self.setup(ws, len(widths))
        for n, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(n)].width = width
        return ws

    def heading(self, ws: Any, title: str) -> None:
        ws.append([self.text_cell(ws, title, TITLE_FONT)])
        who = " ".join(part for part in (self.report.bank, self.report.branch) if part)
        subtitle = " · ".join(x for x in (who, self.title, self.period, self.unit_note) if x)
        ws.append([self.text_cell(ws, subtitle, NOTE_FONT)])
        ws.append([])

    def cover(self, loan_sheets: list[tuple[str, int]], views: list[SectionView]) -> None:
        ws = self.start_sheet(self.t("sheet.cover"), [26, 70])
        title = " ".join(part for part in (self.report.bank, self.title) if part)
        ws.append([self.text_cell(ws, title, TITLE_FONT)])
        ws.append([])
        items = cover_items(self.report, self.t, self.options.unit)
        for label, value in items:
            ws.append([self.text_cell(ws, label, BOLD), self.text_cell(ws, value)])
        ws.append([])
        names = [self.t("sheet.analysis"), *(self.t(f"sheet.{v.name}") for v in views)]
        names += [self.t("sheet.data_quality"), *(name for name, _ in loan_sheets)]
        ws.append([self.text_cell(ws, self.t("cover.sheets"), BOLD),
                   self.text_cell(ws, "、".join(names) if self.t.lang == "zh"
                                  else ", ".join(names))])
        if len(loan_sheets) > 1:
            total = sum(rows for _, rows in loan_sheets)
            ws.append([None, self.text_cell(ws, self.t("loans_split", total=f"{total:,}",
                                                       sheets=len(loan_sheets)), NOTE_FONT)])

    def section(self, view: SectionView) -> None:
        layout = _layout(view)
        widths = _widths(view)
        ws = self.start_sheet(self.t(f"sheet.{view.name}"), widths)
        # Freeze and print on every page the header of the first list that grows with
        # the ledger (the watchlist under its 4-row overview), else of the first table.
        lists = [p for p in layout.placed if p.table.grows and p.header_row <= 16]
        main = (lists or layout.placed)[0]
        ws.freeze_panes = f"A{main.header_row + 1}"
        ws.print_title_rows = f"{main.header_row}:{main.header_row}"
        self.heading(ws, view.title)
        limit = excel_loans.MAX_ROWS
        row = 3
        for placed in layout.placed:
            table = placed.table
            if placed.title_row is not None:
                ws.append([self.text_cell(ws, table.title, BOLD)])
                row += 1
            ws.append(self.header(ws, [c.label for c in table.columns]))
            row += 1
            written = self.long_list(ws, table, row, limit)
            if written is not None:  # written column by column
                if written < len(table.rows):
                    return
                row += written + 1
                continue
            for n, cells in enumerate(table.rows):
                if row >= limit - 1:
                    ws.append([self.text_cell(ws, self.t("rows_cut",
                                                         count=len(table.rows) - n),
                                              NOTE_FONT)])
                    return
                ws.append([self.cell(ws, c, col.numeric)
                           for c, col in zip(cells, table.columns, strict=True)])
                row += 1
            ws.append([])
            row += 1
        self.charts(ws, view, layout, len(widths))

    def long_list(self, ws: Any, table: Table, row: int, limit: int) -> int | None:
        """Write the body of a table longer than ``excel_lists.THRESHOLD`` rows column by
        column (render/excel_lists.py) below its header on ``row``: the rows that fit
        under Excel's limit, then the blank row after it or, when the limit cut it, the
        note that says how many rows were left out (the sheet ends there).  Returns the
        rows written, or None when the table is left to the per-cell path."""
        total = len(table.rows)
        append = excel_lists.stream(ws) if total > excel_lists.THRESHOLD else None
        if append is None:
            return None
        fits = min(total, max(0, limit - 1 - row))
        style_of = self.style_of(ws)
        excel_lists.register_styles(table, fits, style_of)
        texts = excel_lists.Texts(self.t("excel.cut"))
        excel_lists.write_rows(append, table, row + 1, fits, style_of, texts,
                               self.options.unit)
        self.cut += texts.cut
        if fits < total:
            ws.append([self.text_cell(ws, self.t("rows_cut", count=total - fits), NOTE_FONT)])
        else:
            ws.append([])
        return fits

    def style_of(self, ws: Any) -> excel_lists.StyleOf:
        """The style id of a kind of cell, registered as ``cell`` registers it."""
        def style(kind: Kind, mark: str, is_text: bool, quoted: bool, numeric: bool) -> int:
            if is_text:
                value: object = ("=" if quoted else "x") if kind is Kind.TEXT else None
            else:
                value = date(2000, 1, 1) if kind is Kind.DATE else 0
            sample = self.cell(ws, Cell(value, kind, mark), numeric)
            assert (sample.data_type == "s") == is_text, (kind, is_text)
            return int(sample.style_id)
        return style

    def charts(self, ws: Any, view: SectionView, layout: _Layout, columns: int) -> None:
        """Native charts: the quality mix (pie) and the month-end trend (bars + line)."""
        anchor = f"{get_column_letter(columns + 2)}4"
        placed = {p.table.key: p for p in layout.placed}
        if view.name == "quality":
            grades = placed["grades"]
            pie = PieChart()
            pie.title = self.t("chart.quality_mix")
            pie.add_data(Reference(ws, min_col=2, min_row=grades.first_row,
                                   max_row=grades.first_row + 4))
            pie.set_categories(Reference(ws, min_col=1, min_row=grades.first_row,
                                         max_row=grades.first_row + 4))
            pie.width, pie.height = 14, 9
            ws.add_chart(pie, anchor)
        elif view.name == "trend":
            points = placed["points"]
            if points.last_row < points.first_row:
                return
            bars = BarChart()
            bars.title = self.t("chart.trend")
            bars.add_data(Reference(ws, min_col=2, min_row=points.header_row,
                                    max_row=points.last_row), titles_from_data=True)
            bars.set_categories(Reference(ws, min_col=1, min_row=points.first_row,
                                          max_row=points.last_row))
            bars.y_axis.title = self.unit_note
            line = LineChart()
            line.add_data(Reference(ws, min_col=4, min_row=points.header_row,
                                    max_row=points.last_row), titles_from_data=True)
            line.y_axis.axId = 200
            line.y_axis.number_format = "0.00%"
            line.y_axis.crosses = "max"
            bars += line
            bars.width, bars.height = 20, 10
            ws.add_chart(bars, anchor)

    def analysis(self) -> None:
        """文字分析, right after the cover: one row per paragraph, its topic beside it.

        Each paragraph is one text cell (wrapped), never a formula: a clerk's note that
        starts with "=" stays the text it is.
        """
        drafted = self.report.analysis
        assert drafted is not None
        ws = self.start_sheet(self.t("sheet.analysis"), [16, 110])
        self.heading(ws, self.t("section.analysis"))
        for paragraph in drafted.paragraphs:
            text = self.text_cell(ws, paragraph.text)
            text.alignment = PARAGRAPH
            topic = self.text_cell(ws, self.t(f"topic.{paragraph.topic}"), BOLD)
            topic.alignment = PARAGRAPH
            ws.append([topic, text])

    def data_quality(self) -> None:
        """The warnings on D, in the report's language: kind, loan, day and the sentence."""
        warnings = self.report.warnings
        ws = self.start_sheet(self.t("sheet.data_quality"), [8, 16, 18, 12, 90])
        ws.freeze_panes = "A5"  # before the first row: write-only sheets write it first
        ws.print_title_rows = "4:4"
        self.heading(ws, self.t("section.data_quality"))
        ws.append(self.header(ws, [self.t(k) for k in ("col.no", "col.kind", "loan_id",
                                                       "col.date", "col.warning")]))
        if not warnings:
            ws.append([None, self.text_cell(ws, self.t("no_warnings"))])
        for n, warning in enumerate(warnings, 1):
            day = WriteOnlyCell(ws, warning.day)
            day.number_format = excel_format(Kind.DATE)
            ws.append([n, self.text_cell(ws, self.t(f"kind.{warning.kind}")),
                       self.text_cell(ws, warning.loan_id), day,
                       self.text_cell(ws, self.t.warning(warning))])
        if self.report.warning_count > len(warnings):
            ws.append([None, self.text_cell(ws, self.t(
                "warnings_shown", count=f"{self.report.warning_count:,}",
                shown=f"{len(warnings):,}"), NOTE_FONT)])

    def write(self, path: Path) -> None:
        views = build_sections(self.report, self.t, max_rows=None)
        loans = self.report.loans
        plan = [] if loans is None else excel_loans.sheet_plan(len(loans), self.t)
        self.cover(plan, views)
        self.analysis()
        for view in views:
            self.section(view)
        self.data_quality()
        if loans is not None and LOAN_WRITER == "xlsxwriter":
            self.loan_sheets(plan, path)
        else:
            if loans is not None:
                excel_loans.write_loan_sheets(self.wb, loans, self.t, self.setup)
            self.wb.save(path)
        if self.cut:
            LOG.warning("%d text cell(s) longer than Excel's %s characters were cut; the "
                        "JSON keeps the full text", self.cut, f"{EXCEL_TEXT_MAX:,}")

    def loan_sheets(self, plan: list[tuple[str, int]], path: Path) -> None:
        """Save the workbook with empty 借据明细 placeholders, then copy the sheets'
        bytes in from the loan workbook of this day and scope (render/loan_pack.py)."""
        loans = self.report.loans
        assert loans is not None
        for name, rows in plan:
            ws = self.wb.create_sheet(name)
            self.setup(ws, len(excel_loans.COLUMNS))
            ws.auto_filter.ref = f"A1:{get_column_letter(len(excel_loans.COLUMNS))}{rows + 1}"
            ws.print_title_rows = "1:1"
        base = temporary(path)
        try:
            self.wb.save(base)
            header = loan_pack.PrintHeader(
                left=_header_text(self.report.bank),
                center=_header_text(f"{self.t('sheet.loans')} {self.report.end.isoformat()}"),
                footer=self.t("excel.footer"))
            key = loan_pack.key_of(self.report.ledger_sha256, self.report.end.isoformat(),
                                   self.report.scope, self.t.lang, self.report.bank,
                                   len(loans))
            with loan_pack.loan_workbook(loans, self.t, header, folder=self.options.loan_sheets,
                                         key=key, beside=path) as sheets:
                ours, theirs = loan_pack.sheet_members(base), loan_pack.sheet_members(sheets)
                loan_pack.splice(base, sheets, {ours[name]: theirs[name] for name, _ in plan},
                                 path)
        finally:
            base.unlink(missing_ok=True)


def _header_text(text: str) -> str:
    """Excel header/footer codes start with "&": a literal ampersand is doubled."""
    return clean_text(text).replace("&", "&&")[:80]


def _layout(view: SectionView) -> _Layout:
    layout = _Layout()
    for table in view.tables:
        title_row = None
        if table.title and table.title != view.title:
            layout.rows += 1
            title_row = layout.rows
        header_row = layout.rows + 1
        first = header_row + 1
        last = header_row + len(table.rows)
        layout.placed.append(_Placed(table, title_row, header_row, first, last))
        layout.rows = last + 1  # a blank row after each table
    return layout


def _display_width(text: str) -> int:
    """Columns a text needs: CJK and full-width characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _widths(view: SectionView) -> list[int]:
    """Column widths from headers and (up to 200 rows of) contents, within limits."""
    widths: list[int] = []
    for table in view.tables:
        for n, column in enumerate(table.columns):
            need = max(column.width, min(_display_width(column.label) + 2, 24))
            for row in table.rows[:200]:
                cell = row[n]
                if cell.kind is Kind.TEXT and isinstance(cell.value, str):
                    need = max(need, _display_width(cell.value) + 2)
            if n == len(widths):
                widths.append(0)
            widths[n] = min(MAX_WIDTH, max(widths[n], need))
    return widths


@register("xlsx")
class ExcelRenderer:
    name = "xlsx"
    extension = "xlsx"

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        _Writer(report, options).write(path)

