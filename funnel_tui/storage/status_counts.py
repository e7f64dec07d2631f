"""How many live leads each status has (the lead list's top-line counts), kept in the
table lead_status_count by triggers in the same transaction as every write, on SQLite
and on PostgreSQL; counted again from the leads, and checked against them.

Counting a million leads by status through an index takes 60–80 ms, and the list asks at
every start and after every write; reading these few rows takes well under one.

A merged lead (models.Lead.merged_into) is not counted: the list does not show it. The
triggers, not the rules layer, keep the counts, so every path that writes leads (a
rep's edit, an import's bulk SQL, a merge, an erasure, an undo) counts, and no new
writer can forget to. On PostgreSQL each server process adds to its own row of a status
(its process id modulo SHARDS): two instances saving leads at once then never wait on
one count's row lock until the other commits, as they would on a single row per status.
SQLite has one writer at a time, so there is one row per status (shard 0).

A hand-written UPDATE with the triggers dropped, or a file restored from elsewhere,
could still leave a count wrong: `status_count_problems` finds that and
`rebuild_status_counts` mends it (`funnel check [--repair]`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import peewee

TABLE = "lead_status_count"
SHARDS = 16
_TRIGGERS = ("lead_status_count_insert", "lead_status_count_delete", "lead_status_count_update")


def _counted(leads: str | None = None) -> str:
    """The counts as the records give them: live leads by status (of the leads whose
    ids `leads` lists, SQL that fits in "IN (...)"; None: of all)."""
    only = "" if leads is None else f' AND "id" IN ({leads})'
    return (
        'SELECT "status" AS status, COUNT(*) AS leads FROM "lead" '
        f'WHERE "merged_into_id" IS NULL{only} GROUP BY 1'
    )


_COUNTED = _counted()

# The counts as kept, statuses whose rows sum to nothing left out.
_KEPT = (
    f'SELECT "status" AS status, SUM("leads") AS leads FROM "{TABLE}" GROUP BY 1 '
    'HAVING SUM("leads") <> 0'
)


def _postgres(db: peewee.Database) -> bool:
    return isinstance(db, peewee.PostgresqlDatabase)


def create_status_counts(db: peewee.Database) -> None:
    """The table and its triggers (idempotent), inside the caller's transaction. A new
    table starts empty: right for a new database; a migration fills it first."""
    db.execute_sql(
        f'CREATE TABLE IF NOT EXISTS "{TABLE}" ("status" VARCHAR(255) NOT NULL, '
        '"shard" INTEGER NOT NULL, "leads" INTEGER NOT NULL, PRIMARY KEY ("status", "shard"))'
    )
    if _postgres(db):
        _create_pg_triggers(db)
    else:
        _create_sqlite_triggers(db)


def _sqlite_add(status: str, sign: str, only_if: str) -> str:
    # "WHERE" before ON CONFLICT: without one SQLite would read ON CONFLICT as a join's.
    return (
        f'INSERT INTO "{TABLE}" ("status", "shard", "leads") SELECT {status}, 0, {sign} '
        f'WHERE {only_if} ON CONFLICT ("status", "shard") DO UPDATE SET '
        f'"leads" = "leads" + excluded."leads";'
    )


def _create_sqlite_triggers(db: peewee.Database) -> None:
    live_old, live_new = 'OLD."merged_into_id" IS NULL', 'NEW."merged_into_id" IS NULL'
    moved = f'OLD."status" IS NOT NEW."status" OR ({live_old}) <> ({live_new})'
    bodies = {
        "lead_status_count_insert": (
            "AFTER INSERT",
            live_new,
            _sqlite_add('NEW."status"', "1", "TRUE"),
        ),
        "lead_status_count_delete": (
            "AFTER DELETE",
            live_old,
            _sqlite_add('OLD."status"', "-1", "TRUE"),
        ),
        "lead_status_count_update": (
            'AFTER UPDATE OF "status", "merged_into_id"',
            moved,
            _sqlite_add('OLD."status"', "-1", live_old)
            + _sqlite_add('NEW."status"', "1", live_new),
        ),
    }
    for name, (event, when, body) in bodies.items():
        db.execute_sql(
            f'CREATE TRIGGER IF NOT EXISTS "{name}" {event} ON "lead" WHEN {when} BEGIN {body} END'
        )


# Each server process adds to its own row of a status (see the module's docstring).
_PG_SHARD = f"mod(pg_backend_pid(), {SHARDS})"  # no "%": the driver reads it as a parameter
_PG_UPSERT = (
    f'INSERT INTO "{TABLE}" ("status", "shard", "leads") {{select}} '
    f'ON CONFLICT ("status", "shard") DO UPDATE SET "leads" = "{TABLE}"."leads" + '
    'excluded."leads"'
)


def _create_pg_triggers(db: peewee.Database) -> None:
    # Inserts and deletes count once per statement, from the rows it wrote: a COPY or
    # a multi-row INSERT of thousands of leads is one grouped upsert, not thousands.
    def per_statement(rows: str, sign: str) -> str:
        return _PG_UPSERT.format(
            select=f'SELECT "status", {_PG_SHARD}, {sign} * COUNT(*) FROM {rows} '
            'WHERE "merged_into_id" IS NULL GROUP BY 1'
        )

    # An update moves a lead between statuses (or in or out of the merged): a row
    # trigger, as transition tables cannot be limited to these columns, and every
    # other UPDATE of a million leads (a rescoring) would copy them all to no purpose.
    # The two rows change in the order of their statuses, so two processes sharing a
    # shard and moving leads opposite ways wait for each other rather than deadlock.
    moved = (
        f'SELECT s, {_PG_SHARD}, SUM(n) FROM (VALUES (OLD."status", CASE WHEN '
        'OLD."merged_into_id" IS NULL THEN -1 ELSE 0 END), (NEW."status", CASE WHEN '
        'NEW."merged_into_id" IS NULL THEN 1 ELSE 0 END)) AS c (s, n) GROUP BY s '
        "HAVING SUM(n) <> 0 ORDER BY s"
    )
    functions = {
        "lead_status_count_insert": per_statement("added", "1"),
        "lead_status_count_delete": per_statement("removed", "-1"),
        "lead_status_count_update": _PG_UPSERT.format(select=moved),
    }
    for name, body in functions.items():
        db.execute_sql(
            f"CREATE OR REPLACE FUNCTION funnel_{name}() RETURNS trigger AS $$\n"
            f"BEGIN\n{body};\nRETURN NULL;\nEND $$ LANGUAGE plpgsql"
        )
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "lead"')
    db.execute_sql(
        'CREATE TRIGGER "lead_status_count_insert" AFTER INSERT ON "lead" '
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION funnel_lead_status_count_insert()"
    )
    db.execute_sql(
        'CREATE TRIGGER "lead_status_count_delete" AFTER DELETE ON "lead" '
        "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
        "EXECUTE FUNCTION funnel_lead_status_count_delete()"
    )
    db.execute_sql(
        'CREATE TRIGGER "lead_status_count_update" AFTER UPDATE OF "status", '
        '"merged_into_id" ON "lead" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM '
        'NEW."status" OR (OLD."merged_into_id" IS NULL) <> (NEW."merged_into_id" IS NULL)) '
        "EXECUTE FUNCTION funnel_lead_status_count_update()"
    )


def drop_status_count_triggers(db: peewee.Database) -> None:
    """Take the triggers away (a bulk load that counts once at its end), inside the
    caller's transaction; create_status_counts puts them back."""
    for name in _TRIGGERS:
        on = ' ON "lead"' if _postgres(db) else ""
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"{on}')


@contextmanager
def deferred_status_counts(db: peewee.Database) -> Iterator[None]:
    """Around a bulk load inside one transaction (funnel demo, a copy): the triggers
    are off while it writes and the counts are made again at the end in one pass. On
    SQLite each lead inserted otherwise runs an upsert of its status's row (0.3 s of
    the 100,000-lead demo); PostgreSQL's count once per statement, but a rebuild is one
    GROUP BY there too. Should the block raise, the rollback brings the triggers back."""
    drop_status_count_triggers(db)
    yield
    rebuild_status_counts(db)
    create_status_counts(db)


def add_new_leads_sql(leads: str) -> str:
    """SQLite: add what the leads just inserted whose ids `leads` lists count, one
    upsert a status (what the insert trigger adds a lead at a time), for a bulk insert
    made with that trigger off (storage.summaries)."""
    return (
        f'INSERT INTO "{TABLE}" ("status", "shard", "leads") SELECT status, 0, leads '
        f"FROM ({_counted(leads)}) AS counted WHERE TRUE "
        'ON CONFLICT ("status", "shard") DO UPDATE SET "leads" = "leads" + excluded."leads"'
    )


def live_status_counts(db: peewee.Database) -> dict[str, int]:
    """Live leads per status as kept: only statuses some lead has."""
    return {status: int(n) for status, n in db.execute_sql(_KEPT).fetchall()}


def rebuild_status_counts(db: peewee.Database) -> None:
    """Count every status again from the leads, inside the caller's transaction (on
    SQLite an IMMEDIATE one holds off every other writer). On PostgreSQL the table is
    locked first: a lead another instance saved and has not committed yet is counted by
    its trigger once this commits, neither twice nor not at all."""
    if _postgres(db):
        db.execute_sql(f'LOCK TABLE "{TABLE}" IN EXCLUSIVE MODE')
    db.execute_sql(f'DELETE FROM "{TABLE}"')
    db.execute_sql(
        f'INSERT INTO "{TABLE}" ("status", "shard", "leads") SELECT status, 0, leads '
        f"FROM ({_COUNTED}) AS counted"
    )


def status_count_problems(db: peewee.Database) -> int:
    """How many statuses' kept counts differ from the leads (0: all agree). One
    statement, so both sides are read as of one moment."""
    differing = (
        f"SELECT status FROM ({_KEPT} EXCEPT {_COUNTED}) AS extra UNION "
        f"SELECT status FROM ({_COUNTED} EXCEPT {_KEPT}) AS missing"
    )
    sql = f"SELECT COUNT(*) FROM ({differing}) AS differing"
    return db.execute_sql(sql).fetchone()[0]
