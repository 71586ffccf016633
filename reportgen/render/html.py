"""The HTML renderer, and the Jinja environment the PDF renderer shares.

Templates are found the way datasette finds them: the user's folder
(``RenderOptions.templates``) first, then the built-in ``templates/``, which also stay
reachable as ``default:NAME`` so that a bank can ``{% extends "default:monthly.html" %}``
and replace a single block.  Autoescape is on (ledger text is data, never markup) and
undefined names raise (a blank cell in a regulatory report is a defect, not a default).
Every template, built-in or the user's, runs in the sandbox of ``sandbox.py`` and may
include only files inside the template folders.  A text cell shows at most
``SHOWN_TEXT_MAX`` characters (formatting.shown_text); the Excel file has the whole text.

The HTML is self-contained (the stylesheet is included inline, charts are inline SVG) and
is exactly the document the PDF renderer hands to WeasyPrint, long lists capped the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

import reportgen
from reportgen.formatting import Kind, clean_text, mask_id, shown_text, text
from reportgen.labels import Labels
from reportgen.model import Report
from reportgen.render import charts
from reportgen.render.base import RenderOptions, register, with_analysis
from reportgen.render.sandbox import FolderLoader, sandbox, template_error
from reportgen.render.tables import Cell, Column, build_sections, cover_items, warning_list

TEMPLATES = Path(reportgen.__file__).resolve().parent.parent / "templates"
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def template_dirs(options: RenderOptions) -> list[Path]:
    """The folders templates (and the files they link) may come from, user's first."""
    user = [options.templates.resolve()] if options.templates is not None else []
    return [*user, TEMPLATES]


def environment(options: RenderOptions) -> jinja2.Environment:
    """The sandbox: user folder → built-ins, with ``default:`` for the built-ins."""
    allowed = template_dirs(options)
    builtin = FolderLoader(TEMPLATES, allowed)
    search: list[jinja2.BaseLoader] = []
    if options.templates is not None:
        search.append(FolderLoader(options.templates, allowed))
    search += [jinja2.PrefixLoader({"default": builtin}, delimiter=":"), builtin]
    env = sandbox(
        jinja2.ChoiceLoader(search),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    unit, lang = options.unit, options.lang

    def fmt(cell: Cell) -> str:
        shown = text(cell.kind, cell.value, unit, lang)
        return shown_text(shown) if cell.kind is Kind.TEXT else shown

    def cell_class(cell: Cell, column: Column) -> str:
        classes = ["num" if column.numeric else "text"]
        if cell.mark:
            classes.append(cell.mark)
        return " ".join(classes)

    env.filters["fmt"] = fmt
    env.filters["cell_class"] = cell_class
    env.filters["mask_id"] = mask_id
    return env


def context(report: Report, options: RenderOptions) -> dict[str, Any]:
    """Everything the templates see; all figures already in the model or a view of it."""
    t = Labels(options.lang)
    views = build_sections(report, t, max_rows=options.pdf_max_rows)
    s = report.sections
    chart_map = {"quality_mix": charts.quality_mix(s.quality, t, options.unit)}
    if s.trend is not None and s.trend.points:
        chart_map["trend"] = charts.trend(s.trend, t, options.unit)
    signatures = options.signatures
    drafted = report.analysis
    if drafted is None or drafted.lang != options.lang or drafted.unit != options.unit:
        drafted = with_analysis(report, options).analysis
    return {
        "t": t,
        "lang": options.lang,
        "html_lang": HTML_LANG[options.lang],
        "report": report,
        "title": t.report_title(report.report),
        "period_name": t.period_name(report.report, report.start, report.end),
        "unit_name": t.unit(options.unit),
        "unit_note": t("unit_note", unit=t.unit(options.unit)),
        "created": report.end.isoformat(),
        "cover": cover_items(report, t, options.unit),
        "sections": {v.name: v for v in views},
        "present": [v.name for v in views],
        "charts": chart_map,
        "data_quality": warning_list(report, t, options.pdf_max_rows),
        "analysis": drafted,
        "signatures": [(t("sign.preparer"), signatures.preparer),
                       (t("sign.reviewer"), signatures.reviewer),
                       (t("sign.approver"), signatures.approver)],
    }


def render_html(report: Report, options: RenderOptions) -> str:
    """The report as one self-contained HTML document (the PDF's source)."""
    env = environment(options)
    name = f"{report.report}.html"
    try:
        # every printed value is cleaned by the sandbox's finalize; cleaning the document
        # too covers the text a user template holds itself (a pasted NUL, an escape code)
        return clean_text(env.get_template(name).render(context(report, options)))
    except Exception as exc:
        error = template_error(exc, name)
        if error is None:
            raise
        if isinstance(exc, jinja2.TemplateNotFound):
            error = type(error)(f"{error} in {', '.join(map(str, template_dirs(options)))}")
        raise error from None


@register("html")
class HtmlRenderer:
    name = "html"
    extension = "html"

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        path.write_text(render_html(report, options), encoding="utf-8")
