"""render/base.py: the registry imports only the renderers a command asks for."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(*sys.modules)"],
                         capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_json_alone_imports_neither_openpyxl_nor_weasyprint() -> None:
    # Jinja is needed: the JSON holds the written analysis, drafted from sentence templates
    loaded = _modules_after("from reportgen.render.base import get\nget('json')")
    assert "reportgen.render.json" in loaded
    assert not {"openpyxl", "weasyprint", "docx", "reportgen.render.excel"} & loaded


def test_every_builtin_format_is_available() -> None:
    from reportgen.render.base import available, get

    assert {"json", "xlsx", "html", "pdf"} <= set(available())
    assert get("xlsx").extension == "xlsx"
