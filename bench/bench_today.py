"""Issue 25 figures for the Today queue at 10,000, 100,000 and 1,000,000 leads, on SQLite
and on PostgreSQL, for a rep who owns one open record for every 20 leads (5 %): 50,000
at a million, 5,000 at 100,000, 500 at 10,000. Open records are leads being worked (new,
working or nurturing, not yet a deal) and open deals; the rep keeps the demo's mix of
them (their own open deals, about one in nine), and the open leads beyond the share go
to another rep, evenly spread over the rep's, so the queue keeps the demo's mix of
overdue, due today and unscheduled items.

- `funnel today` as the command line runs it, process start aside (in this process, its
  modules loaded; the database opened by the command as always): its default listing,
  and `--all` (every item; not a goal, said for scale);
- ctrl+t from the lead list to the painted queue, read afresh, with its section counts,
  in a running app at 80×24; and End (G) to the last item painted;
- a cold start of `funnel --screen today` to its first complete frame;
- a call logged and a snooze from the queue: the key to the repainted queue (p95).

Goal: Today ≤ 200 ms at every size, on both engines, on the command line and in the app.
Floors, measured in the same run:
- for the command line, the raw driver (sqlite3 / psycopg2, no funnel code) counting the
  rep's queue per section in one statement (the least any Today must ask the database);
- for ctrl+t, a bare Textual app switching to a screen of one label on a key;
- for End and the writes, a key reaching a bare Input; for the cold start, a bare app's.

Demo databases come from demo_cache (built once, kept), copied to write on.
FUNNEL_BENCH_SIZES picks the sizes (default all three), FUNNEL_BENCH_ENGINES the engines
(default sqlite,postgres). The table printed at the end has one line per figure, one
column per size and engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from common import (
    bench_app,
    cold_starts,
    cost,
    human_pause,
    kept_demos,
    key_floor,
    median,
    percentile,
    print_size_table,
    send_key,
    until,
)

SIZES = tuple(
    int(n) for n in os.environ.get("FUNNEL_BENCH_SIZES", "10000,100000,1000000").split(",")
)
ENGINES = tuple(os.environ.get("FUNNEL_BENCH_ENGINES", "sqlite,postgres").split(","))
SHARE = 20  # the rep owns one open record for every SHARE leads
USER = "bench"
SIZE = (80, 24)
MAX_MS = 200
RUNS = 5  # of each command, after one to warm up; the median counts
STARTS = 5
SWITCHES = 7
ROUNDS = 20  # writes from the queue: half calls logged, half snoozes

OPEN_LEAD = "status IN ('new', 'working', 'nurturing') AND level IN ('lead', 'prospect')"


def figures():
    import demo_cache

    results, table = [], {}
    with tempfile.TemporaryDirectory(prefix="funnel-bench-today-") as folder:
        for engine, leads, target in kept_demos("today", ENGINES, SIZES, copy_into=folder):
            column = (engine, leads)
            try:
                queued = _give_the_rep(target, leads // SHARE)
                table.setdefault("items in the queue", {})[column] = queued
                results += _command_line(target, column, table, folder)
                results += _cold_start(target, column, table, folder)
                results += asyncio.run(_in_the_app(target, folder, column, table))
            finally:
                if engine == "sqlite":
                    Path(target).unlink()
                else:
                    demo_cache.postgres_server().execute(f'DROP DATABASE IF EXISTS "today_{leads}"')
    print_size_table(table, "ms (medians unless p95 said)", lambda ms: f"{ms:,.1f}")
    return results


def _say(column, what: str) -> None:
    engine, leads = column
    print(f"  {engine} {leads:>9,} {what}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- the rep


def _give_the_rep(target: str, wanted: int) -> int:
    """USER made the owner of exactly `wanted` open records: their own open deals, and
    open leads handed to or taken from another rep, evenly spread. Returns how many items
    their queue holds today."""
    from funnel_tui.config import load_config
    from funnel_tui.read.today import owner_id, queue_counts
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database

    db = open_database(target)
    p = db.param
    me = owner_id(USER)
    other = db.execute_sql(f'SELECT MIN("id") FROM "user" WHERE "id" <> {p}', (me,)).fetchone()[0]
    deals = db.execute_sql(
        f"SELECT COUNT(*) FROM opportunity WHERE owner_id = {p} AND state = 'open'", (me,)
    ).fetchone()[0]
    mine = _open_leads(db, me)
    short = wanted - deals - len(mine)
    giver, taker, pool = (other, me, _open_leads(db, other)) if short > 0 else (me, other, mine)
    if len(pool) < abs(short):
        raise RuntimeError(f"the demo has too few open leads for {wanted:,} open records")
    step = len(pool) / max(1, abs(short))
    moved = [pool[int(i * step)] for i in range(abs(short))]
    with db.atomic():
        for start in range(0, len(moved), 500):
            chunk = moved[start : start + 500]
            marks = ", ".join([p] * len(chunk))
            db.execute_sql(
                f"UPDATE lead SET owner_id = {p} WHERE owner_id = {p} AND id IN ({marks})",
                (taker, giver, *chunk),
            )
    owned = deals + len(_open_leads(db, me))
    assert owned == wanted, (owned, wanted)
    if db.__class__.__name__.startswith("Postgres"):
        # As autovacuum would have it a minute later: statistics and the visibility map
        # (index-only counts) as after any day's writes.
        db.execute_sql('VACUUM ANALYZE "lead"')
    # SQLite keeps the demo's statistics: moving a few thousand owners changes no
    # index's averages.
    today = Funnel(load_config(), USER).today()
    queued = sum(queue_counts(me, today).values())
    close_database()
    return queued


def _open_leads(db, owner: int) -> list[int]:
    rows = db.execute_sql(
        f"SELECT id FROM lead WHERE owner_id = {db.param} AND {OPEN_LEAD} ORDER BY id",
        (owner,),
    )
    return [row[0] for row in rows]


# ---------------------------------------------------------------- command line


def _command_line(target: str, column, table: dict, folder: str) -> list:
    """`funnel today` run in this process (modules loaded, process start aside), beside
    the raw driver counting the same queue."""
    from funnel_tui.cli import main
    from funnel_tui.storage.database import close_database

    env = {
        "HOME": folder,
        "XDG_DATA_HOME": folder,
        "XDG_CONFIG_HOME": folder,
        "FUNNEL_CONFIG": str(_no_backups()),
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)

    def run(*extra: str) -> float:
        out = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(["--db", target, "--user", USER, "today", *extra])
        seconds = time.perf_counter() - start
        close_database()
        if code:
            raise RuntimeError(out.getvalue()[-500:])
        return seconds

    try:
        floor = _raw_counts_ms(target)
        out = []
        for label, extra in (("funnel today", ()), ("funnel today --all", ("--all",))):
            try:
                run(*extra)
            except (SystemExit, RuntimeError):  # an older funnel without --all
                continue
            ms = median([run(*extra) for _ in range(RUNS)]) * 1000
            table.setdefault(label, {})[column] = ms
            _say(column, f"{label}: {ms:.0f} ms")
            if label == "funnel today":
                out.append(
                    cost(f"{label}, {column[1]:,} leads, {column[0]}", ms, floor,
                         "raw driver counting the queue per section", "ms", max_value=MAX_MS)
                )  # fmt: skip
        table.setdefault("floor: raw count of the queue", {})[column] = floor
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return out


def _raw_counts_ms(target: str) -> float:
    """The rep's queue counted per section by the bare driver, in one statement: the
    least work any Today has to ask of the database (median of RUNS)."""
    import datetime as dt

    day = dt.datetime.now(dt.UTC).date().isoformat()
    if target.startswith("postgresql://"):
        import psycopg2

        connection = psycopg2.connect(target)
        mark = "%s"
    else:
        import sqlite3

        connection = sqlite3.connect(target)
        mark = "?"
    sql = (
        f"SELECT CASE WHEN next_action_due IS NULL THEN 2 WHEN next_action_due < {mark} THEN 0 "
        f"ELSE 1 END, COUNT(*) FROM opportunity WHERE owner_id = {mark} AND state = 'open' "
        f"AND (next_action_due <= {mark} OR next_action_due IS NULL) GROUP BY 1 UNION ALL "
        f"SELECT CASE WHEN next_action_due < {mark} THEN 0 ELSE 1 END, COUNT(*) FROM lead "
        f"WHERE owner_id = {mark} AND next_action_due <= {mark} AND next_action_due IS NOT NULL "
        "AND status <> 'unqualified' GROUP BY 1 UNION ALL SELECT 2, COUNT(*) FROM lead "
        f"WHERE owner_id = {mark} AND next_action_due IS NULL AND status IN ('new', 'working') "
        "AND level IN ('lead', 'prospect')"
    )
    try:
        cursor = connection.cursor()
        cursor.execute('SELECT id FROM "user" WHERE login = ' + mark, (USER,))
        me = cursor.fetchone()[0]
        times = []
        for _ in range(RUNS + 1):
            start = time.perf_counter()
            cursor.execute(sql, (day, me, day, day, me, day, me))
            cursor.fetchall()
            times.append(time.perf_counter() - start)
    finally:
        connection.close()
    return median(times[1:]) * 1000


def _no_backups() -> Path:
    path = Path(tempfile.gettempdir()) / "funnel-bench-no-backups.toml"
    path.write_text("[backups]\nautomatic = false\n")
    return path


# ---------------------------------------------------------------- cold start


def _cold_start(target: str, column, table: dict, folder: str) -> list:
    env = {**os.environ, "HOME": folder, "XDG_DATA_HOME": folder, "FUNNEL_USER": USER}
    today, bare, _rss, _bare_rss = cold_starts(target, env, STARTS, "today", SIZE)
    ms, floor = median(today) * 1000, median(bare) * 1000
    table.setdefault("cold start to the queue", {})[column] = ms
    table.setdefault("floor: bare app cold start", {})[column] = floor
    _say(column, f"cold start {ms:.0f} ms, bare app {floor:.0f} ms")
    return [
        cost(f"Today cold start beyond a bare app, {column[1]:,} leads, {column[0]}",
             ms - floor, floor, "bare Textual app with one label, cold start", "ms",
             max_value=MAX_MS)
    ]  # fmt: skip


# ------------------------------------------------------------ keys in a running app


async def _switch_floor() -> list[float]:
    """A bare Textual app: a key switching to a screen holding one label, to it painted."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Label

    class Shown(Screen):
        def compose(self):
            yield Label("queue")

    class Bare(App):
        MODES = {"first": Shown, "second": Shown}  # noqa: RUF012
        BINDINGS = [("ctrl+t", "switch_mode('second')"), ("f3", "switch_mode('first')")]  # noqa: RUF012

        def on_mount(self) -> None:
            self.switch_mode("first")

    app = Bare()
    times = []
    rng = random.Random(9)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(SWITCHES):
            await human_pause(rng)
            start = time.perf_counter()
            send_key(app, "ctrl+t")
            times.append(await until(lambda: app.current_mode == "second", app=app) - start)
            await pilot.press("f3")
            await pilot.pause()
    return times


async def _in_the_app(target: str, folder: str, column, table: dict) -> list:
    from textual.worker import WorkerCancelled

    from funnel_tui.storage.database import close_database
    from funnel_tui.tui.screens.log_activity import LogActivityScreen
    from funnel_tui.tui.screens.today import TodayScreen
    from funnel_tui.tui.widgets.queue_view import QueueView

    switch_floor = median(await _switch_floor()) * 1000
    paced_floor = percentile(await key_floor(paced=True), 95) * 1000
    # Each queue read afresh and shown counts one: the key is timed to the fresh queue
    # painted, not to the one kept from the last visit.
    shows = {"count": 0}
    shown_before = TodayScreen._show

    def counting_show(self, *args, **kwargs):
        shown_before(self, *args, **kwargs)
        shows["count"] += 1

    TodayScreen._show = counting_show
    app = bench_app(target, folder, USER)
    rng = random.Random(6)
    switches, ends, logs, snoozes = [], [], [], []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.startup_done()

            def queue() -> QueueView | None:
                screen = app.screen
                return screen.query_one(QueueView) if isinstance(screen, TodayScreen) else None

            def current_key():
                view = queue()
                item = view.current_item if view else None
                return item.key if item else None

            async def settle() -> None:
                while True:  # a newer load cancels an older one: wait for what is left
                    try:
                        await app.workers.wait_for_complete()
                        break
                    except WorkerCancelled:
                        continue
                await pilot.pause()

            for _ in range(SWITCHES):
                await human_pause(rng)
                before = shows["count"]
                start = time.perf_counter()
                send_key(app, "ctrl+t")
                shown = await until(
                    lambda b=before: shows["count"] > b and current_key() is not None,
                    timeout=60, app=app,
                )  # fmt: skip
                switches.append(shown - start)
                await settle()
                await pilot.press("f3")  # back to the lead list
                await settle()
            await pilot.press("ctrl+t")
            await settle()

            for _ in range(3):  # End: the last item, read from the deepest page
                view = queue()
                await human_pause(rng)
                start = time.perf_counter()
                send_key(app, "G")
                last = view.total - 1
                shown = await until(
                    lambda v=view, n=last: v.cursor == n and v.current_item is not None,
                    timeout=60, app=app,
                )  # fmt: skip
                ends.append(shown - start)
                await pilot.press("g")
                await settle()

            for index in range(ROUNDS):
                before = current_key()
                if index % 2 == 0:  # a call that reached them, the next in three days
                    await pilot.press("l")
                    await until(lambda: isinstance(app.screen, LogActivityScreen))
                    await pilot.pause()
                    await pilot.press("r", "tab", *"Call back", "tab", *"+3d")
                    await pilot.pause()
                    await human_pause(rng)
                    start = time.perf_counter()
                    send_key(app, "ctrl+s")
                    shown = await until(
                        lambda b=before: current_key() not in (None, b), timeout=10, app=app
                    )
                    logs.append(shown - start)
                else:
                    await human_pause(rng)
                    start = time.perf_counter()
                    send_key(app, "z", "z")
                    shown = await until(
                        lambda b=before: current_key() not in (None, b), timeout=10, app=app
                    )
                    snoozes.append(shown - start)
                await settle()
    finally:
        TodayScreen._show = shown_before
        close_database()
    engine, leads = column
    rows = [
        ("ctrl+t to the queue read afresh, median", median(switches), switch_floor,
         "bare app: a key to a screen of one label", MAX_MS),
        ("End (G) to the last item painted, median", median(ends), paced_floor,
         "key to a bare Input, p95", MAX_MS),
        ("a call logged: ctrl+s to the repainted queue, p95", percentile(logs, 95),
         paced_floor, "key to a bare Input, p95", 50),
        ("snooze (z) to the repainted queue, p95", percentile(snoozes, 95), paced_floor,
         "key to a bare Input, p95", 50),
    ]  # fmt: skip
    out = []
    for label, seconds, floor, floor_name, most in rows:
        ms = seconds * 1000
        table.setdefault(label, {})[column] = ms
        _say(column, f"{label}: {ms:.0f} ms")
        out.append(
            cost(f"{label}, {leads:,} leads, {engine}", ms, floor, floor_name, "ms",
                 max_value=most)
        )  # fmt: skip
    table.setdefault("floor: bare app screen switch", {})[column] = switch_floor
    table.setdefault("floor: key to a bare Input, p95", {})[column] = paced_floor
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from common import report

    sys.exit(0 if report(figures()) else 1)
