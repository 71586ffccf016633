"""preflight.py: the file-system questions the CLI asks before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.preflight import folder_problem, ledger_problem, log_file_problem


def test_folder_problem(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    assert folder_problem(tmp_path) is None
    assert folder_problem(tmp_path / "new" / "deeper") is None  # made when missing
    assert folder_problem(tmp_path / "f") == f"{tmp_path / 'f'} is a file, not a folder"
    for under in ("f/x", "f/x/y/z"):
        problem = folder_problem(tmp_path / under)
        assert problem == f"{tmp_path / under} cannot be made: {tmp_path / 'f'} is a file, " \
                          "not a folder"


def test_log_file_problem(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    assert log_file_problem(tmp_path / "run.log") is None
    assert log_file_problem(tmp_path / "f") is None  # appended to
    assert "does not exist" in (log_file_problem(tmp_path / "no" / "run.log") or "")
    assert "is a file, not a folder" in (log_file_problem(tmp_path / "f" / "run.log") or "")
    assert "is a folder, not a file" in (log_file_problem(tmp_path) or "")


@pytest.mark.parametrize(("name", "kind", "expected"), [
    ("ledger", "dir", None), ("ledger.xlsx", "file", None), ("L.XLSM", "file", None),
    ("ledger.xlsx", "dir", "folder named like a .xlsx file"),
    ("ledger.csv", "dir", "folder named like a .csv file"),
    ("ledger.txt", "file", "is a .txt file"),
    ("ledger", "file", "is a file without an extension"),
    ("missing", "none", "no such file or folder"),
])
def test_ledger_problem(tmp_path: Path, name: str, kind: str, expected: str | None) -> None:
    path = tmp_path / name
    if kind == "dir":
        path.mkdir()
    elif kind == "file":
        path.write_bytes(b"PK")
    problem = ledger_problem(path)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        assert expected in problem
