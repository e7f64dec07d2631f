"""bench_import's memory figure: the peak resident memory of an import of 1,000,000 rows
against one of 100,000, each in a fresh process, for each of the import's two processes
(the importing one and the checker it starts); the worse ratio counts. Goal: ≤ 1.2×.
Run with FUNNEL_BENCH_BIG=1 (a quarter of an hour)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from common import Figure, check

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000
BIG_ROWS = 1_000_000
MEMORY_GOAL = 1.2  # the 1,000,000-row import's peak / the 100,000-row import's peak
MEMORY_SEED = 13

# An import in a fresh process, into a fresh database; prints what it read and the
# peak resident memory of this process and of the checking process it starts (files
# of 2 MB and more are checked in a second Python), each two ways:
#
# - getrusage's ru_maxrss, RUSAGE_SELF and RUSAGE_CHILDREN (children waited for, as the
#   importer waits for its checker before run_import returns). Linux carries a
#   process's high-water mark across exec: a process started by a 500 MB one reports
#   at least 500 MB. So this process is started through sh (a fork of a small
#   process) to report its own; but the checker, started by this process, reports at
#   least what this process had reached when it started it.
# - VmHWM in /proc/PID/status: the peak of the process's own memory since its exec.
#   The checker's is read every 0.1 s while it runs (it is flat at its end, so the
#   last reading is its peak). The figure is taken from these.
MEMORY_RUN = r"""
import json, os, resource, sys, threading, time
from pathlib import Path

from funnel_tui.config import load_config
from funnel_tui.storage.database import open_database
from funnel_tui.rules.funnel import Funnel
from funnel_tui.transfer.importer import plan_import, run_import


def peak_kb(pid="self"):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:  # gone meanwhile
        pass
    return 0


def watch_children(peaks, stop):
    while not stop.wait(0.1):
        for children in Path("/proc/self/task").glob("*/children"):
            for pid in children.read_text().split():
                peaks[pid] = max(peaks.get(pid, 0), peak_kb(pid))


if __name__ == "__main__":
    csv_path, db_path = sys.argv[1], sys.argv[2]
    peaks, stop = {}, threading.Event()
    watcher = threading.Thread(target=watch_children, args=(peaks, stop), daemon=True)
    watcher.start()
    open_database(db_path)
    rules = Funnel(load_config(None), "bench")
    start = time.perf_counter()
    report = run_import(rules, plan_import(csv_path))
    seconds = time.perf_counter() - start
    stop.set()
    watcher.join()
    print(json.dumps({
        "rows": report.rows_read,
        "adds_up": report.adds_up(),
        "aborted": report.aborted,
        "seconds": seconds,
        "children": len(peaks),
        "parent_kb": peak_kb(),
        "child_kb": max(peaks.values(), default=0),
        "parent_ru_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "child_ru_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }))
"""


def _measure_memory(csv_path: Path, db_path: Path) -> dict:
    command = [sys.executable, "-c", MEMORY_RUN, str(csv_path), str(db_path)]
    done = subprocess.run(
        # sh forks the import's process rather than exec it ("; exit"): see MEMORY_RUN
        ["sh", "-c", '"$@"; exit $?', "sh", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"  {result['rows']:,} rows imported in {result['seconds']:.1f} s "
        f"({result['rows'] / result['seconds']:,.0f} rows/s): peak RSS (VmHWM) of the "
        f"importing process {result['parent_kb'] / 1024:.1f} MB, of the checking process "
        f"{result['child_kb'] / 1024:.1f} MB; ru_maxrss SELF "
        f"{result['parent_ru_kb'] / 1024:.1f} MB, CHILDREN {result['child_ru_kb'] / 1024:.1f} MB",
        file=sys.stderr,
    )
    return result


def figures(folder: Path, small_file) -> list[Figure]:
    """The memory figure, `small_file` being bench_import's first (100,000-row) file."""
    from bench_import import People

    people = People(MEMORY_SEED)
    start = time.perf_counter()
    large_file = people.write(folder / "big-show.csv", BIG_ROWS, MEMORY_SEED, keep_checks=False)
    del people
    print(
        f"  {large_file.describe()} (written in {time.perf_counter() - start:.0f} s)",
        file=sys.stderr,
    )
    small = _measure_memory(small_file.path, folder / "memory-small.db")
    large = _measure_memory(large_file.path, folder / "memory-large.db")
    # Each process is judged on its own and the figure is the worse of the two: a sum
    # would let one process growing hide behind the other's flat footprint, and the
    # two peaks need not fall at the same moment, so their sum is no peak of anything.
    # (The sum's ratio is printed too.)
    ratios = {
        "importing process": large["parent_kb"] / small["parent_kb"],
        # Both files are over checking.CHILD_FROM_BYTES: each import started one child.
        "checking process": large["child_kb"] / small["child_kb"]
        if small["child_kb"] and large["child_kb"]
        else float("inf"),
    }
    worst = max(ratios, key=ratios.__getitem__)
    total = (large["parent_kb"] + large["child_kb"]) / (small["parent_kb"] + small["child_kb"])
    print(
        "  peak RSS ratio, "
        + ", ".join(f"{k}: {v:.3f}×" for k, v in ratios.items())
        + f"; both added up: {total:.3f}×",
        file=sys.stderr,
    )
    key = "parent_kb" if worst == "importing process" else "child_kb"
    return [
        Figure(
            f"peak RSS, import of {BIG_ROWS // 1_000_000}M rows ({worst.split()[0]})",
            large[key] / 1024,
            "MB",
            small[key] / 1024,
            f"the same process importing {ROWS:,} rows; the worse of the two processes",
            ratios[worst],
            f"≤ {MEMORY_GOAL:g}× floor",
            ratios[worst] <= MEMORY_GOAL,
        ),
        check(
            f"  {BIG_ROWS // 1_000_000}M rows: the report adds up",
            large["adds_up"]
            and large["rows"] == BIG_ROWS
            and not large["aborted"]
            and small["children"] == large["children"] == 1,
            f"{large['rows']:,} read",
        ),
    ]
