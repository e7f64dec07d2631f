"""Issue 6 figures for the Today queue of a user who owns 5,000 open items (leads being
worked and open deals) on the 100,000-lead demo database, at 80×24:

- cold start of `funnel --screen today` to the first complete frame (the queue's
  sections with their rows), beside a bare Textual app and `funnel` on its lead list:
  the queue may cost ≤ 100 ms beyond the app's start;
- ctrl+t from the lead list to the painted queue, in a running app;
- logging a call from the queue (l, r, a next action "+3d", then ctrl+s): the save key
  to the queue repainted without the item;
- snoozing (z): the key to the queue repainted without the item;
each beside a key reaching a bare Input. Keys come with a person's pause before each.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from pathlib import Path

from common import (
    bench_app,
    cold_starts,
    cost,
    human_pause,
    key_floor,
    median,
    memory_cost,
    percentile,
    send_key,
    until,
)

DEMO_LEADS = 100_000
OPEN_ITEMS = 5_000
USER = "bench"
SIZE = (80, 24)
STARTS = 7
ROUNDS = 40


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-today-") as folder:
        target = str(Path(folder) / "demo.db")
        queued = _build(target)
        env = {**os.environ, "HOME": folder, "XDG_DATA_HOME": folder, "FUNNEL_USER": USER}
        results = _first_frame(target, env, queued)
        results += asyncio.run(_measure(target, folder))
    return results


# ---------------------------------------------------------------------- the data


def _build(target: str) -> int:
    """The demo, and USER made the owner of exactly OPEN_ITEMS open items taken from
    the demo's owners (every other active lead and open deal until there are enough),
    so their queue has the demo's mix of overdue, due and unscheduled. Returns the size
    of USER's queue."""
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.read.today import load_queue
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database

    db = open_database(target)
    config = load_config()
    generate_demo(db, config, leads=DEMO_LEADS, seed=1, user="demo")  # USER owns nothing yet
    rules = Funnel(config, USER)
    me = rules.user_id
    deals = 1_000  # about the demo's share of deals among a rep's open items
    with db.atomic():
        db.execute_sql(
            "UPDATE opportunity SET owner_id = ? WHERE id IN (SELECT id FROM opportunity "
            "WHERE state = 'open' AND id % 2 = 0 ORDER BY id LIMIT ?)",
            (me, deals),
        )
        db.execute_sql(
            "UPDATE lead SET owner_id = ? WHERE id IN (SELECT id FROM lead WHERE status IN "
            "('new', 'working', 'nurturing') AND level IN ('lead', 'prospect') AND id % 2 = 0 "
            "ORDER BY id LIMIT ?)",
            (me, OPEN_ITEMS - deals),
        )
    owned = db.execute_sql(
        "SELECT (SELECT COUNT(*) FROM opportunity WHERE owner_id = ? AND state = 'open') + "
        "(SELECT COUNT(*) FROM lead WHERE owner_id = ? AND status IN ('new', 'working', "
        "'nurturing') AND level IN ('lead', 'prospect'))",
        (me, me),
    ).fetchone()[0]
    assert owned == OPEN_ITEMS, owned
    db.execute_sql("ANALYZE")
    queued = sum(load_queue(me, rules.today(), details=False).counts.values())
    close_database()
    return queued


# ----------------------------------------------------------------- start and memory


def _first_frame(target: str, env: dict, queued: int):
    today, bare, today_rss, bare_rss = cold_starts(target, env, STARTS, "today", SIZE)
    leads, _, _, _ = cold_starts(target, env, STARTS, "leads", SIZE)
    return [
        cost(
            f"Today cold start to a full queue ({queued:,} of {OPEN_ITEMS:,} open items)",
            median(today) * 1000,
            median(bare) * 1000,
            "bare Textual app with one label",
            "ms",
            max_value=median(bare) * 1000 + 100,
        ),
        cost(
            "the same, beyond funnel's start on its lead list",
            (median(today) - median(leads)) * 1000,
            median(leads) * 1000,
            "funnel --screen leads cold start",
            "ms",
            max_value=100,
        ),
        memory_cost("memory with the Today queue open", today_rss, bare_rss),
    ]


# ------------------------------------------------------------ keys in a running app


async def _measure(target: str, folder: str):
    from textual.worker import WorkerCancelled

    from funnel_tui.storage.database import close_database
    from funnel_tui.tui.screens.log_activity import LogActivityScreen
    from funnel_tui.tui.screens.today import TodayScreen
    from funnel_tui.tui.widgets.queue_view import QueueView

    paced_floor = await key_floor(paced=True)
    app = bench_app(target, folder, USER)
    rng = random.Random(6)
    switches, logs, snoozes = [], [], []
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

        for _ in range(STARTS):
            await human_pause(rng)
            start = time.perf_counter()
            send_key(app, "ctrl+t")
            shown = await until(lambda: current_key() is not None, app=app)
            switches.append(shown - start)
            await settle()
            await pilot.press("f3")  # back to the lead list
            await settle()
        await pilot.press("ctrl+t")
        await settle()

        for index in range(ROUNDS):
            before = current_key()
            if index % 2 == 0:  # log a call that reached them, next call in three days
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
    close_database()
    floor_name = "key to a bare Input, p95"
    floor = percentile(paced_floor, 95) * 1000
    return [
        cost(
            "ctrl+t from the lead list to the painted queue, median",
            median(switches) * 1000,
            floor,
            floor_name,
            "ms",
            max_value=100,
        ),
        cost(
            "log a call from the queue: ctrl+s to the repainted queue, p95",
            percentile(logs, 95) * 1000,
            floor,
            floor_name,
            "ms",
            max_value=50,
        ),
        cost(
            "snooze (z) to the repainted queue, p95",
            percentile(snoozes, 95) * 1000,
            floor,
            floor_name,
            "ms",
            max_value=50,
        ),
    ]
