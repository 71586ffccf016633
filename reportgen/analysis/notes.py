"""The clerk's own words (存在问题与下步措施): ``--notes FILE`` or ``[analysis] notes_dir``.

A notes file is plain text (Markdown-ish): paragraphs separated by blank lines, the lines
of one paragraph joined.  It is kept as data — never markup, never a formula — so every
format escapes it the way it escapes ledger text.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportgen.errors import UsageError

_BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> tuple[str, ...]:
    """Blank-line separated paragraphs, each with its lines joined by a space (or nothing
    between Chinese characters), surrounding space trimmed; empty ones dropped."""
    out = []
    for block in _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        joined = lines[0]
        for line in lines[1:]:
            ascii_edge = joined[-1].isascii() or line[0].isascii()
            joined += (" " if ascii_edge else "") + line
        out.append(joined)
    return tuple(out)


def read_notes(path: Path) -> tuple[str, ...]:
    """The paragraphs of a notes file (UTF-8, a BOM allowed); a clear error if unreadable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"notes file {path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"notes file {path} is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"notes file {path} is not UTF-8 text (byte {exc.start}); save it "
                         "as UTF-8") from None
    except OSError as exc:
        raise UsageError(f"notes file {path} cannot be read: {exc.strerror}") from None
    return paragraphs(text)


def notes_file(notes_dir: Path, report: str, period: str, scope: str = "") -> Path:
    """``{notes_dir}/{report}_{period}.md`` (``_{scope}`` appended for a scoped report)."""
    suffix = f"_{scope}" if scope else ""
    return notes_dir / f"{report}_{period}{suffix}.md"


def find_notes(notes_dir: Path | None, report: str, period: str,
               scope: str = "") -> tuple[str, ...] | None:
    """The notes for one report from ``notes_dir``, or ``None`` when it has no file."""
    if notes_dir is None:
        return None
    path = notes_file(notes_dir, report, period, scope)
    return read_notes(path) if path.is_file() else None
