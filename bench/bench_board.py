"""Issue 25: `funnel --screen board` at 10,000, 100,000 and 1,000,000 leads, on SQLite and
on PostgreSQL, started in a pseudo-terminal of 120×40 until the board settles (its last
byte before 400 ms of quiet, every open column counted and the pipeline's totals shown),
beside a bare Textual app started the same way (goal: ≤ 1.5×); sizes and engines as
bench_ui (FUNNEL_BENCH_SIZES, FUNNEL_BENCH_ENGINES). FUNNEL_BENCH_BOARD_MOVES=0 leaves
out the figures of issue 5 below.

Issue 5 figures for the pipeline board with 20,000 open opportunities (a 100,000-lead
demo database, its open deals copied in SQL up to 20,000), on a 120×40 terminal where
the four open stages stand side by side:

- cold start of `funnel --screen board` to the first complete frame (columns, totals
  and cards shown) vs a bare Textual app that shows one label;
- memory with the board open vs that app;
- moving a card a stage on (>) or back (<), key to the repainted board with the card
  in its new column under the cursor, vs a key reaching a bare Input;
- holding j down the biggest column, key to the moved cursor painted on its card (the
  pages of cards load in a worker), vs a key reaching a bare Input.

Keys come as a person presses them, with a pause to read the screen before each; moves
sent back to back at machine speed are printed beside them, with the floor measured
the same way.
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
    print_table,
    scale_targets,
    send_key,
    settled_starts,
    until,
)

DEMO_LEADS = 100_000
OPEN_DEALS = 20_000
SIZE = (120, 40)
STARTS = 7
ROUNDS = 60  # a move on and back each; every other round at machine speed
HOLD_PRESSES = 300
# Holding a key down: the terminal repeats it some 25–35 times a second.
HOLD_PAUSE_SECONDS = (0.028, 0.040)


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-board-") as folder:
        env = {**os.environ, "HOME": folder, "XDG_DATA_HOME": folder, "FUNNEL_USER": "bench"}
        results = _at_scale(folder, env)
        if os.environ.get("FUNNEL_BENCH_BOARD_MOVES", "1") == "1":
            target = str(Path(folder) / "demo.db")
            _build(target)
            results += _first_frame(target, env)
            results += asyncio.run(_measure(target, folder))
    return results


# ------------------------------------------------------ the board at 10k, 100k, 1M


def board_settled(text: str) -> bool:
    """The board's first screen is all there: the top line's Today counts, every open
    column's header with its count and position, and the open pipeline's totals."""
    return "ctrl+t" in text.split("\n")[0] and text.count(" of ") >= 4 and "Open pipeline" in text


def _at_scale(folder: str, env: dict) -> list:
    """`funnel --screen board` started on the demo at each size and engine (its own open
    deals: some 700, 7,000 and 70,000) until the board settles, beside the bare app."""
    results, table = [], {}
    for engine, leads, target in scale_targets("bench_board", folder):
        ours, bare = settled_starts(target, env, STARTS, board_settled, "board", SIZE)
        ours_ms = median([s.seconds for s in ours]) * 1000
        bare_ms = median([s.seconds for s in bare]) * 1000
        table.setdefault("board open, settled", {})[engine, leads] = (ours_ms, bare_ms)
        results.append(
            cost(
                f"board open to the settled screen, {leads:,} leads, {engine}",
                ours_ms,
                bare_ms,
                "bare Textual app with one label, started the same way",
                "ms",
                max_ratio=1.5,
            )
        )
    print_table(table)
    return results


# ---------------------------------------------------------------------- the data


def _build(target: str) -> None:
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage.database import close_database, open_database

    db = open_database(target)
    generate_demo(db, load_config(), leads=DEMO_LEADS, seed=1, user="bench")
    _more_open_deals(db, load_config())
    db.execute_sql("ANALYZE")  # the copies change the opportunity table's statistics
    close_database()


def _open_count(db) -> int:
    return db.execute_sql("SELECT COUNT(*) FROM opportunity WHERE state = 'open'").fetchone()[0]


def _more_open_deals(db, config) -> None:
    """Copy the demo's open deals until exactly OPEN_DEALS are open. Each copy gets its
    own close date (up to four months either way), amount, owner, stage and next action
    date, computed from its id and the round, so copies do not stand beside their
    originals on the board; the first stage is the biggest column, as in the demo."""
    stages = [s.name for s in config.open_stages]
    # Of 20 copies: 9 in the first stage, 5 in the second, 4 in the third, the rest after.
    cuts = [9, 14, 18]
    stage_sql = "CASE" + "".join(
        f" WHEN (o.id * 7 + :k * 3) % 20 < {cut} THEN '{stage}'"
        for cut, stage in zip(cuts, stages, strict=False)
    )
    stage_sql += f" ELSE '{stages[-1]}' END"
    users = [row[0] for row in db.execute_sql("SELECT id FROM user ORDER BY id")]
    owner_sql = "CASE (o.id * 11 + :k) % {n}{whens} END".format(
        n=len(users), whens="".join(f" WHEN {i} THEN {u}" for i, u in enumerate(users))
    )
    shift = "printf('%+d days', (o.id * 37 + :k * 101) % 241 - 120)"
    with db.atomic():
        last = db.execute_sql("SELECT MAX(id) FROM opportunity").fetchone()[0]
        k = 0
        while (missing := OPEN_DEALS - _open_count(db)) > 0:
            k += 1
            sql = f"""
                INSERT INTO opportunity (lead_id, company_id, name, amount_cents, currency,
                  expected_close, stage, state, lost_reason, notes, owner_id, created_by_id,
                  created_at, updated_at, stage_entered_at, closed_at, version,
                  last_activity_at, next_action, next_action_due)
                SELECT o.lead_id, o.company_id, o.name,
                  o.amount_cents * (50 + (o.id * 13 + :k * 7) % 101) / 100, o.currency,
                  date(o.expected_close, {shift}), {stage_sql}, 'open', '', '', {owner_sql},
                  o.created_by_id, o.created_at, o.updated_at, o.stage_entered_at, NULL, 1,
                  o.last_activity_at, o.next_action, date(o.next_action_due, {shift})
                FROM opportunity o
                WHERE o.state = 'open' AND o.id <= :last
                ORDER BY (o.id * 2654435761 + :k) % 1000003
                LIMIT :missing
            """
            db.execute_sql(sql, {"k": k, "last": last, "missing": missing})
        # Each copy came into its stage once, as the demo's deals did.
        db.execute_sql(
            "INSERT INTO stage_change (opportunity_id, from_stage, to_stage, user_id, at) "
            "SELECT id, NULL, stage, owner_id, stage_entered_at FROM opportunity WHERE id > ?",
            (last,),
        )
    assert _open_count(db) == OPEN_DEALS


# ----------------------------------------------------------------- start and memory


def _first_frame(target: str, env: dict):
    ours, bare, ours_rss, bare_rss = cold_starts(target, env, STARTS, "board", SIZE)
    return [
        cost(
            "board cold start to first full frame, 20k open",
            median(ours) * 1000,
            median(bare) * 1000,
            "bare Textual app with one label",
            "ms",
            max_ratio=1.5,
        ),
        memory_cost("memory with the board open on 20k open deals", ours_rss, bare_rss),
    ]


# --------------------------------------------------------------- moves and scrolling


async def _measure(target: str, folder: str):
    from funnel_tui.storage.database import close_database
    from funnel_tui.tui.screens.board import BoardScreen
    from funnel_tui.tui.widgets.board_view import BoardView

    paced_floor = await key_floor(paced=True)
    burst_floor = await key_floor()
    app = bench_app(target, folder, "bench", start="board")
    config = app.config
    stages = [s.name for s in config.open_stages]
    rng = random.Random(5)
    moves = {True: [], False: []}
    holds = []
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(BoardView)
        await until(lambda: view.current is not None)
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.startup_done()  # what the board does once its first frame is up
        assert isinstance(app.screen, BoardScreen)
        biggest = max(view.columns[: len(stages)], key=lambda c: c.count).stage.name

        async def settle() -> None:
            await until(lambda: view.current is not None)
            await pilot.pause()

        for index in range(ROUNDS):
            paced = index % 2 == 0
            # Another card: a column before the last open stage, a few cards down.
            column = index % (len(stages) - 1)
            delta = column - view.focus_index
            await pilot.press(*(["l"] * delta if delta > 0 else ["h"] * -delta))
            await pilot.press(*["j"] * (index % 5 + 1))
            await settle()
            for key, char, step in (("greater_than_sign", ">", 1), ("less_than_sign", "<", -1)):
                card = view.current
                to = stages[stages.index(card.stage) + step]
                if paced:
                    await human_pause(rng)
                start = time.perf_counter()
                send_key(app, key, char)
                shown = await until(
                    lambda c=card, t=to: (
                        view.focused_column.stage.name == t
                        and view.current is not None
                        and view.current.id == c.id
                    ),
                    app=app,
                )
                moves[paced].append(shown - start)
                await settle()

        # Hold j down the biggest column, from its top.
        delta = stages.index(biggest) - view.focus_index
        await pilot.press(*(["l"] * delta if delta > 0 else ["h"] * -delta), "g")
        await settle()
        column = view.focused_column
        for _ in range(HOLD_PRESSES):
            await asyncio.sleep(rng.uniform(*HOLD_PAUSE_SECONDS))
            wanted = column.cursor + 1
            start = time.perf_counter()
            send_key(app, "j")
            shown = await until(
                lambda w=wanted, c=column: c.cursor == w and c.card(w) is not None, app=app
            )
            holds.append(shown - start)
        count = column.count
    close_database()
    floor_name = "key to a bare Input, p95"
    return [
        cost(
            "move a card a stage (> / <), p95",
            percentile(moves[True], 95) * 1000,
            percentile(paced_floor, 95) * 1000,
            floor_name,
            "ms",
            max_value=50,
        ),
        cost(
            "move a card a stage, p95, keys back to back",
            percentile(moves[False], 95) * 1000,
            percentile(burst_floor, 95) * 1000,
            floor_name + ", keys back to back",
            "ms",
        ),
        cost(
            f"hold j down a column of {count:,}, p95",
            percentile(holds, 95) * 1000,
            percentile(paced_floor, 95) * 1000,
            floor_name,
            "ms",
            max_value=50,
        ),
        cost(
            f"hold j down a column of {count:,}, max",
            max(holds) * 1000,
            max(paced_floor) * 1000,
            "key to a bare Input, max",
            "ms",
        ),
    ]
