"""Which items made a change: the coverage rule of analysis.md.

Largest absolute changes first, until the items taken cover at least 70 % of the sum of
absolute changes, and at most 3 per breakdown.  Counting the *absolute* changes makes
branches that grew and branches that shrank both "drivers": a total that barely moved
can hide two branches moving hard in opposite directions, which is what a reader wants
to be told.  Exact integers (fen): the rule never meets a rounding question.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TypeVar

COVERAGE = Fraction(7, 10)
MAX_DRIVERS = 3

Key = TypeVar("Key")


def drivers(changes: Sequence[tuple[Key, int]], *, coverage: Fraction = COVERAGE,
            limit: int = MAX_DRIVERS) -> list[tuple[Key, int]]:
    """The (key, change) pairs that explain ``changes`` under the coverage rule.

    Zero changes never drive anything; ties keep the input order (the breakdown's own
    order: balance descending for branches and products, code order for industries), so
    the choice is deterministic.  An empty list when nothing changed.
    """
    moving = [(key, change) for key, change in changes if change != 0]
    total = sum(abs(change) for _, change in moving)
    if total == 0:
        return []
    ranked = sorted(enumerate(moving), key=lambda item: (-abs(item[1][1]), item[0]))
    chosen: list[tuple[Key, int]] = []
    covered = 0
    for _, (key, change) in ranked:
        if len(chosen) == limit or covered >= coverage * total:
            break
        chosen.append((key, change))
        covered += abs(change)
    return chosen
