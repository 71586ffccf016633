"""deliver/lock.py: one run at a time; a dead holder blocks nobody; real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from mailserver import smtp_server
from runsetup import RISK, TEAM, write_bank_ledger, write_config

from reportgen.cli import main
from reportgen.deliver.archive import Archive
from reportgen.deliver.lock import LOCK_NAME, run_lock
from reportgen.errors import LockedError

REPORTGEN = Path(sys.executable).parent / "reportgen"
HOLD = """
import sys, time
from pathlib import Path
from reportgen.deliver.lock import run_lock
with run_lock(Path(sys.argv[1]), wait=0):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``tmp_path/reports``'s lock for up to a minute."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "reports"), "60"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    proc.kill()
    proc.wait()


def test_second_lock_in_the_same_process_waits_then_fails(tmp_path: Path) -> None:
    with run_lock(tmp_path, wait=0):
        started = time.monotonic()
        with (pytest.raises(LockedError, match=f"pid {os.getpid()} since") as info,
              run_lock(tmp_path, wait=0.5)):
            pass
        assert 0.5 <= time.monotonic() - started < 3
        assert info.value.exit_code == 5
    with run_lock(tmp_path, wait=0):  # released at the end of the with-block
        pass


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path: Path,
                                                       holder: subprocess.Popen[str]) -> None:
    with pytest.raises(LockedError), run_lock(tmp_path / "reports", wait=0):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / "reports" / LOCK_NAME).exists()  # the file stays; the lock does not
    with run_lock(tmp_path / "reports", wait=0):
        pass


def test_a_run_waits_for_a_short_holder(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "0.5"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    with run_lock(tmp_path, wait=10):
        pass
    proc.wait()


def test_run_exits_5_with_a_clear_message_and_does_nothing(
        tmp_path: Path, holder: subprocess.Popen[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    write_bank_ledger(tmp_path / "ledger")
    write_config(tmp_path, 9)  # the lock comes first: no ledger read, no mail attempted
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "--date", "2026-11-01"])
    assert result.exit_code == 5, result.output
    assert f"another reportgen run is working in reports (pid {holder.pid}" in result.output
    assert "This run did nothing" in result.output
    assert "Traceback" not in result.output
    assert Archive(tmp_path / "reports").records() == []


@pytest.mark.parametrize("lock_wait", [0, 5])
def test_two_runs_started_together(tmp_path: Path, lock_wait: int) -> None:
    """Real processes: one makes and mails, the other exits cleanly; nobody gets two.

    With no waiting the second usually exits 5; waiting, it usually finds all made (0).
    """
    write_bank_ledger(tmp_path / "ledger")
    with smtp_server() as server:
        write_config(tmp_path, server.port, lock_wait=lock_wait)
        procs = [subprocess.Popen([str(REPORTGEN), "run", "--date", "2026-11-01"],
                                  cwd=tmp_path, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
        handler = server.handler
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 5]), results
    made = sorted(out.count("\nmade ") for code, out, _ in results
                  if code == 0)
    assert made in ([0, 2], [2]), results  # when both worked, the second found it all made
    for code, out, err in results:
        assert "Traceback" not in out + err
        if code == 5:
            assert "another reportgen run is working" in err
            assert out == ""
    assert sorted(a for r in handler.messages for a in r.rcpt_tos) == sorted([TEAM, TEAM, RISK])
    assert len(handler.received_by(TEAM)) == 2  # dekad + monthly, once each
    assert len(handler.received_by(RISK)) == 1
    kinds = [r["kind"] for r in Archive(tmp_path / "reports").records()]
    assert kinds.count("report") == 2
