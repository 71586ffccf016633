"""Arrow's ``invalid_row_handler`` for the ledger readers: skip a row with too many or too
few values (the row-numbering step names it afterwards), and notice a row pyarrow could not
even hand over.

pyarrow decodes an invalid row's text as UTF-8 *before* it calls the handler.  A short row
that is not UTF-8 (a file cut off inside a Chinese character, a GBK line in a UTF-8 file)
makes that decode fail inside pyarrow: Python prints "Exception ignored … Traceback" on
stderr and the read then stops with a bare "Expected N columns" error.  For the user that
is a traceback and a message with no row.  With a handler set, Arrow stops on a row's
value count only when the handler failed, and ours fails only there: ``not_utf8`` then
tells the reader to treat the file as not UTF-8, so the encoding check names the row.  The
hook installed here keeps pyarrow's print off stderr, for these handlers only (a test
runner that installs its own hook shows it as a warning instead).
"""

from __future__ import annotations

import sys
from typing import Any


class InvalidRows:
    """Counts the rows Arrow skipped."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _row: object) -> str:
        self.count += 1
        return "skip"

    @staticmethod
    def not_utf8(exc: Exception) -> bool:
        """Arrow's error says the file is not UTF-8, or that a row could not be handed over."""
        text = str(exc).lower()
        return "utf8" in text or "utf-8" in text or (
            "csv parse error" in text and "expected" in text and "columns" in text)


_previous_hook = sys.unraisablehook


def _quiet_undecodable(unraisable: Any) -> None:
    handler = unraisable.object
    if isinstance(handler, InvalidRows) and isinstance(unraisable.exc_value,
                                                       UnicodeDecodeError):
        return
    _previous_hook(unraisable)


sys.unraisablehook = _quiet_undecodable
