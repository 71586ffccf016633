"""What the deposit tables add to a run: their load and the deposits section, against the
load of the loans.

Usage: ``python bench/deposits.py [--accounts 100000] [--loans 100000] [--shape daily]``.
It writes a sample loan ledger (``reportgen sample --no-deposits``), then deposit tables
of ``--accounts`` accounts, either a daily snapshot for one month (October 2026: 31 rows
an account, issue 13's "30 M rows" at a million) or change-only rows for a year (about
two a month), and times, each in a fresh load:

* the loans alone: ``open_ledger`` of the folder without the deposit files;
* the same folder with the deposit files (the difference is the deposit tables' load);
* the deposits section of the October monthly report (book built, every figure), once
  cold and once more (the section's figures are then cached per day and window).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from reportgen import api
from reportgen.config import Config
from reportgen.engine import day_number
from reportgen.metrics.context import Context
from reportgen.metrics.deposits import deposits
from reportgen.periods import parse_period
from reportgen.sample import generate_sample


def _write(path: Path, table: pa.Table) -> None:
    with path.open("wb") as f:
        f.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False,
                                                     quoting_style="none"))


def write_deposits(folder: Path, accounts: int, shape: str, seed: int = 1) -> int:
    """deposit_accounts.csv and deposit_balances.csv; returns the balance rows written."""
    rng = np.random.default_rng(seed)
    ids = pa.array([f"CK{i:08d}" for i in range(accounts)])
    kinds = np.array(["individual_demand", "individual_time", "corporate_demand",
                      "corporate_time", "margin"])
    _write(folder / "deposit_accounts.csv", pa.table({
        "account_id": ids,
        "customer_id": pa.array([""] * accounts),
        "branch": pa.array(["城东支行"] * accounts),
        "account_manager": pa.array([f"经理{i % 300:03d}" for i in range(accounts)]),
        "kind": pa.array(kinds[rng.integers(0, len(kinds), accounts)]),
    }))
    if shape == "daily":
        first = day_number(date(2026, 10, 1))
        days = np.tile(np.arange(first, first + 31), accounts)
        account = np.repeat(np.arange(accounts), 31)
    else:  # change-only for a year: a row every 15 days on average, from 1 January
        first = day_number(date(2026, 1, 1))
        per = 24
        gaps = rng.integers(1, 30, (accounts, per))
        days = (first + np.cumsum(gaps, axis=1) - 1).ravel()
        account = np.repeat(np.arange(accounts), per)
        keep = days <= day_number(date(2026, 10, 31))
        days, account = days[keep], account[keep]
    fen = rng.integers(0, 5_000_000, len(days))
    text = pa.array([f"{v // 100}.{v % 100:02d}" for v in fen.tolist()])
    _write(folder / "deposit_balances.csv", pa.table({
        "account_id": ids.take(pa.array(account)),
        "date": pa.array(days.astype("datetime64[D]")),
        "balance": text,
    }))
    return len(days)


def _timed(label: str, fn: object) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:8.2f} s", flush=True)
    return seconds, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--shape", choices=("daily", "changes"), default="daily")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-deposits-"))
    try:
        loans_only = work / "loans"
        generate_sample(loans_only, loans=args.loans, seed=7, deposits=False)
        both = work / "both"
        shutil.copytree(loans_only, both)
        rows = write_deposits(both, args.accounts, args.shape)
        print(f"{args.loans:,} loans; {args.accounts:,} deposit accounts, {rows:,} balance "
              f"rows ({args.shape})")
        t_loans, _ = _timed("load + validate, loans only",
                            lambda: api.open_ledger(loans_only))
        t_both, session = _timed("load + validate, loans and deposits",
                                 lambda: api.open_ledger(both))
        ctx = Context(session.engine, parse_period("2026-10"), Config())  # type: ignore[attr-defined]
        t_cold, _ = _timed("deposits section (book built, cold)", lambda: deposits(ctx))
        _timed("deposits section again (cached)", lambda: deposits(
            Context(session.engine, parse_period("2026-10"), Config())))  # type: ignore[attr-defined]
        added = t_both - t_loans + t_cold
        print(f"deposits add {added:.2f} s = {added / t_loans:.2f}× the loans' load")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
