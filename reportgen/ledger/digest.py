"""The ledger digest (SHA-256 over its files' bytes, in table order), made after the load.

Every report names the ledger it was made from by this digest.  Hashing a million-loan
ledger's 600 MB costs about 0.6 s of CPU; made while Arrow's reader parses the files it
takes that from the two cores the reader already fills.  Nothing needs the digest until a
report is assembled, so a folder read hands over a ``LateDigest``: ``start()`` (called when
the first report is built, after its warm-up) hashes the files on a thread beside the
report's sections, which leave a core free, and ``hexdigest()`` waits for it.  A ledger
that fails validation, or is only validated, is never hashed.  The files are read again
from the page cache, through one reused 4 MB buffer, as the reader's own scan does.

Reading them again leaves a window: an export the core system is still writing (or
replaces) could be read in one state and hashed in another, and the report would name
bytes it was not made from — a later run would think that report up to date.  So each
file's size, modification time and inode are taken before it is parsed and compared with
the open file's before and after hashing: a file that changed is a data error.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from reportgen.errors import LedgerError, Problem

_BLOCK = 1 << 22


class LateDigest:
    """SHA-256 over ``files`` in order, computed once, on a thread or on request."""

    def __init__(self, files: list[Path], seen: list[os.stat_result] | None = None) -> None:
        self.files = tuple(files)
        # what each file was when it was read (None: not known, not compared)
        self.seen = tuple(_identity(s) for s in seen) if seen is not None else None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._value: str | None = None
        self._failure: Problem | None = None

    def start(self) -> None:
        """Begin hashing on a daemon thread (hashlib releases the GIL on big updates)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._compute, name="ledger-digest",
                                                daemon=True)
                self._thread.start()

    def hexdigest(self) -> str:
        """The digest as hex; waits for the thread (starting it if needed).  A file that can
        no longer be read (deleted or moved during the run) is a ``LedgerError``: the
        report must not name bytes it did not read."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._failure is not None:
            raise LedgerError([self._failure])
        assert self._value is not None
        return self._value

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        """Sent to another process as the plain text of the digest."""
        return (str, (self.hexdigest(),))

    def _compute(self) -> None:
        digest = hashlib.sha256()
        block = bytearray(_BLOCK)
        view = memoryview(block)
        for index, file in enumerate(self.files):
            try:
                with file.open("rb", buffering=0) as stream:
                    before = _identity(os.fstat(stream.fileno()))
                    while size := stream.readinto(block):
                        digest.update(view[:size])
                    after = _identity(os.fstat(stream.fileno()))
            except OSError as exc:
                self._failure = Problem(file.name, None, None, None,
                                        f"could not be read again for the ledger digest "
                                        f"({exc.strerror or exc})")
                return
            if before != after or (self.seen is not None and self.seen[index] != before):
                self._failure = Problem(file.name, None, None, None,
                                        "changed while reportgen was reading the ledger (is "
                                        "the export still being written?): run again once "
                                        "it is complete")
                return
        self._value = digest.hexdigest()


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells one version of a file from another without reading it."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
