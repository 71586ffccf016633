"""Golden HTML, one file per section of the hand-made yearly report (all 13 sections).

A template or label change shows up here as a readable diff of the section it touches.
Unstable values (generation time, version, paths) are scrubbed.  After an intended change:

    make update-golden        # = pytest tests/test_render_golden.py --update-golden

and review the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from factories import make_report

import reportgen
from reportgen.model import Sections
from reportgen.render.base import RenderOptions
from reportgen.render.html import TEMPLATES, render_html

GOLDEN = Path(__file__).parent / "golden"
PIECES = {
    "running": r'<div class="running-header">.*?</div>\n<div class="running-footer">.*?</div>',
    "cover": r'<header class="cover" id="cover">.*?</header>',
    "signatures": r'<table class="signatures" id="signatures">.*?</table>',
    **{name: rf'<section class="section {name}" id="section-{name}">.*?</section>'
       for name in ("analysis", *Sections.ORDER, "data_quality")},
}


@functools.cache
def rendered(lang: str) -> str:
    report = make_report("yearly")
    return render_html(report, RenderOptions(lang=lang))


def scrub(html: str) -> str:
    html = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "<GENERATED-AT>", html)
    html = re.sub(rf">{re.escape(make_report('yearly').version)}<", "><VERSION><", html)
    html = html.replace(f">{reportgen.__version__}<", "><VERSION><")
    for path in (TEMPLATES.parent, Path.home(), Path("/tmp")):
        html = html.replace(str(path), "<PATH>")
    return html + "\n"


# every piece in Chinese; the page furniture and three sections in English too
CASES = [("zh", p) for p in PIECES] + [("en", p) for p in ("running", "cover", "analysis",
                                                            "summary", "quality", "trend",
                                                            "data_quality")]


@pytest.mark.parametrize(("lang", "piece"), CASES)
def test_golden_html(lang: str, piece: str, update_golden: bool) -> None:
    match = re.search(PIECES[piece], rendered(lang), flags=re.S)
    assert match, f"{piece} not found in the rendered report"
    actual = scrub(match.group(0))
    golden = GOLDEN / f"yearly_{lang}" / f"{piece}.html"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.exists(), f"{golden} is missing: run `make update-golden`"
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{piece} changed; if intended, run `make update-golden` and review the diff")


def test_scrub_removes_unstable_values() -> None:
    cover = scrub(re.search(PIECES["cover"], rendered("zh"), flags=re.S).group(0))  # type: ignore[union-attr]
    assert "<GENERATED-AT>" in cover
    assert "<VERSION>" in cover
    assert str(TEMPLATES) not in cover
