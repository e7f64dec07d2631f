"""The waits behind the percentile reports (speed to lead, cycle time): every wait they
measure as a row (models.WaitFact), and how many fall in each bucket of length per UTC
day and month (models.WaitTally), kept by triggers in the same transaction as every
write on SQLite and PostgreSQL; rebuilding both from the records, checking them against
the records, and reading them back for the reports.

A median of a million waits is then exact without ranking a million: the tally says
which bucket holds the k-th wait of a group and how many come before it, and that
bucket's waits are read from an index in order, skipping those (read.reports.percentiles
decides what to ask; the SQL is here, in bucket_counts and waits_from_many).

Triggers, not the rules layer, keep them: every path that writes (a rep's edit, an
import, a merge, an erasure, an undo, another instance's SQL) then counts. Each change
to a record "refreshes" the facts that depend on it: deletes them and inserts them again
from the records as they now are; the facts' own triggers then move their counts in the
tally. So a fact is always what the records give, and the tally the sum of the facts.

A hand-written UPDATE with triggers dropped, or a file restored from elsewhere, could
still leave them wrong: `wait_summary_problems` finds that and `rebuild_wait_summaries`
mends it (`funnel check [--repair]`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.storage.wait_facts import (
    ALL_FACT_COLUMNS,
    BY_OWNER,
    FACTS,
    TALLY,
    TALLY_KEYS,
    facts_sql,
    on_postgres,
    tally_sql,
)
from funnel_tui.storage.wait_triggers import (
    create_wait_triggers,
    drop_wait_triggers,
)

# ------------------------------------------------------------------ indexes

# What the reports read: the waits of one kind and bucket in order (with their group,
# which the reads of one group's waits filter on), and the facts of a stretch of time
# (the hours a boundary of a period cuts).
INDEXES = {
    "wait_fact_pick": ("kind", "bucket", "wait", "at", "label", "owner_id"),
    "wait_fact_at": ("kind", "at", "bucket", "label", "owner_id"),
}


def wait_index_names() -> set[str]:
    return {*INDEXES, f"{TALLY}_empty"}


def _create_indexes(db: peewee.Database) -> None:
    for name, columns in INDEXES.items():
        names = ", ".join(f'"{c}"' for c in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{FACTS}" ({names})')
    # A tally row counting nothing is removed by the statement after the one that took
    # its last away; this finds such rows without a scan.
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{TALLY}_empty" ON "{TALLY}" ("n") WHERE "n" = 0')


def create_wait_summaries(db: peewee.Database) -> None:
    """The indexes and triggers (idempotent; the tables are models), inside the caller's
    transaction."""
    _create_indexes(db)
    create_wait_triggers(db)


def rebuild_wait_summaries(db: peewee.Database) -> None:
    """Work every fact and the tally out again from the records, inside the caller's
    transaction (about 10 s for a million leads): the triggers are off meanwhile and
    the facts' indexes built once at the end."""
    postgres = on_postgres(db)
    drop_wait_triggers(db)
    for name in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    db.execute_sql(f'DELETE FROM "{FACTS}"')
    db.execute_sql(f'DELETE FROM "{TALLY}"')
    names = ", ".join(f'"{c}"' for c in ALL_FACT_COLUMNS)
    db.execute_sql(f'INSERT INTO "{FACTS}" ({names}) {facts_sql(postgres)}')
    keys = ", ".join(f'"{c}"' for c in (*TALLY_KEYS, "n"))
    db.execute_sql(f'INSERT INTO "{TALLY}" ({keys}) {tally_sql(postgres)}')
    create_wait_summaries(db)
    if postgres:
        # Statistics for the planner, which would otherwise plan the reports' reads for
        # empty tables until autovacuum comes round.
        db.execute_sql(f'ANALYZE "{FACTS}", "{TALLY}"')


def wait_summary_problems(db: peewee.Database) -> int:
    """How many facts and tally rows differ from what the records give (missing, left
    over, or with other values); 0 when every one agrees."""
    postgres = on_postgres(db)
    wrong = 0
    fact_names = ", ".join(f'"{c}"' for c in ALL_FACT_COLUMNS)
    tally_names = ", ".join(f'"{c}"' for c in (*TALLY_KEYS, "n"))
    for table, names, keys, select in (
        (FACTS, fact_names, '"kind", "ref"', facts_sql(postgres)),
        (TALLY, tally_names, ", ".join(f'"{c}"' for c in TALLY_KEYS), tally_sql(postgres)),
    ):
        stored = f'SELECT {names} FROM "{table}"'
        # The records' rows as one SELECT: "a EXCEPT b UNION ALL c" would add c whole.
        select = f"SELECT {names} FROM ({select}) AS records"
        # A row whose values differ is in both differences: its key counts once.
        differing = (
            f"SELECT {keys} FROM ({stored} EXCEPT {select}) AS extra UNION "
            f"SELECT {keys} FROM ({select} EXCEPT {stored}) AS missing"
        )
        wrong += db.execute_sql(f"SELECT COUNT(*) FROM ({differing}) AS rows").fetchone()[0]
    return wrong


@contextmanager
def deferred_wait_summaries(db: peewee.Database) -> Iterator[None]:
    """Around a bulk load inside one transaction (funnel demo, a copy): the triggers are
    off while it writes and everything is worked out again at the end, in one pass per
    kind instead of statements for every row. Other writers wait on the transaction, so
    none writes unseen; should the block raise, the rollback brings the triggers back."""
    drop_wait_triggers(db)
    yield
    rebuild_wait_summaries(db)


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Piece:
    """Part of a stretch of time, counted `sign` times (1 or -1): the tally's rows of
    `span` (DAY or MONTH) starting in [low, high), or, `span` "", the facts whose `at`
    is in [low, high); None is open."""

    span: str
    low: dt.datetime | None
    high: dt.datetime | None
    sign: int


def _stored(db: peewee.Database, moment: dt.datetime) -> Any:
    """A time as this engine compares it with stored ones."""
    return moment if on_postgres(db) else moment.isoformat(" ")


def _between(db: peewee.Database, column: str, low: Any, high: Any, params: list) -> str:
    condition = ""
    if low is not None:
        condition += f' AND "{column}" >= {db.param}'
        params.append(_stored(db, low))
    if high is not None:
        condition += f' AND "{column}" < {db.param}'
        params.append(_stored(db, high))
    return condition


def bucket_counts(
    db: peewee.Database, kinds: Sequence[int], dim: int, stretches: Sequence[Sequence[Piece]]
) -> dict[tuple[int, int, str], dict[int, int]]:
    """How many facts of `kinds` fall in each bucket, per stretch of time (its index in
    `stretches`, each a list of pieces), kind and group (`dim`: BY_LABEL or BY_OWNER):
    (stretch, kind, group) -> {bucket: count}, leaving out what counts nothing."""
    listed = ", ".join(str(int(kind)) for kind in kinds)
    postgres = on_postgres(db)
    owner = '"owner_id"::text' if postgres else 'CAST("owner_id" AS TEXT)'
    group = owner if dim == BY_OWNER else '"label"'
    # SQLite would rather walk the index that gives the groups in order than the one
    # that finds the stretch of time.
    hint = "" if postgres else " INDEXED BY wait_fact_at"
    parts, params = [], []
    for tag, pieces in enumerate(stretches):
        for piece in pieces:
            if piece.span:
                where = _between(db, "start", piece.low, piece.high, params)
                parts.append(
                    f'SELECT {tag} AS tag, "kind" AS kind, "grp" AS grp, "bucket" AS bucket, '
                    f'{piece.sign} * SUM("n") AS n FROM "{TALLY}" WHERE "span" = \'{piece.span}\' '
                    f'AND "kind" IN ({listed}) AND "dim" = {int(dim)}{where} '
                    'GROUP BY "kind", "grp", "bucket"'
                )
            else:
                where = _between(db, "at", piece.low, piece.high, params)
                parts.append(
                    f'SELECT {tag} AS tag, "kind" AS kind, {group} AS grp, "bucket" AS bucket, '
                    f"{piece.sign} * COUNT(*) AS n "
                    f'FROM "{FACTS}"{hint} WHERE "kind" IN ({listed}){where} GROUP BY 2, 3, 4'
                )
    if not parts:
        return {}
    sql = (
        "SELECT tag, kind, grp, bucket, SUM(n) FROM (" + " UNION ALL ".join(parts) + ") AS "
        "pieces GROUP BY tag, kind, grp, bucket"
    )
    found: dict[tuple[int, int, str], dict[int, int]] = {}
    for tag, kind, grp, bucket, count in db.execute_sql(sql, params).fetchall():
        if count:
            found.setdefault((int(tag), int(kind), grp), {})[int(bucket)] = int(count)
    return found


@dataclass(frozen=True)
class WaitRead:
    """`count` waits of `kind` in `bucket` whose `at` is in [low, high), in order, after
    the first `skip` of them; `group`: only those of (BY_LABEL, label) or (BY_OWNER,
    owner id as text)."""

    kind: int
    bucket: int
    group: tuple[int, str] | None
    low: dt.datetime | None
    high: dt.datetime | None
    skip: int
    count: int


# Reads per statement: SQLite allows 500 terms in a compound SELECT.
READS_PER_STATEMENT = 200


def waits_from_many(db: peewee.Database, reads: Sequence[WaitRead]) -> list[list[float]]:
    """The waits of each read, in the order of `reads`: in one statement per
    READS_PER_STATEMENT, each read from an index alone (at most its bucket's entries).
    A report asks dozens (two percentiles of each group), and a round trip to a
    PostgreSQL server costs more than such a read."""
    found: list[list[float]] = [[] for _read in reads]
    for first in range(0, len(reads), READS_PER_STATEMENT):
        chunk = reads[first : first + READS_PER_STATEMENT]
        params: list[Any] = []
        parts = [_one_read(db, first + n, read, params) for n, read in enumerate(chunk)]
        for tag, wait in db.execute_sql(" UNION ALL ".join(parts), params).fetchall():
            found[int(tag)].append(float(wait))
    for waits in found:
        waits.sort()  # each term's rows came in order; SQL keeps no order across terms
    return found


def _one_read(db: peewee.Database, tag: int, read: WaitRead, params: list[Any]) -> str:
    condition = ""
    if read.group is not None:
        dim, value = read.group
        column = "owner_id" if dim == BY_OWNER else "label"
        condition = f' AND "{column}" = {db.param}'
        params.append(int(value) if dim == BY_OWNER else value)
    condition += _between(db, "at", read.low, read.high, params)
    hint = "" if on_postgres(db) else " INDEXED BY wait_fact_pick"
    # Wrapped: a term of a compound SELECT takes no ORDER BY or LIMIT of its own.
    return (
        f'SELECT * FROM (SELECT {int(tag)} AS tag, "wait" FROM "{FACTS}"{hint} WHERE '
        f'"kind" = {int(read.kind)} AND "bucket" = {int(read.bucket)}{condition} '
        f'ORDER BY "wait" LIMIT {int(read.count)} OFFSET {int(read.skip)}) AS read_{int(tag)}'
    )
