"""Issue 25 figures: every report at 10,000, 100,000 and 1,000,000 leads, on SQLite and
on PostgreSQL, as `funnel report NAME` and the Reports screen run it (run_report, the
database already open: process start aside), over all time with each split it has.

The same reports in a running app: the Reports screen's digit to the report painted,
beside a key reaching a bare Input (measured in the same run).

Goal: each ≤ 500 ms at every size. Floor, measured in the same run on the same
connection: the plainest question a report could ask of every lead, how many there are
per source (`SELECT source, COUNT(*) FROM lead GROUP BY source`, from its index). A
report that scans the leads costs several of these; one that reads the tallies costs
less than one at a million leads, and its ratio falls as the leads grow.

Demo databases come from demo_cache (built once, kept). FUNNEL_BENCH_SIZES picks the
sizes (default all three); FUNNEL_BENCH_ENGINES the engines (default sqlite,postgres).
PostgreSQL runs on the kept bench server; without its binaries those figures are left
out and the run says so. The table printed at the end has one line per report and
split, one column per size and engine.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from common import cost, kept_demos, median, print_size_table

SIZES = tuple(
    int(n) for n in os.environ.get("FUNNEL_BENCH_SIZES", "10000,100000,1000000").split(",")
)
ENGINES = tuple(os.environ.get("FUNNEL_BENCH_ENGINES", "sqlite,postgres").split(","))
RUNS = 3  # after one warm-up; the best counts
MAX_MS = 500
REPORT_NAMES = ("conversion", "sources", "speed", "cycle", "winrate", "forecast", "activity")


def figures():
    results, table = [], {}
    with tempfile.TemporaryDirectory(prefix="funnel-bench-scale-") as folder:
        for engine, leads, target in kept_demos("scale", ENGINES, SIZES):
            results += _measure(target, engine, leads, table)
            results += asyncio.run(_in_the_app(target, folder, engine, leads, table))
        del folder
    print_size_table(table, "ms, best of 3")
    return results


def _best(fn) -> float:
    fn()
    times = []
    for _ in range(RUNS):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def _measure(target: str, engine: str, leads: int, table: dict) -> list:
    from funnel_tui.config import load_config
    from funnel_tui.core.dates import local_today, user_zone
    from funnel_tui.read.reports import REPORTS, Period, Request, run_report
    from funnel_tui.storage.database import close_database, open_database, utcnow

    db = open_database(target)
    config = load_config()
    zone = user_zone(config.timezone)
    today = local_today(utcnow(), zone)
    plain = 'SELECT "source", COUNT(*) FROM "lead" GROUP BY "source"'
    floor = _best(lambda: db.execute_sql(plain).fetchall())
    out = []
    try:
        for name in REPORT_NAMES:
            for by in REPORTS[name].splits:
                request = Request(Period(None, None, zone), by or None, config, today)
                ms = _best(lambda r=request, n=name: run_report(n, r))
                label = f"report {name}{' by ' + by if by else ''}"
                table.setdefault(label, {})[(engine, leads)] = ms
                out.append(
                    cost(
                        f"{label}, {leads:,} leads, {engine}",
                        ms,
                        floor,
                        "leads per source (GROUP BY over the lead table)",
                        "ms",
                        max_value=MAX_MS,
                    )
                )
                print(f"  {engine} {leads:>9,} {label}: {ms:.0f} ms", file=sys.stderr, flush=True)
    finally:
        close_database()
    return out


async def _in_the_app(target: str, folder: str, engine: str, leads: int, table: dict) -> list:
    """In a running app: the Reports screen's digit for each report to that report
    painted (figures, chart and notes), beside a key reaching a bare Input."""
    from common import bench_app, human_pause, key_floor, send_key, until
    from funnel_tui.read.reports import REPORTS
    from funnel_tui.storage.database import close_database
    from funnel_tui.tui.screens.reports import ReportsScreen

    floor = median(await key_floor(paced=True))
    app = bench_app(target, folder, "bench")
    rng = random.Random(25)
    out = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.startup_done()

            def showing(name: str) -> bool:
                screen = app.screen
                return (
                    isinstance(screen, ReportsScreen)
                    and screen.report is not None
                    and screen.report.name == name
                )

            await pilot.press("ctrl+g")
            await until(lambda: showing("conversion"), timeout=60)
            for _round in range(2):  # the first round warms the caches up
                for number, name in enumerate(REPORTS, 1):  # the screen's digits
                    await human_pause(rng)
                    start = time.perf_counter()
                    send_key(app, str(number))
                    painted = await until(lambda n=name: showing(n), timeout=60, app=app)
                    ms = (painted - start) * 1000
                    if _round:
                        label = f"Reports screen: {name}"
                        table.setdefault(label, {})[(engine, leads)] = ms
                        out.append(
                            cost(f"{label}, {leads:,} leads, {engine}", ms, floor * 1000,
                                 "a key reaching a bare Input", "ms", max_value=MAX_MS)
                        )  # fmt: skip
    finally:
        close_database()
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from common import report

    sys.exit(0 if report(figures()) else 1)
