"""render/json.py: the JSON file is written whatever text the ledger holds."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from factories import WARNINGS, make_report

from reportgen.render.base import RenderOptions, render


def test_text_json_cannot_encode_as_utf8_is_escaped_not_fatal(tmp_path: Path) -> None:
    """A lone surrogate has no UTF-8 form: it is written as its JSON escape; control
    characters are JSON escapes anyway.  The JSON keeps the full text (no cut)."""
    loan_id = "L\ud800\x00" + "x" * 40_000
    report = make_report("dekad", warnings=(replace(WARNINGS[0], loan_id=loan_id),))
    [path] = render(report, ["json"], tmp_path, RenderOptions())
    assert "\\ud800\\u0000" in path.read_text(encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["warnings"][0]["loan_id"] == loan_id
