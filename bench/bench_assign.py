"""Issue 22 figure for handing over: a rep's 10,000 open leads handed to two others,
round-robin, in one action (rules.assign.hand_over: one transaction, the owners changed
and a history row written for each lead), and its undo (rules.undo, the whole action
back as one step), on a copy of the 100,000-lead demo database (SQLite).

Floor, measured in the same run on another copy: the least any hand-over can write, in
raw sqlite3 — one UPDATE of owner_id per new owner for the same ids, and the same
number of history rows inserted with one executemany, in one transaction.

    .venv/bin/python bench/bench_assign.py
    FUNNEL_BENCH_DEMO=/tmp/demo100k.db .venv/bin/python bench/bench_assign.py  # reuse one
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from common import check, cost, median, timed

DEMO_LEADS = 100_000
HANDED = 10_000
LEAVING, TO = "leaving", ("ben", "carla")
ROUNDS = 3


def figures():
    with tempfile.TemporaryDirectory(prefix="funnel-bench-assign-") as folder:
        target = str(Path(folder) / "demo.db")
        ids = _build(target)
        floor_copy = str(Path(folder) / "floor.db")
        shutil.copy(target, floor_copy)
        # Timed before and after the rules' rounds, so neither side alone meets a cold
        # page cache.
        floors = [_floor(floor_copy, ids, n) for n in range(ROUNDS)]
        handed, undone, held = _measure(target, ids)
        floors += [_floor(floor_copy, ids, n) for n in range(ROUNDS, 2 * ROUNDS)]
        floor = median(floors)
    return [
        cost(
            f"hand over {HANDED:,} leads (one action)",
            median(handed) * 1000,
            floor * 1000,
            f"raw sqlite3: UPDATE owner_id of the {HANDED:,} ids + {HANDED:,} history rows",
            "ms",
            max_value=2000,
        ),
        cost(
            f"undo of that hand-over ({HANDED:,} leads)",
            median(undone) * 1000,
            floor * 1000,
            "the same floor: as many owners and history rows written",
            "ms",
            max_value=2000,
        ),
        check(
            "hand-over and undo leave every owner right",
            held,
            f"{HANDED:,} leads to {', '.join(TO)} in turn, then back to {LEAVING}",
        ),
    ]


def _build(target: str) -> list[int]:
    """The demo (or a copy of FUNNEL_BENCH_DEMO), and LEAVING made the owner of
    HANDED open leads; their ids."""
    from funnel_tui.config import load_config
    from funnel_tui.storage.database import close_database, open_database

    cached = os.environ.get("FUNNEL_BENCH_DEMO")
    if cached and Path(cached).exists():
        shutil.copy(cached, target)
        db = open_database(target)
    else:
        from funnel_tui.demo.generator import generate_demo

        db = open_database(target)
        generate_demo(db, load_config(), leads=DEMO_LEADS, seed=1, user="bench")
    from funnel_tui.storage.models import Lead, User

    with db.atomic():
        leaving, _ = User.get_or_create(
            login=LEAVING,
            defaults={"display_name": "Leaving Rep", "created_at": dt.datetime(2026, 1, 1)},
        )
        ids = [
            i
            for (i,) in Lead.select(Lead.id)
            .where(Lead.status != "unqualified", Lead.merged_into.is_null())
            .order_by(Lead.id)
            .limit(HANDED)
            .tuples()
        ]
        Lead.update(owner=leaving.id).where(Lead.id.in_(ids)).execute()
    db.execute_sql("ANALYZE")
    close_database()
    return ids


def _floor(path: str, ids: list[int], round_: int) -> float:
    """One hand-over's writes in raw sqlite3, timed from BEGIN to COMMIT."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=1")
    users = dict(con.execute('SELECT login, id FROM "user"').fetchall())
    owners = [users[TO[n % len(TO)]] for n in range(len(ids))] if round_ % 2 == 0 else None
    if owners is None:
        owners = [users[LEAVING]] * len(ids)
    at = f"2026-12-{round_ + 1:02d} 10:00:00"

    def write() -> None:
        con.execute("BEGIN IMMEDIATE")
        by_owner: dict[int, list[int]] = {}
        for lead_id, owner in zip(ids, owners, strict=True):
            by_owner.setdefault(owner, []).append(lead_id)
        for owner, chosen in by_owner.items():
            for start in range(0, len(chosen), 900):
                chunk = chosen[start : start + 900]
                marks = ", ".join("?" * len(chunk))
                con.execute(
                    f'UPDATE "lead" SET "owner_id" = ?, "version" = "version" + 1 '
                    f'WHERE "id" IN ({marks})',
                    [owner, *chunk],
                )
        con.executemany(
            'INSERT INTO "history" ("at", "user_id", "entity", "entity_id", "action", "field", '
            '"old", "new", "version") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [(at, 1, "lead", i, "assign", "owner", "x", "y", 2) for i in ids],
        )
        con.execute("COMMIT")

    took = timed(write)
    con.close()
    return took


def _measure(target: str, ids: list[int]) -> tuple[list[float], list[float], bool]:
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.storage.models import Lead, User

    open_database(target)
    try:
        handed, undone, held = [], [], True
        for round_ in range(ROUNDS):
            moment = dt.datetime(2026, 12, 1, 10) + dt.timedelta(hours=round_)
            rules = Funnel(load_config(), "bench", lambda at=moment: at)
            _ = rules.user_id  # made before the clock starts
            made: list = []
            handed.append(
                timed(lambda r=rules, m=made: m.append(r.hand_over(LEAVING, list(TO), deals=False)))
            )
            done = made[0] if made else None
            held &= done is not None and done.leads == HANDED
            owners = dict(
                Lead.select(Lead.id, User.login)
                .join(User, on=Lead.owner == User.id)
                .where(Lead.id.in_(ids[:4]))
                .tuples()
            )
            held &= [owners[i] for i in ids[:4]] == [*TO, *TO]
            later = Funnel(load_config(), "bench", lambda at=moment: at + dt.timedelta(minutes=1))
            undone.append(timed(later.undo_last))
            back = Lead.select().where(
                Lead.id.in_(ids), Lead.owner == User.get(User.login == LEAVING).id
            )
            held &= back.count() == HANDED
        return handed, undone, held
    finally:
        close_database()


if __name__ == "__main__":
    from common import report

    report(figures())
