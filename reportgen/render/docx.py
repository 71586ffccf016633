"""The Word renderer (``--format docx``): the analysis as editable paragraphs, then the
key tables, for the clerk who finishes the report in Word or WPS.

Figures are shown exactly as the PDF shows them: the same ``SectionView`` cells
(render/tables.py) turned into text by ``formatting.text``.  Chinese text needs its font
in the East Asian slot of each run (``w:eastAsia``, library-notes.md): with only
``font.name`` set, Word and WPS draw CJK characters in a fallback font.  The document's
core properties carry the report's as-of date rather than the clock, so the same input
gives the same document text.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from reportgen.formatting import text
from reportgen.labels import Labels
from reportgen.model import Report
from reportgen.render.base import RenderOptions, register, with_analysis
from reportgen.render.tables import SectionView, Table, build_sections, cover_items

FONT_EAST_ASIA = "SimSun"  # 宋体: on every Windows, and WPS maps it
FONT_LATIN = "Times New Roman"
# The tables a reader of the Word report needs beside the analysis; the long lists stay in
# the Excel file and the PDF.
KEY_SECTIONS = ("indicators", "summary", "quality", "overdue", "provision", "migration",
                "maturity", "watchlist")


def set_font(run: Any, size: float | None = None, bold: bool = False) -> None:
    """Latin and East Asian font of one run (see the module docstring)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT_LATIN
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_EAST_ASIA)
    if size is not None:
        run.font.size = Pt(size)
    if bold:
        run.bold = True


def _style_fonts(document: Any) -> None:
    """The Normal style's fonts (tables and any text the clerk types inherit them)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.name = FONT_LATIN
    normal.font.size = Pt(10.5)  # 五号
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"),
                                                             FONT_EAST_ASIA)


class _Writer:
    def __init__(self, report: Report, options: RenderOptions) -> None:
        from docx import Document

        self.report = with_analysis(report, options)
        self.options = options
        self.t = Labels(options.lang)
        self.doc = Document()
        _style_fonts(self.doc)

    def paragraph(self, words: str, *, size: float | None = None, bold: bool = False,
                  center: bool = False, indent: bool = False) -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        set_font(p.add_run(words), size, bold)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if indent:  # first line indented two characters, as a Chinese report sets it
            p.paragraph_format.first_line_indent = Pt(21)
        return p

    def cover(self) -> None:
        r, t = self.report, self.t
        self.paragraph(f"{r.bank} {r.branch}".strip(), size=12, center=True)
        self.paragraph(t.report_title(r.report), size=18, bold=True, center=True)
        self.paragraph(t.period_name(r.report, r.start, r.end), size=12, center=True)
        self.paragraph(t("unit_note", unit=t.unit(self.options.unit)), center=True)
        items = cover_items(r, t, self.options.unit)
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in items:
            cells = table.add_row().cells
            self.cell_text(cells[0], label, bold=True)
            self.cell_text(cells[1], value)

    def cell_text(self, cell: Any, words: str, *, bold: bool = False,
                  right: bool = False) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = cell.paragraphs[0]
        set_font(p.add_run(words), 9, bold)
        if right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def analysis(self) -> None:
        drafted = self.report.analysis
        assert drafted is not None
        self.heading(self.t.section("analysis"), 1)
        notes_started = False
        for paragraph in drafted.paragraphs:
            if paragraph.topic == "notes" and not notes_started:
                self.heading(self.t("analysis.notes"), 2)
                notes_started = True
            self.paragraph(paragraph.text, indent=True)

    def heading(self, title: str, level: int) -> None:
        heading = self.doc.add_heading(level=level)
        set_font(heading.add_run(title))

    def table(self, table: Table) -> None:
        unit, lang = self.options.unit, self.options.lang
        if table.title:
            self.paragraph(table.title, bold=True)
        out = self.doc.add_table(rows=1, cols=len(table.columns))
        out.style = "Table Grid"
        for cell, column in zip(out.rows[0].cells, table.columns, strict=True):
            self.cell_text(cell, column.label, bold=True)
        for row in table.rows:
            cells = out.add_row().cells
            for cell, value, column in zip(cells, row, table.columns, strict=True):
                self.cell_text(cell, text(value.kind, value.value, unit, lang),
                               right=column.numeric)
        if table.more:
            self.paragraph(table.more, size=8)

    def section(self, view: SectionView) -> None:
        self.heading(view.title, 1)
        for table in view.tables:
            if not table.grows:  # the long lists are the Excel file's
                self.table(table)

    def write(self, path: Path) -> None:
        self.cover()
        self.analysis()
        views = build_sections(self.report, self.t, max_rows=self.options.pdf_max_rows)
        for view in views:
            if view.name in KEY_SECTIONS:
                self.section(view)
        props = self.doc.core_properties
        props.title = f"{self.report.bank} {self.t.report_title(self.report.report)}"
        moment = datetime.combine(self.report.end, time(), tzinfo=UTC)
        props.created = props.modified = moment
        props.author = props.last_modified_by = self.report.bank
        props.revision = 1
        self.doc.save(str(path))


@register("docx")
class DocxRenderer:
    name = "docx"
    extension = "docx"

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        _Writer(report, options).write(path)
