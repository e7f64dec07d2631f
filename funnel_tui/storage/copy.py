"""Copying a whole funnel database to another engine: a team outgrowing its SQLite file
moves to PostgreSQL with every record and its history, ids kept, so a lead is #12 on both.

The target is made as a new funnel database (open_database) and must hold no data yet;
the copy is one transaction on it, so a failure leaves it empty. No UI imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import peewee

from funnel_tui.core.errors import DatabaseError
from funnel_tui.core.i18n import _
from funnel_tui.storage.database import open_database
from funnel_tui.storage.models import (
    ALL_MODELS,
    TALLY_MODELS,
    WAIT_MODELS,
    MetaEntry,
    Presence,
    User,
)
from funnel_tui.storage.planner_stats import refresh_statistics
from funnel_tui.storage.tallies import deferred_tallies
from funnel_tui.storage.targets import describe

BATCH = 1000
# Not data: which instances are running belongs to the database they run on. The
# tallies and the percentile reports' waits are worked out again on the target from
# what was copied.
NOT_COPIED = (Presence, *TALLY_MODELS, *WAIT_MODELS)
# Facts about the source file rather than the data (the target writes its own).
LOCAL_META = ("schema_version",)


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def equal(self) -> bool:
        return self.source == self.target


def copy_database(
    source: peewee.Database,
    target: str,
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCount]:
    """Copy every row of the open, up-to-date `source` into the new database `target`
    (a path or URL), then count both sides, table by table. On return the models are
    bound to the target. Refuses a target that holds data already."""
    into = open_database(target)
    tables = [m for m in ALL_MODELS if m not in NOT_COPIED]
    if any(_count(into, m) for m in tables if m is not MetaEntry and m is not User):
        raise DatabaseError(
            _("{database} already holds funnel data; copy into a new, empty database").format(
                database=describe(target)
            )
        )
    try:
        with into.atomic(), deferred_tallies(into):
            for model in tables:
                copied = _copy_table(source, into, model)
                if progress is not None:
                    progress(model._meta.table_name, copied)
            _advance_sequences(into, tables)
    except peewee.PeeweeException as exc:
        raise DatabaseError(
            _("copy into {database} failed, nothing kept: {reason}").format(
                database=describe(target), reason=exc
            )
        ) from exc
    # The target's planner has seen only empty tables: without statistics its first
    # queries are planned for them (on PostgreSQL until autovacuum comes round).
    refresh_statistics(into, [m._meta.table_name for m in tables])
    return [TableCount(m._meta.table_name, _count(source, m), _count(into, m)) for m in tables]


def _columns(model: type[peewee.Model]) -> list[peewee.Field]:
    return list(model._meta.sorted_fields)


def _copy_table(source: peewee.Database, into: peewee.Database, model) -> int:
    fields = _columns(model)
    names = ", ".join(f'"{f.column_name}"' for f in fields)
    table = model._meta.table_name
    order = '"key"' if model is MetaEntry else '"id"'
    cursor = source.execute_sql(f'SELECT {names} FROM "{table}" ORDER BY {order}')
    copied = 0
    while rows := cursor.fetchmany(BATCH):
        if model is MetaEntry:
            rows = [r for r in rows if r[0] not in LOCAL_META]
            # The copy is the same database moved: it keeps the source's own name (the
            # calendar's entries keep their ids), not the one made with its tables.
            keys = [r[0] for r in rows]
            MetaEntry.delete().where(MetaEntry.key.in_(keys)).execute()
        elif model is User:
            # The target may have its own user row already (whoever opened it first);
            # the source's ids must win, so users are matched by login.
            logins = [r[fields.index(User.login)] for r in rows]
            User.delete().where(User.login.in_(logins)).execute()
        if rows:
            model.insert_many([list(r) for r in rows], fields=fields).execute()
        copied += len(rows)
    return copied


def _advance_sequences(into: peewee.Database, tables) -> None:
    """PostgreSQL hands out ids from a sequence that copying with explicit ids left at
    1: move each past the highest id copied."""
    if not isinstance(into, peewee.PostgresqlDatabase):
        return
    for model in tables:
        if not isinstance(model._meta.primary_key, peewee.AutoField):
            continue
        table = model._meta.table_name
        into.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX("id") FROM "{table}"), 0) + 1, false)'
        )


def _count(db: peewee.Database, model) -> int:
    return db.execute_sql(f'SELECT COUNT(*) FROM "{model._meta.table_name}"').fetchone()[0]
