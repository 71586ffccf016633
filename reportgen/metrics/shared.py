"""Figures the reports of one run share, memoised on the engine.

A month-end run makes the dekad, monthly, quarterly and yearly reports of one as-of date D
from one engine: their structure, concentration, upcoming list, watched loans and managers'
books on D are the same, and so are the positions of any day two reports compare.  A
section asks ``shared`` for such a figure under a key naming what it depends on (the
figure and its dates); the first report computes it, the others read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from reportgen.engine import Engine

T = TypeVar("T")


def shared(engine: Engine, key: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()`` once per engine and ``key``; the key must name every input but the ledger."""
    if key not in engine.memo:
        engine.memo[key] = make()
    return cast(T, engine.memo[key])
