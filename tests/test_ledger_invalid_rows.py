"""A row pyarrow cannot hand to the invalid-row handler (reportgen/ledger/invalid_rows.py).

pyarrow decodes a short row as UTF-8 before it calls the handler; a file cut off inside a
Chinese character, or a short GBK line in a UTF-8 file, used to print "Exception ignored …
Traceback" and end in a message with no row.  Each case runs the real CLI and must name
the file and the row, with exit 3 and nothing written (``badinput.rejected``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import badinput
import pytest
from badinput import Expected
from click.testing import CliRunner

from reportgen.cli import main

# pyarrow's failed decode is reported through sys.unraisablehook; pytest installs its own
# hook (shown as a warning) in place of the one invalid_rows.py installs for the command.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

CUT = "the file ends in the middle of a character"
CORE = Path(__file__).resolve().parents[1] / "sample_ledgers" / "core_export"


def _cut_after(data: bytes, text: str, keep: int) -> bytes:
    """``data`` up to the last ``text``, plus ``keep`` bytes of its first character."""
    at = data.rindex(text.encode("utf-8"))
    return data[:at + keep]


@pytest.mark.parametrize("keep", [1, 2], ids=["one-byte-of-three", "two-bytes-of-three"])
@pytest.mark.parametrize(("table", "rows", "text", "row"), [
    # a short last row: the name is cut, so the row lacks its later values too
    ("customers", {"customers": "C1,甲公司,corporate,small,C,1000000,G1,\n"
                                "C2,张三,individual,,A,,,\n"}, "张", 3),
    # a full-length row cut inside its last value
    ("customers", {"customers": "C1,甲公司,corporate,small,C,1000000,G1,\n"
                                "C2,李四,individual,,A,,,乙"}, "乙", 3),
])
def test_a_file_cut_inside_a_character_names_its_last_row(
        tmp_path: Path, table: str, rows: dict[str, str], text: str, row: int, keep: int) -> None:
    folder = badinput.ledger(tmp_path / "l", **rows)
    path = folder / f"{table}.csv"
    path.write_bytes(_cut_after(path.read_bytes(), text, keep))
    badinput.rejected(folder, tmp_path, Expected(f"{table}.csv, row {row}", CUT))


def test_a_short_gbk_line_in_a_utf8_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    folder = badinput.ledger(tmp_path / "l")
    path = folder / "customers.csv"
    path.write_bytes(path.read_bytes() + "C9,丙公司\n".encode("gbk"))
    badinput.rejected(folder, tmp_path, Expected("customers.csv, row 4",
                                                 "not UTF-8 like the rest of the file"))


def test_a_mapped_export_cut_inside_a_character(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(CORE, folder)
    path = folder / "借据明细_20261031.csv"
    data = path.read_bytes()
    path.write_bytes(_cut_after(data, "王五", 1))
    result = CliRunner().invoke(main, ["validate", "--ledger", str(folder),
                                       "--mapping", str(folder / "mapping.toml")])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "Exception ignored" not in result.output
    row = data[:data.rindex("王五".encode())].count(b"\n") + 1
    assert f"借据明细_20261031.csv, row {row}: {CUT}" in result.output, result.output
