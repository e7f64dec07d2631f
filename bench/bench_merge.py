"""Issue 22 figures for merging duplicates, on the 100,000-lead demo database:

- merging a lead that has 200 activities (and a checklist, and a next action) into
  another: p95 of rules.merge_leads, beside the bare writes of a merge in raw sqlite3
  on the same file (moving 200 activity rows, updating two leads, three history rows);
  goal ≤ 50 ms;
- undoing such a merge (funnel undo), beside the same floor;
- the lead list once leads have been merged (a few hundred): its count, first page,
  a deep page and a search keystroke, each beside the same statement before any lead
  was merged (merged leads are left out by id, from the indexes the list walks; a
  database without merged leads runs the very plans it ran before).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from common import cost, median, percentile

DEMO_LEADS = 100_000
ACTIVITIES = 200
MERGES = 30
MERGED_FOR_LIST = 400
ROUNDS = 15


def figures():
    from funnel_tui.config import load_config
    from funnel_tui.demo.generator import generate_demo
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database

    with tempfile.TemporaryDirectory(prefix="funnel-bench-merge-") as folder:
        target = str(Path(folder) / "demo.db")
        db = open_database(target)
        config = load_config()
        generate_demo(db, config, leads=DEMO_LEADS, seed=1, user="demo")
        db.execute_sql("ANALYZE")
        before = _list_times()
        rules = Funnel(config, "bench")
        pairs = _pairs_with_activities(db, rules)
        merges, undos = [], []
        for index, (keep, other) in enumerate(pairs):
            start = time.perf_counter()
            rules.merge_leads(keep, other)
            merges.append(time.perf_counter() - start)
            if index % 2:  # undo takes back the user's latest change: this merge
                start = time.perf_counter()
                rules.undo_last()
                undos.append(time.perf_counter() - start)
        _merge_many(db, rules)
        after = _list_times()
        close_database()
        floor = _raw_merge_floor(target)
    results = [
        cost(
            f"merge a lead with {ACTIVITIES} activities (p95 of {MERGES})",
            percentile(merges, 95) * 1000,
            median(floor) * 1000,
            "raw sqlite3: move 200 activities, update 2 leads, 3 history rows",
            "ms",
            max_value=50,
        ),
        cost(
            "undo of such a merge (p95)",
            percentile(undos, 95) * 1000,
            median(floor) * 1000,
            "the same raw writes",
            "ms",
            max_value=50,
        ),
    ]
    for name, seconds in after.items():
        results.append(
            cost(
                f"list {name}, {MERGED_FOR_LIST} leads merged",
                seconds * 1000,
                before[name] * 1000,
                "the same, before any lead was merged",
                "ms",
                max_value=max(50.0, before[name] * 1000 * 2),
            )
        )
    return results


def _pairs_with_activities(db, rules) -> list[tuple[int, int]]:
    """MERGES pairs of demo leads; each pair's second lead given ACTIVITIES activities,
    inserted as the rules would store them."""
    rows = db.execute_sql(
        "SELECT id FROM lead WHERE level = 'lead' ORDER BY id LIMIT ?", (MERGES * 2,)
    ).fetchall()
    ids = [r[0] for r in rows]
    pairs = list(zip(ids[0::2], ids[1::2], strict=True))
    user = rules.user_id
    now = rules.now()
    with db.atomic():
        for _, other in pairs:
            db.execute_sql("DELETE FROM activity WHERE lead_id = ?", (other,))
            db.cursor().executemany(
                "INSERT INTO activity (lead_id, opportunity_id, kind, direction, outcome, note, "
                "occurred_at, user_id, next_action, next_action_due, next_action_done, "
                "created_at) VALUES (?, NULL, 'call', 'outbound', 'reached', 'bench', ?, ?, "
                "'', NULL, 0, ?)",
                [(other, now, user, now)] * ACTIVITIES,
            )
    return pairs


def _merge_many(db, rules) -> None:
    """MERGED_FOR_LIST more leads merged, spread over the table."""
    from funnel_tui.core.errors import Refused

    rows = db.execute_sql(
        "SELECT id FROM lead WHERE merged_into_id IS NULL AND id % 200 = 7 ORDER BY id LIMIT ?",
        (MERGED_FOR_LIST * 2,),
    ).fetchall()
    ids = [r[0] for r in rows]
    done = 0
    for keep, other in zip(ids[0::2], ids[1::2], strict=True):
        try:
            rules.merge_leads(keep, other)
        except Refused:  # deals in two currencies: not one person's
            continue
        done += 1
    assert done > MERGED_FOR_LIST // 2, done


def _list_times() -> dict[str, float]:
    from funnel_tui.read.search import LeadQuery, lead_count, lead_page

    queries = {
        "count": lambda: lead_count(LeadQuery()),
        "first page": lambda: lead_page(LeadQuery(), 0, 50),
        "page at 90,000 by name": lambda: lead_page(LeadQuery(sort="name"), 90_000, 50),
        "search 'kowal' (page and count)": lambda: (
            lead_page(LeadQuery(text="kowal"), 0, 50),
            lead_count(LeadQuery(text="kowal")),
        ),
    }
    times = {}
    for name, run in queries.items():
        samples = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            run()
            samples.append(time.perf_counter() - start)
        times[name] = median(samples)
    return times


def _raw_merge_floor(target: str) -> list[float]:
    """The bare writes of a merge in raw sqlite3, on the same file: what a merge cannot
    do without."""
    conn = sqlite3.connect(target, isolation_level=None)
    rows = conn.execute(
        "SELECT lead_id FROM activity WHERE lead_id IS NOT NULL GROUP BY lead_id "
        "HAVING COUNT(*) >= ? LIMIT 2",
        (ACTIVITIES,),
    ).fetchall()
    first, second = rows[0][0], rows[1][0]
    samples = []
    for round_ in range(ROUNDS):
        src, dst = (first, second) if round_ % 2 == 0 else (second, first)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM activity WHERE lead_id = ? LIMIT ?", (src, ACTIVITIES)
            )
        ]
        marks = ",".join("?" * len(ids))
        conn.execute(f"UPDATE activity SET lead_id = ? WHERE id IN ({marks})", (dst, *ids))
        conn.execute("UPDATE lead SET version = version + 1 WHERE id IN (?, ?)", (src, dst))
        conn.executemany(
            "INSERT INTO history (at, user_id, entity, entity_id, action, field, old, new, "
            "version) VALUES ('2026-01-01', 1, 'lead', ?, 'bench', 'x', NULL, NULL, 1)",
            [(src,), (dst,), (dst,)],
        )
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - start)
    conn.close()
    return samples
