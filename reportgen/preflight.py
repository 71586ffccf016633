"""Checks of paths the command line is given, made before any work is done.

A mistake in ``--out`` or ``--log-file`` used to surface only when the file was written —
after the ledger was read and every figure computed — or as a traceback.  Each check here
answers in microseconds from the file system, so the CLI asks them first and stops with one
line naming the option and the value (exit 2), having written nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

# What a ledger file may be (reportgen.ledger.read accepts a folder or one workbook).
LEDGER_FILE_SUFFIXES = (".xlsx", ".xlsm")
# Names that say "a file": a folder called like this is almost surely the wrong path.
FILE_LIKE_SUFFIXES = (*LEDGER_FILE_SUFFIXES, ".xls", ".csv", ".parquet", ".zip", ".txt",
                      ".json", ".toml")


def folder_problem(path: Path) -> str | None:
    """Why no file can be written into the folder ``path`` (made when missing), or None.

    Walks up to the nearest existing ancestor: a regular file there (``--out report.pdf/x``)
    or a folder this user may not write into means the render would fail at the end.
    """
    if path.exists():
        if not path.is_dir():
            return f"{path} is a file, not a folder"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{path} is a folder this user cannot write into"
        return None
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{path} cannot be made: {ancestor} is a file, not a folder"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"{path} cannot be made: {ancestor} is a folder this user cannot write into"
    return None


def log_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be opened to append the log, or None (the file may be new)."""
    if path.is_dir():
        return f"{path} is a folder, not a file"
    folder = path.parent
    if not folder.is_dir():
        return f"{path}: folder {folder} does not exist" if not folder.exists() else (
            f"{path}: {folder} is a file, not a folder")
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is a file this user cannot write to"
    if not path.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return f"{path}: folder {folder} is not writable by this user"
    return None


def ledger_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a ledger (a folder of tables or one workbook), or None.

    A folder named like a file (``ledger.xlsx/``) or a file of another kind (a ``.txt``,
    an old ``.xls``) is a wrong path, not a ledger with data errors: exit 2, not 3.
    """
    if not path.exists():
        return f"{path}: no such file or folder"
    suffix = path.suffix.lower()
    if path.is_dir():
        if suffix in FILE_LIKE_SUFFIXES:
            return (f"{path} is a folder named like a {suffix} file; give the workbook "
                    "itself or a folder of CSV/Parquet files")
        return None
    if not path.is_file():
        return f"{path} is neither a file nor a folder"
    if suffix not in LEDGER_FILE_SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        return (f"{path} is {kind}; a ledger is a folder of CSV/Parquet files or one .xlsx "
                "workbook")
    return None
