"""reportgen's benchmark: each step in its own process, median of 3, wall time and peak RSS.

Usage: ``python bench/run.py [--quick] [--sizes 10000,100000] [--repeat 3]``
(``make bench`` / ``make bench-quick``).  Ledgers are made by ``reportgen sample`` and
cached under bench/data/ (git-ignored); results go to bench/results.md, with the ratios that
docs/performance.md sets as targets.

Steps: (a) the floor — pyarrow.csv.read_csv of the same files and nothing else;
(b) validate; (c) generate --format json for each report type; (d) xlsx; (e) pdf;
(f) a month-end ``run`` on 2026-01-01 (dekad + monthly + quarterly + yearly, email off),
JSON only, and the same year-end run with json + xlsx + pdf (the pack: one 借据明细 per
as-of day, renders in parallel processes; issue 14's goal ≤ 120 s and ≤ 2 GB at 1 M);
(g) DuckDB SQL over the same CSV files computing the monthly summary and five-tier table.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
REPORTGEN = str(BIN / "reportgen")
PY = sys.executable
PERIODS = {"dekad": "2025-12-D3", "monthly": "2025-12", "quarterly": "2025-Q4", "yearly": "2025"}
SAMPLE_END = "2026-01-31"

FLOOR = """
import sys, pyarrow.csv as c
from pathlib import Path
rows = sum(c.read_csv(p).num_rows for p in sorted(Path(sys.argv[1]).glob("*.csv")))
print(rows)
"""

ARROW_SIZE = """
import sys, pyarrow.csv as c
from pathlib import Path
print(sum(c.read_csv(p).nbytes for p in sorted(Path(sys.argv[1]).glob("*.csv"))))
"""

DUCKDB = """
import sys, duckdb
d = sys.argv[1]
con = duckdb.connect()
sql = f'''
with tx as (select loan_id, "date"::date as day, type, amount::decimal(18,2) as amount
            from read_csv('{d}/transactions.csv', all_varchar=true)),
bal as (select loan_id, sum(case type when 'disburse' then amount when 'repay' then -amount
                                  when 'writeoff' then -amount else 0 end) as balance
        from tx where day <= date '2025-12-31' group by loan_id having balance > 0),
flows as (select sum(case when type='disburse' then amount else 0 end) as disbursed,
                 sum(case when type='repay' then amount else 0 end) as collected,
                 sum(case when type='writeoff' then amount else 0 end) as written_off
          from tx where day between date '2025-12-01' and date '2025-12-31'),
cl as (select loan_id, "date"::date as day, grade from read_csv('{d}/classifications.csv',
                                                                 all_varchar=true)),
state as (select loan_id, arg_max(grade, day) as grade from cl
          where day <= date '2025-12-31' group by loan_id)
select coalesce(state.grade, 'normal') as grade, sum(bal.balance) as balance, count(*) as n,
       (select disbursed from flows), (select collected from flows)
from bal left join state using (loan_id) group by 1 order by 1
'''
for row in con.execute(sql).fetchall():
    print(row)
"""


@dataclass
class Result:
    step: str
    size: int
    seconds: float
    rss_mb: float
    runs: list[float]


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants now (a run's render workers and
    fork server included), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def measure(cmd: list[str], repeat: int,
            cwd: Path | None = None) -> tuple[float, float, list[float]]:
    """Median wall seconds and the largest peak RSS (MB) of ``repeat`` runs of ``cmd``;
    the peak is the larger of the process's own and its process tree's summed RSS
    (sampled every 0.2 s), so parallel render workers count together."""
    import threading

    times, peaks = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        tree = [0]
        stop = threading.Event()

        def sample(pid: int = proc.pid, stop: threading.Event = stop,
                   tree: list[int] = tree) -> None:
            while not stop.wait(0.2):
                tree[0] = max(tree[0], tree_rss(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        stop.set()
        sampler.join()
        elapsed = time.perf_counter() - started
        err = proc.stderr.read().decode() if proc.stderr else ""
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0,):
            raise SystemExit(f"benchmark step failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
        times.append(elapsed)
        peaks.append(max(usage.ru_maxrss / 1024, tree[0] / 2**20))
    return statistics.median(times), max(peaks), times


def ledger(size: int) -> Path:
    path = DATA / f"ledger_{size}"
    if not (path / "transactions.csv").exists():
        print(f"making a {size:,}-loan ledger in {path} …", flush=True)
        subprocess.run([REPORTGEN, "sample", "--out", str(path), "--loans", str(size),
                        "--seed", "7", "--end", SAMPLE_END], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def run_config(path: Path, out: Path, formats: tuple[str, ...] = ("json",),
               name: str = "bench.toml") -> Path:
    config = out / name
    config.write_text(textwrap.dedent(f"""
        [bank]
        name = "基准测试银行"
        [ledger]
        path = "{path}"
        [output]
        dir = "{out / ('run' if formats == ('json',) else 'run-pack')}"
        formats = [{", ".join(f'"{f}"' for f in formats)}]
        [email]
        enabled = false
    """), encoding="utf-8")
    return config


def bench_size(size: int, repeat: int, formats: bool) -> list[Result]:
    path = ledger(size)
    out = OUT / str(size)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    steps: list[tuple[str, list[str]]] = [
        ("floor (pyarrow read_csv)", [PY, "-c", FLOOR, str(path)]),
        ("validate", [REPORTGEN, "validate", "--ledger", str(path)]),
    ]
    for report, period in PERIODS.items():
        steps.append((f"json {report}", [REPORTGEN, "generate", "--ledger", str(path), "--report",
                                         report, "--period", period, "--format", "json",
                                         "--out", str(out)]))
    if formats:
        for fmt in ("xlsx", "pdf"):
            steps.append((f"{fmt} monthly", [REPORTGEN, "generate", "--ledger", str(path),
                                             "--report", "monthly", "--period",
                                             PERIODS["monthly"], "--format", fmt,
                                             "--out", str(out)]))
    config = run_config(path, out)
    steps.append(("run month-end (4 reports, json)",
                  [REPORTGEN, "run", "--config", str(config), "--date", "2026-01-01",
                   "--force", "--no-email"]))
    if formats:
        pack = run_config(path, out, ("json", "xlsx", "pdf"), "bench-pack.toml")
        steps.append(("run year-end (4 reports, json+xlsx+pdf)",
                      [REPORTGEN, "run", "--config", str(pack), "--date", "2026-01-01",
                       "--force", "--no-email"]))
    if shutil.which("duckdb") or _has_duckdb():
        steps.append(("duckdb monthly summary + five-tier", [PY, "-c", DUCKDB, str(path)]))
    results = []
    for name, cmd in steps:
        seconds, rss, runs = measure(cmd, repeat)
        print(f"{size:>9,}  {name:<36} {seconds:8.2f} s  {rss:8.0f} MB", flush=True)
        results.append(Result(name, size, seconds, rss, runs))
    arrow = subprocess.run([PY, "-c", ARROW_SIZE, str(path)], check=True, capture_output=True,
                           text=True)
    results.append(Result("arrow in-memory size", size, 0.0, int(arrow.stdout) / 2**20, []))
    return results


def _has_duckdb() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def get(results: list[Result], step: str, size: int) -> Result | None:
    return next((r for r in results if r.step == step and r.size == size), None)


def ratios(results: list[Result]) -> list[str]:
    """The targets of docs/performance.md, each as a measured ratio (a table row)."""
    sizes = sorted({r.size for r in results})
    big = sizes[-1]

    def at(step: str, size: int = big) -> Result | None:
        return get(results, step, size)

    lines = []

    def row(name: str, a: Result | None, b: Result | None, target: str,
            rss: bool = False) -> None:
        if a and b:
            value = a.rss_mb / b.rss_mb if rss else a.seconds / b.seconds
            lines.append(f"| {name} | {value:.2f}× | {target} |")

    monthly = at("json monthly")
    row(f"monthly json / pyarrow floor ({big:,})", monthly, at("floor (pyarrow read_csv)"),
        "≤ 3×")
    row(f"monthly json / DuckDB query ({big:,})", monthly,
        at("duckdb monthly summary + five-tier"), "≤ 2×")
    row(f"monthly json peak RSS / Arrow size ({big:,})", monthly,
        at("arrow in-memory size"), "≤ 3×", rss=True)
    row(f"month-end run of 4 / one monthly ({big:,})", at("run month-end (4 reports, json)"),
        monthly, "≤ 1.5×")
    pack = at("run year-end (4 reports, json+xlsx+pdf)")
    if pack:
        lines.append(f"| year-end run, json+xlsx+pdf ({big:,}) | {pack.seconds:.0f} s, "
                     f"{pack.rss_mb:,.0f} MB | ≤ 120 s, ≤ 2 GB at 1,000,000 |")
    if len(sizes) >= 2:
        small = sizes[-2]
        row(f"monthly json {big:,} / {small:,} (size ×{big // small})", monthly,
            at("json monthly", small), f"≤ {1.1 * big / small:.0f}×")
        row(f"pdf monthly, whole command, {big:,} / {sizes[0]:,}", at("pdf monthly"),
            at("pdf monthly", sizes[0]), "0.8–1.2×")
        row(f"pdf render alone {big:,} / {sizes[0]:,}", at("pdf render alone"),
            at("pdf render alone", sizes[0]), "0.8–1.2×")
    return lines


def write_results(results: list[Result], repeat: int, extra: str) -> Path:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Each step in its own process; median of {repeat} runs; "
        "peak RSS is the largest of the runs. Made by `bench/run.py` "
        f"on {time.strftime('%Y-%m-%d')}.",
        "",
        "| loans | step | seconds (median) | peak RSS MB |",
        "|---:|---|---:|---:|",
    ]
    for r in results:
        if r.step == "pdf render alone":
            continue  # shown under "Rendering alone"
        if r.step == "arrow in-memory size":
            lines.append(f"| {r.size:,} | {r.step} | — | {r.rss_mb:.0f} |")
        else:
            lines.append(f"| {r.size:,} | {r.step} | {r.seconds:.2f} | {r.rss_mb:.0f} |")
    lines += ["", "## Targets", "", "| ratio | measured | target |", "|---|---:|---|",
              *ratios(results), "", "## Rendering alone, and the 借据明细 sheet against a bare "
              "openpyxl loop", "", "```", extra.strip(), "```", "",
              (ROOT / "bench" / "notes.md").read_text(encoding="utf-8")]
    path = ROOT / "bench" / "results.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 10,000 and 100,000 loans")
    parser.add_argument("--sizes", default="", help="comma-separated loan counts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-formats", action="store_true", help="skip xlsx and pdf")
    args = parser.parse_args()
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    results: list[Result] = []
    for size in sizes:
        results += bench_size(size, args.repeat, not args.no_formats)
    extra = []
    for size in sorted({sizes[0], sizes[-1]}):
        out = subprocess.run([PY, str(ROOT / "bench" / "render_only.py"), str(ledger(size)),
                              "--repeat", str(args.repeat)],
                             check=True, capture_output=True, text=True).stdout
        extra.append(f"{size:,} loans (bench/render_only.py):\n{out}")
    extra.append("借据明细 sheet (bench/xlsx_loans.py):\n" + subprocess.run(
        [PY, str(ROOT / "bench" / "xlsx_loans.py"), str(ledger(sizes[-1]))],
        check=True, capture_output=True, text=True).stdout)
    pdf = [float(m) for m in re.findall(r"render pdf\s+([0-9.]+) s", "\n".join(extra))]
    if len(pdf) == 2:  # the PDF renderer alone, smallest vs largest ledger
        results.append(Result("pdf render alone", sizes[0], pdf[0], 0.0, []))
        results.append(Result("pdf render alone", sizes[-1], pdf[1], 0.0, []))
    print("\n".join(extra))
    print(f"wrote {write_results(results, args.repeat, chr(10).join(extra))}")


if __name__ == "__main__":
    main()
