"""Issue 19 figures for `funnel demo` (item 11) and the first report after it (item 10).

- The demo's pace, in leads a second, at 10,000 and 100,000 leads (and 1,000,000 on SQLite
  with FUNNEL_BENCH_BIG=1), on a new SQLite file and on a new PostgreSQL database:
  everything `funnel demo` writes (companies, checklist answers, opportunities with their
  stage changes, activities, history, the search index, the tallies, waits and counts per
  status made again at the end) and the planner's statistics it gathers afterwards. Goal on
  SQLite: ≥ 10,000 leads/s (issue 25: at 1,000,000 too). Floor, measured in the same run:
  the very rows the demo wrote, read back and written again with the plainest call of each
  engine into bare tables (no index, trigger or search index) in one transaction: sqlite3's
  executemany, PostgreSQL's COPY of the text COPY gave out. The ratio says how many times
  that the demo takes. Beside each SQLite figure the CPU seconds of the demo's two processes
  (the writer and the forked row maker): on a machine shared with other work they say what
  the wall clock cannot.
- The conversion report right after a 100,000-lead demo, first and second, each in a new
  process as `funnel report conversion` runs it (opening the database included). Goal:
  the first ≤ 1.5× the second, which is the floor here. Without the statistics the demo
  now gathers, the first report on PostgreSQL took 18.7 s against 0.86 s.

PostgreSQL runs on a throwaway server started as the tests start theirs (tests/pg_server.py);
without its binaries those figures are left out and the run says so. FUNNEL_BENCH_BIG=1
adds 1,000,000 leads on SQLite (about two minutes on a quiet machine).
"""

from __future__ import annotations

import io
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import cost, rate

SIZES = (10_000, 100_000)
BIG = os.environ.get("FUNNEL_BENCH_BIG") == "1"
BIG_LEADS = 1_000_000
REPORT_LEADS = 100_000
# Goals in leads a second. SQLite at 100,000 leads: the issue's. At 10,000 the fixed
# start-up (phone metadata for every region, lookup tables, statistics: ≈ 0.25 s) weighs
# a fifth. At 1,000,000: issue 25's goal, the same pace as at 100,000 (it took 144 s,
# 6.9k/s, before the tallies' triggers were added and deferred). PostgreSQL: none in the
# issue; what COPY reaches here, with a margin (INSERT statements made 1.4–2.7k/s).
MIN_LEADS_PER_SECOND = {10_000: 8_000, 100_000: 10_000, 1_000_000: 10_000}
MIN_PG_LEADS_PER_SECOND = 3_000
MAX_FIRST_REPORT_RATIO = 1.5

# A new process opens the database and runs the report, as `funnel report conversion`.
REPORT = r"""
import sys, time
start = time.perf_counter()
from funnel_tui.config import load_config
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.core.dates import local_today, user_zone
from funnel_tui.read.reports import Period, Request, run_report
from funnel_tui.storage.database import utcnow

open_database(sys.argv[1])
config = load_config()
zone = user_zone(config.timezone)
request = Request(Period(None, None, zone), None, config, local_today(utcnow(), zone), "")
run_report("conversion", request)
close_database()
print(time.perf_counter() - start)
"""


def figures():
    out = []
    with tempfile.TemporaryDirectory(prefix="funnel-bench-demo-") as folder:
        for leads in (*SIZES, *((BIG_LEADS,) if BIG else ())):
            out.append(_sqlite_demo(Path(folder), leads))
        if not BIG:
            print("  1M-lead figure skipped: FUNNEL_BENCH_BIG=1 adds it", file=sys.stderr)
        out += _first_report(str(Path(folder) / f"demo-{REPORT_LEADS}.db"), "SQLite")
        out += _postgres()
    return out


# ------------------------------------------------------------------------ SQLite


def _demo(target: str, leads: int):
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage.database import close_database, open_database

    before = _cpu_seconds()
    summary = generate_demo(open_database(target), load_config(), leads=leads, user="bench")
    cpu = _cpu_seconds() - before
    close_database()
    detail = (
        f"{summary.companies:,} companies, {summary.opportunities:,} opportunities, "
        f"{summary.activities:,} activities, {summary.history:,} history rows"
    )
    print(
        f"  demo {leads:,} leads in {summary.seconds:.2f} s on {target} ({detail}); "
        f"CPU {cpu:.1f} s in this process and the row maker it forked",
        file=sys.stderr,
    )
    return summary


def _cpu_seconds() -> float:
    """User and system CPU of this process and of its children that have ended."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _demo_tables():
    """(table, columns) of everything the demo writes, in the order it writes them."""
    from funnel_tui.demo.writing import TABLES

    return [
        (model._meta.table_name, [model._meta.fields[f].column_name for f in fields])
        for model, fields in TABLES
    ]


def _sqlite_demo(folder: Path, leads: int):
    target = str(folder / f"demo-{leads}.db")
    summary = _demo(target, leads)
    floor = leads / _sqlite_floor(target, str(folder / f"floor-{leads}.db"))
    return rate(
        f"funnel demo, {leads:,} leads, SQLite",
        leads / summary.seconds,
        floor,
        "the demo's rows again: sqlite3 executemany into bare tables",
        "leads/s",
        MIN_LEADS_PER_SECOND[leads],
    )


def _sqlite_floor(source: str, target: str) -> float:
    """Seconds to write the rows of the demo at `source` into bare tables at `target`,
    in one transaction. A table's rows are read (untimed) just before they are written,
    so that only one table's rows are in memory at a time (history's, at 1M leads)."""
    tables = _demo_tables()
    read = sqlite3.connect(source)
    write = sqlite3.connect(target, isolation_level=None)
    write.execute("PRAGMA journal_mode = wal")
    write.execute("PRAGMA synchronous = normal")
    for table, columns in tables:
        write.execute(f'CREATE TABLE "{table}" ({", ".join(columns)})')
    seconds = 0.0
    write.execute("BEGIN")
    for table, columns in tables:
        rows = read.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY rowid')
        rows = rows.fetchall()
        marks = ", ".join("?" for _ in columns)
        start = time.perf_counter()
        write.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        seconds += time.perf_counter() - start
        del rows
    start = time.perf_counter()
    write.execute("COMMIT")
    seconds += time.perf_counter() - start
    read.close()
    write.close()
    return seconds


# ----------------------------------------------------------- the first report


def _report_seconds(target: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", REPORT, target],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=600,
    )
    return float(done.stdout.strip().splitlines()[-1])


def _first_report(target: str, engine: str):
    """The conversion report at once after the demo wrote `target`, then again."""
    first = _report_seconds(target)
    second = _report_seconds(target)
    print(
        f"  conversion report after the demo, {engine}: {first:.2f} s, then {second:.2f} s",
        file=sys.stderr,
    )
    return [
        cost(
            f"first conversion report after a {REPORT_LEADS // 1000}k demo, {engine}",
            first * 1000,
            second * 1000,
            "the second one, in a new process too",
            "ms",
            max_ratio=MAX_FIRST_REPORT_RATIO,
        )
    ]


# ------------------------------------------------------------------ PostgreSQL


def _postgres():
    from tests.pg_server import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as exc:
        print(f"  PostgreSQL figures skipped: {exc}", file=sys.stderr)
        return []
    try:
        out = []
        for leads in SIZES:
            url = server.create_database(f"demo_{leads}")
            summary = _demo(url, leads)
            floor = leads / _pg_floor(server, f"demo_{leads}")
            out.append(
                rate(
                    f"funnel demo, {leads:,} leads, PostgreSQL",
                    leads / summary.seconds,
                    floor,
                    "the demo's rows again: COPY into bare tables",
                    "leads/s",
                    MIN_PG_LEADS_PER_SECOND,
                )
            )
        out += _first_report(server.url(f"demo_{REPORT_LEADS}"), "PostgreSQL")
        return out
    finally:
        server.stop()


def _pg_floor(server, name: str) -> float:
    """Seconds to COPY the rows of the demo in database `name` into bare tables (the
    demo's columns and types; no constraint, index or trigger) in one transaction."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=server.port, user="funnel", dbname=name)
    try:
        cursor = conn.cursor()
        texts = {}
        for table, columns in _demo_tables():
            listed = ", ".join(f'"{c}"' for c in columns)
            buffer = io.StringIO()
            cursor.copy_expert(f'COPY "{table}" ({listed}) TO STDOUT', buffer)
            texts[table] = (listed, buffer.getvalue())
            cursor.execute(
                f'CREATE TABLE "floor_{table}" AS SELECT {listed} FROM "{table}" WHERE false'
            )
        conn.commit()
        start = time.perf_counter()
        for table, (listed, text) in texts.items():
            cursor.copy_expert(f'COPY "floor_{table}" ({listed}) FROM STDIN', io.StringIO(text))
        conn.commit()
        return time.perf_counter() - start
    finally:
        conn.close()
