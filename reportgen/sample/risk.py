"""What happens to each sample loan: repaid on time, early or late, overdue and cured, or bad.

A plan is drawn per loan before any row is written, so the schedule, the classification rows
and the interest all agree.  A bad loan walks the regulator's ladder (关注 → 次级 → 可疑 → 损失)
at about 90, 270 and 360 days overdue; a quarter of them are downgraded late, which is what
the reports' ``grade_check`` flag is for.  Bad loans end written off (some later recovered),
collected (清收), or still on the books.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.ledger.schema import (
    DOUBTFUL,
    LOSS,
    NORMAL,
    RECOVERY,
    REPAY,
    SPECIAL_MENTION,
    SUBSTANDARD,
    WRITEOFF,
)
from reportgen.sample.arrays import IntArray, Rows, choose, uniform_int
from reportgen.sample.loans import YUAN, Loans

# Paths (not a ledger enum: the ledger only shows their consequences).
ON_TIME, BAD, CURED, LATE, EARLY, WATCHED = range(6)
NEVER = 1 << 30  # a day number after any ledger
# Share of loans that go bad, per borrower class (loans.BORROWERS order).
_BAD_SHARE = (0.015, 0.03, 0.05, 0.06, 0.06, 0.06, 0.055)
_OTHER_SHARES = ((CURED, 0.03), (LATE, 0.02), (EARLY, 0.08), (WATCHED, 0.01))
NO_CLASSIFICATION = 0.005  # loans the validator should warn about
# How a bad loan ends: written off, collected in full, still outstanding.
_WRITTEN_OFF, _COLLECTED, _OUTSTANDING = range(3)
_ENDINGS = (0.45, 0.30, 0.25)


@dataclass(frozen=True)
class Plan:
    """Per loan: its path and the days that path turns on."""

    path: IntArray
    draw2: IntArray  # second tranche's day, -1 when disbursed at once
    last_draw: IntArray
    overdue: IntArray  # first overdue day (BAD, CURED), else -1
    stop: IntArray  # BAD: no scheduled repayment from this day on; else NEVER
    cure: IntArray  # CURED: the day the arrears are paid, else -1
    payoff: IntArray  # the day the last scheduled repayment is made


def _paths(rng: np.random.Generator, loans: Loans, span: IntArray) -> IntArray:
    """Draw a path per loan; a path its loan is too short for falls back to ON_TIME."""
    u = rng.random(loans.n)
    edge = np.asarray(_BAD_SHARE)[loans.borrower]
    path = np.where(u < edge, BAD, ON_TIME)
    for p, share in _OTHER_SHARES:
        path = np.where((u >= edge) & (u < edge + share), p, path)
        edge = edge + share
    too_short = (((path == CURED) & (span < 110)) | ((path == EARLY) & (span < 45))
                 | ((path == WATCHED) & (span < 60)))
    return np.where(too_short | (loans.revolving == 1), ON_TIME, path)


def plan_loans(rng: np.random.Generator, loans: Loans) -> Plan:
    """Choose every loan's path and the days it turns on."""
    n = loans.n
    draw2 = np.where(loans.tranches == 1, loans.start + uniform_int(rng, 20, 90, n), -1)
    last_draw = np.maximum(draw2, loans.start)
    span = loans.maturity - last_draw
    path = _paths(rng, loans, span)
    mid_life = (rng.random(n) < 0.5) & (span >= 60)
    bad_day = np.where(mid_life, uniform_int(rng, last_draw + 30, loans.maturity - 1, n),
                       loans.maturity + 1)
    cured_day = uniform_int(rng, last_draw + 30, loans.maturity - 80, n)
    overdue = np.select([path == BAD, path == CURED], [bad_day, cured_day], -1)
    late_by = np.where(rng.random(n) < 0.8, uniform_int(rng, 1, 45, n),
                       uniform_int(rng, 60, 400, n))
    early = uniform_int(rng, last_draw + 20, loans.maturity - 1, n)
    return Plan(
        path=path,
        draw2=draw2,
        last_draw=last_draw,
        overdue=overdue,
        stop=np.where(path == BAD, np.where(mid_life, bad_day, loans.maturity), NEVER),
        cure=np.where(path == CURED, overdue + uniform_int(rng, 5, 60, n), -1),
        payoff=np.select([path == LATE, path == EARLY],
                         [loans.maturity + late_by, early], loans.maturity),
    )


def _ladder(rng: np.random.Generator, od: IntArray) -> tuple[IntArray, ...]:
    """Days a bad loan reaches special mention, substandard, doubtful and loss."""
    n = od.size
    sm = od + uniform_int(rng, 0, 5, n)
    late = rng.random(n) < 0.25  # downgraded late: the grade_check cases
    ss = od + 90 + uniform_int(rng, 1, 30, n) + np.where(late, uniform_int(rng, 60, 200, n), 0)
    db = np.maximum(od + 270 + uniform_int(rng, 1, 30, n), ss + 30)
    loss = np.maximum(od + 360 + uniform_int(rng, 1, 45, n), db + 30)
    return sm, ss, db, loss


def bad_loan_rows(rng: np.random.Generator, loans: Loans, plan: Plan,
                  remaining: IntArray) -> tuple[Rows, Rows]:
    """Collections, write-offs, recoveries and the downgrade rows of the bad loans.

    Args:
        rng: the generator's random source.
        loans: all loans.
        plan: their plan; only loans on the BAD path get rows here.
        remaining: per loan, the principal left when it went bad (fen).

    Returns:
        (transactions, classification rows).
    """
    bad = np.flatnonzero(plan.path == BAD)
    n = bad.size
    od, left = plan.overdue[bad], remaining[bad]
    sm, ss, db, loss = _ladder(rng, od)
    ending = choose(rng, list(_ENDINGS), n)
    end_day = np.select([ending == _WRITTEN_OFF, ending == _COLLECTED],
                        [loss + uniform_int(rng, 30, 240, n), od + uniform_int(rng, 100, 700, n)],
                        NEVER)
    partial_day = od + 20 + (rng.random(n) * (np.minimum(end_day, od + 400) - od - 30)).astype(
        np.int64)
    partial = np.where(rng.random(n) < 0.4,
                       (left * rng.uniform(0.1, 0.5, n)).astype(np.int64) // (100 * YUAN)
                       * (100 * YUAN), 0)
    settled = left - partial
    recovered = np.where((ending == _WRITTEN_OFF) & (rng.random(n) < 0.5),
                         (settled * rng.uniform(0.05, 0.4, n)).astype(np.int64) // (100 * YUAN)
                         * (100 * YUAN), 0)
    final_kind = np.where(ending == _WRITTEN_OFF, WRITEOFF, REPAY)
    tx = Rows.concat([
        Rows(bad, partial_day, np.full(n, REPAY), partial),
        Rows(bad, end_day, final_kind, np.where(ending == _OUTSTANDING, 0, settled)),
        Rows(bad, end_day + uniform_int(rng, 30, 300, n), np.full(n, RECOVERY), recovered),
    ])
    states = Rows.concat([Rows(bad, day, np.full(n, grade), od) for day, grade in
                          ((sm, SPECIAL_MENTION), (ss, SUBSTANDARD), (db, DOUBTFUL),
                           (loss, LOSS))])
    ends = np.full(loans.n, NEVER)
    ends[bad] = end_day
    return tx.select(tx.value > 0), states.select(states.day < ends[states.loan])


def state_rows(rng: np.random.Generator, loans: Loans, plan: Plan) -> Rows:
    """Classification rows of every loan except the bad ones' downgrades.

    A first ``normal`` row on the start date (missing for ~0.5 %); cured loans go special
    mention while overdue and back to normal; some late payers are marked special mention;
    a few loans are watched (special mention without arrears) and later cleared.
    """
    n = loans.n
    loan = np.arange(n)
    missing = (plan.path == ON_TIME) & (rng.random(n) < NO_CLASSIFICATION)
    first = Rows(loan, loans.start, np.full(n, NORMAL), np.full(n, -1)).select(~missing)
    cured = np.flatnonzero(plan.path == CURED)
    c_od, c_end = plan.overdue[cured], plan.cure[cured]
    c_sm = c_od + uniform_int(rng, 0, np.minimum(3, c_end - c_od - 1), cured.size)
    late = np.flatnonzero((plan.path == LATE) & (plan.payoff - loans.maturity > 30)
                          & (rng.random(n) < 0.5))
    watched = np.flatnonzero(plan.path == WATCHED)
    w_day = uniform_int(rng, loans.start[watched] + 30, plan.payoff[watched] - 20, watched.size)
    w_back = w_day + uniform_int(rng, 30, 180, watched.size)
    back = w_back < plan.payoff[watched]
    return Rows.concat([
        first,
        Rows(cured, c_sm, np.full(cured.size, SPECIAL_MENTION), c_od),
        Rows(cured, c_end, np.full(cured.size, NORMAL), np.full(cured.size, -1)),
        Rows(late, loans.maturity[late] + uniform_int(rng, 10, 30, late.size),
             np.full(late.size, SPECIAL_MENTION), loans.maturity[late] + 1),
        Rows(watched, w_day, np.full(watched.size, SPECIAL_MENTION), np.full(watched.size, -1)),
        Rows(watched[back], w_back[back], np.full(int(back.sum()), NORMAL),
             np.full(int(back.sum()), -1)),
    ])
