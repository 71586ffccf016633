"""What the deposit tables add to a run: their load and the deposits section, against the
load of the loans.

Usage: ``python bench/deposits.py [--accounts 100000] [--loans 100000] [--shape daily]
[--ledger FOLDER] [--work DIR] [--repeat 3]``. It writes a sample loan ledger (``reportgen
sample --no-deposits``), or links the loan files of ``--ledger`` (a sample ledger already
made, its deposit files left out), then deposit tables of ``--accounts`` accounts,
either a daily snapshot for one month (October 2026: 31 rows
an account, issue 13's "30 M rows" at a million) or change-only rows for a year (about
two a month), and times, each in a fresh load:

* the loans alone: ``open_ledger`` of the folder without the deposit files;
* the same folder with the deposit files (the difference is the deposit tables' load);
* the deposits section of the October monthly report (book built, every figure), once
  cold and once more (the section's figures are then cached per day and window); the
  loans' summary is made first, untimed, as in the report, whose loan sections come
  first and make the loans' day sums the section shares (贷款日均余额, for 存贷比).

With ``--repeat N`` the two loads alternate (A B A B …); the medians are compared, and
each round's own ratio (its load with deposits less its loans' load, plus its section,
over its loans' load) is printed with their median and worst, since the loans' load alone
swings ±20% between rounds on a shared machine;
``--work DIR`` keeps the folders (``DIR/loans``, ``DIR/both``) for the next run.
``--parquet`` gives the balances as a typed Parquet file instead (``DIR/both_parquet``:
date32 dates, decimal128 balances in yuan, converted once from the CSV), the fast path
for a bank with millions of accounts.
"""

from __future__ import annotations

from reportgen.heap import tune_allocators

tune_allocators()  # Arrow's pool as the ``reportgen`` command has it: before pyarrow loads

import argparse  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from reportgen import api  # noqa: E402
from reportgen.config import Config  # noqa: E402
from reportgen.daykeys import day_number  # noqa: E402
from reportgen.metrics.context import Context  # noqa: E402
from reportgen.metrics.deposits import deposits  # noqa: E402
from reportgen.metrics.summary import summary  # noqa: E402
from reportgen.periods import parse_period  # noqa: E402
from reportgen.sample import generate_sample  # noqa: E402


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
    cents = pc.utf8_lpad(pa.array(fen % 100).cast(pa.string()), 2, "0")
    text = pc.binary_join_element_wise(pa.array(fen // 100).cast(pa.string()), cents, ".")
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


def _loan_folder(target: Path, loans: int, ledger: Path | None) -> None:
    """The loan ledger: a new sample, or links to the loan files of ``ledger``."""
    if target.exists():
        return
    if ledger is None:
        generate_sample(target, loans=loans, seed=7, deposits=False)
        return
    target.mkdir(parents=True)
    for file in ledger.iterdir():
        if not file.name.startswith(("deposit_", "存款")):
            (target / file.name).symlink_to(file.resolve())


def _parquet_folder(both: Path) -> Path:
    """``both`` with deposit_balances.csv written once as typed Parquet."""
    target = both.parent / "both_parquet"
    if (target / "deposit_balances.parquet").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for file in both.iterdir():
        if file.name != "deposit_balances.csv" and not (target / file.name).exists():
            (target / file.name).symlink_to(file.resolve())
    table = pacsv.read_csv(both / "deposit_balances.csv", convert_options=pacsv.ConvertOptions(
        column_types={"account_id": pa.string(), "date": pa.date32(),
                      "balance": pa.decimal128(17, 2)}))
    pq.write_table(table, target / "deposit_balances.parquet")
    return target


def _warm(folder: Path) -> None:
    """Read every file once, untimed, so that no round reads from disk: a first round
    that did took twice as long as the others and made its ratio meaningless."""
    block = bytearray(1 << 24)
    for file in folder.iterdir():
        with file.open("rb", buffering=0) as stream:
            while stream.readinto(block):
                pass


def _round(loans_only: Path, both: Path) -> tuple[float, float, float]:
    """One A-B round: the loans' load, the load with deposits, the section cold."""
    t_loans, session = _timed("load + validate, loans only", lambda: api.open_ledger(loans_only))
    del session
    t_both, session = _timed("load + validate, loans and deposits",
                             lambda: api.open_ledger(both))
    engine = session.engine  # type: ignore[attr-defined]
    # The report builds its loan sections first; the summary's 贷款日均余额 (the loans' day
    # sums over the period) is the one figure the deposits section shares, for 存贷比 on
    # daily averages: made here untimed, as the report would have made it.
    summary(Context(engine, parse_period("2026-10"), Config()))
    t_cold, _ = _timed("deposits section (book built, cold)",
                       lambda: deposits(Context(engine, parse_period("2026-10"), Config())))
    _timed("deposits section again (cached)",
           lambda: deposits(Context(engine, parse_period("2026-10"), Config())))
    return t_loans, t_both, t_cold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--shape", choices=("daily", "changes"), default="daily")
    parser.add_argument("--ledger", type=Path, help="reuse this sample ledger's loan files")
    parser.add_argument("--work", type=Path, help="keep the folders here, reuse them")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--parquet", action="store_true",
                        help="the balances as typed Parquet (date32, decimal128)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-deposits-"))
    try:
        loans_only = work / "loans"
        _loan_folder(loans_only, args.loans, args.ledger)
        both = work / "both"
        if not (both / "deposit_balances.csv").exists():
            both.mkdir(parents=True, exist_ok=True)
            for file in loans_only.iterdir():
                if not (both / file.name).exists():
                    (both / file.name).symlink_to(file.resolve())
            write_deposits(both, args.accounts, args.shape)
        rows = sum(1 for _ in (both / "deposit_balances.csv").open("rb")) - 1
        if args.parquet:
            both = _parquet_folder(both)
        print(f"{args.loans:,} loans; {args.accounts:,} deposit accounts, {rows:,} balance "
              f"rows ({args.shape}{', Parquet' if args.parquet else ''})", flush=True)
        _warm(both)  # both holds the loans' files too
        loads: list[float] = []
        boths: list[float] = []
        colds: list[float] = []
        for _ in range(args.repeat):
            t_loans, t_both, t_cold = _round(loans_only, both)
            loads.append(t_loans)
            boths.append(t_both)
            colds.append(t_cold)
        t_loans, t_both, t_cold = (statistics.median(v) for v in (loads, boths, colds))
        added = t_both - t_loans + t_cold
        print(f"medians of {args.repeat}: loans' load {t_loans:.2f} s, with deposits "
              f"{t_both:.2f} s, section {t_cold:.2f} s")
        print(f"deposits add {added:.2f} s = {added / t_loans:.2f}× the loans' load")
        rounds = [(b - a + c) / a for a, b, c in zip(loads, boths, colds, strict=True)]
        print("each round: " + " ".join(f"{r:.2f}×" for r in rounds)
              + f"; median {statistics.median(rounds):.2f}×, worst {max(rounds):.2f}×, "
              f"{sum(r <= 1 for r in rounds)} of {len(rounds)} at most 1×")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
