"""Issue 26 figures: next actions at a time, the rep's calendar file and reminders, on the
kept demos (demo_cache) at 100,000 leads by default (FUNNEL_BENCH_SIZES, and
FUNNEL_BENCH_ENGINES: sqlite,postgres).

The demo's next actions are whole-day ones, so the bench first gives two in five of the
rep's open actions ahead a time of day (08:00–17:45 UTC), as a rep who books calls would
have them. Then, each against a floor measured in the same run:

- a reminder look (read.today.coming_due: the rep's timed actions in the next ten
  minutes, as the app makes every 20 s and after every change; at 09:50 UTC, when the
  booked calls fall due), p95 of RUNS, against the bare driver reading the same rows
  through the same index;
- the Today queue's first page of what is due today, in time order (section_items),
  against the bare driver reading 100 such rows through the queue's index;
- the calendar file of the next 90 days as funnel writes it (read, words, iCalendar text,
  written whole and renamed), against the bare driver reading the same rows' columns
  and writing them to a file;
- a due typed with a time read back (core.times.parse_when, per keystroke of the log
  form), against a date alone read (core.dates.parse_date).

Goals (no figure is named by the issue): a reminder look and the first page well under a
frame (≤ 16 ms), the calendar file under a second for a rep's 90 days, the read-back
under 100 µs a keystroke.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from common import cost, kept_demos, median, percentile, print_size_table

SIZES = tuple(int(n) for n in os.environ.get("FUNNEL_BENCH_SIZES", "100000").split(","))
ENGINES = tuple(os.environ.get("FUNNEL_BENCH_ENGINES", "sqlite,postgres").split(","))
USER = "bench"
AT = "COALESCE(next_action_at, '9999-12-31 00:00:00')"  # as the queue's index has it
DUE = "next_action_due IS NOT NULL AND status <> 'unqualified'"
RUNS = 41
PARSES = 2000
TIMED_SHARE = 0.4


def figures():
    results, table = [], {}
    with tempfile.TemporaryDirectory(prefix="funnel-bench-calendar-") as folder:
        for engine, leads, target in kept_demos("calendar", ENGINES, SIZES, copy_into=folder):
            column = (engine, leads)
            timed, found, entries, look, page, calendar, floor, page_floor, raw_file = _measure(
                target, folder
            )
            label = f"{engine} {leads // 1000}k"
            results += [
                cost(
                    f"reminder look ({found} due), {label} p95",
                    look,
                    floor,
                    "raw driver, same rows",
                    "ms",
                    16,
                ),
                cost(
                    f"Today first page (time order), {label} p95",
                    page,
                    page_floor,
                    "raw driver, 100 rows",
                    "ms",
                    16,
                ),
                cost(
                    f"calendar file, 90 days ({entries:,} entries), {label}",
                    calendar,
                    raw_file,
                    "raw rows to a file",
                    "ms",
                    1000,
                ),
            ]
            for name, value in (
                ("timed actions given", timed),
                ("calendar entries", entries),
                ("reminder look p95 ms", look),
                ("first page p95 ms", page),
                ("calendar file ms", calendar),
                ("reminder look floor ms", floor),
                ("first page floor ms", page_floor),
                ("raw rows to file ms (floor)", raw_file),
            ):
                table.setdefault(name, {})[column] = value
    when, date = _parse_costs()
    results.append(cost("due with a time read back", when, date, "date alone", "µs", 100))
    print_size_table(table, "calendar and reminders", cell=lambda v: f"{v:,.2f}")
    return results


def _measure(target: str, folder: str):
    from funnel_tui.config import load_config
    from funnel_tui.read.today import DUE_TODAY, coming_due, owner_id, section_items
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.transfer.calendar_feed import (
        KEPT_DAYS,
        CalendarAsk,
        calendar_document,
        write_calendar,
    )

    db = open_database(target)
    rules = Funnel(load_config(), USER)
    me, now, today = owner_id(USER), rules.now(), rules.today()
    timed = _give_times(db, me, today)
    # A look at 09:50 UTC today, when calls booked from 08:00 on fall due.
    start = dt.datetime.combine(today, dt.time(9, 50))
    end = start + dt.timedelta(minutes=10)
    looked = coming_due(me, start, end)
    look = _p95(lambda: coming_due(me, start, end))
    page = _p95(lambda: section_items(me, today, DUE_TODAY, 0, 100))
    ask = CalendarAsk(me, USER, today, KEPT_DAYS)
    path = Path(folder) / "kept.ics"
    texts = []

    def write() -> None:
        text, count = calendar_document(ask, now)
        write_calendar(path, text, "calendar_file")
        texts.append(count)

    calendar = median([_ms(write) for _ in range(7)])
    close_database()
    connection, mark = _connect(target)
    try:
        floor = _p95(lambda: _raw_look(connection, mark, me, today, start, end))
        page_floor = _p95(lambda: _raw_page(connection, mark, me, today))
        raw_file = median(
            [_ms(lambda: _raw_rows_to_file(connection, mark, me, today, folder)) for _ in range(7)]
        )
    finally:
        connection.close()
    return timed, len(looked), texts[-1], look, page, calendar, floor, page_floor, raw_file


def _give_times(db, me: int, today: dt.date) -> int:
    """Two in five of the rep's open actions from today on get a time of day."""
    p = db.param
    rows = db.execute_sql(
        f'SELECT "id", "next_action_due" FROM "lead" WHERE "owner_id" = {p} AND '
        f'"next_action_due" >= {p} ORDER BY "id"',
        (me, today.isoformat()),
    ).fetchall()
    chosen = rows[:: int(1 / TIMED_SHARE * 2)] + rows[1 :: int(1 / TIMED_SHARE * 2)]
    with db.atomic():
        for index, (ident, due) in enumerate(chosen):
            day = due if isinstance(due, dt.date) else dt.date.fromisoformat(due)
            at = dt.datetime.combine(day, dt.time(8 + index % 10, (index * 15) % 60))
            value = at if "Postgres" in type(db).__name__ else at.isoformat(" ")
            db.execute_sql(
                f'UPDATE "lead" SET "next_action_at" = {p} WHERE "id" = {p}', (value, ident)
            )
    return len(chosen)


def _connect(target: str):
    if target.startswith("postgresql://"):
        import psycopg2

        return psycopg2.connect(target), "%s"
    import sqlite3

    return sqlite3.connect(target), "?"


def _stored(moment: dt.datetime, mark: str):
    return moment if mark == "%s" else moment.isoformat(" ")


def _raw_look(connection, mark: str, me: int, today, start, end) -> None:
    """What a reminder look asks, by the bare driver: the rep's leads whose time falls in
    the window, through the queue's index, their names and numbers. The due dates are
    the day before, the day and the day after (a due date is its setter's local one)."""
    days = [(today + dt.timedelta(days=n)).isoformat() for n in (-1, 0, 1)]
    cursor = connection.cursor()
    cursor.execute(
        "SELECT id, name, phone_display, next_action, next_action_at FROM lead WHERE "
        f"owner_id = {mark} AND next_action_due IN ({mark}, {mark}, {mark}) AND {AT} "
        f"BETWEEN {mark} AND {mark} AND {DUE}",
        (me, *days, _stored(start, mark), _stored(end, mark)),
    )
    cursor.fetchall()


def _raw_page(connection, mark: str, me: int, today: dt.date) -> None:
    """The first 100 leads due today in time order, by the bare driver, through the
    queue's index: the least the Today queue's first page can cost."""
    cursor = connection.cursor()
    cursor.execute(
        "SELECT id, name, phone_display, next_action, next_action_at FROM lead WHERE "
        f"owner_id = {mark} AND next_action_due = {mark} AND {DUE} ORDER BY {AT}, "
        "COALESCE(last_activity_at, created_at), id LIMIT 100",
        (me, today.isoformat()),
    )
    cursor.fetchall()


def _raw_rows_to_file(connection, mark: str, me: int, today: dt.date, folder: str) -> None:
    last = today + dt.timedelta(days=89)
    cursor = connection.cursor()
    cursor.execute(
        "SELECT l.id, l.name, c.name, l.next_action, l.next_action_due, l.next_action_at, "
        "l.phone_e164, l.phone_display, l.email_norm FROM lead l LEFT JOIN company c ON "
        f"c.id = l.company_id WHERE l.owner_id = {mark} AND l.next_action_due BETWEEN "
        f"{mark} AND {mark} AND l.status <> 'unqualified'",
        (me, today.isoformat(), last.isoformat()),
    )
    text = "".join("|".join(str(v) for v in row) + "\r\n" for row in cursor.fetchall())
    (Path(folder) / "raw.txt").write_text(text, encoding="utf-8")


def _parse_costs() -> tuple[float, float]:
    from zoneinfo import ZoneInfo

    from funnel_tui.core.dates import parse_date
    from funnel_tui.core.times import parse_when

    zone, now = ZoneInfo("Europe/Warsaw"), dt.datetime(2026, 11, 23, 7, 0)
    start = time.perf_counter()
    for _ in range(PARSES):
        parse_when("next mon 14:30", now, zone)
    when = (time.perf_counter() - start) / PARSES * 1e6
    start = time.perf_counter()
    for _ in range(PARSES):
        parse_date("next mon", now.date())
    return when, (time.perf_counter() - start) / PARSES * 1e6


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _p95(fn, runs: int = RUNS) -> float:
    fn()  # warm
    return percentile([_ms(fn) for _ in range(runs)], 95)


if __name__ == "__main__":
    import sys

    from common import report

    sys.exit(0 if report(figures()) else 1)
