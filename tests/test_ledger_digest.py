"""reportgen/ledger/digest.py: the ledger digest of a folder, made after the load.

The expected digests are SHA-256 over the files' bytes in table order (customers, loans,
transactions, classifications, then the optional tables), worked out here with hashlib
from the bytes the test wrote.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest
from ledgers import write_ledger

from reportgen import api
from reportgen.errors import LedgerError
from reportgen.ledger.digest import LateDigest
from reportgen.ledger.load import load_ledger

ROWS = {
    "customers": "C1,甲,individual,,A,,,",
    "loans": "L1,C1,B1,王,,credit,1000,2025-06-01,2027-06-01,4",
    "transactions": "L1,2025-06-01,disburse,1000\nL1,2025-07-01,repay,100",
    "classifications": "L1,2025-06-01,normal,",
}
ORDER = ["customers", "loans", "transactions", "classifications", "bank_figures", "targets"]


def _expected(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ORDER:
        file = folder / f"{name}.csv"
        if file.exists():
            digest.update(file.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("extra", [
    {},
    {"bank_figures": "2025-06-30,provision,10"},
    {"bank_figures": "2025-06-30,provision,10", "targets": "王,2025,disbursed,500"},
])
def test_a_folder_digest_is_sha256_of_its_files_in_table_order(tmp_path: Path,
                                                              extra: dict[str, str]) -> None:
    folder = write_ledger(tmp_path / "l", **ROWS, **extra)  # type: ignore[arg-type]
    session = api.open_ledger(folder)
    assert session.ledger.sha256 == _expected(folder)
    assert session.ledger.sha256 == session.ledger.sha256  # computed once, kept


def test_it_is_made_for_a_report_only(tmp_path: Path) -> None:
    """A ledger that is only validated, or refused, is never hashed again; building a
    report starts the hashing (beside its sections)."""
    from reportgen.config import Config

    folder = write_ledger(tmp_path / "bad", **(ROWS | {"transactions": "L9,2025-06-01,disburse,1"}))
    assert isinstance(load_ledger(folder).digest, LateDigest)
    with pytest.raises(LedgerError):
        api.open_ledger(folder)
    session = api.open_ledger(write_ledger(tmp_path / "good", **ROWS))  # type: ignore[arg-type]
    digest = session.ledger.digest
    assert isinstance(digest, LateDigest)
    assert digest._thread is None  # validated: not hashed
    api.build(session, "monthly", "2025-06", Config())
    assert digest._thread is not None


@pytest.mark.parametrize("gone", ["transactions", "customers"])
def test_a_file_gone_before_the_digest_is_a_data_error(tmp_path: Path, gone: str) -> None:
    folder = write_ledger(tmp_path / "l", **ROWS)  # type: ignore[arg-type]
    ledger = load_ledger(folder)
    (folder / f"{gone}.csv").unlink()
    with pytest.raises(LedgerError) as caught:
        ledger.sha256  # noqa: B018
    (problem,) = caught.value.problems
    assert problem.file == f"{gone}.csv"
    assert "could not be read again for the ledger digest" in problem.message


def test_it_travels_to_another_process_as_text(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "l", **ROWS)  # type: ignore[arg-type]
    digest = load_ledger(folder).digest
    assert pickle.loads(pickle.dumps(digest)) == _expected(folder)


def test_the_report_names_the_digest(tmp_path: Path) -> None:
    from reportgen.config import Config

    folder = write_ledger(tmp_path / "l", **ROWS)  # type: ignore[arg-type]
    session = api.open_ledger(folder)
    report = api.build(session, "monthly", "2025-06", Config())
    assert report.ledger_sha256 == _expected(folder)


@pytest.mark.parametrize("change", ["rewritten", "appended", "replaced"])
def test_a_file_changed_after_it_was_read_is_a_data_error(tmp_path: Path, change: str) -> None:
    # The report must not name bytes it was not made from: an export still being written
    # (appended), rewritten in place, or replaced by a new file is refused.
    folder = write_ledger(tmp_path / "l", **ROWS)  # type: ignore[arg-type]
    ledger = load_ledger(folder)
    path = folder / "transactions.csv"
    data = path.read_bytes()
    if change == "rewritten":
        path.write_bytes(data.replace(b"2025", b"2024", 1))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    elif change == "appended":
        path.write_bytes(data + data.splitlines(keepends=True)[-1])
    else:
        (folder / "new.csv").write_bytes(data)
        (folder / "new.csv").replace(path)
    with pytest.raises(LedgerError) as caught:
        ledger.sha256  # noqa: B018
    (problem,) = caught.value.problems
    assert problem.file == "transactions.csv"
    assert "changed while reportgen was reading the ledger" in problem.message

