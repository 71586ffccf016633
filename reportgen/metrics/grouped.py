"""Exact grouped sums and counts over integer codes: the one way sections total per group.

A section's "per branch", "per grade on O and D" or "per (type, day)" is a sum over rows
keyed by a small integer code, in int64 (never ``bincount``'s float weights, which would
round money).  Kept apart from ``context`` so that ``daily`` (which ``context`` imports)
can use it too.
"""

from __future__ import annotations

import numpy as np


def group_sum(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sums of ``values`` per integer code in [0, size) (negative codes skipped)."""
    out = np.zeros(size, dtype=np.int64)
    keep = codes >= 0
    if not bool(keep.all()):  # copy only when some code is to be skipped
        codes, values = codes[keep], values[keep]
    np.add.at(out, codes, values.astype(np.int64, copy=False))
    return out


def group_count(codes: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    keep = mask & (codes >= 0)
    return np.bincount(codes[keep], minlength=size).astype(np.int64)[:size]


def distinct_count(codes: np.ndarray, mask: np.ndarray) -> int:
    """How many distinct codes appear where ``mask`` is true."""
    chosen = codes[mask & (codes >= 0)]
    if not chosen.size:
        return 0
    return int(np.count_nonzero(np.bincount(chosen)))
