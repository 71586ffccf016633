"""The PDF renderer: the report's HTML (html.py) laid out by WeasyPrint.

WeasyPrint would read any ``file://`` or ``http://`` URL a document names.  Ledger text
is escaped by Jinja, so only a template can name a URL, and ``TemplateFetcher`` serves
nothing but files inside the template folders and ``data:`` URIs; anything else raises,
and the report fails with a ``TemplateError`` naming the URL rather than shipping a PDF
with a hole in it.

Chinese text needs the Noto CJK font (report.css names it).  When a character has no
glyph WeasyPrint draws a ".notdef" box and only logs a warning; that warning is passed on
through reportgen's logger (tests turn it into a failure).  The PDF's metadata carry the
title and, as the creation date, the report's as-of date, so identical input gives an
identical file.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from reportgen.errors import TemplateError
from reportgen.model import Report
from reportgen.render.base import RenderOptions, register
from reportgen.render.html import render_html, template_dirs

LOG = logging.getLogger(__name__)


class URLRefusedError(ValueError):
    """A URL outside the template folders (or not a file/data URL) was asked for."""


def template_fetcher(roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher limited to files under ``roots`` and ``data:`` URIs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplateFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file", "data"))
            self.roots = [root.resolve() for root in roots]
            self.served: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if path.is_file() and any(path.is_relative_to(r) for r in self.roots):
                    self.served.append(url)
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(),
                                              {"Content-Type": kind})
            self.refused.append(url)
            raise URLRefusedError(f"{url} is outside the template folders")

    return TemplateFetcher()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs at WARNING and above while the block runs."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def write_pdf(html: str, options: RenderOptions, target: Path) -> Any:
    """Lay out ``html`` and write the PDF; returns the fetcher (what it served/refused)."""
    from weasyprint import HTML

    roots = template_dirs(options)
    fetcher = template_fetcher(roots)
    with weasyprint_warnings() as messages:
        document = HTML(string=html, base_url=roots[0].as_uri() + "/", url_fetcher=fetcher)
        document.write_pdf(target)
    for message in messages:
        if ".notdef" in message:
            LOG.warning("PDF has characters its font lacks (shown as boxes): %s", message)
    if fetcher.refused:
        raise TemplateError("the templates ask for files outside the template folders: "
                            + ", ".join(fetcher.refused))
    return fetcher


@register("pdf")
class PdfRenderer:
    name = "pdf"
    extension = "pdf"

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        write_pdf(render_html(report, options), options, path)
