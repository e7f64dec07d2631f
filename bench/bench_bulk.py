"""Issue 22 figures for acting on many leads at once, on the 100,000-lead demo:

- a status set on 10,000 marked leads in one action (rules.bulk_set_status: the rows
  read and locked, updated, a history row per changed field), beside a floor of raw
  sqlite3 doing the least the same change needs on a copy of the same database: an
  UPDATE of the same leads by id and as many history rows inserted, in one
  transaction;
- undoing it as one step;
- the same call logged on 10,000 marked leads (rules.bulk_log_activity), beside raw
  sqlite3 inserting as many activities and history rows and updating those leads' last
  activity, engagement and next action, on a copy;
- "mark all that match" over all 100,000 leads and over one status (read.lead_ids, the
  ids of every page), beside a raw SELECT of the same ids.

The demo is built in a temporary folder (about a minute); FUNNEL_BENCH_DEMO=PATH copies
an existing 100,000-lead demo database instead.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from common import cost, median, timed

DEMO_LEADS = 100_000
MARKED = 10_000
ROUNDS = 5


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-bulk-") as folder:
        target = str(Path(folder) / "demo.db")
        _build(target)
        return _status(target) + _activity(target) + _mark_all(target)


def _build(target: str) -> None:
    given = os.environ.get("FUNNEL_BENCH_DEMO")
    if given:
        shutil.copyfile(given, target)
        return
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.storage.database import close_database, open_database

    db = open_database(target)
    generate_demo(db, load_config(), leads=DEMO_LEADS, seed=1, user="bench")
    close_database()


def _candidates(target: str) -> list[int]:
    """MARKED leads not yet working, spread over the table."""
    with sqlite3.connect(target) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM lead WHERE status != 'working' AND merged_into_id IS NULL "
                "ORDER BY (id * 2654435761) % 1000003"
            )
        ]
    assert len(ids) >= MARKED, f"only {len(ids)} leads are not working"
    return sorted(ids[:MARKED])


def _status(target: str):
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database

    ours = _candidates(target)
    copy = str(Path(target).with_name("floor.db"))
    shutil.copyfile(target, copy)  # the floor changes the same leads, on its own copy
    open_database(target)
    rules = Funnel(load_config(), "bench")
    before = _history_rows(target)
    seconds = timed(lambda: rules.bulk_set_status(ours, "working"))
    written = _history_rows(target) - before
    undo_seconds = timed(rules.undo_last)
    close_database()
    floor = _raw_status(copy, ours, written)
    print(
        f"  status on {MARKED:,} leads: {seconds * 1000:.0f} ms ({written:,} history rows); "
        f"floor {floor * 1000:.0f} ms; undo {undo_seconds * 1000:.0f} ms",
        flush=True,
    )
    return [
        cost(
            f"bulk status on {MARKED:,} of 100k leads",
            seconds * 1000,
            floor * 1000,
            f"raw sqlite3 UPDATE of the same {MARKED:,} leads by id + {written:,} history rows",
            "ms",
            max_value=2000,
            max_ratio=6,
        ),
        cost(
            f"undo of that status on {MARKED:,} leads",
            undo_seconds * 1000,
            floor * 1000,
            "the same raw UPDATE + history rows",
            "ms",
            max_value=5000,
        ),
    ]


def _history_rows(target: str) -> int:
    with sqlite3.connect(target) as conn:
        return conn.execute("SELECT COUNT(*) FROM history").fetchone()[0]


def _raw_status(target: str, ids: list[int], rows: int) -> float:
    """The floor: the same kind of change done with nothing but sqlite3."""
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = 1")
    user = conn.execute("SELECT id FROM user ORDER BY id LIMIT 1").fetchone()[0]
    at = "2026-11-23 10:00:00"
    history = [
        (at, user, "lead", ids[n % len(ids)], "bulk_status", "status", "new", "working", 2)
        for n in range(rows)
    ]

    def run() -> None:
        conn.execute("BEGIN IMMEDIATE")
        for start in range(0, len(ids), 400):
            chunk = ids[start : start + 400]
            marks = ", ".join("?" for _ in chunk)
            conn.execute(
                "UPDATE lead SET status = 'working', version = version + 1, updated_at = ? "
                f"WHERE id IN ({marks})",
                [at, *chunk],
            )
        conn.executemany(
            'INSERT INTO history ("at", "user_id", "entity", "entity_id", "action", "field", '
            '"old", "new", "version") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            history,
        )
        conn.execute("COMMIT")

    seconds = timed(run)
    conn.close()
    return seconds


def _activity(target: str):
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database

    ours = _candidates(target)
    copy = str(Path(target).with_name("floor-activity.db"))
    shutil.copyfile(target, copy)
    open_database(target)
    rules = Funnel(load_config(), "bench")
    before = _history_rows(target)
    due = rules.today()
    seconds = timed(
        lambda: rules.bulk_log_activity(
            ours, kind="call", outcome="reached", next_action="Demo", next_due=due
        )
    )
    written = _history_rows(target) - before
    close_database()
    floor = _raw_activity(copy, ours, written, due.isoformat())
    print(f"  call on {MARKED:,} leads: {seconds * 1000:.0f} ms; floor {floor * 1000:.0f} ms")
    return [
        cost(
            f"a call logged on {MARKED:,} of 100k leads",
            seconds * 1000,
            floor * 1000,
            f"raw sqlite3: {MARKED:,} activities, the leads updated (new ones to working), "
            f"{written:,} history rows",
            "ms",
            max_ratio=6,
        )
    ]


def _raw_activity(target: str, ids: list[int], rows: int, due: str) -> float:
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = 1")
    user = conn.execute("SELECT id FROM user ORDER BY id LIMIT 1").fetchone()[0]
    at = "2026-11-23 10:00:00"
    activities = [(i, "call", "outbound", "reached", "", at, user, "Demo", due, 0, at) for i in ids]
    leads = [(at, 1.0, "Demo", due, i) for i in ids]
    new = []
    for start in range(0, len(ids), 400):
        chunk = ids[start : start + 400]
        marks = ", ".join("?" for _ in chunk)
        sql = f"SELECT id FROM lead WHERE status = 'new' AND id IN ({marks})"
        new += [row[0] for row in conn.execute(sql, chunk)]
    history = [
        (at, user, "activity", ids[n % len(ids)], "bulk_activity", "", None, "{}", None)
        for n in range(rows)
    ]

    def run() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            'INSERT INTO activity ("lead_id", "kind", "direction", "outcome", "note", '
            '"occurred_at", "user_id", "next_action", "next_action_due", "next_action_done", '
            '"created_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            activities,
        )
        conn.executemany(
            'UPDATE lead SET "last_activity_at" = ?, "engagement_key" = ?, "next_action" = ?, '
            '"next_action_due" = ? WHERE id = ?',
            leads,
        )
        # The new leads a call reached move to working, as funnel moves them.
        conn.executemany(
            "UPDATE lead SET status = 'working', version = version + 1 WHERE id = ?",
            [(i,) for i in new],
        )
        conn.executemany(
            'INSERT INTO history ("at", "user_id", "entity", "entity_id", "action", "field", '
            '"old", "new", "version") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            history,
        )
        conn.execute("COMMIT")

    seconds = timed(run)
    conn.close()
    return seconds


def _mark_all(target: str):
    from funnel_tui.read.queries import LeadQuery, lead_ids
    from funnel_tui.storage.database import close_database, open_database

    open_database(target)
    figures = []
    for title, query, raw in (
        ("all 100k leads", LeadQuery(), "SELECT id FROM lead"),
        (
            "one status",
            LeadQuery(statuses=("nurturing",)),
            "SELECT id FROM lead WHERE status = 'nurturing'",
        ),
    ):
        found = lead_ids(query)
        ours = median([timed(lambda q=query: lead_ids(q)) for _ in range(ROUNDS)])
        with sqlite3.connect(target) as conn:
            floor = median(
                [timed(lambda: conn.execute(raw).fetchall()) for _ in range(ROUNDS)]  # noqa: B023
            )
        print(f"  mark all, {title}: {len(found):,} ids in {ours * 1000:.1f} ms", flush=True)
        figures.append(
            cost(
                f"mark all that match: {title} ({len(found):,})",
                ours * 1000,
                floor * 1000,
                f"raw sqlite3 {raw}",
                "ms",
                max_value=300,
                max_ratio=5,
            )
        )
    close_database()
    return figures
