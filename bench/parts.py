"""Partitions and a Dask cluster against the one-process run (issue 14, items 3–4).

Usage: ``python bench/parts.py [--sizes 100000] [--parts 8] [--repeat 1]``.  Each step runs
in its own process (wall time; peak RSS from ``os.wait4``, which on Linux is the largest
of the process and the children it waited for, so a LocalCluster's workers count);
ledgers are ``reportgen sample --seed 7`` cached in bench/data/ like ``bench/run.py``.
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
