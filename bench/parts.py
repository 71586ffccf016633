"""Partitions and a Dask cluster against the one-process run (issue 14, items 3–4).

Usage: ``python bench/parts.py [--sizes 100000] [--parts 8] [--repeat 1]``, or
``python bench/parts.py --memory LEDGER --lock /tmp/bench.lock --repeat 2`` (one part
against the ledger split once, interleaved; with ``--lock``, the shared bench lock is
taken for each run and let go between them, so that long runs leave others their turn;
the wait is not timed).  Each step runs
in its own process (wall time; peak RSS from ``os.wait4``, which on Linux is the largest
of the process and the children it waited for, so a LocalCluster's workers count);
ledgers are ``reportgen sample --seed 7`` cached in bench/data/ like ``bench/run.py``.
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
REPORTGEN = str(Path(sys.executable).parent / "reportgen")
SAMPLE_END = "2026-01-31"


def timed(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one command run in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        error = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"failed: {' '.join(args)}\n{error}")
    return wall, usage.ru_maxrss / 1024


@contextmanager
def locked(path: str | None) -> Iterator[None]:
    """The shared bench lock (``flock``, as ``flock PATH cmd`` takes it) while inside."""
    if path is None:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ledger(loans: int) -> Path:
    folder = DATA / f"sample-{loans}"
    if not (folder / "transactions.csv").exists():
        subprocess.run([REPORTGEN, "sample", "--out", str(folder), "--loans", str(loans),
                        "--seed", "7", "--end", SAMPLE_END], check=True,
                       stdout=subprocess.DEVNULL)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--memory", metavar="LEDGER",
                        help="only 1 part against the split folder, interleaved (A B A B …) "
                        "--repeat times, on this ledger folder (e.g. /tmp/big/sample1m_seed7)")
    parser.add_argument("--period", default="2025-12", help="the monthly report's period")
    parser.add_argument("--lock", help="with --memory: take this flock file for each run")
    args = parser.parse_args()
    if args.memory:
        memory(Path(args.memory), args.parts, args.repeat, args.period, args.lock)
        return
    rows = []
    for loans in (int(s) for s in args.sizes.split(",")):
        source = ledger(loans)
        parts = DATA / f"sample-{loans}-parts{args.parts}"
        out = OUT / f"parts-{loans}"
        shutil.rmtree(out, ignore_errors=True)
        report = ["--report", "monthly", "--period", "2025-12", "--format", "json"]
        steps = {
            "partition": [REPORTGEN, "partition", "--ledger", str(source), "--out", str(parts),
                          "--parts", str(args.parts)],
            "1 part": [REPORTGEN, "-q", "generate", "--ledger", str(source), *report,
                       "--out", str(out / "one")],
            f"{args.parts} parts (split folder)": [
                REPORTGEN, "-q", "generate", "--ledger", str(parts), *report,
                "--out", str(out / "parts")],
            f"--partitions {args.parts} (split on the fly)": [
                REPORTGEN, "-q", "generate", "--ledger", str(source), "--partitions",
                str(args.parts), *report, "--out", str(out / "fly")],
            f"--cluster local:2, {args.parts} parts": [
                REPORTGEN, "-q", "generate", "--ledger", str(parts), "--cluster", "local:2",
                *report, "--out", str(out / "cluster")],
        }
        for name, command in steps.items():
            runs = [timed(command) for _ in range(args.repeat)]
            rows.append((loans, name, statistics.median(w for w, _ in runs),
                         max(r for _, r in runs)))
            print(f"{loans:>9,} {name:<36} {rows[-1][2]:7.2f} s {rows[-1][3]:7.0f} MB",
                  flush=True)
        texts = [(out / d / "monthly_2025-12.json").read_text(encoding="utf-8")
                 for d in ("one", "parts", "fly", "cluster")]
        same = {t.split('"generated_at"')[0] + t.split('"ledger_sha256"')[1] for t in texts}
        print(f"JSON identical across the four runs: {len(same) == 1}")
    print("\n| loans | step | wall (s) | peak RSS (MB) |\n|---:|---|---:|---:|")
    for loans, name, wall, rss in rows:
        print(f"| {loans:,} | {name} | {wall:.2f} | {rss:.0f} |")


def memory(source: Path, parts: int, repeat: int, period: str, lock: str | None = None
           ) -> None:
    """Peak RSS and wall of one part against ``parts`` parts (split once, beside the
    ledger), run alternately so that the machine's load weighs on both alike; each run
    prints the load average (1 min) when it starts and ends."""
    split = source.parent / f"{source.name}_parts{parts}"
    if not (split / "partitions.json").exists():
        with locked(lock):
            print("partition:", timed([REPORTGEN, "partition", "--ledger", str(source),
                                       "--out", str(split), "--parts", str(parts)]),
                  flush=True)
    report = ["--report", "monthly", "--period", period, "--format", "json"]
    out = OUT / f"memory-{source.name}"
    shutil.rmtree(out, ignore_errors=True)
    runs: dict[str, list[tuple[float, float]]] = {"1 part": [], f"{parts} parts": []}
    for _ in range(repeat):
        for name, folder, target in (("1 part", source, "one"),
                                     (f"{parts} parts", split, "parts")):
            with locked(lock):
                load = os.getloadavg()[0]
                runs[name].append(timed([REPORTGEN, "-q", "generate", "--ledger",
                                         str(folder), *report, "--out", str(out / target)]))
                print(f"{time.strftime('%H:%M:%S')} {name:<10} {runs[name][-1][0]:7.2f} s "
                      f"{runs[name][-1][1]:7.0f} MB  load {load:.1f} → "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
    texts = [(out / d / f"monthly_{period}.json").read_text(encoding="utf-8")
             for d in ("one", "parts")]
    same = {t.split('"generated_at"')[0] + t.split('"ledger_sha256"')[1] for t in texts}
    print(f"JSON identical but for generated_at: {len(same) == 1}")
    (w1, r1), (wn, rn) = ((statistics.median(w for w, _ in runs[k]),
                           statistics.median(r for _, r in runs[k])) for k in runs)
    print(f"\nmedians: 1 part {w1:.1f} s {r1:.0f} MB; {parts} parts {wn:.1f} s {rn:.0f} MB; "
          f"RSS ratio {rn / r1:.2f}; wall ratio {wn / w1:.2f}")


if __name__ == "__main__":
    main()
